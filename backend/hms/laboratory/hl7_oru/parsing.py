"""Reading an ORU^R01 message: its checks, its fields, the rejections (AR) and errors (AE)."""

from datetime import datetime

import hl7
from django.utils import timezone

SUPPORTED_VERSIONS = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8"}
ACCEPTED_RESULT_STATUSES = {"F", "P", "R", "C"}
VALUE_TYPES = {"NM", "SN", "ST", "TX", "FT", "CWE", "CE", "CNE"}
# HL7 table 0357 (message error condition codes).
ERR_SEGMENT_SEQUENCE = ("100", "Segment sequence error")
ERR_REQUIRED_MISSING = ("101", "Required field missing")
ERR_DATA_TYPE = ("102", "Data type error")
ERR_TABLE_VALUE = ("103", "Table value not found")
ERR_UNSUPPORTED_TYPE = ("200", "Unsupported message type")
ERR_UNSUPPORTED_EVENT = ("201", "Unsupported event code")
ERR_UNSUPPORTED_PROCESSING = ("202", "Unsupported processing id")
ERR_UNSUPPORTED_VERSION = ("203", "Unsupported version id")
ERR_UNKNOWN_KEY = ("204", "Unknown key identifier")
ERR_DUPLICATE_KEY = ("205", "Duplicate key identifier")
ERR_INTERNAL = ("207", "Application internal error")


class Hl7Rejection(Exception):
    def __init__(self, ack_code: str, message: str, error=ERR_INTERNAL, location: str = ""):
        super().__init__(message)
        self.ack_code = ack_code
        self.message = message
        self.error = error
        self.location = location


def _reject(message: str, error=ERR_INTERNAL, location: str = "") -> Hl7Rejection:
    return Hl7Rejection("AR", message, error, location)


def _error(message: str, error=ERR_INTERNAL, location: str = "") -> Hl7Rejection:
    return Hl7Rejection("AE", message, error, location)


def _get(segment, field_num: int, rep: int = 1, comp: int = 1, sub: int = 1) -> str:
    """A field value (unescaped), "" when absent; never raises for a short segment."""
    try:
        return str(segment.extract_field(1, field_num, rep, comp, sub)).strip()
    except (IndexError, AttributeError, TypeError):
        return ""


def _repetitions(segment, field_num: int) -> int:
    try:
        value = segment(field_num)
    except (IndexError, TypeError):
        return 0
    if isinstance(value, hl7.Field):
        return max(1, sum(1 for _ in value)) if len(value) else 0
    return 1 if str(value) else 0


def _timestamp(value: str, *, location: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = hl7.parse_datetime(value)
    except (ValueError, TypeError) as exc:
        raise _error(
            f"{location}: {value!r} is not an HL7 date/time.", ERR_DATA_TYPE, location
        ) from exc
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _normalise(raw: str) -> str:
    text = (raw or "").replace("\x0b", "").replace("\x1c", "").lstrip("\ufeff").strip()
    return text.replace("\r\n", "\r").replace("\n", "\r")


def _parse(text: str):
    if not text.startswith("MSH"):
        raise _reject(
            "Not an HL7 v2 message: it must start with an MSH segment.", ERR_SEGMENT_SEQUENCE, "MSH"
        )
    try:
        message = hl7.parse(text)
        msh = message.segment("MSH")
    except Exception as exc:  # the parser raises several exception types for bad input
        raise _reject(f"Malformed HL7 message: {exc}", ERR_SEGMENT_SEQUENCE, "MSH") from exc
    if _get(msh, 9, 1, 1).upper() != "ORU":
        raise _reject(
            f"Unsupported message type {_get(msh, 9, 1, 1) or '(none)'}: only ORU^R01 is accepted.",
            ERR_UNSUPPORTED_TYPE,
            "MSH^1^9",
        )
    if _get(msh, 9, 1, 2).upper() != "R01":
        raise _reject(
            f"Unsupported event {_get(msh, 9, 1, 2) or '(none)'}: only ORU^R01 is accepted.",
            ERR_UNSUPPORTED_EVENT,
            "MSH^1^9",
        )
    if not _get(msh, 10):
        raise _reject("MSH-10 (message control id) is missing.", ERR_REQUIRED_MISSING, "MSH^1^10")
    if _get(msh, 12, 1, 1) not in SUPPORTED_VERSIONS:
        raise _reject(
            f"Unsupported HL7 version {_get(msh, 12, 1, 1) or '(none)'}.",
            ERR_UNSUPPORTED_VERSION,
            "MSH^1^12",
        )
    if _get(msh, 11, 1, 1).upper() not in ("P", ""):
        raise _reject(
            f"Processing id {_get(msh, 11, 1, 1)} is not accepted: only production (P) results "
            "are stored.",
            ERR_UNSUPPORTED_PROCESSING,
            "MSH^1^11",
        )
    return message


def split_messages(text: str) -> list[str]:
    """A file of several messages (one after another, optionally in a FHS/BHS batch): one
    string per message, each starting with MSH."""
    messages, current = [], []
    for line in _normalise(text).split("\r"):
        if not line.strip():
            continue
        name = line[:3]
        if name in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if name == "MSH" and current:
            messages.append("\r".join(current))
            current = []
        current.append(line)
    if current:
        messages.append("\r".join(current))
    return messages
