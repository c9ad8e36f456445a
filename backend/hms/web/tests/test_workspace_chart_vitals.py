"""The chart page: the inpatient banner (ward, bed, day of stay, latest NEWS2), one chart per
vital sign on its own axis, and critical results marked on the timeline.

The clock is stopped on Wednesday 3 March 2027, 09:00 UTC (the test settings' hospital zone is
UTC); the patient was admitted on Monday 1 March, so today is day 3 of the stay.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.clinical.tests.factories import VitalSignsFactory
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.monitoring import news2_zero_range, vital_charts
from hms.web.svg_charts import axis_range
from hms.web.tests.clinic import Lab
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
ADMITTED = datetime(2027, 3, 1, 22, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(db):
    return DoctorProfileFactory(user__first_name="Grace", user__last_name="Okafor").user


@pytest.fixture
def patient(doctor):
    patient = PatientFactory(first_name="Amina", last_name="Yusuf")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    return patient


def chart_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/"


def admit(patient, doctor, make_user):
    ward = WardFactory(name="Medical Ward A", code="MWA")
    (bed,) = beds_on(ward, 1)
    return inpatient_services.admission_admit(
        actor=make_user(Role.RECEPTIONIST),
        patient=patient,
        bed=bed,
        attending_doctor=doctor,
        reason="Community-acquired pneumonia",
        admitted_at=ADMITTED,
    )


def observe(admission, nurse, *, at, temperature="37.0", pulse=88, rr=18, spo2=96, sbp=120):
    return inpatient_services.observation_record(
        actor=nurse,
        admission=admission,
        respiratory_rate=rr,
        spo2=spo2,
        on_oxygen=False,
        systolic_bp=sbp,
        diastolic_bp=70,
        pulse=pulse,
        consciousness="A",
        temperature_c=Decimal(temperature),
        measured_at=at,
    )


# --- admission banner -----------------------------------------------------------------------


def test_banner_shows_ward_bed_day_of_stay_and_latest_news2(clock, patient, doctor, make_user):
    admission = admit(patient, doctor, make_user)
    nurse = make_user(Role.NURSE)
    observe(admission, nurse, at=NOW - timedelta(hours=5))
    # RR 22 (2) + pulse 112 (2) + temperature 38.4 (1) = 5: medium risk
    observe(admission, nurse, at=NOW - timedelta(hours=1), temperature="38.4", pulse=112, rr=22)

    response = signed_in_client(doctor).get(chart_url(patient))

    assert response.status_code == 200
    banner = response.context["admission_banner"]
    assert banner.ward == "Medical Ward A"
    assert banner.bed == admission.bed.label
    assert banner.day_of_stay == 3
    assert (banner.news2_score, banner.news2_band) == (5, "medium")
    html = response.content.decode()
    assert 'data-testid="admission-banner"' in html
    assert "day 3" in html
    assert "hms-news2-medium" in html and "NEWS2 5 · Medium risk" in html
    assert "at 3 Mar 08:00" in html


def test_banner_on_the_day_of_admission_is_day_one_without_observations(
    clock, patient, doctor, make_user
):
    clock.move_to(ADMITTED + timedelta(minutes=30))
    admit(patient, doctor, make_user)

    html = signed_in_client(doctor).get(chart_url(patient)).content.decode()

    assert "day 1" in html
    assert "No observations charted yet." in html


def test_no_banner_when_the_patient_is_not_admitted(clock, patient, doctor):
    response = signed_in_client(doctor).get(chart_url(patient))

    assert response.status_code == 200
    assert response.context["admission_banner"] is None
    assert b'data-testid="admission-banner"' not in response.content


# --- one chart per vital sign ---------------------------------------------------------------


def test_each_vital_sign_has_its_own_axis_spanning_its_data(clock, patient, doctor):
    for hours, temperature, pulse in ((6, "37.9", 104), (3, "37.4", 96), (1, "37.0", 84)):
        VitalSignsFactory(
            patient=patient,
            measured_at=NOW - timedelta(hours=hours),
            temperature_c=Decimal(temperature),
            pulse=pulse,
            systolic_bp=130,
            diastolic_bp=80,
            respiratory_rate=16,
            spo2=97,
        )

    response = signed_in_client(doctor).get(chart_url(patient))

    charts = {c.id: c for c in response.context["vital_charts"]}
    assert list(charts) == [
        "vitals-temperature",
        "vitals-pulse",
        "vitals-respiratory-rate",
        "vitals-blood-pressure",
        "vitals-spo2",
    ]
    temperature = charts["vitals-temperature"]
    assert (temperature.y_min, temperature.y_max) == (36.5, 38.5)  # not 0-200
    assert [t["label"] for t in temperature.y_ticks] == ["36.5", "37.0", "37.5", "38.0", "38.5"]
    # the fever is drawn falling across the chart's height: first point high, last low
    dots = temperature.lines[0]["dots"]
    assert dots[0]["y"] < dots[1]["y"] < dots[2]["y"]
    assert dots[2]["y"] - dots[0]["y"] > 40  # of a 118-unit-tall plot
    pulse = charts["vitals-pulse"]
    assert pulse.y_min <= 84 and pulse.y_max >= 104 and pulse.y_max - pulse.y_min <= 40
    assert [line["label"] for line in charts["vitals-blood-pressure"].lines] == [
        "Systolic",
        "Diastolic",
    ]
    html = response.content.decode()
    assert html.count("<svg viewBox") == 5
    assert 'data-testid="svg-chart-vitals-temperature"' in html
    assert 'data-y-min="36.5" data-y-max="38.5"' in html
    assert "chart.umd.min.js" not in html  # drawn on the server, no script


def test_a_vital_sign_never_measured_has_no_chart():
    at = NOW
    vitals = [VitalSignsFactory.build(measured_at=at, pulse=80, temperature_c=None, spo2=None)]
    vitals[0].systolic_bp = vitals[0].diastolic_bp = vitals[0].respiratory_rate = None

    assert [c.id for c in vital_charts(vitals)] == ["vitals-pulse"]


def test_the_shaded_range_is_the_news2_zero_band():
    assert news2_zero_range("temperature", Decimal("0.1")) == (36.1, 38.0)
    assert news2_zero_range("respiratory_rate") == (12, 20)
    assert news2_zero_range("pulse") == (51, 90)
    assert news2_zero_range("spo2_scale_1") == (96, None)


@pytest.mark.parametrize(
    ("values", "min_span", "expected"),
    [
        ([37.9, 37.0], 1.0, (36.5, 38.5)),
        ([36.8, 36.8], 1.0, (36.0, 37.5)),  # one value: centred on a minimum span
        ([120, 180, 95], 40, (75, 200)),
        ([97, 99], 6, (92, 104)),
    ],
)
def test_axis_range_spans_the_data_with_a_margin(values, min_span, expected):
    low, high, _step = axis_range(values, min_span=min_span)
    assert (low, high) == expected
    assert low < min(values) and high > max(values)


# --- critical results on the timeline -------------------------------------------------------


def test_a_critical_result_on_the_timeline_has_a_critical_badge(clock, patient, doctor):
    Lab().verified(doctor=doctor, patient=patient, code="K", values={"K": "6.8"})
    Lab().verified(doctor=doctor, patient=patient, code="NA", values={"NA": "150"})

    html = signed_in_client(doctor).get(chart_url(patient)).content.decode()

    timeline = html[html.index('data-testid="timeline"') :]
    assert timeline.count('data-testid="critical-badge"') == 1
    assert "Critically high" in timeline
    assert 'data-testid="abnormal-badge"' in timeline  # sodium 150: high, not critical


def test_chart_query_count_does_not_grow_with_observations(clock, patient, doctor, make_user):
    admission = admit(patient, doctor, make_user)
    nurse = make_user(Role.NURSE)
    observe(admission, nurse, at=NOW - timedelta(hours=8))
    client = signed_in_client(doctor)
    client.get(chart_url(patient))
    # The banner adds two queries whatever the stay: the active admission with its ward,
    # bed and room, and its latest observation.
    before = page_queries(client, chart_url(patient))
    for hours in range(1, 7):
        observe(admission, nurse, at=NOW - timedelta(hours=hours), temperature="37.5")
    assert page_queries(client, chart_url(patient)) == before
