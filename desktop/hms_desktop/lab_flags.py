"""Live flagging while a result is typed: the reference range for the patient and the flag a
value would get. A preview only — the server applies the same rules when the result is saved
and its flag is the one recorded and shown afterwards.

The rules' parameters are the server's, read at sign-in with the user's capabilities
(`clinical_rules["lab_flags"]`): the age-bound pattern, the adult age assumed without a date
of birth, and how female and male ranges combine for a patient of other or unknown sex. A
range applies when its sex is the patient's (else "any") and the patient's age on the
collection date lies in [age_from, age_to); critical limits are exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from hms_desktop.api.dto import LabTest, ReferenceRange

_NUMBER = re.compile(r"^(<=|>=|<|>)?\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))$")
COMBINE = {"min": min, "max": max}


@dataclass(frozen=True)
class Applied:
    low: Decimal | None
    high: Decimal | None
    critical_low: Decimal | None
    critical_high: Decimal | None

    @property
    def text(self) -> str:
        low, high = _fmt(self.low), _fmt(self.high)
        if self.low is not None and self.high is not None:
            return f"{low}-{high}"
        if self.low is not None:
            return f"≥ {low}"
        if self.high is not None:
            return f"≤ {high}"
        return ""


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def _reached(pattern: re.Pattern, birth: date, bound: str) -> date | None:
    match = pattern.match((bound or "").strip())
    if match is None:
        return None
    value, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return birth + timedelta(days=value)
    return _add_months(birth, value * 12 if unit == "y" else value)


def _in_band(pattern: re.Pattern, birth: date, on: date, item: ReferenceRange) -> bool:
    start = _reached(pattern, birth, item.age_from)
    end = _reached(pattern, birth, item.age_to)
    return (start is None or on >= start) and (end is None or on < end)


def select_range(
    rules: dict[str, Any],
    ranges: list[ReferenceRange],
    *,
    sex: str,
    birth: date | None,
    on: date,
) -> Applied | None:
    """The range that applies, by the server's `rules` (its published lab flag rules)."""
    pattern = re.compile(rules["age_bound_pattern"])
    birth = birth or _add_months(on, -rules["assumed_adult_years"] * 12)
    fitting = [r for r in ranges if _in_band(pattern, birth, on, r)]
    own = [r for r in fitting if r.sex == sex and sex in ("female", "male")]
    common = [r for r in fitting if r.sex == "any"]
    chosen = (own or common or [None])[0]
    if chosen is not None:
        return Applied(chosen.low, chosen.high, chosen.critical_low, chosen.critical_high)
    by_sex = [r for r in fitting if r.sex in ("female", "male")]
    if not by_sex or sex in ("female", "male"):
        return None

    def pick(values, fn):
        values = [v for v in values if v is not None]
        return fn(values) if len(values) == len(by_sex) else None

    return Applied(
        **{
            limit: pick([getattr(r, limit) for r in by_sex], COMBINE[how])
            for limit, how in rules["combined_sexes"].items()
        }
    )


def parse_value(text: str) -> Decimal | None:
    """ "6.5", "<0.01", "> 500" → the number; None when it is not one."""
    match = _NUMBER.match(text.strip().replace(",", "."))
    if match is None:
        return None
    try:
        return Decimal(match.group(2))
    except InvalidOperation:  # pragma: no cover - the pattern checked it
        return None


def to_test_unit(test: LabTest, value: Decimal, unit: str) -> Decimal | None:
    """The value in the test's own unit (None when the unit is not one it accepts)."""
    if not unit or unit == test.unit:
        return value
    factor = test.alt_units.get(unit)
    return None if factor is None else value * factor


def preview_flag(test: LabTest, text: str, unit: str, applied: Applied | None) -> str | None:
    """The flag the value would get ("normal", "high", "critical_low", ...), "" when no range
    applies, None when nothing can be said yet (empty, not a number, unknown unit)."""
    text = text.strip()
    if not text:
        return None
    if test.kind == "text" or test.allowed_values:
        if not test.normal_values:
            return ""
        normal = {v.strip().lower() for v in test.normal_values}
        return "normal" if text.lower() in normal else "abnormal"
    number = parse_value(text)
    if number is None:
        return None
    value = to_test_unit(test, number, unit)
    if value is None:
        return None
    if applied is None:
        return ""
    if applied.critical_low is not None and value < applied.critical_low:
        return "critical_low"
    if applied.critical_high is not None and value > applied.critical_high:
        return "critical_high"
    if applied.low is not None and value < applied.low:
        return "low"
    if applied.high is not None and value > applied.high:
        return "high"
    if applied.low is None and applied.high is None:
        return ""
    return "normal"
