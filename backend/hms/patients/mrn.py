"""Medical record numbers: a prefix, an 8-digit sequence and a Luhn check digit ("H000001236").

The check digit catches every single-digit typo and most swapped neighbours, so a mistyped MRN
finds nobody instead of the wrong patient. Numbers come from `MrnCounter` (see services), never
from counting rows, so two registrations cannot get the same number.
"""

import re

MRN_PREFIX = "H"
SEQUENCE_DIGITS = 8
MRN_PATTERN = re.compile(rf"^{MRN_PREFIX}?(\d{{{SEQUENCE_DIGITS + 1}}})$")


def luhn_check_digit(digits: str) -> int:
    total = 0
    # Walk right to left; the first digit left of the check digit is doubled.
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def mrn_format(sequence: int) -> str:
    if sequence < 1 or sequence >= 10**SEQUENCE_DIGITS:
        raise ValueError(f"MRN sequence out of range: {sequence}")
    digits = f"{sequence:0{SEQUENCE_DIGITS}d}"
    return f"{MRN_PREFIX}{digits}{luhn_check_digit(digits)}"


def mrn_normalise(value: str) -> str | None:
    """The canonical MRN for user input ("h 0000-0123 6" -> "H000001236"), or None if the input
    is not shaped like an MRN or its check digit is wrong."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    match = MRN_PATTERN.match(compact)
    if not match:
        return None
    digits = match.group(1)
    if luhn_check_digit(digits[:-1]) != int(digits[-1]):
        return None
    return f"{MRN_PREFIX}{digits}"


def mrn_is_valid(value: str) -> bool:
    return mrn_normalise(value) == value
