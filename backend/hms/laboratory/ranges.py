"""Reference range selection and result flags (pure functions, no queries).

A range applies to a patient on a date when its sex is the patient's (or "any") and the
patient's age on that date lies in the band [age_from, age_to). Bounds are "<n>d", "<n>m" or
"<n>y": the patient reaches "18y" on their 18th birthday, "6m" six calendar months after birth
and "30d" thirty days after birth (29 February birthdays move to 28 February).

Selection, most specific first:
1. a range for the patient's sex (female/male) in the band, else one for "any" sex;
2. for a patient of other or unknown sex with only sex-specific ranges in the band: a combined
   range (the lower of the lows, the higher of the highs, so no false flag) that keeps the
   *narrower* critical limits (so no critical value is missed), marked as combined;
3. no date of birth: the band of a 30-year-old adult is used, and the basis says so.

Critical limits are exclusive thresholds: a potassium of 2.5 with a critical low of 2.5 is
"low", 2.4 is "critically low".
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hms.core.clinical_rules import register_clinical_rules
from hms.laboratory.models import RangeSex, ResultFlag

_BOUND = re.compile(r"^(\d{1,3})([dmy])$")
ASSUMED_ADULT_YEARS = 30
# Combining female and male ranges for a patient of other or unknown sex: the widest
# interval, the narrowest critical limits.
COMBINED_SEXES = {"low": min, "high": max, "critical_low": max, "critical_high": min}


@register_clinical_rules("lab_flags")
def lab_flag_rules() -> dict:
    """The rules above as JSON data, for clients that preview a flag while a result is typed
    (the reference ranges themselves come with each test)."""
    return {
        "assumed_adult_years": ASSUMED_ADULT_YEARS,
        "age_bound_pattern": _BOUND.pattern,
        "critical_limits": "exclusive",
        "combined_sexes": {limit: fn.__name__ for limit, fn in COMBINED_SEXES.items()},
    }


def parse_age_bound(bound: str) -> tuple[int, str] | None:
    """ "18y" → (18, "y"); "" → None (open). Raises ValueError for anything else."""
    bound = (bound or "").strip()
    if not bound:
        return None
    match = _BOUND.match(bound)
    if match is None:
        raise ValueError(f"Age bound {bound!r} is not like 30d, 6m or 18y.")
    return int(match.group(1)), match.group(2)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def date_reached(birth: date, bound: str) -> date | None:
    """The date on which someone born on `birth` reaches the age `bound`."""
    parsed = parse_age_bound(bound)
    if parsed is None:
        return None
    value, unit = parsed
    if unit == "d":
        return birth + timedelta(days=value)
    return _add_months(birth, value * 12 if unit == "y" else value)


def in_band(*, birth: date, on: date, age_from: str, age_to: str) -> bool:
    start = date_reached(birth, age_from)
    end = date_reached(birth, age_to)
    return (start is None or on >= start) and (end is None or on < end)


def age_description(*, birth: date | None, on: date) -> str:
    if birth is None:
        return "age unknown"
    days = (on - birth).days
    if days < 31:
        return f"{days} d"
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years < 2:
        months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
        return f"{months} mo"
    return f"{years} y"


@dataclass(frozen=True)
class AppliedRange:
    """The interval and limits a result is judged by, and why this one."""

    low: Decimal | None
    high: Decimal | None
    critical_low: Decimal | None
    critical_high: Decimal | None
    basis: str

    @property
    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{_fmt(self.low)}-{_fmt(self.high)}"
        if self.low is not None:
            return f"≥ {_fmt(self.low)}"
        if self.high is not None:
            return f"≤ {_fmt(self.high)}"
        return ""


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _band_text(candidate) -> str:
    if candidate.age_from and candidate.age_to:
        return f"age {candidate.age_from}-{candidate.age_to}"
    if candidate.age_from:
        return f"age ≥ {candidate.age_from}"
    if candidate.age_to:
        return f"age < {candidate.age_to}"
    return "all ages"


def select_range(ranges, *, sex: str, birth: date | None, on: date) -> AppliedRange | None:
    """The range for a patient of `sex` born on `birth`, judged on the date `on`."""
    assumed_adult = birth is None
    if assumed_adult:
        # Judge as a (30-year-old) adult rather than give no interpretation at all.
        birth = _add_months(on, -ASSUMED_ADULT_YEARS * 12)
    fitting = [
        r for r in ranges if in_band(birth=birth, on=on, age_from=r.age_from, age_to=r.age_to)
    ]
    note = "; date of birth unknown, adult range assumed" if assumed_adult else ""
    own = [r for r in fitting if r.sex == sex and sex in (RangeSex.FEMALE, RangeSex.MALE)]
    common = [r for r in fitting if r.sex == RangeSex.ANY]
    chosen = (own or common or [None])[0]
    if chosen is not None:
        return AppliedRange(
            low=chosen.low,
            high=chosen.high,
            critical_low=chosen.critical_low,
            critical_high=chosen.critical_high,
            basis=f"{chosen.sex}, {_band_text(chosen)}{note}",
        )
    by_sex = [r for r in fitting if r.sex in (RangeSex.FEMALE, RangeSex.MALE)]
    if not by_sex or sex in (RangeSex.FEMALE, RangeSex.MALE):
        return None

    def pick(values, fn):
        values = [v for v in values if v is not None]
        return fn(values) if len(values) == len(by_sex) else None

    return AppliedRange(
        **{
            limit: pick([getattr(r, limit) for r in by_sex], fn)
            for limit, fn in COMBINED_SEXES.items()
        },
        basis=f"sex {sex or 'unknown'}: female and male ranges combined{note}",
    )


def flag_numeric(value: Decimal, applied: AppliedRange | None) -> str:
    """Critical limits first (a value beyond them), then the reference interval."""
    if applied is None:
        return ResultFlag.NONE
    if applied.critical_low is not None and value < applied.critical_low:
        return ResultFlag.CRITICAL_LOW
    if applied.critical_high is not None and value > applied.critical_high:
        return ResultFlag.CRITICAL_HIGH
    if applied.low is not None and value < applied.low:
        return ResultFlag.LOW
    if applied.high is not None and value > applied.high:
        return ResultFlag.HIGH
    if applied.low is None and applied.high is None:
        return ResultFlag.NONE
    return ResultFlag.NORMAL


def flag_text(value: str, normal_values: list[str]) -> str:
    if not normal_values:
        return ResultFlag.NONE
    normal = {v.strip().lower() for v in normal_values}
    return ResultFlag.NORMAL if value.strip().lower() in normal else ResultFlag.ABNORMAL
