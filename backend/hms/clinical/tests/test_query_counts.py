"""Every list answers with the same number of queries for 1 row and for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.clinical.tests.factories import (
    DiagnosisFactory,
    DocumentFactory,
    EncounterFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.core.tests.query_budget import AUDIT_WRITE

pytestmark = pytest.mark.django_db

# Writing one audit event (see query_budget).
AUDIT = AUDIT_WRITE

# Opening one chart (?patient=): SELECT the patient (with its account), then for a doctor one
# EXISTS over every registered care relationship (as subqueries), then the audit event.
OPEN_CHART_AS_DOCTOR = 2 + AUDIT
OPEN_CHART_AS_PATIENT = 1 + AUDIT  # a patient's own chart needs no care check
# A page: COUNT(*) and one SELECT joining patient, people and encounter (select_related).
PAGE = 2


def make_rows(kind, patient, doctor, count):
    encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
    if kind == "encounters":
        EncounterFactory.create_batch(count - 1, patient=patient, attending_doctor=doctor)
    elif kind == "visitnotes":
        for _ in range(count):
            VisitNoteFactory(
                patient=patient,
                doctor=doctor,
                encounter=encounter,
                prescription=DocumentFactory(patient=patient, doc_type="prescription"),
            )
    elif kind == "vitals":
        VitalSignsFactory.create_batch(count, patient=patient, encounter=encounter)
    elif kind == "diagnoses":
        DiagnosisFactory.create_batch(count, encounter=encounter, patient=patient)
    elif kind == "problems":
        ProblemFactory.create_batch(count, patient=patient)
    elif kind == "documents":
        DocumentFactory.create_batch(count, patient=patient, encounter=encounter)


def count_queries(client, url, params) -> int:
    client.get(url, params)  # warm-up: the audit chain head row exists from now on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


ROUTES = ["encounters", "visitnotes", "vitals", "diagnoses", "problems", "documents"]


@pytest.mark.parametrize("route", ROUTES)
def test_list_for_one_patient_is_constant(as_user, doctor, patient, route):
    client = as_user(doctor)
    params = {"patient": str(patient.public_id), "page_size": 100}
    make_rows(route, patient, doctor, 1)
    one = count_queries(client, f"/api/{route}/", params)
    make_rows(route, patient, doctor, 49)
    fifty = count_queries(client, f"/api/{route}/", params)
    assert one == fifty == OPEN_CHART_AS_DOCTOR + PAGE


@pytest.mark.parametrize("route", ROUTES)
def test_list_across_patients_in_care_is_constant(as_user, doctor, patient, route):
    client = as_user(doctor)
    make_rows(route, patient, doctor, 1)
    one = count_queries(client, f"/api/{route}/", {"page_size": 100})
    make_rows(route, patient, doctor, 49)
    fifty = count_queries(client, f"/api/{route}/", {"page_size": 100})
    # one audit event for the cross-chart read; the care scope is a subquery of the page
    assert one == fifty == AUDIT + PAGE


@pytest.mark.parametrize("route", ROUTES)
def test_list_for_a_patient_reading_their_own_chart_is_constant(as_user, doctor, patient, route):
    client = as_user(patient.user)
    params = {"patient": str(patient.public_id), "include_voided": "1"}
    make_rows(route, patient, doctor, 1)
    one = count_queries(client, f"/api/{route}/", params)
    make_rows(route, patient, doctor, 49)
    assert count_queries(client, f"/api/{route}/", params) == one == OPEN_CHART_AS_PATIENT + PAGE


def test_timeline_is_constant(as_user, doctor, patient):
    client = as_user(doctor)
    url = f"/api/patients/{patient.public_id}/timeline/"
    for kind in ("visitnotes", "vitals", "diagnoses", "problems", "documents"):
        make_rows(kind, patient, doctor, 1)
    one = count_queries(client, url, {})
    for kind in ("visitnotes", "vitals", "diagnoses", "problems", "documents"):
        make_rows(kind, patient, doctor, 49)
    fifty = count_queries(client, url, {})
    # open the chart, then one SELECT per registered source (encounters, visit notes, vitals,
    # diagnoses, problems, documents, and those other modules register); the page is cut from
    # the merged list in memory
    from hms.clinical.timeline import timeline_sources

    assert one == fifty == OPEN_CHART_AS_DOCTOR + len(timeline_sources())


@pytest.mark.parametrize("route", ["encounters", "vitals", "diagnoses", "problems", "documents"])
def test_detail_is_constant(as_user, doctor, patient, route):
    make_rows(route, patient, doctor, 1)
    from hms.clinical import models

    model = {
        "encounters": models.Encounter,
        "vitals": models.VitalSigns,
        "diagnoses": models.Diagnosis,
        "problems": models.Problem,
        "documents": models.Document,
    }[route]
    record = model.objects.filter(patient=patient).first()
    # SELECT the record with its joins, then open its chart
    count = count_queries(as_user(doctor), f"/api/{route}/{record.public_id}/", {})
    assert count == 1 + OPEN_CHART_AS_DOCTOR
