"""Checking a numeric result against its test's unit, and converting accepted other units.

Units are compared after normalising spelling only (case, spaces, µ/u, ^ for *, "x10E9" for
"10*9", "[IU]" for "IU"), so "10^9/L", "x10E9/L" and "10*9/L" are the same unit but
"mmol/L" and "mg/dL" are not: a value in another unit is accepted only when the catalog gives
its conversion factor (`LabTest.alt_units`), and is then stored in the test's unit.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hms.laboratory.models import LabTest

MAX_ABS_VALUE = Decimal("9999999999")  # what DecimalField(14, 4) can hold
_NUMBER = re.compile(r"^(<=|>=|<|>)?\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))$")


class UnitError(ValueError):
    """The value does not fit the test; the message says why."""


class UnitMismatchError(UnitError):
    """The unit is neither the test's nor one it converts from."""


def normalise_unit(unit: str) -> str:
    text = (unit or "").strip().replace("µ", "u").replace("μ", "u").lower()
    text = text.replace(" ", "").replace("^", "*").replace("[iu]", "iu")
    text = re.sub(r"^x?10e(\d+)", r"10*\1", text)
    text = re.sub(r"^x10\*", "10*", text)
    return text


def units_equal(a: str, b: str) -> bool:
    return normalise_unit(a) == normalise_unit(b)


@dataclass(frozen=True)
class ParsedNumber:
    comparator: str
    value: Decimal


def parse_number(raw) -> ParsedNumber:
    """ "6.5", 6.5, "<0.01", "> 500" → comparator and value. Raises UnitError."""
    if isinstance(raw, bool):
        raise UnitError("Give a number.")
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    match = _NUMBER.match(text)
    if match is None:
        raise UnitError(f"{text or 'An empty value'} is not a number.")
    try:
        value = Decimal(match.group(2))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already checked it
        raise UnitError(f"{text} is not a number.") from exc
    if not value.is_finite() or abs(value) > MAX_ABS_VALUE:
        raise UnitError(f"{text} is out of range.")
    if value < 0:
        raise UnitError("A laboratory value cannot be negative.")
    return ParsedNumber(comparator=match.group(1) or "", value=value)


def to_test_unit(test: LabTest, value: Decimal, unit: str) -> Decimal:
    """The value in the test's unit. A blank unit means the test's own unit."""
    if not unit or units_equal(unit, test.unit):
        return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    for other, factor in (test.alt_units or {}).items():
        if units_equal(unit, other):
            converted = value * Decimal(str(factor))
            return converted.quantize(Decimal(1).scaleb(-test.decimals), rounding=ROUND_HALF_UP)
    accepted = [test.unit or "(no unit)", *(test.alt_units or {})]
    raise UnitMismatchError(
        f"{test.name} is reported in {test.unit or 'no unit'}; {unit!r} is not accepted "
        f"(accepted: {', '.join(accepted)})."
    )
