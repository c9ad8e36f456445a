"""Doctors and their patients: assignments, the care team, my patients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.errors import ConflictError
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked
from hms.patients.models import CareAssignment
from hms.patients.services import care_assignment_create, care_assignment_end
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


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
