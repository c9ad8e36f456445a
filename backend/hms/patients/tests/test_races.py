"""Races closed in the database (real threads; PostgreSQL, or MySQL/MariaDB where the services
check the partial unique rules under the patient's row lock)."""

import threading

import pytest
from django.db import connection

from hms.accounts.models import DoctorProfile
from hms.accounts.services import doctor_profile_update, doctor_register
from hms.core.errors import ConflictError
from hms.core.roles import Role
from hms.patients.models import Allergy, CareAssignment
from hms.patients.services import allergy_create, care_assignment_create
from hms.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def _race(target, n: int = 6) -> tuple[int, int]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run():
        try:
            barrier.wait()
            target()
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count("ok"), outcomes.count("conflict")


def test_one_active_assignment_per_patient_and_doctor(make_user):
    patient = PatientFactory()
    doctor, desk = make_user(Role.DOCTOR), make_user(Role.RECEPTIONIST)
    ok, conflicts = _race(
        lambda: care_assignment_create(actor=desk, patient=patient, doctor=doctor)
    )
    assert (ok, conflicts) == (1, 5)
    assert CareAssignment.objects.filter(patient=patient, doctor=doctor, active=True).count() == 1


def test_one_live_allergy_per_substance(make_user):
    patient = PatientFactory()
    nurse = make_user(Role.NURSE)
    ok, conflicts = _race(lambda: allergy_create(actor=nurse, patient=patient, substance="Latex"))
    assert (ok, conflicts) == (1, 5)
    assert Allergy.objects.filter(patient=patient).count() == 1


def test_one_doctor_per_licence_number(make_user):
    admin = make_user(Role.ADMIN)
    usernames = iter(f"dr.race{i}" for i in range(6))
    ok, conflicts = _race(
        lambda: doctor_register(
            actor=admin,
            username=next(usernames),
            password="a-long-enough-pass-42",
            specialization="Cardiology",
            license_number="LIC-77",
        )
    )
    assert (ok, conflicts) == (1, 5)
    assert DoctorProfile.objects.filter(license_number="LIC-77").count() == 1


def test_two_doctors_given_one_licence_number_at_once(make_user):
    """The licence check passes for both; the unique constraint refuses the second change,
    which answers 409 license_taken instead of failing with the database's error."""
    from hms.accounts.tests.factories import DoctorProfileFactory

    admin = make_user(Role.ADMIN)
    profiles = [DoctorProfileFactory(license_number=f"OLD-{i}") for i in range(6)]
    remaining = iter(profiles)
    ok, conflicts = _race(
        lambda: doctor_profile_update(
            actor=admin, profile=next(remaining), license_number="LIC-NEW"
        )
    )
    assert (ok, conflicts) == (1, 5)
    assert DoctorProfile.objects.filter(license_number="LIC-NEW").count() == 1
