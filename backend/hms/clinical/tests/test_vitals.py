from decimal import Decimal

import pytest

from hms.clinical.vitals import bmi_compute, vitals_errors

NORMAL = {
    "systolic_bp": 120,
    "diastolic_bp": 80,
    "pulse": 72,
    "temperature_c": Decimal("36.8"),
    "spo2": 98,
    "respiratory_rate": 16,
    "weight_kg": Decimal("70"),
    "height_cm": Decimal("175"),
}


def test_normal_values_pass():
    assert vitals_errors(NORMAL) == {}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("systolic_bp", 20, "between 40 and 300"),
        ("systolic_bp", 400, "between 40 and 300"),
        ("temperature_c", Decimal("98.6"), "between 25 and 45"),  # Fahrenheit typed as Celsius
        ("temperature_c", Decimal("12"), "between 25 and 45"),
        ("spo2", 101, "between 0 and 100"),
        ("pulse", 5, "between 20 and 300"),
        ("pulse", 350, "between 20 and 300"),
        ("respiratory_rate", 0, "Respiratory rate"),
        ("weight_kg", Decimal("900"), "Weight"),
        ("height_cm", Decimal("1.75"), "Height"),  # metres typed as centimetres
    ],
)
def test_impossible_values_are_named_per_field(field, value, words):
    errors = vitals_errors({**NORMAL, field: value})
    assert list(errors) == [field]
    assert words in errors[field][0]


def test_systolic_must_exceed_diastolic():
    errors = vitals_errors({"systolic_bp": 80, "diastolic_bp": 90})
    assert "higher than diastolic" in errors["systolic_bp"][0]


def test_blood_pressure_needs_both_values():
    assert "diastolic_bp" in vitals_errors({"systolic_bp": 120})


def test_at_least_one_measurement_is_required():
    assert vitals_errors({}) == {"non_field_errors": ["Record at least one measurement."]}


def test_impossible_weight_and_height_pair_is_refused():
    # Each value is possible alone; 300 kg at 50 cm is a unit mistake (BMI 1200).
    errors = vitals_errors({"weight_kg": Decimal(300), "height_cm": Decimal(50)})
    assert "BMI" in errors["weight_kg"][0]


def test_bmi():
    assert bmi_compute(weight_kg=Decimal("70"), height_cm=Decimal("175")) == Decimal("22.9")
    assert bmi_compute(weight_kg=Decimal("70"), height_cm=None) is None
