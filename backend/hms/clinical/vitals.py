"""Vital signs: the physiologically possible range of each measurement, and derived BMI.

The ranges reject typing errors and unit mix-ups (a temperature in °F, a weight in pounds, a
height in metres), not abnormal values: a systolic pressure of 250 is alarming but real, one of
25 is not a living patient. The same limits are CheckConstraints on `VitalSigns`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class VitalLimit:
    field: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal

    def message(self) -> str:
        return (
            f"{self.label} must be between {self.minimum} and {self.maximum} {self.unit}"
            f" (a value outside this range is not physiologically possible)."
        )


VITAL_LIMITS: dict[str, VitalLimit] = {
    limit.field: limit
    for limit in (
        VitalLimit("systolic_bp", "Systolic blood pressure", "mmHg", Decimal(40), Decimal(300)),
        VitalLimit("diastolic_bp", "Diastolic blood pressure", "mmHg", Decimal(20), Decimal(200)),
        VitalLimit("pulse", "Pulse", "beats/min", Decimal(20), Decimal(300)),
        VitalLimit("temperature_c", "Temperature", "°C", Decimal(25), Decimal(45)),
        VitalLimit("spo2", "SpO2", "%", Decimal(0), Decimal(100)),
        VitalLimit("respiratory_rate", "Respiratory rate", "breaths/min", Decimal(2), Decimal(100)),
        VitalLimit("weight_kg", "Weight", "kg", Decimal("0.2"), Decimal(700)),
        VitalLimit("height_cm", "Height", "cm", Decimal(20), Decimal(275)),
    )
}
MEASUREMENT_FIELDS = tuple(VITAL_LIMITS)
# Weight and height each in range can still be an impossible pair (kg typed as g, m as cm).
BMI_MINIMUM = Decimal(3)
BMI_MAXIMUM = Decimal(250)


def vitals_errors(values: dict) -> dict[str, list[str]]:
    """Per-field error messages for one set of measurements ({} when they are all possible).

    `values` maps measurement field names to numbers or None (not measured).
    """
    errors: dict[str, list[str]] = {}
    present = {name: values.get(name) for name in MEASUREMENT_FIELDS}
    if all(value is None for value in present.values()):
        return {"non_field_errors": ["Record at least one measurement."]}
    for name, value in present.items():
        if value is None:
            continue
        limit = VITAL_LIMITS[name]
        if not limit.minimum <= Decimal(str(value)) <= limit.maximum:
            errors.setdefault(name, []).append(limit.message())
    systolic, diastolic = present["systolic_bp"], present["diastolic_bp"]
    if (systolic is None) != (diastolic is None):
        missing = "diastolic_bp" if diastolic is None else "systolic_bp"
        errors.setdefault(missing, []).append(
            "Blood pressure needs both the systolic and the diastolic value."
        )
    elif systolic is not None and not errors.get("systolic_bp") and systolic <= diastolic:
        errors.setdefault("systolic_bp", []).append(
            f"Systolic pressure ({systolic}) must be higher than diastolic ({diastolic})."
        )
    if not errors.get("weight_kg") and not errors.get("height_cm"):
        bmi = bmi_compute(weight_kg=present["weight_kg"], height_cm=present["height_cm"])
        if bmi is not None and not BMI_MINIMUM <= bmi <= BMI_MAXIMUM:
            errors["weight_kg"] = [
                f"Weight {present['weight_kg']} kg with height {present['height_cm']} cm gives a"
                f" BMI of {bmi}, which is not possible: check both values and their units."
            ]
    return errors


def bmi_compute(*, weight_kg, height_cm) -> Decimal | None:
    """Body-mass index, kg/m², to one decimal; None unless both weight and height are known."""
    if weight_kg is None or height_cm is None:
        return None
    metres = Decimal(str(height_cm)) / 100
    bmi = Decimal(str(weight_kg)) / (metres * metres)
    return bmi.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
