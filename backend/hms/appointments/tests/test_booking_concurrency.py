"""Real threads (PostgreSQL, MySQL/MariaDB): 20 clients book the same slot at once; exactly
one wins, 19 get 409."""

import pytest
from rest_framework.test import APIClient

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.appointments.models import Appointment
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def test_twenty_parallel_bookings_of_one_slot():
    doctor = DoctorProfileFactory().user
    give_schedule(
        doctor,
        blocks=[
            (weekday, __import__("datetime").time(0, 0), __import__("datetime").time(23, 30))
            for weekday in range(7)
        ],
    )
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    patients = [PatientFactory() for _ in range(20)]
    from django.utils import timezone

    day = (timezone.localdate() + __import__("datetime").timedelta(days=2)).isoformat()

    def book(index):
        client = APIClient()
        client.force_authenticate(receptionist)
        response = client.post(
            "/api/appointments/",
            {
                "patient": str(patients[index].public_id),
                "doctor": str(doctor.public_id),
                "date": day,
                "slot": "10:00",
            },
            format="json",
        )
        return response.status_code, response.json().get("code")

    results = run_at_once(20, book)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, results
    assert statuses.count(409) == 19, results
    assert {code for status, code in results if status == 409} == {"slot_taken"}
    assert Appointment.objects.count() == 1
    assert Appointment.history.count() == 1  # the refused bookings left no history rows


def test_one_patient_booking_two_doctors_at_once_gets_one():
    from datetime import time, timedelta

    from django.utils import timezone

    doctors = [DoctorProfileFactory().user for _ in range(2)]
    for doctor in doctors:
        give_schedule(doctor, blocks=[(w, time(0), time(23, 30)) for w in range(7)])
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    patient = PatientFactory()
    day = (timezone.localdate() + timedelta(days=2)).isoformat()

    def book(index):
        client = APIClient()
        client.force_authenticate(receptionist)
        return client.post(
            "/api/appointments/",
            {
                "patient": str(patient.public_id),
                "doctor": str(doctors[index % 2].public_id),
                "date": day,
                "slot": "11:00",
            },
            format="json",
        ).status_code

    results = run_at_once(6, book)
    assert sorted(results) == [201, 409, 409, 409, 409, 409]
    assert Appointment.objects.filter(patient=patient).count() == 1


def test_a_refused_race_writes_nothing():
    """A booking the slot constraint refuses is answered 409 `slot_taken` after its
    transaction rolled back: no appointment, no history row, no audit event."""
    from datetime import time, timedelta

    from django.utils import timezone

    from hms.core.models import AuditEvent

    doctor = DoctorProfileFactory().user
    give_schedule(doctor, blocks=[(w, time(0), time(23, 30)) for w in range(7)])
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.RECEPTIONIST))
    day = (timezone.localdate() + timedelta(days=2)).isoformat()

    def book(slot, patient):
        payload = {"doctor": str(doctor.public_id), "date": day, "slot": slot}
        return client.post("/api/appointments/", {**payload, "patient": str(patient.public_id)})

    for hour in range(8, 15):
        assert book(f"{hour:02d}:00", PatientFactory()).status_code == 201
    events = AuditEvent.objects.count()

    refused = book("09:00", PatientFactory())
    assert refused.status_code == 409 and refused.json()["code"] == "slot_taken"
    assert Appointment.objects.count() == 7 and Appointment.history.count() == 7
    assert AuditEvent.objects.count() == events
    assert book("15:00", PatientFactory()).status_code == 201  # the next booking goes through
