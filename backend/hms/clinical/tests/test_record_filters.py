"""Every filter a record list declares works, and a filter a list does not have is a 400 on
that parameter (encounters and problems belong to no encounter)."""

import uuid

import pytest

from hms.clinical.tests.factories import EncounterFactory, VisitNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(doctor, nurse, patient):
    """Every role allowed to list encounters and problems."""
    return {"doctor": doctor, "nurse": nurse, "patient": patient.user}


@pytest.mark.parametrize("role", ["doctor", "nurse", "patient"])
@pytest.mark.parametrize("path", ["/api/encounters/", "/api/problems/"])
def test_an_encounter_filter_on_lists_without_one_is_a_400(as_user, readers, role, path):
    response = as_user(readers[role]).get(path, {"encounter": str(uuid.uuid4())})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert "encounter" in body["fields"]


@pytest.mark.parametrize(
    "path", ["/api/visitnotes/", "/api/vitals/", "/api/diagnoses/", "/api/documents/"]
)
def test_lists_of_records_made_in_an_encounter_filter_by_it(as_user, doctor, path):
    response = as_user(doctor).get(path, {"encounter": str(uuid.uuid4())})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_the_encounter_filter_selects_that_encounters_notes(as_user, doctor, patient):
    visit = EncounterFactory(patient=patient, attending_doctor=doctor)
    VisitNoteFactory(patient=patient, doctor=doctor, encounter=visit)
    VisitNoteFactory(patient=patient, doctor=doctor, encounter=None)
    response = as_user(doctor).get("/api/visitnotes/", {"encounter": str(visit.public_id)})
    assert response.status_code == 200
    assert response.json()["count"] == 1
