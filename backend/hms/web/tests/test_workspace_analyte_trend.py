"""One analyte over time, opened from its name on the results page: a chart with the reference
interval shaded and critical values marked, and a table of every verified result.

Personas: Alice (in Dr Assigned's care), Bob (another patient), Dr Assigned, Dr Other (not
caring for Alice), and roles without the workspace.
"""

import uuid
from datetime import UTC, datetime

import pytest

from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.laboratory import selectors as lab_selectors
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import page_queries, signed_in_client

from .clinic import Lab, lab_catalog

pytestmark = pytest.mark.django_db

POTASSIUM = (("5", "4.1"), ("8", "6.8"), ("12", "5.4"))  # day of March 2027, mmol/L


@pytest.fixture
def world(make_user):
    lab_catalog()
    alice = PatientFactory(first_name="Alice", last_name="Adeyemi")
    doctor = make_user(Role.DOCTOR, username="dr_assigned")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    lab = Lab()
    for day, value in POTASSIUM:
        lab.verified(
            doctor=doctor,
            patient=alice,
            code="K",
            values={"K": value},
            when=datetime(2027, 3, int(day), 8, 0, tzinfo=UTC),
        )
    return {
        "alice": alice,
        "bob": PatientFactory(),
        "doctor": doctor,
        "other_doctor": make_user(Role.DOCTOR, username="dr_other"),
        "lab": lab,
    }


def trend_url(patient, code: str = "K") -> str:
    return f"/workspace/patients/{patient.public_id}/results/{code}/"


def test_the_results_page_links_each_numeric_analyte_to_its_trend(world):
    html = (
        signed_in_client(world["doctor"])
        .get(f"/workspace/patients/{world['alice'].public_id}/results/")
        .content.decode()
    )
    assert f'href="{trend_url(world["alice"])}"' in html
    assert html.count('data-testid="critical-badge"') == 1  # the 6.8 row
    assert 'hms-flag-critical ms-1">Critical</span>' in html  # and its order's header


def test_the_trend_shows_values_over_time_with_reference_band_and_critical_marks(world):
    response = signed_in_client(world["doctor"]).get(trend_url(world["alice"]))

    assert response.status_code == 200
    chart = response.context["chart"]
    dots = chart.lines[0]["dots"]
    assert [d["marked"] for d in dots] == [False, True, False]  # 6.8 is critically high
    assert dots[0]["x"] < dots[1]["x"] < dots[2]["x"]  # oldest first, left to right
    assert chart.y_min < 4.1 and chart.y_max > 6.8 and chart.y_max <= 10
    assert chart.band is not None and "3.5-5.1" in chart.band["label"]
    rows = response.context["rows"]
    assert [r.value for r in rows] == ["5.4", "6.8", "4.1"]  # table newest first
    html = response.content.decode()
    assert html.count('data-testid="svg-critical-point"') == 1
    assert 'data-testid="svg-band"' in html
    table = html[html.index('data-testid="analyte-results"') :]
    assert table.count('data-testid="critical-badge"') == 1
    assert "Critically high" in table and ">High<" in table
    assert "1 critical" in html


def test_the_trend_reads_the_chart_through_the_access_module(world):
    signed_in_client(world["doctor"]).get(trend_url(world["alice"]))
    assert AuditEvent.objects.filter(
        actor=world["doctor"],
        patient_id=str(world["alice"].public_id),
        action=AuditAction.READ,
        resource_type="orders",
    ).exists()


def test_the_trend_is_refused_outside_care_and_for_other_roles(world, make_user):
    other = signed_in_client(world["other_doctor"])
    assert other.get(trend_url(world["alice"])).status_code == 403
    for role in (Role.PATIENT, Role.NURSE, Role.RECEPTIONIST):
        assert signed_in_client(make_user(role)).get(trend_url(world["alice"])).status_code == 403


def test_unknown_patient_or_test_is_404(world):
    client = signed_in_client(world["doctor"])
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/results/K/").status_code == 404
    assert client.get(trend_url(world["alice"], "NOSUCHTEST")).status_code == 404


def test_a_test_never_taken_shows_an_empty_page(world):
    response = signed_in_client(world["doctor"]).get(trend_url(world["alice"], "NA"))
    assert response.status_code == 200
    assert response.context["chart"] is None
    assert b"No verified result of this test yet." in response.content


def test_the_trend_query_count_does_not_grow_with_results(world):
    client = signed_in_client(world["doctor"])
    client.get(trend_url(world["alice"]))
    before = page_queries(client, trend_url(world["alice"]))
    for day in range(13, 20):
        world["lab"].verified(
            doctor=world["doctor"],
            patient=world["alice"],
            code="K",
            values={"K": "4.4"},
            when=datetime(2027, 3, day, 8, 0, tzinfo=UTC),
        )
    assert page_queries(client, trend_url(world["alice"])) == before


# --- the selector -----------------------------------------------------------------------------


def test_selector_returns_verified_current_results_oldest_first(world):
    alice, doctor, lab = world["alice"], world["doctor"], world["lab"]
    lab.ordered(doctor=doctor, patient=alice, code="K")  # ordered, no result yet
    lab.verified(doctor=doctor, patient=world["bob"], code="K", values={"K": "3.0"})

    patient, test, results = lab_selectors.analyte_history_for_user(
        user=doctor, patient_id=alice.public_id, test_ref="k"
    )

    assert patient == alice and test.code == "K"
    assert [str(r.value_numeric.normalize()) for r in results] == ["4.1", "6.8", "5.4"]
    assert all(r.verified_at is not None for r in results)


def test_selector_keeps_the_most_recent_results_within_the_limit(world):
    _patient, _test, results = lab_selectors.analyte_history_for_user(
        user=world["doctor"], patient_id=world["alice"].public_id, test_ref="K", limit=2
    )
    assert [str(r.value_numeric.normalize()) for r in results] == ["6.8", "5.4"]
