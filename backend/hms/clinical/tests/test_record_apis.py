"""The medical record API: encounters, visit notes, vital signs, diagnoses, problems."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hms.accounts.tests.factories import UserFactory
from hms.clinical.models import Encounter, VisitNote, VitalSigns
from hms.clinical.tests.factories import (
    DiagnosisFactory,
    DoctorFactory,
    EncounterFactory,
    PatientFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.models import BreakGlassGrant

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"status", "code", "message", "request_id"}


def grant_break_glass(user, patient):
    return BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason="Collapsed in the corridor",
        expires_at=timezone.now() + timedelta(hours=12),
    )


class TestEncounters:
    def test_doctor_opens_and_closes_an_encounter(self, as_user, doctor, patient):
        client = as_user(doctor)
        response = client.post(
            "/api/encounters/",
            {"patient": str(patient.public_id), "type": "emergency", "reason": "Chest pain"},
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "open" and body["attending_doctor"]["id"] == str(doctor.public_id)

        closed = client.post(f"/api/encounters/{body['id']}/close/", {})
        assert closed.status_code == 200
        assert closed.json()["status"] == "closed" and closed.json()["ended_at"]
        again = client.post(f"/api/encounters/{body['id']}/close/", {})
        assert again.status_code == 409 and again.json()["code"] == "encounter_closed"
        assert AuditEvent.objects.filter(resource_type="encounter", action="create").exists()

    def test_another_doctor_may_attend(self, as_user, doctor, patient):
        colleague = DoctorFactory()
        response = as_user(doctor).post(
            "/api/encounters/",
            {
                "patient": str(patient.public_id),
                "type": "outpatient",
                "attending_doctor": str(colleague.public_id),
            },
        )
        assert response.status_code == 201
        assert response.json()["attending_doctor"]["id"] == str(colleague.public_id)

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"type": "picnic"}, "type"),
            ({"type": "outpatient", "attending_doctor": "not-a-uuid"}, "attending_doctor"),
            ({"type": "outpatient", "started_at": "yesterday-ish"}, "started_at"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, as_user, doctor, patient, payload, field):
        response = as_user(doctor).post(
            "/api/encounters/", {"patient": str(patient.public_id), **payload}
        )
        assert response.status_code == 400
        assert set(response.json()) >= ERROR_KEYS and field in response.json()["fields"]

    def test_attending_doctor_must_be_a_doctor(self, as_user, doctor, patient, nurse):
        response = as_user(doctor).post(
            "/api/encounters/",
            {
                "patient": str(patient.public_id),
                "type": "outpatient",
                "attending_doctor": str(nurse.public_id),
            },
        )
        assert response.status_code == 400 and "attending_doctor" in response.json()["fields"]

    def test_patient_outside_care_needs_break_the_glass(self, as_user, doctor, other_patient):
        response = as_user(doctor).post(
            "/api/encounters/", {"patient": str(other_patient.public_id), "type": "emergency"}
        )
        assert response.status_code == 403
        assert response.json()["code"] == "break_glass_required"
        grant_break_glass(doctor, other_patient)
        response = as_user(doctor).post(
            "/api/encounters/", {"patient": str(other_patient.public_id), "type": "emergency"}
        )
        assert response.status_code == 201

    def test_encounter_puts_the_patient_in_the_doctors_care(self, as_user, other_patient):
        # No assignment: the encounter alone is the care relationship (registered by clinical).
        attending = DoctorFactory()
        EncounterFactory(patient=other_patient, attending_doctor=attending)
        response = as_user(attending).get("/api/vitals/", {"patient": str(other_patient.public_id)})
        assert response.status_code == 200

    def test_long_closed_encounter_no_longer_counts_as_care(self, as_user, other_patient):
        attending = DoctorFactory()
        long_ago = timezone.now() - timedelta(days=400)
        EncounterFactory(
            patient=other_patient,
            attending_doctor=attending,
            started_at=long_ago,
            ended_at=long_ago + timedelta(hours=1),
            status="closed",
        )
        response = as_user(attending).get("/api/vitals/", {"patient": str(other_patient.public_id)})
        assert response.status_code == 403

    def test_patient_sees_own_encounters_only(self, as_user, patient, other_patient):
        EncounterFactory(patient=patient)
        EncounterFactory(patient=other_patient)
        client = as_user(patient.user)
        own = client.get("/api/encounters/")
        assert own.status_code == 200 and own.json()["count"] == 1
        assert own.json()["results"][0]["patient"] == str(patient.public_id)
        other = client.get("/api/encounters/", {"patient": str(other_patient.public_id)})
        assert other.status_code == 404
        encounter = EncounterFactory(patient=other_patient)
        assert client.get(f"/api/encounters/{encounter.public_id}/").status_code == 404

    def test_doctor_list_without_patient_shows_only_patients_in_care(
        self, as_user, doctor, patient, other_patient
    ):
        EncounterFactory(patient=patient)
        EncounterFactory(patient=other_patient)  # someone else's patient
        body = as_user(doctor).get("/api/encounters/").json()
        assert {row["patient"] for row in body["results"]} == {str(patient.public_id)}

    def test_void_requires_records_voided_first(self, as_user, doctor, patient):
        encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
        VisitNoteFactory(patient=patient, doctor=doctor, encounter=encounter)
        response = as_user(doctor).delete(
            f"/api/encounters/{encounter.public_id}/", {"reason": "Wrong patient"}
        )
        assert response.status_code == 409 and response.json()["code"] == "encounter_has_records"


class TestVisitNotes:
    def test_create_list_and_amend(self, as_user, doctor, patient):
        client = as_user(doctor)
        encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
        response = client.post(
            "/api/visitnotes/",
            {
                "patient": str(patient.public_id),
                "encounter": str(encounter.public_id),
                "notes": "Wheeze, no fever.",
            },
        )
        assert response.status_code == 201, response.json()
        note_id = response.json()["id"]
        assert response.json()["doctor"]["id"] == str(doctor.public_id)
        listed = client.get("/api/visitnotes/", {"patient": str(patient.public_id)}).json()
        assert [row["id"] for row in listed["results"]] == [note_id]

        amended = client.patch(
            f"/api/visitnotes/{note_id}/", {"notes": "Wheeze, no fever. SpO2 97%."}
        )
        assert amended.status_code == 200
        note = VisitNote.objects.get(public_id=note_id)
        assert [h.notes for h in note.history.order_by("history_date")] == [
            "Wheeze, no fever.",
            "Wheeze, no fever. SpO2 97%.",
        ]

    def test_encounter_of_another_patient_is_refused(self, as_user, doctor, patient, other_patient):
        foreign = EncounterFactory(patient=other_patient)
        response = as_user(doctor).post(
            "/api/visitnotes/",
            {"patient": str(patient.public_id), "encounter": str(foreign.public_id), "notes": "x"},
        )
        assert response.status_code == 400 and "encounter" in response.json()["fields"]

    def test_nurse_may_read_but_not_write_notes(self, as_user, nurse, patient):
        grant_break_glass(nurse, patient)
        client = as_user(nurse)
        assert (
            client.get("/api/visitnotes/", {"patient": str(patient.public_id)}).status_code == 200
        )
        response = client.post(
            "/api/visitnotes/", {"patient": str(patient.public_id), "notes": "x"}
        )
        assert response.status_code == 403

    def test_receptionist_may_not_read_notes(self, as_user, patient):
        response = as_user(UserFactory(role=Role.RECEPTIONIST)).get(
            "/api/visitnotes/", {"patient": str(patient.public_id)}
        )
        assert response.status_code == 403


class TestVoiding:
    def test_delete_voids_with_a_reason_and_keeps_history(self, as_user, doctor, patient):
        note = VisitNoteFactory(patient=patient, doctor=doctor)
        url = f"/api/visitnotes/{note.public_id}/"
        client = as_user(doctor)

        no_reason = client.delete(url)
        assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]

        response = client.delete(url, {"reason": "Written in the wrong chart"})
        assert response.status_code == 200
        assert response.json()["voided"] is True
        assert response.json()["void_reason"] == "Written in the wrong chart"
        assert response.json()["voided_by"]["id"] == str(doctor.public_id)

        # not deleted: the row and its versions are all there
        assert VisitNote.all_objects.filter(pk=note.pk).exists()
        assert not VisitNote.objects.filter(pk=note.pk).exists()
        assert note.history.count() == 2  # created (factory) + voided
        # hidden from the normal list, shown marked with include_voided
        params = {"patient": str(patient.public_id)}
        assert client.get("/api/visitnotes/", params).json()["count"] == 0
        shown = client.get("/api/visitnotes/", {**params, "include_voided": "1"}).json()
        assert shown["count"] == 1 and shown["results"][0]["voided"] is True
        # the record itself stays readable
        assert client.get(url).json()["voided"] is True
        # voiding twice is a conflict; a voided record cannot be edited
        assert client.post(f"{url}void/", {"reason": "again"}).status_code == 409
        assert client.patch(url, {"notes": "x"}).status_code == 409
        assert AuditEvent.objects.filter(action="void", object_id=str(note.public_id)).exists()

    @pytest.mark.parametrize(
        ("factory", "route"),
        [
            (VitalSignsFactory, "vitals"),
            (ProblemFactory, "problems"),
            (DiagnosisFactory, "diagnoses"),
            (EncounterFactory, "encounters"),
        ],
    )
    def test_every_record_voids_through_post_void(self, as_user, doctor, patient, factory, route):
        record = factory(patient=patient)
        client = as_user(doctor)
        response = client.post(f"/api/{route}/{record.public_id}/void/", {"reason": "Duplicate"})
        assert response.status_code == 200 and response.json()["voided"] is True
        assert type(record).all_objects.get(pk=record.pk).is_voided
        assert record.history.count() == 2

    def test_reason_may_come_as_a_query_parameter(self, as_user, doctor, patient):
        vitals = VitalSignsFactory(patient=patient)
        response = as_user(doctor).delete(f"/api/vitals/{vitals.public_id}/?reason=Wrong+cuff")
        assert response.status_code == 200 and response.json()["void_reason"] == "Wrong cuff"


class TestVitalSigns:
    def test_bmi_is_derived(self, as_user, doctor, patient):
        response = as_user(doctor).post(
            "/api/vitals/",
            {
                "patient": str(patient.public_id),
                "systolic_bp": 128,
                "diastolic_bp": 82,
                "temperature_c": "36.85",
                "weight_kg": "81.5",
                "height_cm": "180",
            },
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["bmi"] == "25.2"
        assert body["temperature_c"] == "36.9"  # stored to 0.1 °C

    def test_correcting_weight_recomputes_bmi(self, as_user, doctor, patient):
        vitals = VitalSignsFactory(patient=patient, weight_kg=Decimal(80), height_cm=Decimal(200))
        response = as_user(doctor).patch(f"/api/vitals/{vitals.public_id}/", {"weight_kg": "100"})
        assert response.status_code == 200 and response.json()["bmi"] == "25.0"

    @pytest.mark.parametrize(
        ("values", "field", "words"),
        [
            ({"systolic_bp": 20, "diastolic_bp": 10}, "systolic_bp", "between 40 and 300"),
            ({"systolic_bp": 80, "diastolic_bp": 120}, "systolic_bp", "higher than diastolic"),
            ({"temperature_c": "98.6"}, "temperature_c", "between 25 and 45"),
            ({"spo2": 140}, "spo2", "between 0 and 100"),
            ({"pulse": 400}, "pulse", "between 20 and 300"),
            ({"pulse": -5}, "pulse", "between 20 and 300"),
            ({"height_cm": "1.8"}, "height_cm", "between 20 and 275"),
            ({"systolic_bp": 120}, "diastolic_bp", "both"),
        ],
    )
    def test_impossible_values_are_rejected_naming_the_field(
        self, as_user, doctor, patient, values, field, words
    ):
        response = as_user(doctor).post(
            "/api/vitals/", {"patient": str(patient.public_id), **values}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in body["fields"] and words in body["fields"][field][0]
        assert not VitalSigns.all_objects.exists()

    def test_at_least_one_value(self, as_user, doctor, patient):
        response = as_user(doctor).post("/api/vitals/", {"patient": str(patient.public_id)})
        assert response.status_code == 400
        assert response.json()["message"] == "Record at least one measurement."

    def test_not_a_number_is_400(self, as_user, doctor, patient):
        response = as_user(doctor).post(
            "/api/vitals/", {"patient": str(patient.public_id), "pulse": "fast"}
        )
        assert response.status_code == 400 and "pulse" in response.json()["fields"]

    def test_nurse_records_vitals_for_a_patient_in_reach(self, as_user, nurse, patient):
        client = as_user(nurse)
        payload = {"patient": str(patient.public_id), "pulse": 88}
        assert client.post("/api/vitals/", payload).json()["code"] == "break_glass_required"
        grant_break_glass(nurse, patient)
        assert client.post("/api/vitals/", payload).status_code == 201

    @pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.PHARMACIST, Role.PATIENT])
    def test_other_roles_may_not_record_vitals(self, as_user, patient, role):
        response = as_user(UserFactory(role=role)).post(
            "/api/vitals/", {"patient": str(patient.public_id), "pulse": 88}
        )
        assert response.status_code == 403


class TestDiagnoses:
    def test_valid_icd10_code_is_stored_with_its_who_title(self, as_user, doctor, patient):
        encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
        response = as_user(doctor).post(
            "/api/diagnoses/",
            {"encounter": str(encounter.public_id), "code": "e11.9", "type": "confirmed"},
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["code"] == "E11.9"
        assert body["title"] == "Type 2 diabetes mellitus without complications"
        assert body["patient"] == str(patient.public_id) and body["type"] == "confirmed"

    @pytest.mark.parametrize("code", ["ZZZ", "J45.99", "X", "A00-B99", ""])
    def test_unknown_code_is_400(self, as_user, doctor, patient, code):
        encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
        response = as_user(doctor).post(
            "/api/diagnoses/", {"encounter": str(encounter.public_id), "code": code}
        )
        assert response.status_code == 400 and "code" in response.json()["fields"]

    def test_unknown_encounter_is_400(self, as_user, doctor):
        response = as_user(doctor).post(
            "/api/diagnoses/",
            {"encounter": "00000000-0000-0000-0000-000000000001", "code": "J45.9"},
        )
        assert response.status_code == 400 and "encounter" in response.json()["fields"]

    def test_confirm_a_provisional_diagnosis(self, as_user, doctor, patient):
        diagnosis = DiagnosisFactory(encounter=EncounterFactory(patient=patient))
        response = as_user(doctor).patch(
            f"/api/diagnoses/{diagnosis.public_id}/", {"type": "confirmed", "code": "J45.0"}
        )
        assert response.status_code == 200
        assert response.json()["type"] == "confirmed"
        assert response.json()["title"] == "Predominantly allergic asthma"


class TestProblems:
    def test_problem_list_lifecycle(self, as_user, doctor, patient):
        client = as_user(doctor)
        created = client.post(
            "/api/problems/",
            {"patient": str(patient.public_id), "code": "I10", "onset_date": "2020-03-01"},
        )
        assert created.status_code == 201, created.json()
        assert created.json()["title"] == "Essential (primary) hypertension"
        duplicate = client.post(
            "/api/problems/", {"patient": str(patient.public_id), "code": "I10"}
        )
        assert duplicate.status_code == 409 and duplicate.json()["code"] == "problem_already_active"

        url = f"/api/problems/{created.json()['id']}/"
        resolved = client.patch(url, {"status": "resolved"})
        assert resolved.status_code == 200
        assert resolved.json()["resolved_date"] == timezone.localdate().isoformat()
        # once resolved, the condition may be listed as active again
        again = client.post("/api/problems/", {"patient": str(patient.public_id), "code": "I10"})
        assert again.status_code == 201
        active = client.get(
            "/api/problems/", {"patient": str(patient.public_id), "status": "active"}
        ).json()
        assert active["count"] == 1

    def test_resolution_before_onset_is_400(self, as_user, doctor, patient):
        response = as_user(doctor).post(
            "/api/problems/",
            {
                "patient": str(patient.public_id),
                "code": "I10",
                "status": "resolved",
                "onset_date": "2024-05-01",
                "resolved_date": "2024-04-01",
            },
        )
        assert response.status_code == 400 and "resolved_date" in response.json()["fields"]


class TestNeverFiveHundred:
    @pytest.mark.parametrize(
        "route", ["encounters", "visitnotes", "vitals", "diagnoses", "problems", "documents"]
    )
    @pytest.mark.parametrize(
        "payload",
        [
            "[]",
            '"text"',
            '{"patient": "not-a-uuid"}',
            '{"patient": null, "encounter": 5}',
            '{"patient": "00000000-0000-0000-0000-000000000000"}',
            '{"code": {"nested": 1}, "notes": ["a"]}',
            '{"systolic_bp": 1e309}',
        ],
    )
    def test_bad_bodies_answer_4xx_json(self, as_user, doctor, route, payload):
        response = as_user(doctor).generic("POST", f"/api/{route}/", payload, "application/json")
        assert 400 <= response.status_code < 500, (route, payload, response.status_code)
        assert set(response.json()) >= ERROR_KEYS

    @pytest.mark.parametrize(
        "query",
        [
            {"patient": "nope"},
            {"since": "soon"},
            {"include_voided": "perhaps"},
            {"since": "2024-02-01T00:00:00Z", "until": "2024-01-01T00:00:00Z"},
            {"page": "abc"},
        ],
    )
    def test_bad_filters_answer_4xx_json(self, as_user, doctor, query):
        for route in ("encounters", "visitnotes", "vitals", "diagnoses", "problems", "documents"):
            response = as_user(doctor).get(f"/api/{route}/", query)
            assert 400 <= response.status_code < 500, (route, query, response.status_code)
            assert set(response.json()) >= ERROR_KEYS


@pytest.mark.parametrize("body", ["[]", '"x"', '{"reason": {"a": 1}}', '{"reason": ""}', "{"])
def test_bad_void_bodies_answer_4xx_json(as_user, doctor, patient, body):
    vitals = VitalSignsFactory(patient=patient)
    response = as_user(doctor).generic(
        "DELETE", f"/api/vitals/{vitals.public_id}/", body, "application/json"
    )
    assert response.status_code == 400 and set(response.json()) >= ERROR_KEYS
    assert not VitalSigns.all_objects.get(pk=vitals.pk).is_voided


def test_unknown_patient_is_404_for_clinicians(as_user, doctor):
    response = as_user(doctor).get(
        "/api/vitals/", {"patient": str(PatientFactory.build().public_id)}
    )
    assert response.status_code == 404


def test_encounter_model_hides_voided_rows_by_default(patient, doctor):
    encounter = EncounterFactory(patient=patient)
    Encounter.all_objects.filter(pk=encounter.pk).update(
        voided_at=timezone.now(), voided_by=doctor, void_reason="x"
    )
    assert not Encounter.objects.filter(pk=encounter.pk).exists()
    assert Encounter.all_objects.filter(pk=encounter.pk).exists()
