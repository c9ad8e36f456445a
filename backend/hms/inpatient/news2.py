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


def score_respiratory_rate(rate: int) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def score_spo2_scale_1(spo2: int) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    if spo2 <= 95:
        return 1
    return 0


def score_spo2_scale_2(spo2: int, *, on_oxygen: bool) -> int:
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not on_oxygen:
        return 0
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return 2 if on_oxygen else 0


def score_systolic_bp(systolic: int) -> int:
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    if systolic <= 219:
        return 0
    return 3


def score_pulse(pulse: int) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def score_consciousness(level: str) -> int:
    """ACVPU: Alert scores 0; new Confusion, Voice, Pain or Unresponsive score 3."""
    return 0 if level == "A" else 3


def score_temperature(temperature_c) -> int:
    value = Decimal(str(temperature_c)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value <= Decimal("35.0"):
        return 3
    if value <= Decimal("36.0"):
        return 1
    if value <= Decimal("38.0"):
        return 0
    if value <= Decimal("39.0"):
        return 1
    return 2


def news2_risk(score: int, *, single_three: bool) -> str:
    if score >= 7:
        return "high"
    if score >= 5:
        return "medium"
    if single_three:
        return "low_medium"
    return "low"


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
