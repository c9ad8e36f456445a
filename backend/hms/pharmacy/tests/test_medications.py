"""The chart's medication list: stopping and renewing a medicine (services and API)."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.errors import ConflictError, ForbiddenError
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy import safety, selectors, services
from hms.pharmacy.models import Prescription, PrescriptionItem, PrescriptionStatus
from hms.pharmacy.selectors import MedicationStatus, active_prescription_items_for_patient
from hms.pharmacy.tests.factories import add_stock

pytestmark = pytest.mark.django_db

NOW = "2027-03-01T09:00Z"


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def write(doctor, patient, *drugs, **extra):
    """A prescription of these drugs (500 mg three times a day for 7 days) by `doctor`."""
    items = [
        {"drug": drug, "dose": 500, "frequency": "tds", "duration_days": 7, **extra}
        for drug in drugs
    ]
    return services.prescription_create(actor=doctor, patient=patient, items=items)


def url(patient, tail=""):
    return f"/api/patients/{patient.public_id}/medications/{tail}"


class TestStop:
    def test_doctor_stops_a_medicine_with_a_reason(self, doctor, patient, amoxicillin):
        prescription = write(doctor, patient, amoxicillin)
        (medicine,) = prescription.items.all()

        services.medication_stop(actor=doctor, item=medicine, reason="Rash after two doses")

        medicine.refresh_from_db()
        assert medicine.stopped_by == doctor and medicine.stop_reason == "Rash after two doses"
        assert active_prescription_items_for_patient(patient) == []
        # Its only medicine stopped: the pharmacy has nothing left to fill.
        prescription.refresh_from_db()
        assert prescription.status == PrescriptionStatus.CANCELLED
        assert prescription.cancel_reason == "Rash after two doses"
        event = AuditEvent.objects.get(resource_type="medication_stop")
        assert event.object_id == str(medicine.public_id)
        assert event.detail["reason"] == "Rash after two doses"

    def test_the_other_medicines_of_the_prescription_stay(
        self, doctor, patient, amoxicillin, paracetamol, make_user
    ):
        prescription = write(doctor, patient, amoxicillin, paracetamol)
        first, second = prescription.items.order_by("id")
        services.medication_stop(actor=doctor, item=first, reason="Course changed")
        prescription.refresh_from_db()
        assert prescription.status == PrescriptionStatus.ACTIVE
        assert [i.pk for i in active_prescription_items_for_patient(patient)] == [second.pk]
        # The pharmacy dispenses only what was not stopped.
        add_stock(amoxicillin, 100)
        add_stock(paracetamol, 100)
        dispense = services.prescription_dispense(
            actor=make_user(Role.PHARMACIST), prescription=prescription
        )
        assert {line.item_id for line in dispense.lines.all()} == {second.pk}
        prescription.refresh_from_db()
        assert prescription.status == PrescriptionStatus.DISPENSED

    def test_a_receptionist_cannot_stop_a_medicine(self, doctor, patient, amoxicillin, make_user):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()
        with pytest.raises(ForbiddenError):
            services.medication_stop(
                actor=make_user(Role.RECEPTIONIST), item=medicine, reason="Not wanted"
            )
        medicine.refresh_from_db()
        assert medicine.stopped_at is None

    def test_a_reason_is_required_and_a_medicine_stops_once(self, doctor, patient, amoxicillin):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()
        with pytest.raises(Exception, match="Say why"):
            services.medication_stop(actor=doctor, item=medicine, reason="  ")
        services.medication_stop(actor=doctor, item=medicine, reason="Finished early")
        with pytest.raises(ConflictError):
            services.medication_stop(actor=doctor, item=medicine, reason="Again")


class TestRenew:
    def test_renewal_prescribes_the_same_medicine_again(self, doctor, patient, amoxicillin):
        (old,) = write(doctor, patient, amoxicillin).items.all()

        prescription = services.medication_renew(actor=doctor, item=old)

        (new,) = prescription.items.all()
        assert (new.drug, new.dose, new.frequency, new.duration_days, new.quantity) == (
            old.drug,
            old.dose,
            old.frequency,
            old.duration_days,
            old.quantity,
        )
        assert new.renewal_of == old and new.start_date == date(2027, 3, 1)
        # The renewed one stops as renewed; the renewal is not a duplicate of itself.
        old.refresh_from_db()
        assert old.stopped_at is not None and old.stop_reason.startswith("Renewed")
        assert prescription.safety_warnings == []
        assert [i.pk for i in active_prescription_items_for_patient(patient)] == [new.pk]

    def test_renewal_still_runs_the_allergy_check(self, doctor, patient, amoxicillin):
        (old,) = write(doctor, patient, amoxicillin).items.all()
        AllergyFactory(patient=patient, substance="Penicillin", severity="severe")
        with pytest.raises(ConflictError) as refused:
            services.medication_renew(actor=doctor, item=old)
        assert refused.value.code == "safety_override_required"
        assert Prescription.objects.count() == 1
        renewed = services.medication_renew(
            actor=doctor, item=old, override_reason="Tolerated it for a week already"
        )
        assert renewed.override_reason

    def test_only_doctors_renew(self, doctor, patient, amoxicillin, make_user):
        (old,) = write(doctor, patient, amoxicillin).items.all()
        with pytest.raises(ForbiddenError):
            services.medication_renew(actor=make_user(Role.NURSE), item=old)


class TestMedicationList:
    def test_active_first_then_stopped_with_who_and_why(
        self, doctor, patient, amoxicillin, paracetamol
    ):
        (stopped,) = write(doctor, patient, amoxicillin).items.all()
        services.medication_stop(actor=doctor, item=stopped, reason="Diarrhoea")
        (active,) = write(doctor, patient, paracetamol).items.all()

        rows = selectors.medication_list(patient=patient)

        assert [(r.pk, r.status) for r in rows] == [
            (active.pk, MedicationStatus.ACTIVE),
            (stopped.pk, MedicationStatus.STOPPED),
        ]
        assert rows[1].ended_by == doctor and rows[1].end_reason == "Diarrhoea"
        assert [r.pk for r in selectors.medication_list(patient=patient, status="stopped")] == [
            stopped.pk
        ]

    def test_a_finished_course_is_completed(self, doctor, patient, amoxicillin):
        write(doctor, patient, amoxicillin)
        with time_machine.travel("2027-03-09T09:00Z", tick=False):
            (row,) = selectors.medication_list(patient=patient)
        assert row.status == MedicationStatus.COMPLETED


class TestApi:
    def test_list_all_stop_and_renew(self, doctor, doctor_client, patient, amoxicillin):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()

        listed = doctor_client.get(url(patient), {"status": "all"})
        assert listed.status_code == 200, listed.json()
        (row,) = listed.json()["results"]
        assert row["status"] == "active" and row["prescriber"]["id"] == str(doctor.public_id)
        assert row["drug"]["generic_name"] == "Amoxicillin" and row["route"] == "oral"

        stopped = doctor_client.post(
            url(patient, f"{medicine.public_id}/stop/"), {"reason": "Rash"}, format="json"
        )
        assert stopped.status_code == 200, stopped.json()
        body = stopped.json()
        assert body["status"] == "stopped" and body["stop_reason"] == "Rash"
        assert body["stopped_by"]["id"] == str(doctor.public_id)
        assert doctor_client.get(url(patient)).json()["count"] == 0  # current only

        renewed = doctor_client.post(url(patient, f"{medicine.public_id}/renew/"), {})
        assert renewed.status_code == 201, renewed.json()
        assert renewed.json()["items"][0]["drug"]["id"] == str(amoxicillin.public_id)
        assert doctor_client.get(url(patient)).json()["count"] == 1

    def test_stop_needs_a_reason(self, doctor, doctor_client, patient, amoxicillin):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()
        response = doctor_client.post(url(patient, f"{medicine.public_id}/stop/"), {})
        assert response.status_code == 400
        assert "reason" in response.json()["fields"]

    def test_renewal_blocked_by_a_severe_warning_answers_409(
        self, doctor, doctor_client, patient, amoxicillin
    ):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()
        AllergyFactory(patient=patient, substance="Amoxicillin", severity="severe")
        response = doctor_client.post(url(patient, f"{medicine.public_id}/renew/"), {})
        assert response.status_code == 409
        assert response.json()["code"] == "safety_override_required"

    def test_roles_and_other_charts(self, doctor, patient, amoxicillin, client_for, make_user):
        (medicine,) = write(doctor, patient, amoxicillin).items.all()
        stop = url(patient, f"{medicine.public_id}/stop/")
        for role in (Role.RECEPTIONIST, Role.NURSE, Role.PHARMACIST, Role.PATIENT):
            response = client_for(role).post(stop, {"reason": "No"}, format="json")
            assert response.status_code == 403, role
        # Another patient's medicine through this chart's URL: 404.
        other = PatientFactory()
        CareAssignmentFactory(patient=other, doctor=doctor)
        (foreign,) = write(doctor, other, amoxicillin).items.all()
        response = client_for(Role.DOCTOR, user=doctor).post(
            url(patient, f"{foreign.public_id}/stop/"), {"reason": "No"}, format="json"
        )
        assert response.status_code == 404
        # A patient reads their own list; another patient's answers 404.
        owner = make_user(Role.PATIENT)
        patient.user = owner
        patient.save(update_fields=["user"])
        assert client_for(Role.PATIENT, user=owner).get(url(patient)).status_code == 200
        assert client_for(Role.PATIENT).get(url(patient)).status_code == 404
        assert PrescriptionItem.objects.filter(stopped_at__isnull=False).count() == 0

    def test_query_count_does_not_grow_with_the_list(
        self, doctor, doctor_client, patient, amoxicillin, paracetamol
    ):
        def listed(count):
            with CaptureQueriesContext(connection) as queries:
                response = doctor_client.get(url(patient), {"status": "all"})
            assert response.status_code == 200 and response.json()["count"] == count
            return len(queries)

        first = write(doctor, patient, paracetamol)
        one = listed(1)
        services.medication_stop(actor=doctor, item=first.items.get(), reason="Changed")
        for n in range(11):  # ten stopped in turn (no duplicate therapy), the last one active
            prescription = write(doctor, patient, amoxicillin if n == 10 else paracetamol)
            if n < 10:
                services.medication_stop(
                    actor=doctor, item=prescription.items.get(), reason="Changed"
                )
        # The same queries for 1 and 12 medicines: the patient and the care check, the read
        # audit (chain head, insert), and one query for the medicines with their drug,
        # prescription, prescriber, who stopped or cancelled them and what they renew.
        assert listed(12) == one
        assert one <= 8


def test_a_patient_reported_allergy_counts_for_the_safety_checks(patient, amoxicillin):
    AllergyFactory(patient=patient, substance="Amoxicillin", source="patient")
    warnings = safety.prescription_safety_warnings(
        patient=patient, items=[{"drug": amoxicillin, "dose": 500, "frequency": "tds"}]
    )
    assert warnings[0].code == "allergy" and warnings[0].severity == "severe"
    assert warnings[0].message.startswith("Patient-reported (unconfirmed) allergy")
