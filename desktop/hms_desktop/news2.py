"""NEWS2 (Royal College of Physicians, 2017) scored as observations are typed: a preview of
the score the server records with the observation (the server's score is the one kept).

    Parameter               3        2         1          0          1          2         3
    Respiration rate /min   <=8               9-11       12-20                 21-24     >=25
    SpO2 scale 1 (%)        <=91     92-93     94-95      >=96
    SpO2 scale 2 (%)        <=83     84-85     86-87      88-92      93-94 O2   95-96 O2  >=97 O2
                                                          >=93 air
    Air or oxygen?                   oxygen               air
    Systolic BP (mmHg)      <=90     91-100    101-110    111-219                          >=220
    Pulse /min              <=40               41-50      51-90      91-110     111-130   >=131
    Consciousness                                         Alert                           CVPU
    Temperature (°C)        <=35.0             35.1-36.0  36.1-38.0  38.1-39.0  >=39.1
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class News2:
    score: int
    risk: str  # low, low_medium, medium, high
    single_three: bool
    components: dict[str, int]


def _bands(value: int, bands: list[tuple[int, int]], above: int) -> int:
    for limit, points in bands:
        if value <= limit:
            return points
    return above


def _spo2(spo2: int, scale: int, on_oxygen: bool) -> int:
    if scale == 1:
        return _bands(spo2, [(91, 3), (93, 2), (95, 1)], 0)
    if spo2 <= 87:
        return _bands(spo2, [(83, 3), (85, 2), (87, 1)], 0)
    if spo2 <= 92 or not on_oxygen:
        return 0
    return _bands(spo2, [(94, 1), (96, 2)], 3)


def _temperature(value: Decimal) -> int:
    value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for limit, points in (("35.0", 3), ("36.0", 1), ("38.0", 0), ("39.0", 1)):
        if value <= Decimal(limit):
            return points
    return 2


def risk(score: int, single_three: bool) -> str:
    if score >= 7:
        return "high"
    if score >= 5:
        return "medium"
    return "low_medium" if single_three else "low"


def news2(
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
    components = {
        "respiratory_rate": _bands(respiratory_rate, [(8, 3), (11, 1), (20, 0), (24, 2)], 3),
        "spo2": _spo2(spo2, spo2_scale, on_oxygen),
        "air_or_oxygen": 2 if on_oxygen else 0,
        "systolic_bp": _bands(systolic_bp, [(90, 3), (100, 2), (110, 1), (219, 0)], 3),
        "pulse": _bands(pulse, [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2)], 3),
        "consciousness": 0 if consciousness == "A" else 3,
        "temperature": _temperature(Decimal(str(temperature_c))),
    }
    score = sum(components.values())
    single_three = 3 in components.values()
    return News2(score, risk(score, single_three), single_three, components)
