"""Remove identifying data from prescription text before it leaves the hospital.

Two layers: the identifiers we know (the patient's names, MRN, phone, email, national ID and
date of birth; the names of the staff involved), and patterns that look like identifiers
whoever they belong to (labelled name/address/ID lines, e-mail addresses, phone-like digit
runs, long numbers, MRNs, dates, "Dr. Name"). What remains is clinical content: drugs, doses,
frequencies, durations, instructions.
"""

import re
from dataclasses import dataclass

LABELLED_LINE = re.compile(
    r"(?im)^(?P<label>[ \t]*(?:patient(?:'s)?(?:\s+name)?|name|full\s+name|surname|"
    r"first\s+name|last\s+name|dob|d\.o\.b\.?|date\s+of\s+birth|born|address|addr|street|"
    r"city|postcode|zip|mrn|medical\s+record(?:\s+number)?|hospital\s+(?:no|number)|"
    r"patient\s+id|id|national\s+id|nhs\s+(?:no|number)|ssn|insurance(?:\s+(?:no|number))?|"
    r"policy(?:\s+(?:no|number))?|phone|tel|telephone|mobile|e-?mail|contact|"
    r"next\s+of\s+kin|prescriber|doctor|physician|signed|signature)\b[ \t]*[:#-][ \t]*)"
    r"(?P<value>.+)$"
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
MRN = re.compile(r"\bH\d{9}\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
PHONE = re.compile(r"(?<![\w.])\+?\d[\d \t\-().]{5,}\d(?![\w.])")
LONG_NUMBER = re.compile(r"\b\d{6,}\b")
DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})\b",
    re.I,
)
DOCTOR = re.compile(r"\b(?:Dr|Doctor|Prof)\.?\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?")


@dataclass(frozen=True)
class Redacted:
    text: str
    removed: int


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def known_identifiers(*, patient=None, people=()) -> list[str]:
    """The literal strings to remove: a patient's identifiers and people's names."""
    values: list[str] = []
    if patient is not None:
        values += [
            patient.first_name,
            patient.middle_name,
            patient.last_name,
            patient.mrn,
            patient.phone,
            patient.email,
            getattr(patient, "national_id", "") or "",
            patient.address_line,
        ]
        if patient.date_of_birth:
            dob = patient.date_of_birth
            values += [
                dob.isoformat(),
                dob.strftime("%d/%m/%Y"),
                dob.strftime("%m/%d/%Y"),
                dob.strftime("%d.%m.%Y"),
                f"{dob.day} {dob:%B %Y}",
                f"{dob:%B} {dob.day}, {dob.year}",
            ]
        if patient.user is not None:
            values += [patient.user.username, patient.user.email]
    for person in people:
        if person is None:
            continue
        values += [person.first_name, person.last_name, person.username, person.email]
    # Longest first, so "Mary Ann" goes before "Mary"; skip fragments too short to be safe.
    return sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True)


def redact(text: str, *, identifiers: list[str] = ()) -> Redacted:
    removed = 0

    def sub(pattern: re.Pattern, replacement, value: str) -> str:
        nonlocal removed
        value, count = pattern.subn(replacement, value)
        removed += count
        return value

    text = sub(LABELLED_LINE, lambda m: f"{m.group('label')}[REDACTED]", text)
    for identifier in identifiers:
        digits = _digits(identifier)
        if len(digits) >= 6 and len(digits) >= len(identifier.replace(" ", "")) - 4:
            # A phone or ID number: match its digits whatever the separators.
            pattern = re.compile(r"[\s\-().+]*".join(re.escape(d) for d in digits))
        else:
            pattern = re.compile(rf"(?<!\w){re.escape(identifier)}(?!\w)", re.IGNORECASE)
        text = sub(pattern, "[REDACTED]", text)
    text = sub(EMAIL, "[EMAIL]", text)
    text = sub(UUID, "[ID]", text)
    text = sub(MRN, "[ID]", text)
    text = sub(DATE, "[DATE]", text)
    text = sub(PHONE, lambda m: "[NUMBER]" if len(_digits(m.group())) >= 7 else m.group(), text)
    text = sub(LONG_NUMBER, "[NUMBER]", text)
    text = sub(DOCTOR, "Dr [REDACTED]", text)
    return Redacted(text=text, removed=removed)
