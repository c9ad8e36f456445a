"""Doctors: registration by admin, the directory, profile edits, assignments, my patients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.models import User
from hms.core.errors import ConflictError
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked, assert_table_locked
from hms.patients.models import CareAssignment, DoctorProfile
from hms.patients.services import (
    care_assignment_create,
    care_assignment_end,
    doctor_profile_update,
    doctor_register,
)
from hms.patients.tests.factories import DoctorProfileFactory, PatientFactory

pytestmark = pytest.mark.django_db

NEW_DOCTOR = {
    "username": "dr.house",
    "password": "a-long-enough-pass-42",
    "first_name": "Gregory",
    "last_name": "House",
    "specialization": "Nephrology",
    "department": "Diagnostics",
    "license_number": "NJ-12345",
}


def test_admin_registers_a_doctor_account_and_profile(client_for):
    response = client_for(Role.ADMIN).post("/api/doctors/", NEW_DOCTOR, format="json")
    assert response.status_code == 201, response.data
    user = User.objects.get(username="dr.house")
    assert user.role == Role.DOCTOR
    assert response.data["id"] == str(user.public_id)
    assert response.data["display_name"] == "Dr Gregory House"
    assert DoctorProfile.objects.get(user=user).specialization == "Nephrology"


def test_doctor_registration_is_all_or_nothing(client_for):
    DoctorProfileFactory(license_number="NJ-12345")
    response = client_for(Role.ADMIN).post("/api/doctors/", NEW_DOCTOR, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "license_taken"
    assert not User.objects.filter(username="dr.house").exists()
    weak = client_for(Role.ADMIN).post(
        "/api/doctors/", {**NEW_DOCTOR, "license_number": "", "password": "123"}, format="json"
    )
    assert weak.status_code == 400
    assert not User.objects.filter(username="dr.house").exists()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DOCTOR, Role.PATIENT, Role.NURSE])
def test_only_admin_registers_doctors(client_for, role):
    assert client_for(role).post("/api/doctors/", NEW_DOCTOR, format="json").status_code == 403


def test_directory_with_filters_is_visible_to_patients(client_for):
    cardio = DoctorProfileFactory(specialization="Cardiology", department="Medicine")
    DoctorProfileFactory(specialization="Dermatology", department="Outpatients", available=False)
    client = client_for(Role.PATIENT)
    assert client.get("/api/doctors/").data["count"] == 2
    found = client.get("/api/doctors/", {"specialization": "cardiology", "available": "true"})
    assert [row["id"] for row in found.data["results"]] == [str(cardio.user.public_id)]
    assert client.get("/api/doctors/", {"department": "outpatients"}).data["count"] == 1
    by_name = client.get("/api/doctors/", {"q": cardio.user.last_name[:3]})
    assert str(cardio.user.public_id) in [row["id"] for row in by_name.data["results"]]
    assert client.get(f"/api/doctors/{cardio.user.public_id}/").status_code == 200
    assert client.get("/api/doctors/", {"available": "maybe"}).status_code == 400
    assert client.get("/api/doctors/00000000-0000-0000-0000-000000000001/").status_code == 404


def test_doctor_edits_own_bio_but_not_license_or_others(client_for):
    mine, theirs = DoctorProfileFactory(), DoctorProfileFactory()
    client = client_for(Role.DOCTOR, user=mine.user)
    ok = client.patch(
        f"/api/doctors/{mine.user.public_id}/", {"bio": "New", "available": False}, format="json"
    )
    assert ok.status_code == 200
    assert (ok.data["bio"], ok.data["available"]) == ("New", False)
    license_change = client.patch(
        f"/api/doctors/{mine.user.public_id}/", {"license_number": "X"}, format="json"
    )
    assert license_change.status_code == 403
    other = client.patch(f"/api/doctors/{theirs.user.public_id}/", {"bio": "Hacked"})
    assert other.status_code == 403
    assert other.data["code"] == "not_own_profile"
    admin = client_for(Role.ADMIN).patch(
        f"/api/doctors/{theirs.user.public_id}/", {"license_number": "NEW-1"}, format="json"
    )
    assert admin.data["license_number"] == "NEW-1"
    clash = client_for(Role.ADMIN).patch(
        f"/api/doctors/{mine.user.public_id}/", {"license_number": "NEW-1"}, format="json"
    )
    assert clash.status_code == 409
    assert (
        client_for(Role.RECEPTIONIST).patch(f"/api/doctors/{mine.user.public_id}/").status_code
        == 403
    )


@pytest.mark.parametrize("route", ["/api/patients/assign-doctor/", "/api/doctors/assign-patient/"])
def test_assignment_routes(client_for, doctor, route):
    patient = PatientFactory()
    desk = client_for(Role.RECEPTIONIST)
    body = {"patient": str(patient.public_id), "doctor": str(doctor.public_id)}
    response = desk.post(route, body, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["patient"], response.data["doctor"]) == (body["patient"], body["doctor"])
    again = desk.post(route, body, format="json")
    assert again.status_code == 409
    assert again.data["code"] == "already_assigned"
    assert CareAssignment.objects.filter(active=True).count() == 1


def test_assignment_bad_input(client_for, doctor, make_user):
    patient = PatientFactory()
    desk = client_for(Role.NURSE)
    route = "/api/patients/assign-doctor/"
    unknown = desk.post(
        route,
        {"patient": str(patient.public_id), "doctor": "00000000-0000-0000-0000-000000000001"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.data["fields"] == {"doctor": ["No doctor with this id."]}
    not_a_doctor = make_user(Role.NURSE)
    response = desk.post(
        route, {"patient": str(patient.public_id), "doctor": str(not_a_doctor.public_id)}
    )
    assert response.status_code == 400
    assert desk.post(route, {"patient": 12, "doctor": True}, format="json").status_code == 400
    assert desk.post(route, {}, format="json").status_code == 400
    inactive = make_user(Role.DOCTOR, is_active=False)
    response = desk.post(
        route, {"patient": str(patient.public_id), "doctor": str(inactive.public_id)}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.PATIENT, Role.PHARMACIST, Role.ACCOUNTANT])
def test_roles_that_may_not_assign(client_for, doctor, role):
    patient = PatientFactory()
    body = {"patient": str(patient.public_id), "doctor": str(doctor.public_id)}
    client = client_for(role)
    assert client.post("/api/patients/assign-doctor/", body, format="json").status_code == 403
    assert client.post("/api/doctors/assign-patient/", body, format="json").status_code == 403


def test_my_patients_lists_only_active_assignments(client_for, doctor, assign):
    mine = PatientFactory(last_name="Alpha")
    ended = assign(PatientFactory(last_name="Beta"), doctor)
    assign(mine, doctor)
    assign(PatientFactory(last_name="Gamma"), DoctorProfileFactory().user)
    client_for(Role.ADMIN).post(f"/api/care-assignments/{ended.public_id}/end/")
    response = client_for(Role.DOCTOR, user=doctor).get("/api/doctors/me/patients/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [str(mine.public_id)]
    searched = client_for(Role.DOCTOR, user=doctor).get("/api/doctors/me/patients/", {"q": "alp"})
    assert searched.data["count"] == 1
    assert client_for(Role.NURSE).get("/api/doctors/me/patients/").status_code == 403


def test_care_team(client_for, doctor, patient, assign):
    assign(patient, doctor)
    response = client_for(Role.RECEPTIONIST).get(f"/api/patients/{patient.public_id}/care-team/")
    assert response.status_code == 200
    assert [row["doctor"] for row in response.data["results"]] == [str(doctor.public_id)]
    assert (
        client_for(Role.PATIENT).get(f"/api/patients/{patient.public_id}/care-team/").status_code
        == 403
    )


@pytest.mark.usefixtures("without_partial_indexes")
class TestLicenceWithoutPartialIndexes:
    """MySQL/MariaDB cannot hold the unique-licence constraint (unique when not empty): licence
    writers queue on the doctor-profile table's lock and the service refuses a taken licence."""

    def test_registering_with_a_taken_licence_is_refused_under_the_table_lock(self, make_user):
        DoctorProfileFactory(license_number="NJ-12345")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
            doctor_register(actor=make_user(Role.ADMIN), **NEW_DOCTOR)
        assert error.value.code == "license_taken"
        assert_no_insert(ctx, "patients_doctorprofile")
        assert_table_locked(ctx, "doctorprofile")

    def test_taking_another_doctors_licence_is_refused_and_blank_licences_do_not_queue(
        self, make_user
    ):
        admin = make_user(Role.ADMIN)
        DoctorProfileFactory(license_number="NJ-1")
        mine = DoctorProfileFactory(license_number="NJ-2")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError):
            doctor_profile_update(actor=admin, profile=mine, license_number=" NJ-1 ")
        assert_table_locked(ctx, "doctorprofile")
        with CaptureQueriesContext(connection) as ctx:
            doctor_profile_update(actor=admin, profile=mine, license_number="")
        table_locks = [q["sql"] for q in ctx.captured_queries if "doctorprofile'" in q["sql"]]
        assert not table_locks, table_locks
        other = DoctorProfileFactory(license_number="")
        doctor_profile_update(actor=admin, profile=other, bio="Blank licences may repeat.")


@pytest.mark.usefixtures("without_partial_indexes")
def test_assignment_without_partial_indexes(make_user, doctor):
    """MySQL/MariaDB cannot hold one-active-assignment-per-pair: assignments of a patient queue
    on the patient's row and the service refuses the second one itself."""
    patient, desk = PatientFactory(), make_user(Role.RECEPTIONIST)
    first = care_assignment_create(actor=desk, patient=patient, doctor=doctor)
    with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
        care_assignment_create(actor=desk, patient=patient, doctor=doctor)
    assert error.value.code == "already_assigned"
    assert_no_insert(ctx, "patients_careassignment")
    assert_row_locked(ctx, "patients_patient")
    care_assignment_end(actor=desk, assignment=first)
    assert care_assignment_create(actor=desk, patient=patient, doctor=doctor).active
