"""PostgreSQL: the database itself refuses two overlapping active appointments of one patient
(migration 0002's exclusion constraint), whoever writes them."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import (
    PATIENT_BUSY_STATUSES,
    PATIENT_OVERLAP_CONSTRAINT,
    Appointment,
    AppointmentStatus,
)
from hms.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.usefixtures("require_postgres"),
]

DAY = date(2030, 5, 6)


def appointment(patient, doctor, hour, minute=0, minutes=30, status=AppointmentStatus.BOOKED):
    start_at = datetime.combine(DAY, time(hour, minute), tzinfo=UTC)
    return Appointment(
        patient=patient,
        doctor=doctor,
        date=DAY,
        slot=time(hour, minute),
        start_at=start_at,
        end_at=start_at + timedelta(minutes=minutes),
        status=status,
        booked_by=doctor,
        cancelled_at=start_at if status == AppointmentStatus.CANCELLED else None,
    )


def test_constraint_covers_exactly_the_busy_statuses():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            [PATIENT_OVERLAP_CONSTRAINT],
        )
        definition = cursor.fetchone()[0]
    assert definition.startswith("EXCLUDE USING gist")
    for status in AppointmentStatus.values:
        assert (f"'{status}'" in definition) == (status in PATIENT_BUSY_STATUSES), status


def test_overlapping_rows_are_refused_by_the_database():
    patient = PatientFactory()
    first_doctor, second_doctor = (DoctorProfileFactory().user for _ in range(2))
    appointment(patient, first_doctor, 9).save()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        appointment(patient, second_doctor, 9, 15).save()
    assert refused.value.__cause__.diag.constraint_name == PATIENT_OVERLAP_CONSTRAINT
    assert Appointment.objects.count() == 1


def test_back_to_back_cancelled_and_finished_appointments_are_allowed():
    patient = PatientFactory()
    first_doctor, second_doctor = (DoctorProfileFactory().user for _ in range(2))
    appointment(patient, first_doctor, 9).save()
    appointment(patient, second_doctor, 9, 30).save()  # starts as the first ends
    appointment(patient, second_doctor, 9, status=AppointmentStatus.CANCELLED).save()
    appointment(patient, second_doctor, 10, status=AppointmentStatus.COMPLETED).save()
    appointment(patient, first_doctor, 10, 15).save()  # overlaps only the completed one
    assert Appointment.objects.count() == 5
