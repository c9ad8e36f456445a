"""NEWS2 (RCP 2017) against the chart: every band edge of every parameter, both SpO2 scales,
the aggregate risk bands, and whole worked sets."""

from decimal import Decimal

import pytest

from hms.core.roles import Role
from hms.inpatient import news2

NORMAL = {
    "respiratory_rate": 16,
    "spo2": 97,
    "on_oxygen": False,
    "systolic_bp": 120,
    "pulse": 70,
    "consciousness": "A",
    "temperature_c": Decimal("37.0"),
}


@pytest.mark.parametrize(
    ("rate", "points"),
    [(5, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (40, 3)],
)
def test_respiration_rate_bands(rate, points):
    assert news2.score_respiratory_rate(rate) == points


@pytest.mark.parametrize(
    ("spo2", "points"), [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
)
def test_spo2_scale_1_bands(spo2, points):
    assert news2.score_spo2_scale_1(spo2) == points


@pytest.mark.parametrize(
    ("spo2", "on_oxygen", "points"),
    [
        (80, False, 3),
        (83, True, 3),
        (84, False, 2),
        (85, True, 2),
        (86, False, 1),
        (87, True, 1),
        (88, True, 0),
        (92, True, 0),
        (93, False, 0),  # on air, 93% and above scores 0 on scale 2
        (99, False, 0),
        (93, True, 1),
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
    ],
)
def test_spo2_scale_2_bands(spo2, on_oxygen, points):
    assert news2.score_spo2_scale_2(spo2, on_oxygen=on_oxygen) == points


def test_air_or_oxygen():
    assert news2.score_air_or_oxygen(False) == 0
    assert news2.score_air_or_oxygen(True) == 2


@pytest.mark.parametrize(
    ("systolic", "points"),
    [(70, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bands(systolic, points):
    assert news2.score_systolic_bp(systolic) == points


@pytest.mark.parametrize(
    ("pulse", "points"),
    [
        (35, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
    ],
)
def test_pulse_bands(pulse, points):
    assert news2.score_pulse(pulse) == points


@pytest.mark.parametrize(("level", "points"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_consciousness_acvpu(level, points):
    assert news2.score_consciousness(level) == points


@pytest.mark.parametrize(
    ("temperature", "points"),
    [
        ("34.0", 3),
        ("35.0", 3),
        ("35.1", 1),
        ("36.0", 1),
        ("36.1", 0),
        ("38.0", 0),
        ("38.1", 1),
        ("39.0", 1),
        ("39.1", 2),
        ("41.0", 2),
    ],
)
def test_temperature_bands(temperature, points):
    assert news2.score_temperature(Decimal(temperature)) == points


def test_a_normal_set_scores_zero_low_risk():
    result = news2.news2_compute(**NORMAL)
    assert (result.score, result.risk, result.single_three) == (0, "low", False)
    assert not result.triggers_alert


def test_worked_example_medium_risk():
    # RR 22 (2), SpO2 94% scale 1 (1), air (0), BP 105 (1), pulse 105 (1), alert (0),
    # 38.5 °C (1): aggregate 6 -> medium, urgent response.
    result = news2.news2_compute(
        respiratory_rate=22,
        spo2=94,
        on_oxygen=False,
        systolic_bp=105,
        pulse=105,
        consciousness="A",
        temperature_c=Decimal("38.5"),
    )
    assert result.components == {
        "respiratory_rate": 2,
        "spo2": 1,
        "air_or_oxygen": 0,
        "systolic_bp": 1,
        "pulse": 1,
        "consciousness": 0,
        "temperature": 1,
    }
    assert (result.score, result.risk) == (6, "medium") and result.triggers_alert


def test_worked_example_high_risk():
    # RR 24 (2), SpO2 93% on oxygen (2 + 2), BP 108 (1), pulse 115 (2), alert (0),
    # 38.4 °C (1): aggregate 10 -> high, emergency response.
    result = news2.news2_compute(
        respiratory_rate=24,
        spo2=93,
        on_oxygen=True,
        systolic_bp=108,
        pulse=115,
        consciousness="A",
        temperature_c=Decimal("38.4"),
    )
    assert (result.score, result.risk, result.single_three) == (10, "high", False)


def test_a_single_three_is_low_medium_and_alerts():
    # New confusion alone: 3 points in one parameter, aggregate 3.
    result = news2.news2_compute(**{**NORMAL, "consciousness": "C"})
    assert (result.score, result.risk, result.single_three) == (3, "low_medium", True)
    assert result.triggers_alert


def test_aggregate_four_without_a_three_does_not_alert():
    # RR 21 (2), pulse 111 (2): 4, low.
    result = news2.news2_compute(**{**NORMAL, "respiratory_rate": 21, "pulse": 111})
    assert (result.score, result.risk) == (4, "low") and not result.triggers_alert


def test_aggregate_five_alerts():
    result = news2.news2_compute(**{**NORMAL, "respiratory_rate": 21, "pulse": 111, "spo2": 95})
    assert (result.score, result.risk) == (5, "medium") and result.triggers_alert


def test_every_parameter_at_its_worst():
    result = news2.news2_compute(
        respiratory_rate=26,
        spo2=90,
        on_oxygen=True,
        systolic_bp=88,
        pulse=135,
        consciousness="U",
        temperature_c=Decimal("34.8"),
    )
    assert result.score == 20 and result.risk == "high"


def test_scale_2_for_hypercapnic_respiratory_failure():
    # A COPD patient at target (90% on 2 l/min) scores only the oxygen on scale 2 ...
    copd = {**NORMAL, "spo2": 90, "on_oxygen": True, "respiratory_rate": 18, "pulse": 80}
    on_scale_2 = news2.news2_compute(**copd, spo2_scale=2)
    assert on_scale_2.components["spo2"] == 0 and on_scale_2.score == 2
    # ... where scale 1 would call the same saturation a 3.
    assert news2.news2_compute(**copd, spo2_scale=1).components["spo2"] == 3
    # Over-oxygenated on scale 2 (97% on oxygen) scores 3 + 2.
    high = news2.news2_compute(**{**copd, "spo2": 97}, spo2_scale=2)
    assert high.components["spo2"] == 3 and high.score == 5 and high.triggers_alert
    with pytest.raises(ValueError):
        news2.news2_compute(**NORMAL, spo2_scale=3)


@pytest.mark.django_db
def test_the_bands_are_published_to_clients(client_for):
    rules = client_for(Role.NURSE).get("/api/profile/capabilities/").json()["clinical_rules"]
    assert rules["news2"] == news2.news2_rules()
    assert rules["news2"]["bands"]["pulse"] == {
        "bands": [["40", 3], ["50", 1], ["90", 0], ["110", 1], ["130", 2]],
        "above": 3,
    }
    assert rules["news2"]["alert_aggregate"] == news2.ALERT_AGGREGATE
