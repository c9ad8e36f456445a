"""NEWS2 (Royal College of Physicians, 2017) scored as observations are typed: a preview of
the score the server records with the observation (the server's score is the one kept).

The bands, points and risk thresholds are the server's own, read at sign-in with the user's
capabilities (`clinical_rules["news2"]`); nothing of the chart is written down here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class News2:
    score: int
    risk: str  # low, low_medium, medium, high
    single_three: bool
    components: dict[str, int]


def _banded(rules: dict[str, Any], parameter: str, value: Decimal) -> int:
    table = rules["bands"][parameter]
    for limit, points in table["bands"]:
        if value <= Decimal(limit):
            return points
    return table["above"]


def risk(rules: dict[str, Any], score: int, single_three: bool) -> str:
    for threshold, name in rules["risk_thresholds"]:
        if score >= threshold:
            return name
    return "low_medium" if single_three else "low"


def news2(
    rules: dict[str, Any],
    *,
    respiratory_rate: int,
    spo2: int,
    on_oxygen: bool,
    systolic_bp: int,
    pulse: int,
    consciousness: str,
    temperature_c: Decimal,
    spo2_scale: int = 1,
) -> News2:
    """Score one set of observations by the server's `rules` (its published NEWS2 rules)."""
    if spo2_scale == 1:
        spo2_table = "spo2_scale_1"
    else:
        spo2_table = "spo2_scale_2_oxygen" if on_oxygen else "spo2_scale_2_air"
    temperature = Decimal(str(temperature_c)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    components = {
        "respiratory_rate": _banded(rules, "respiratory_rate", Decimal(respiratory_rate)),
        "spo2": _banded(rules, spo2_table, Decimal(spo2)),
        "air_or_oxygen": rules["air_or_oxygen"]["oxygen" if on_oxygen else "air"],
        "systolic_bp": _banded(rules, "systolic_bp", Decimal(systolic_bp)),
        "pulse": _banded(rules, "pulse", Decimal(pulse)),
        "consciousness": 0 if consciousness == rules["alert_level"] else rules["not_alert_points"],
        "temperature": _banded(rules, "temperature", temperature),
    }
    score = sum(components.values())
    single_three = 3 in components.values()
    return News2(score, risk(rules, score, single_three), single_three, components)
