"""Dates in the medical record are ones that can have happened: not in the future (beyond the
clock skew), not before the patient was born. Each refusal is a 400 naming the field, and
nothing is written.

Now is Monday 1 March 2027, 08:00 UTC (the test settings' hospital time zone is UTC); the
patient was born on 15 June 1986.
"""

from datetime import UTC, date, datetime

import pytest

from hms.clinical.models import Diagnosis, Encounter, Problem, VisitNote, VitalSigns
from hms.clinical.tests.factories import (
    EncounterFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
BORN = date(1986, 6, 15)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def born_patient(patient):
    patient.date_of_birth = BORN
    patient.save(update_fields=["date_of_birth"])
    return patient


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "implausible_date" and field in body["fields"], body
    return body["fields"][field][0]


class TestVisitNotes:
    def test_a_note_dated_9999_is_refused(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/visitnotes/",
            {
                "patient": str(born_patient.public_id),
                "notes": "Wheeze.",
                "visit_date": "9999-12-31T00:00:00Z",
            },
        )
        assert "future" in refused(response, "visit_date")
        assert not VisitNote.objects.exists()

    def test_a_note_cannot_be_moved_to_9999(self, as_user, doctor, born_patient):
        note = VisitNoteFactory(patient=born_patient, doctor=doctor)
        before = note.visit_date
        response = as_user(doctor).patch(
            f"/api/visitnotes/{note.public_id}/", {"visit_date": "9999-12-31T00:00:00Z"}
        )
        refused(response, "visit_date")
        note.refresh_from_db()
        assert note.visit_date == before

    def test_a_note_backdated_a_week_is_accepted(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/visitnotes/",
            {
                "patient": str(born_patient.public_id),
                "notes": "Seen last week, written up now.",
                "visit_date": "2027-02-22T09:30:00Z",
            },
        )
        assert response.status_code == 201, response.json()


class TestVitalSigns:
    def test_vitals_dated_year_1_are_refused(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/vitals/",
            {
                "patient": str(born_patient.public_id),
                "pulse": 72,
                "measured_at": "0001-01-01T00:00:00Z",
            },
        )
        message = refused(response, "measured_at")
        assert "1986-06-15" in message  # before the date of birth
        assert not VitalSigns.objects.exists()

    def test_a_correction_cannot_date_vitals_before_birth(self, as_user, doctor, born_patient):
        vitals = VitalSignsFactory(patient=born_patient)
        response = as_user(doctor).patch(
            f"/api/vitals/{vitals.public_id}/", {"measured_at": "1970-01-01T00:00:00Z"}
        )
        refused(response, "measured_at")

    def test_a_device_clock_a_few_minutes_ahead_is_accepted(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/vitals/",
            {
                "patient": str(born_patient.public_id),
                "pulse": 72,
                "measured_at": "2027-03-01T08:03:00Z",
            },
        )
        assert response.status_code == 201, response.json()

    def test_the_clock_skew_is_a_setting(self, settings, as_user, doctor, born_patient):
        settings.CLINICAL_CLOCK_SKEW_MINUTES = 1
        response = as_user(doctor).post(
            "/api/vitals/",
            {
                "patient": str(born_patient.public_id),
                "pulse": 72,
                "measured_at": "2027-03-01T08:03:00Z",
            },
        )
        assert "future" in refused(response, "measured_at")


class TestEncounters:
    def test_an_encounter_in_year_1_is_refused(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/encounters/",
            {
                "patient": str(born_patient.public_id),
                "type": "outpatient",
                "started_at": "0001-01-01T00:00:00Z",
            },
        )
        refused(response, "started_at")
        assert not Encounter.objects.exists()

    def test_an_encounter_before_birth_is_refused(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/encounters/",
            {
                "patient": str(born_patient.public_id),
                "type": "outpatient",
                "started_at": "1986-06-14T12:00:00Z",
            },
        )
        assert "date of birth" in refused(response, "started_at")

    def test_an_encounter_cannot_be_restarted_before_birth(self, as_user, doctor, born_patient):
        encounter = EncounterFactory(patient=born_patient, attending_doctor=doctor)
        response = as_user(doctor).patch(
            f"/api/encounters/{encounter.public_id}/", {"started_at": "1900-01-01T00:00:00Z"}
        )
        refused(response, "started_at")

    def test_an_encounter_cannot_end_in_the_future(self, as_user, doctor, born_patient):
        encounter = EncounterFactory(patient=born_patient, attending_doctor=doctor)
        response = as_user(doctor).post(
            f"/api/encounters/{encounter.public_id}/close/", {"ended_at": "9999-12-31T00:00:00Z"}
        )
        refused(response, "ended_at")
        encounter.refresh_from_db()
        assert encounter.status == "open" and encounter.ended_at is None

    def test_a_patient_of_unknown_birth_date_has_a_130_year_floor(self, as_user, doctor, patient):
        patient.date_of_birth = None
        patient.save(update_fields=["date_of_birth"])
        response = as_user(doctor).post(
            "/api/encounters/",
            {
                "patient": str(patient.public_id),
                "type": "outpatient",
                "started_at": "1890-05-01T00:00:00Z",
            },
        )
        assert "130 years" in refused(response, "started_at")


class TestDiagnosesAndProblems:
    def test_a_diagnosis_dated_year_1_is_refused(self, as_user, doctor, born_patient):
        encounter = EncounterFactory(patient=born_patient, attending_doctor=doctor)
        response = as_user(doctor).post(
            "/api/diagnoses/",
            {
                "encounter": str(encounter.public_id),
                "code": "J45.9",
                "diagnosed_at": "0001-01-01T00:00:00Z",
            },
        )
        refused(response, "diagnosed_at")
        assert not Diagnosis.objects.exists()

    def test_a_problem_cannot_start_before_birth(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/problems/",
            {"patient": str(born_patient.public_id), "code": "J45.9", "onset_date": "1980-01-01"},
        )
        refused(response, "onset_date")
        assert not Problem.objects.exists()

    def test_a_problem_from_birth_is_accepted(self, as_user, doctor, born_patient):
        response = as_user(doctor).post(
            "/api/problems/",
            {"patient": str(born_patient.public_id), "code": "Q21.0", "onset_date": "1986-06-15"},
        )
        assert response.status_code == 201, response.json()
