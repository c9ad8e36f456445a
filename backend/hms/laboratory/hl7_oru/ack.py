"""The outcome of an import and its original-mode ACK."""

import secrets
from dataclasses import dataclass, field

from django.utils import timezone

from hms.laboratory.hl7_oru.parsing import SUPPORTED_VERSIONS, _get
from hms.laboratory.models import LabOrder


@dataclass
class Hl7Outcome:
    ack_code: str
    text: str
    ack: str
    control_id: str = ""
    orders: list[LabOrder] = field(default_factory=list)
    results: int = 0
    duplicate: bool = False
    error_location: str = ""

    @property
    def accepted(self) -> bool:
        return self.ack_code == "AA"


def _escape(text: str) -> str:
    """Escape HL7 delimiters (the ACK always uses the standard |^~\\& encoding)."""
    field_sep, comp, rep, esc, sub = "|", "^", "~", "\\", "&"
    out = []
    for char in str(text):
        if char == esc:
            out.append(f"{esc}E{esc}")
        elif char == field_sep:
            out.append(f"{esc}F{esc}")
        elif char == comp:
            out.append(f"{esc}S{esc}")
        elif char == sub:
            out.append(f"{esc}T{esc}")
        elif char == rep:
            out.append(f"{esc}R{esc}")
        elif char in "\r\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _location(location: str) -> str:
    """ERR-2 (ERL: segment^sequence^field): components stay components."""
    return "^".join(_escape(part) for part in location.split("^"))


def build_ack(
    message, *, ack_code: str, text: str, error=None, location: str = ""
) -> tuple[str, str]:
    """(ACK text, its control id). `message` may be None when the input was not parsable."""
    msh = message.segment("MSH") if message is not None else None
    value = (lambda n, c=1: _get(msh, n, 1, c)) if msh is not None else (lambda n, c=1: "")
    control_id = "ACK" + secrets.token_hex(6).upper()
    now = timezone.localtime().strftime("%Y%m%d%H%M%S%z")
    trigger = value(9, 2) or "R01"
    version = value(12) if value(12) in SUPPORTED_VERSIONS else "2.5.1"
    fields = [
        "MSH",
        "^~\\&",
        _escape(value(5) or "HMS"),
        _escape(value(6) or "HMS"),
        _escape(value(3)),
        _escape(value(4)),
        now,
        "",
        f"ACK^{_escape(trigger)}^ACK",
        control_id,
        "P",
        version,
    ]
    segments = ["|".join(fields), f"MSA|{ack_code}|{_escape(value(10))}|{_escape(text[:80])}"]
    if error is not None and ack_code != "AA":
        code, name = error
        segments.append(
            f"ERR||{_location(location)}|{code}^{_escape(name)}^HL70357|E||||{_escape(text)}"
        )
    return "\r".join(segments) + "\r", control_id
