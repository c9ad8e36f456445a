"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, December 2017).

Each of seven parameters scores 0-3 points; the aggregate sets the clinical risk:

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

Risk: aggregate 0-4 low; a score of 3 in any single parameter low-medium (urgent ward-based
response); 5-6 medium (key threshold for urgent response); 7 or more high (emergency response).

SpO2 scale. Scale 1 is used for every patient unless a doctor prescribes scale 2 for a patient
with confirmed hypercapnic respiratory failure and a target saturation of 88-92% (RCP: "the
decision to use scale 2 should be made by a competent clinical decision maker and recorded in
the patient's notes"). In HMS the scale is a setting of the admission (default 1, changed only
by a doctor with a reason: `POST /api/admissions/{id}/spo2-scale/`); every observation stores
the scale it was scored with. On scale 2, saturations of 93% and above score 0 on air and 1-3
on oxygen.

Temperatures are compared at one decimal (as charted); other values are whole numbers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hms.core.clinical_rules import register_clinical_rules

# A notification goes to the attending doctor at or above this aggregate, or on any single 3.
ALERT_AGGREGATE = 5


@dataclass(frozen=True)
class News2Result:
    score: int
    risk: str  # "low", "low_medium", "medium" or "high" (hms.inpatient.models.News2Risk)
    single_three: bool  # some parameter scored 3
    components: dict[str, int]

    @property
    def triggers_alert(self) -> bool:
        return self.score >= ALERT_AGGREGATE or self.single_three


# The bands, as data: each parameter's (upper limit, points) pairs in rising order, a value at
# or below a limit scoring its points, and `above` for a value beyond the last limit. The
# scoring below reads these tables, and clients read them through `news2_rules()` (published
# as clinical rules) for their live previews, so the bands are written down here only.
BANDS: dict[str, dict] = {
    "respiratory_rate": {"bands": [(8, 3), (11, 1), (20, 0), (24, 2)], "above": 3},
    "spo2_scale_1": {"bands": [(91, 3), (93, 2), (95, 1)], "above": 0},
    # Scale 2: the same low bands on air or oxygen; from 88% on air scores 0.
    "spo2_scale_2_air": {"bands": [(83, 3), (85, 2), (87, 1)], "above": 0},
    "spo2_scale_2_oxygen": {
        "bands": [(83, 3), (85, 2), (87, 1), (92, 0), (94, 1), (96, 2)],
        "above": 3,
    },
    "systolic_bp": {"bands": [(90, 3), (100, 2), (110, 1), (219, 0)], "above": 3},
    "pulse": {"bands": [(40, 3), (50, 1), (90, 0), (110, 1), (130, 2)], "above": 3},
    # Compared at one decimal, as charted.
    "temperature": {
        "bands": [
            (Decimal("35.0"), 3),
            (Decimal("36.0"), 1),
            (Decimal("38.0"), 0),
            (Decimal("39.0"), 1),
        ],
        "above": 2,
    },
}
AIR_OR_OXYGEN_POINTS = {"air": 0, "oxygen": 2}
ALERT_LEVEL = "A"  # ACVPU: Alert scores 0, anything else 3
NOT_ALERT_POINTS = 3
# Aggregate thresholds, highest first; below them "low", or "low_medium" on a single 3.
RISK_THRESHOLDS = [(7, "high"), (5, "medium")]


def _banded(parameter: str, value) -> int:
    table = BANDS[parameter]
    for limit, points in table["bands"]:
        if value <= limit:
            return points
    return table["above"]


def score_respiratory_rate(rate: int) -> int:
    return _banded("respiratory_rate", rate)


def score_spo2_scale_1(spo2: int) -> int:
    return _banded("spo2_scale_1", spo2)


def score_spo2_scale_2(spo2: int, *, on_oxygen: bool) -> int:
    return _banded("spo2_scale_2_oxygen" if on_oxygen else "spo2_scale_2_air", spo2)


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return AIR_OR_OXYGEN_POINTS["oxygen" if on_oxygen else "air"]


def score_systolic_bp(systolic: int) -> int:
    return _banded("systolic_bp", systolic)


def score_pulse(pulse: int) -> int:
    return _banded("pulse", pulse)


def score_consciousness(level: str) -> int:
    """ACVPU: Alert scores 0; new Confusion, Voice, Pain or Unresponsive score 3."""
    return 0 if level == ALERT_LEVEL else NOT_ALERT_POINTS


def score_temperature(temperature_c) -> int:
    value = Decimal(str(temperature_c)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _banded("temperature", value)


def news2_risk(score: int, *, single_three: bool) -> str:
    for threshold, risk in RISK_THRESHOLDS:
        if score >= threshold:
            return risk
    if single_three:
        return "low_medium"
    return "low"


@register_clinical_rules("news2")
def news2_rules() -> dict:
    """The bands and thresholds above as JSON data (limits of temperature as strings)."""
    return {
        "bands": {
            name: {
                "bands": [[str(limit), points] for limit, points in table["bands"]],
                "above": table["above"],
            }
            for name, table in BANDS.items()
        },
        "air_or_oxygen": AIR_OR_OXYGEN_POINTS,
        "alert_level": ALERT_LEVEL,
        "not_alert_points": NOT_ALERT_POINTS,
        "risk_thresholds": [[threshold, risk] for threshold, risk in RISK_THRESHOLDS],
        "alert_aggregate": ALERT_AGGREGATE,
    }


def news2_compute(
    *,
    respiratory_rate: int,
    spo2: int,
    on_oxygen: bool,
    systolic_bp: int,
    pulse: int,
    consciousness: str,
    temperature_c,
    spo2_scale: int = 1,
) -> News2Result:
    """Score one complete set of observations."""
    if spo2_scale not in (1, 2):
        raise ValueError("spo2_scale must be 1 or 2")
    spo2_points = (
        score_spo2_scale_1(spo2)
        if spo2_scale == 1
        else score_spo2_scale_2(spo2, on_oxygen=on_oxygen)
    )
    components = {
        "respiratory_rate": score_respiratory_rate(respiratory_rate),
        "spo2": spo2_points,
        "air_or_oxygen": score_air_or_oxygen(on_oxygen),
        "systolic_bp": score_systolic_bp(systolic_bp),
        "pulse": score_pulse(pulse),
        "consciousness": score_consciousness(consciousness),
        "temperature": score_temperature(temperature_c),
    }
    score = sum(components.values())
    single_three = any(points == 3 for points in components.values())
    return News2Result(
        score=score,
        risk=news2_risk(score, single_three=single_three),
        single_three=single_three,
        components=components,
    )
