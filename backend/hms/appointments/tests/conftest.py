from datetime import UTC, datetime, time

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import DoctorSchedule, ScheduleBlock
from hms.patients.tests.factories import PatientFactory, PatientUserFactory

# Monday 1 March 2027, 07:00 UTC (the test settings' hospital time zone is UTC).
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


def give_schedule(doctor, *, slot_minutes=30, blocks=None):
    schedule = DoctorSchedule.objects.create(doctor=doctor, slot_minutes=slot_minutes)
    blocks = blocks or [
        (weekday, start, end)
        for weekday in range(5)
        for start, end in ((time(9), time(12)), (time(14), time(17)))
    ]
    ScheduleBlock.objects.bulk_create(
        ScheduleBlock(schedule=schedule, weekday=w, start_time=s, end_time=e) for w, s, e in blocks
    )
    return schedule


@pytest.fixture
def doctor(db):
    user = DoctorProfileFactory(user__first_name="Grace", user__last_name="Okafor").user
    give_schedule(user)
    return user


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Amina", last_name="Yusuf")


@pytest.fixture
def portal_patient(db):
    """A patient with a portal account linked to their chart."""
    account = PatientUserFactory()
    chart = PatientFactory(user=account, first_name="Pat", last_name="Portal")
    return chart


@pytest.fixture
def book(reception, doctor, patient):
    """POST a booking as the receptionist; returns the response."""

    def do(
        *, day="2027-03-01", slot="09:00", patient_obj=None, doctor_obj=None, client=None, **extra
    ):
        body = {
            "patient": str((patient_obj or patient).public_id),
            "doctor": str((doctor_obj or doctor).public_id),
            "date": day,
            "slot": slot,
            **extra,
        }
        return (client or reception).post("/api/appointments/", body, format="json")

    return do
