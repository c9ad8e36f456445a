"""The doctor directory: registration by an admin, the directory, profile edits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.models import DoctorProfile, User
from hms.accounts.services import doctor_profile_update, doctor_register
from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.errors import ConflictError
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_table_locked

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
