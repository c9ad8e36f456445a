"""Prescribing: the compatibility route, access, safety warnings, overrides, cancelling, reads."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import (
    AllergyFactory,
    CareAssignmentFactory,
    PatientFactory,
    PatientUserFactory,
)
from hms.pharmacy.models import Prescription, PrescriptionStatus
from hms.pharmacy.selectors import active_prescription_items_for_patient
from hms.pharmacy.tests.conftest import item

pytestmark = pytest.mark.django_db


def codes(response):
    return {(w["code"], w["severity"]) for w in response.json()["extra"]["warnings"]}


class TestPrescribe:
    def test_doctor_prescribes_through_the_compatibility_route(
        self, prescribe, amoxicillin, patient
    ):
        response = prescribe(item(amoxicillin, dose="500", frequency="tds", duration_days=7))
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "active"
        assert body["patient"]["id"] == str(patient.public_id)
        (line,) = body["items"]
        # 1 capsule x 3 a day x 7 days, worked out from the dose.
        assert line["quantity"] == 21 and line["remaining"] == 21
        assert line["dose_unit"] == "mg" and line["route"] == "oral"
        assert AuditEvent.objects.filter(
            resource_type="prescription", object_id=body["id"], action="create"
        ).exists()

    @pytest.mark.parametrize("start_date", ["9999-12-31", "0001-01-01"])
    def test_a_course_starting_far_from_today_is_refused(self, prescribe, amoxicillin, start_date):
        with time_machine.travel("2027-03-01T08:00Z", tick=False):
            response = prescribe(item(amoxicillin, start_date=start_date))
        assert response.status_code == 400, response.json()
        assert "start_date" in response.json()["fields"]["items"]["0"]
        assert not Prescription.objects.exists()

    def test_a_course_starting_next_week_is_accepted(self, prescribe, amoxicillin):
        with time_machine.travel("2027-03-01T08:00Z", tick=False):
            response = prescribe(item(amoxicillin, start_date="2027-03-08"))
        assert response.status_code == 201, response.json()

    def test_quantity_is_required_when_it_cannot_be_worked_out(self, prescribe, amoxicillin):
        response = prescribe(item(amoxicillin, frequency="prn", duration_days=None))
        assert response.status_code == 400
        assert "quantity" in str(response.json()["fields"])

    @pytest.mark.parametrize("role", [Role.NURSE, Role.PHARMACIST, Role.PATIENT, Role.ADMIN])
    def test_only_doctors_prescribe(self, role, client_for, prescribe, amoxicillin):
        response = prescribe(item(amoxicillin), client=client_for(role))
        assert response.status_code == 403

    def test_a_doctor_without_the_patient_in_care_must_break_the_glass(
        self, prescribe, client_for, amoxicillin
    ):
        response = prescribe(item(amoxicillin), client=client_for(Role.DOCTOR))
        assert response.status_code == 403
        assert response.json()["code"] == "break_glass_required"

    def test_unknown_drug_and_patient(self, prescribe, doctor_client, amoxicillin):
        bad = prescribe({**item(amoxicillin), "drug": "00000000-0000-0000-0000-000000000001"})
        assert bad.status_code == 400 and "items" in bad.json()["fields"]
        missing = doctor_client.post(
            "/api/pharmacy/prescription/",
            {"patient": "00000000-0000-0000-0000-000000000002", "items": [item(amoxicillin)]},
            format="json",
        )
        assert missing.status_code == 404

    def test_empty_items_and_bad_frequency_are_400(self, prescribe, amoxicillin):
        assert prescribe().status_code == 400
        assert prescribe(item(amoxicillin, frequency="hourly-ish")).status_code == 400


class TestSafety:
    def test_allergy_to_the_drug_blocks_until_overridden(self, prescribe, patient, amoxicillin):
        AllergyFactory(patient=patient, substance="Amoxicillin", severity="severe")
        blocked = prescribe(item(amoxicillin))
        assert blocked.status_code == 409
        assert blocked.json()["code"] == "safety_override_required"
        assert ("allergy", "severe") in codes(blocked)
        assert Prescription.objects.count() == 0

        short = prescribe(item(amoxicillin), override_reason="ok")
        assert short.status_code == 409

        reason = "Tolerated a full course in 2024, allergy label disputed"
        done = prescribe(item(amoxicillin), override_reason=reason)
        assert done.status_code == 201
        assert done.json()["override_reason"] == reason
        override = AuditEvent.objects.get(resource_type="prescription_safety_override")
        assert override.detail["reason"] == reason
        assert override.detail["overridden"][0]["code"] == "allergy"
        assert override.patient_id == str(patient.public_id)

    def test_allergy_to_the_class(self, prescribe, patient, amoxicillin):
        AllergyFactory(patient=patient, substance="Penicillins", severity="moderate")
        response = prescribe(item(amoxicillin))
        assert response.status_code == 409
        assert ("allergy_class", "severe") in codes(response)

    def test_mild_allergy_is_a_moderate_warning(self, prescribe, patient, amoxicillin):
        AllergyFactory(patient=patient, substance="amoxicillin", severity="mild")
        response = prescribe(item(amoxicillin))
        assert response.status_code == 201
        assert response.json()["safety_warnings"][0]["code"] == "allergy"
        assert response.json()["safety_warnings"][0]["severity"] == "moderate"

    def test_cross_reactivity_warns_without_blocking(self, prescribe, patient, cefalexin):
        AllergyFactory(patient=patient, substance="Penicillin", severity="moderate")
        response = prescribe(item(cefalexin))
        assert response.status_code == 201
        (warning,) = response.json()["safety_warnings"]
        assert warning["code"] == "allergy_cross_reactivity"
        assert warning["severity"] == "moderate"

    def test_inactive_and_other_patients_allergies_are_ignored(
        self, prescribe, patient, amoxicillin
    ):
        AllergyFactory(patient=patient, substance="Amoxicillin", status="inactive")
        AllergyFactory(substance="Amoxicillin", severity="severe")  # someone else
        response = prescribe(item(amoxicillin))
        assert response.status_code == 201
        assert response.json()["safety_warnings"] == []

    def test_duplicate_drug_and_duplicate_class(self, prescribe, atorvastatin, simvastatin):
        assert prescribe(item(atorvastatin, dose="20", frequency="nocte")).status_code == 201
        same = prescribe(item(atorvastatin, dose="20", frequency="nocte"))
        assert same.status_code == 409
        assert ("duplicate_drug", "severe") in codes(same)
        similar = prescribe(item(simvastatin, dose="20", frequency="nocte"))
        assert similar.status_code == 201
        assert similar.json()["safety_warnings"][0]["code"] == "duplicate_class"

    def test_duplicate_within_one_prescription(self, prescribe, paracetamol):
        response = prescribe(
            item(paracetamol, dose="1000", frequency="qds"),
            item(paracetamol, dose="500", frequency="prn", quantity=10),
        )
        assert response.status_code == 409
        assert ("duplicate_drug", "severe") in codes(response)

    def test_cancelled_and_finished_prescriptions_are_not_current(
        self, prescribe, doctor_client, atorvastatin
    ):
        first = prescribe(item(atorvastatin, dose="20", frequency="nocte")).json()
        doctor_client.post(
            f"/api/pharmacy/prescriptions/{first['id']}/cancel/",
            {"reason": "Stopped: myalgia"},
            format="json",
        )
        assert prescribe(item(atorvastatin, dose="20", frequency="nocte")).status_code == 201

    def test_interaction_with_current_therapy(self, prescribe, warfarin, ibuprofen):
        first = prescribe(item(warfarin, dose="5", frequency="od", duration_days=30))
        assert first.status_code == 201
        response = prescribe(item(ibuprofen, dose="400", frequency="tds", duration_days=5))
        assert response.status_code == 409
        warnings = response.json()["extra"]["warnings"]
        warning = next(w for w in warnings if w["code"] == "interaction")
        assert warning["severity"] == "severe"
        assert "bleeding" in warning["message"].lower()
        assert {warning["drug"], warning["other"]} == {"Ibuprofen", "Warfarin"}

    def test_interaction_table_names_its_source(self):
        from hms.pharmacy.safety import INTERACTIONS_FILE, interaction_table

        head = INTERACTIONS_FILE.read_text()[:1500]
        assert "Source:" in head and "WHO Model Formulary" in head
        assert len(interaction_table()) > 30

    def test_dose_checks(self, prescribe, paracetamol):
        above_daily = prescribe(item(paracetamol, dose="2", dose_unit="g", frequency="qds"))
        assert above_daily.status_code == 409
        assert ("dose_above_max_daily", "severe") in codes(above_daily)
        above_usual = prescribe(item(paracetamol, dose="1500", frequency="od", duration_days=2))
        assert above_usual.status_code == 201
        assert [w["code"] for w in above_usual.json()["safety_warnings"]] == ["dose_above_usual"]

    def test_dose_given_in_tablets_is_converted(self, prescribe, paracetamol):
        low = prescribe(
            item(paracetamol, dose="0.5", dose_unit="tablet", frequency="od", duration_days=2)
        )
        assert low.status_code == 201
        (warning,) = low.json()["safety_warnings"]
        assert warning["code"] == "dose_below_usual" and warning["severity"] == "low"

    def test_check_endpoint_reports_without_writing(self, doctor_client, patient, amoxicillin):
        AllergyFactory(patient=patient, substance="Amoxicillin", severity="severe")
        response = doctor_client.post(
            "/api/pharmacy/prescriptions/check/",
            {"patient": str(patient.public_id), "items": [item(amoxicillin)]},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["blocked"] is True
        assert response.json()["warnings"][0]["code"] == "allergy"
        assert Prescription.objects.count() == 0


class TestReadsAndCancel:
    def test_patient_sees_own_prescriptions_and_not_others(
        self, prescribe, client_for, amoxicillin, doctor
    ):
        account = PatientUserFactory()
        own = PatientFactory(user=account)
        CareAssignmentFactory(patient=own, doctor=doctor)
        mine = prescribe(item(amoxicillin), patient_obj=own).json()["id"]
        other = prescribe(item(amoxicillin)).json()["id"]
        client = client_for(Role.PATIENT, user=account)
        listing = client.get("/api/pharmacy/prescriptions/").json()
        assert [row["id"] for row in listing["results"]] == [mine]
        assert client.get(f"/api/pharmacy/prescriptions/{mine}/").status_code == 200
        assert client.get(f"/api/pharmacy/prescriptions/{other}/").status_code == 404

    def test_pharmacist_reads_any_prescription_audited(
        self, prescribe, pharmacist_client, amoxicillin, patient
    ):
        rx = prescribe(item(amoxicillin)).json()["id"]
        response = pharmacist_client.get(f"/api/pharmacy/prescriptions/{rx}/")
        assert response.status_code == 200
        assert response.json()["dispenses"] == []
        event = AuditEvent.objects.filter(
            resource_type="medications", actor=pharmacist_client.user
        ).first()
        assert event is not None and event.patient_id == str(patient.public_id)

    def test_other_doctor_needs_break_glass_to_read(self, prescribe, client_for, amoxicillin):
        rx = prescribe(item(amoxicillin)).json()["id"]
        response = client_for(Role.DOCTOR).get(f"/api/pharmacy/prescriptions/{rx}/")
        assert response.status_code == 403
        assert response.json()["code"] == "break_glass_required"

    def test_cancel_keeps_the_prescription(self, prescribe, doctor_client, amoxicillin):
        rx = prescribe(item(amoxicillin)).json()["id"]
        no_reason = doctor_client.post(f"/api/pharmacy/prescriptions/{rx}/cancel/", {})
        assert no_reason.status_code == 400
        response = doctor_client.post(
            f"/api/pharmacy/prescriptions/{rx}/cancel/", {"reason": "Wrong patient weight"}
        )
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        again = doctor_client.post(
            f"/api/pharmacy/prescriptions/{rx}/cancel/", {"reason": "Wrong patient weight"}
        )
        assert again.status_code == 409
        assert AuditEvent.objects.filter(action="void", resource_type="prescription").exists()

    def test_current_medications_for_the_chart_and_the_mar(
        self, prescribe, doctor_client, patient, amoxicillin, atorvastatin
    ):
        prescribe(item(amoxicillin, duration_days=7))
        prescribe(item(atorvastatin, dose="20", frequency="nocte", duration_days=None, quantity=28))
        items = active_prescription_items_for_patient(patient)
        assert [i.drug.generic_name for i in items] == ["Amoxicillin", "Atorvastatin"]
        assert items[0].end_date == timezone.localdate() + timedelta(days=7)
        assert items[1].end_date is None
        later = active_prescription_items_for_patient(
            patient, today=timezone.localdate() + timedelta(days=8)
        )
        assert [i.drug.generic_name for i in later] == ["Atorvastatin"]
        response = doctor_client.get(f"/api/patients/{patient.public_id}/medications/")
        assert response.status_code == 200
        assert response.json()["count"] == 2
        row = response.json()["results"][0]
        assert {"drug", "dose", "dose_unit", "route", "frequency", "start_date"} <= set(row)

    def test_timeline_shows_prescriptions_and_dispenses(
        self, prescribe, doctor_client, pharmacist_client, patient, amoxicillin
    ):
        from hms.pharmacy.tests.factories import add_stock

        add_stock(amoxicillin, 100)
        rx = prescribe(item(amoxicillin)).json()["id"]
        pharmacist_client.post(f"/api/pharmacy/prescriptions/{rx}/dispense/", {}, format="json")
        response = doctor_client.get(
            f"/api/patients/{patient.public_id}/timeline/", {"type": "prescription,dispense"}
        )
        assert response.status_code == 200, response.json()
        types = [entry["type"] for entry in response.json()["results"]]
        assert sorted(types) == ["dispense", "prescription"]


class TestQueryCounts:
    def _make(self, n, doctor, drug):
        from hms.pharmacy.models import PrescriptionItem

        for _ in range(n):
            patient = PatientFactory()
            CareAssignmentFactory(patient=patient, doctor=doctor)
            rx = Prescription.objects.create(
                patient=patient, prescriber=doctor, prescribed_at=timezone.now()
            )
            PrescriptionItem.objects.create(
                prescription=rx,
                drug=drug,
                dose=500,
                dose_unit="mg",
                route="oral",
                frequency="tds",
                quantity=21,
                start_date=timezone.localdate(),
            )

    @pytest.mark.parametrize(
        ("role_fixture", "url"),
        [
            ("pharmacist_client", "/api/pharmacy/"),
            ("pharmacist_client", "/api/pharmacy/prescriptions/"),
            ("doctor_client", "/api/pharmacy/prescriptions/"),
        ],
    )
    def test_list_query_count_is_flat(self, request, role_fixture, url, doctor, amoxicillin):
        client = request.getfixturevalue(role_fixture)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, {"page_size": 100})
                assert response.status_code == 200
            return len(ctx.captured_queries), response.json()["count"]

        self._make(1, doctor, amoxicillin)
        count()  # warm up: the first audit event creates the chain head
        one, n1 = count()
        self._make(49, doctor, amoxicillin)
        # COUNT, the page (patient, prescriber, encounter joined), the items with their drug
        # and stock on hand (one prefetch), [the worklist's status summary], then the audit
        # write (savepoint, lock chain head, insert event, update head, release).
        fifty, n50 = count()
        assert (n1, n50) == (1, 50)
        assert fifty == one

    def test_worklist_is_pharmacists_only_and_oldest_first(
        self, prescribe, client_for, pharmacist_client, amoxicillin, doctor
    ):
        other = PatientFactory()
        CareAssignmentFactory(patient=other, doctor=doctor)
        first = prescribe(item(amoxicillin)).json()["id"]
        second = prescribe(item(amoxicillin), patient_obj=other).json()["id"]
        body = pharmacist_client.get("/api/pharmacy/").json()
        assert [row["id"] for row in body["results"]] == [first, second]
        assert body["summary"] == {"active": 2, "partially_dispensed": 0}
        assert body["results"][0]["items"][0]["on_hand"] == 0
        assert client_for(Role.DOCTOR).get("/api/pharmacy/").status_code == 403


def test_status_values():
    assert set(PrescriptionStatus.values) == {
        "active",
        "partially_dispensed",
        "dispensed",
        "cancelled",
    }


def test_detail_query_count_does_not_grow_with_items(pharmacist_client, doctor, amoxicillin):
    from hms.pharmacy.models import PrescriptionItem
    from hms.pharmacy.tests.factories import DrugFactory

    def make(n_items):
        rx = Prescription.objects.create(
            patient=PatientFactory(), prescriber=doctor, prescribed_at=timezone.now()
        )
        for _ in range(n_items):
            PrescriptionItem.objects.create(
                prescription=rx,
                drug=DrugFactory(),
                dose=500,
                dose_unit="mg",
                route="oral",
                frequency="tds",
                quantity=21,
                start_date=timezone.localdate(),
            )
        return rx

    def count(rx):
        with CaptureQueriesContext(connection) as ctx:
            response = pharmacist_client.get(f"/api/pharmacy/prescriptions/{rx.public_id}/")
            assert response.status_code == 200
        return len(ctx.captured_queries)

    count(make(1))  # warm up: the audit chain head
    # The prescription (patient, prescriber, encounter joined), its items with drug and stock
    # (one prefetch), the pharmacist's patient lookup + audit write, the dispenses and their
    # lines (two queries).
    assert count(make(1)) == count(make(10))
