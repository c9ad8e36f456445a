"""Admission, transfer, discharge and ICU moves through the compatibility and resource routes."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save  # noqa: F401
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.clinical.models import Encounter, EncounterStatus, EncounterType
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked
from hms.inpatient.models import Admission, AdmissionStatus, Bed, BedStatus, BedStay
from hms.inpatient.tests.conftest import SUMMARY
from hms.inpatient.tests.factories import BedFactory
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _summary(client, admission_id, body=None):
    return client.put(
        f"/api/admissions/{admission_id}/discharge-summary/", body or SUMMARY, format="json"
    )


class TestAdmit:
    def test_admit_opens_an_inpatient_encounter_and_occupies_the_bed(
        self, admitted, patient, beds, doctor
    ):
        admission = Admission.objects.get(public_id=admitted["id"])
        assert admitted["status"] == "active"
        assert admitted["bed"]["id"] == str(beds[0].public_id)
        assert admitted["attending_doctor"]["id"] == str(doctor.public_id)
        assert admitted["days_admitted"] == 0
        encounter = admission.encounter
        assert encounter.type == EncounterType.INPATIENT
        assert encounter.status == EncounterStatus.OPEN
        assert encounter.attending_doctor == doctor
        beds[0].refresh_from_db()
        assert beds[0].status == BedStatus.OCCUPIED
        assert [s["kind"] for s in admitted["stays"]] == ["admission"]
        assert AuditEvent.objects.filter(
            resource_type="admission", action="create", patient_id=str(patient.public_id)
        ).exists()

    def test_the_resource_route_admits_too(self, reception, patient, beds, doctor):
        response = reception.post(
            "/api/admissions/",
            {
                "patient": str(patient.public_id),
                "bed": str(beds[1].public_id),
                "attending_doctor": str(doctor.public_id),
                "reason": "Chest pain",
                "admission_type": "elective",
            },
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["admission_type"] == "elective"

    def test_an_occupied_bed_is_refused(self, admitted, admit, beds):
        response = admit(PatientFactory(), beds[0])
        assert response.status_code == 409
        assert response.json()["code"] == "bed_not_available"

    @pytest.mark.parametrize("status", [BedStatus.CLEANING, BedStatus.MAINTENANCE])
    def test_a_bed_being_cleaned_or_repaired_is_refused(self, admit, patient, beds, status):
        Bed.objects.filter(pk=beds[1].pk).update(status=status)
        response = admit(patient, beds[1])
        assert response.status_code == 409 and response.json()["code"] == "bed_not_available"

    def test_a_reserved_bed_takes_the_patient(self, admit, patient, beds):
        Bed.objects.filter(pk=beds[1].pk).update(status=BedStatus.RESERVED)
        assert admit(patient, beds[1]).status_code == 201

    def test_a_patient_admitted_already_is_refused(self, admitted, admit, patient, beds):
        response = admit(patient, beds[1])
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "patient_already_admitted"
        assert body["extra"]["admission"] == admitted["id"]
        assert Encounter.objects.filter(patient=patient).count() == 1  # rolled back

    def test_bad_input_is_400(self, admit, reception, patient, beds, make_user):
        assert reception.post("/api/patients/admit/", {}, format="json").status_code == 400
        not_a_doctor = make_user(Role.NURSE)
        response = admit(patient, beds[0], attending=not_a_doctor)
        assert response.status_code == 400
        assert "attending_doctor" in response.json()["fields"]
        response = reception.post(
            "/api/patients/admit/",
            {
                "patient": str(patient.public_id),
                "bed": "00000000-0000-0000-0000-000000000000",
                "attending_doctor": str(not_a_doctor.public_id),
                "reason": "x",
            },
            format="json",
        )
        assert response.status_code == 400 and "bed" in response.json()["fields"]

    def test_future_admission_time_is_400(self, admit, patient, beds):
        later = (timezone.now() + timezone.timedelta(hours=2)).isoformat()
        response = admit(patient, beds[0], admitted_at=later)
        assert response.status_code == 400 and "admitted_at" in response.json()["fields"]

    def test_nurse_admits_doctor_and_pharmacist_may_not(self, admit, client_for, patient, beds):
        assert admit(patient, beds[0], client=client_for(Role.NURSE)).status_code == 201
        other = PatientFactory()
        for role in (Role.DOCTOR, Role.PHARMACIST, Role.PATIENT, Role.ACCOUNTANT):
            assert admit(other, beds[1], client=client_for(role)).status_code == 403


class TestDatabaseConstraints:
    """Rows written around the services. The one-per-bed and one-per-patient rules are partial
    unique constraints, which MySQL/MariaDB cannot hold; there the services keep them
    (TestWithoutPartialIndexes)."""

    def _admission(self, *, patient, bed, doctor, status=AdmissionStatus.ACTIVE):
        encounter = Encounter.objects.create(
            patient=patient,
            attending_doctor=doctor,
            type=EncounterType.INPATIENT,
            started_at=timezone.now(),
            created_by=doctor,
        )
        return Admission.objects.create(
            patient=patient,
            encounter=encounter,
            attending_doctor=doctor,
            ward=bed.ward,
            bed=bed,
            status=status,
            reason="x",
            admitted_at=timezone.now(),
            admitted_by=doctor,
            discharged_at=timezone.now() if status == AdmissionStatus.DISCHARGED else None,
        )

    @pytest.mark.usefixtures("require_partial_indexes")
    def test_one_active_admission_per_bed(self, beds, doctor):
        self._admission(patient=PatientFactory(), bed=beds[0], doctor=doctor)
        with pytest.raises(IntegrityError), transaction.atomic():
            self._admission(patient=PatientFactory(), bed=beds[0], doctor=doctor)

    @pytest.mark.usefixtures("require_partial_indexes")
    def test_one_active_admission_per_patient(self, beds, doctor, patient):
        self._admission(patient=patient, bed=beds[0], doctor=doctor)
        with pytest.raises(IntegrityError), transaction.atomic():
            self._admission(patient=patient, bed=beds[1], doctor=doctor)

    def test_discharged_admissions_do_not_count(self, beds, doctor, patient):
        self._admission(
            patient=patient, bed=beds[0], doctor=doctor, status=AdmissionStatus.DISCHARGED
        )
        self._admission(patient=patient, bed=beds[0], doctor=doctor)  # no error

    @pytest.mark.usefixtures("require_partial_indexes")
    def test_one_open_stay_per_bed(self, admitted, beds, doctor):
        admission = Admission.objects.get(public_id=admitted["id"])
        other = self._admission(patient=PatientFactory(), bed=beds[1], doctor=doctor)
        with pytest.raises(IntegrityError), transaction.atomic():
            BedStay.objects.create(
                admission=other,
                bed=admission.bed,
                ward=admission.ward,
                kind="transfer",
                started_at=timezone.now(),
                moved_by=doctor,
            )

    def test_nothing_is_deleted(self, admitted, beds):
        admission = Admission.objects.get(public_id=admitted["id"])
        with pytest.raises(PermissionError):
            admission.delete()
        with pytest.raises(PermissionError):
            beds[0].delete()


class TestTransfer:
    def test_transfer_keeps_history_and_sends_the_old_bed_to_cleaning(
        self, admitted, reception, beds, ward
    ):
        other_ward_bed = BedFactory()
        url = f"/api/admissions/{admitted['id']}/transfer/"
        first = reception.post(url, {"bed": str(beds[1].public_id), "reason": "Nearer the station"})
        assert first.status_code == 200, first.json()
        second = reception.post(url, {"bed": str(other_ward_bed.public_id), "reason": "Surgery"})
        assert second.status_code == 200
        body = second.json()
        assert body["ward"]["id"] == str(other_ward_bed.ward.public_id)
        stays = body["stays"]
        assert [s["bed"]["id"] for s in stays] == [
            str(beds[0].public_id),
            str(beds[1].public_id),
            str(other_ward_bed.public_id),
        ]
        assert [s["kind"] for s in stays] == ["admission", "transfer", "transfer"]
        assert all(s["ended_at"] for s in stays[:2]) and stays[2]["ended_at"] is None
        assert stays[1]["reason"] == "Nearer the station"
        statuses = {b.pk: b.status for b in Bed.objects.filter(pk__in=[b.pk for b in beds])}
        assert statuses[beds[0].pk] == statuses[beds[1].pk] == BedStatus.CLEANING
        other_ward_bed.refresh_from_db()
        assert other_ward_bed.status == BedStatus.OCCUPIED
        admission = Admission.objects.get(public_id=admitted["id"])
        assert admission.history.count() >= 3  # every move is a kept version

    def test_transfer_to_an_occupied_bed_is_409(self, admitted, admit, reception, beds):
        admit(PatientFactory(), beds[1])
        response = reception.post(
            f"/api/admissions/{admitted['id']}/transfer/", {"bed": str(beds[1].public_id)}
        )
        assert response.status_code == 409 and response.json()["code"] == "bed_not_available"

    def test_transfer_to_the_same_bed_is_409(self, admitted, reception, beds):
        response = reception.post(
            f"/api/admissions/{admitted['id']}/transfer/", {"bed": str(beds[0].public_id)}
        )
        assert response.status_code == 409 and response.json()["code"] == "same_bed"

    def test_handover_changes_the_attending_doctor_and_the_encounter(
        self, admitted, reception, beds
    ):
        from hms.accounts.tests.factories import DoctorProfileFactory

        new_doctor = DoctorProfileFactory().user
        response = reception.post(
            f"/api/admissions/{admitted['id']}/transfer/",
            {"bed": str(beds[2].public_id), "attending_doctor": str(new_doctor.public_id)},
        )
        assert response.json()["attending_doctor"]["id"] == str(new_doctor.public_id)
        encounter = Admission.objects.get(public_id=admitted["id"]).encounter
        assert encounter.attending_doctor == new_doctor


class TestDischarge:
    def test_discharge_needs_the_doctors_summary(self, admitted, reception):
        response = reception.post(
            "/api/patients/discharge/", {"admission": admitted["id"]}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "discharge_summary_required"

    def test_discharge_frees_the_bed_into_cleaning_and_closes_the_encounter(
        self, admitted, reception, doctor_client, beds, patient
    ):
        assert _summary(doctor_client, admitted["id"]).status_code == 200
        response = reception.post(
            "/api/patients/discharge/",
            {"patient": str(patient.public_id), "disposition": "home"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "discharged" and body["discharge_disposition"] == "home"
        assert body["stays"][-1]["ended_at"] == body["discharged_at"]
        beds[0].refresh_from_db()
        assert beds[0].status == BedStatus.CLEANING
        encounter = Admission.objects.get(public_id=admitted["id"]).encounter
        assert encounter.status == EncounterStatus.CLOSED
        # Discharging again is refused; the patient can be admitted again.
        again = reception.post(f"/api/admissions/{admitted['id']}/discharge/", {})
        assert again.status_code == 409 and again.json()["code"] == "admission_not_active"

    def test_the_bed_is_made_available_by_housekeeping(
        self, admitted, reception, doctor_client, beds
    ):
        _summary(doctor_client, admitted["id"])
        reception.post(f"/api/admissions/{admitted['id']}/discharge/", {})
        response = reception.post(f"/api/beds/{beds[0].public_id}/status/", {"status": "available"})
        assert response.status_code == 200 and response.json()["status"] == "available"

    def test_compatibility_discharge_of_a_patient_not_admitted_is_409(self, reception, patient):
        response = reception.post(
            "/api/patients/discharge/", {"patient": str(patient.public_id)}, format="json"
        )
        assert response.status_code == 409 and response.json()["code"] == "not_admitted"
        assert reception.post("/api/patients/discharge/", {}, format="json").status_code == 400


class TestDischargeSummary:
    def test_doctor_writes_and_amends_it_with_icd10_titles(self, admitted, doctor_client):
        response = _summary(doctor_client, admitted["id"])
        assert response.status_code == 200
        body = response.json()
        assert body["diagnoses"] == [{"code": "J18.9", "title": "Pneumonia, unspecified"}]
        amended = _summary(doctor_client, admitted["id"], {**SUMMARY, "procedures": []})
        assert amended.json()["procedures"] == [] and amended.json()["id"] == body["id"]
        from hms.inpatient.models import DischargeSummary

        assert DischargeSummary.objects.get().history.count() == 2

    def test_unknown_codes_and_missing_parts_are_400(self, admitted, doctor_client):
        bad = _summary(
            doctor_client, admitted["id"], {**SUMMARY, "diagnoses": [{"code": "Q99.99"}]}
        )
        assert bad.status_code == 400 and "diagnoses" in bad.json()["fields"]
        empty = _summary(doctor_client, admitted["id"], {**SUMMARY, "diagnoses": []})
        assert empty.status_code == 400
        missing = {k: v for k, v in SUMMARY.items() if k != "follow_up"}
        assert _summary(doctor_client, admitted["id"], missing).status_code == 400

    def test_only_doctors_write_it(self, admitted, ward_nurse, reception, client_for):
        assert _summary(ward_nurse, admitted["id"]).status_code == 403
        assert _summary(reception, admitted["id"]).status_code == 403
        assert _summary(client_for(Role.PHARMACIST), admitted["id"]).status_code == 403

    def test_a_doctor_without_the_patient_in_care_needs_break_the_glass(self, admitted, client_for):
        response = _summary(client_for(Role.DOCTOR), admitted["id"])
        assert response.status_code == 403 and response.json()["code"] == "break_glass_required"

    def test_patient_reads_their_own_summary(self, admitted, doctor_client, patient, client_for):
        from hms.patients.tests.factories import PatientUserFactory

        _summary(doctor_client, admitted["id"])
        account = PatientUserFactory()
        patient.user = account
        patient.save()
        own = client_for(Role.PATIENT, user=account)
        response = own.get(f"/api/admissions/{admitted['id']}/discharge-summary/")
        assert response.status_code == 200
        stranger = client_for(Role.PATIENT)
        assert stranger.get(f"/api/admissions/{admitted['id']}/").status_code == 404
        assert (
            stranger.get(f"/api/admissions/{admitted['id']}/discharge-summary/").status_code == 404
        )


class TestIcu:
    def test_a_ward_patient_is_transferred_into_icu_and_stepped_down(
        self, admitted, reception, patient, icu_beds, beds, doctor_client
    ):
        response = reception.post(
            "/api/icu/admit/",
            {
                "patient": str(patient.public_id),
                "bed": str(icu_beds[0].public_id),
                "reason": "Sepsis",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["id"] == admitted["id"] and body["in_icu"] is True
        assert [s["kind"] for s in body["stays"]] == ["admission", "icu_admission"]
        listing = doctor_client.get("/api/icu/").json()
        assert [row["id"] for row in listing["results"]] == [admitted["id"]]
        assert listing["results"][0]["in_icu_since"] == body["stays"][1]["started_at"]
        again = reception.post(
            "/api/icu/admit/",
            {"patient": str(patient.public_id), "bed": str(icu_beds[1].public_id), "reason": "x"},
            format="json",
        )
        assert again.status_code == 409 and again.json()["code"] == "already_in_icu"
        down = reception.post(
            "/api/icu/discharge/",
            {"patient": str(patient.public_id), "bed": str(beds[1].public_id)},
            format="json",
        )
        assert down.status_code == 200, down.json()
        assert down.json()["in_icu"] is False
        assert down.json()["stays"][-1]["kind"] == "icu_discharge"
        assert doctor_client.get("/api/icu/").json()["count"] == 0

    def test_direct_icu_admission_needs_an_attending_doctor_and_an_icu_bed(
        self, reception, patient, icu_beds, beds, doctor
    ):
        body = {
            "patient": str(patient.public_id),
            "bed": str(icu_beds[0].public_id),
            "reason": "RTA",
        }
        response = reception.post("/api/icu/admit/", body, format="json")
        assert response.status_code == 400 and "attending_doctor" in response.json()["fields"]
        ward_bed = {
            **body,
            "bed": str(beds[0].public_id),
            "attending_doctor": str(doctor.public_id),
        }
        response = reception.post("/api/icu/admit/", ward_bed, format="json")
        assert response.status_code == 400 and response.json()["code"] == "not_an_icu_bed"
        body["attending_doctor"] = str(doctor.public_id)
        response = reception.post("/api/icu/admit/", body, format="json")
        assert response.status_code == 201
        assert response.json()["stays"][0]["kind"] == "icu_admission"

    def test_icu_discharge_of_a_ward_patient_is_409(self, admitted, reception, beds):
        response = reception.post(
            "/api/icu/discharge/",
            {"admission": admitted["id"], "bed": str(beds[1].public_id)},
            format="json",
        )
        assert response.status_code == 409 and response.json()["code"] == "not_in_icu"


class TestListsAndReads:
    def test_list_filters_and_audits_the_page(self, admitted, reception, ward, patient):
        body = reception.get("/api/admissions/", {"ward": str(ward.public_id)}).json()
        assert body["count"] == 1 and body["results"][0]["id"] == admitted["id"]
        assert reception.get("/api/admissions/", {"status": "discharged"}).json()["count"] == 0
        event = AuditEvent.objects.filter(resource_type="admission_list").earliest("id")
        assert event.detail["patients"] == [str(patient.public_id)]

    def test_detail_for_the_front_desk(self, admitted, reception):
        response = reception.get(f"/api/admissions/{admitted['id']}/")
        assert response.status_code == 200
        assert response.json()["has_discharge_summary"] is False

    def test_list_query_count_is_flat(self, reception, doctor, ward):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from hms.inpatient.tests.factories import beds_on

        many_beds = beds_on(ward, 50)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert reception.get("/api/admissions/", {"page_size": 100}).status_code == 200
            return len(ctx.captured_queries)

        from hms.inpatient import services

        def admit(bed):
            services.admission_admit(
                actor=reception.user,
                patient=PatientFactory(),
                bed=bed,
                attending_doctor=doctor,
                reason="x",
            )

        admit(many_beds[0])
        count()  # warm-up: the first audit event creates the chain head
        one = count()
        for bed in many_beds[1:]:
            admit(bed)
        # COUNT, the page (patient, doctor, ward, bed, room, encounter, admitted_by joined),
        # then the audit write (savepoint, lock chain head, insert event, update head).
        assert count() == one


@pytest.mark.usefixtures("without_partial_indexes")
class TestWithoutPartialIndexes:
    """As on MySQL/MariaDB, without the one-active-admission and one-open-stay per bed
    constraints: with the bed row locked, admission and transfer look for the bed's holder
    themselves instead of trusting its status alone."""

    def test_a_held_bed_is_refused_even_when_its_status_says_available(self, admitted, admit, beds):
        Bed.objects.filter(pk=beds[0].pk).update(status=BedStatus.AVAILABLE)  # a stale status
        with CaptureQueriesContext(connection) as ctx:
            response = admit(PatientFactory(), beds[0])
        assert response.status_code == 409 and response.json()["code"] == "bed_not_available"
        assert_no_insert(ctx, "inpatient_admission")
        assert_no_insert(ctx, "clinical_encounter")
        assert_row_locked(ctx, "inpatient_bed")
        assert Admission.objects.filter(bed=beds[0], status=AdmissionStatus.ACTIVE).count() == 1

    def test_a_transfer_onto_a_held_bed_is_refused(self, admitted, admit, beds, reception):
        other = admit(PatientFactory(), beds[1]).json()
        Bed.objects.filter(pk=beds[0].pk).update(status=BedStatus.AVAILABLE)
        with CaptureQueriesContext(connection) as ctx:
            response = reception.post(
                f"/api/admissions/{other['id']}/transfer/",
                {"bed": str(beds[0].public_id)},
                format="json",
            )
        assert response.status_code == 409 and response.json()["code"] == "bed_not_available"
        assert_no_insert(ctx, "inpatient_bedstay")
        assert BedStay.objects.filter(bed=beds[0], ended_at__isnull=True).count() == 1
        moved = reception.post(
            f"/api/admissions/{other['id']}/transfer/",
            {"bed": str(beds[2].public_id)},
            format="json",
        )
        assert moved.status_code == 200, moved.json()

    def test_a_second_admission_of_the_patient_is_refused(self, admitted, admit, beds, patient):
        with CaptureQueriesContext(connection) as ctx:
            response = admit(patient, beds[1])
        assert response.status_code == 409
        assert response.json()["code"] == "patient_already_admitted"
        assert_no_insert(ctx, "inpatient_admission")
        assert_row_locked(ctx, "patients_patient")
