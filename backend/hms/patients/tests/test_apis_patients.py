"""Registration, duplicates, updates, bad input and self-registration."""

import pytest

from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.patients.models import Patient
from hms.patients.mrn import mrn_is_valid
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "first_name": "María",
    "last_name": "Núñez",
    "date_of_birth": "1984-03-02",
    "sex": "female",
    "phone": "+34 600 111 222",
    "email": "maria@example.org",
    "national_id": "X1234567L",
    "blood_group": "O+",
}


@pytest.fixture
def desk(client_for):
    return client_for(Role.RECEPTIONIST)


def test_receptionist_registers_a_patient(desk):
    response = desk.post("/api/patients/", NEW_PATIENT, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert mrn_is_valid(data["mrn"])
    assert data["national_id"] == "X1234567L"
    assert data["access"]["emergency"] is False
    patient = Patient.objects.get(public_id=data["id"])
    assert (patient.first_name_norm, patient.last_name_norm) == ("maria", "nunez")
    assert patient.phone_digits == "34600111222"
    assert patient.created_by == desk.user
    event = AuditEvent.objects.get(action=AuditAction.CREATE, resource_type="patient")
    assert event.patient_id == data["id"]
    assert "X1234567L" not in str(event.detail)


@pytest.mark.parametrize("role", [Role.NURSE, Role.ADMIN])
def test_other_registering_roles(client_for, role):
    assert client_for(role).post("/api/patients/", NEW_PATIENT, format="json").status_code == 201


@pytest.mark.parametrize(
    "role", [Role.DOCTOR, Role.PHARMACIST, Role.ACCOUNTANT, Role.PATIENT, Role.LAB_TECHNICIAN]
)
def test_roles_that_may_not_register(client_for, role):
    assert client_for(role).post("/api/patients/", NEW_PATIENT, format="json").status_code == 403


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/patients/").status_code == 401


def test_duplicate_name_and_birth_date_is_409_until_confirmed(desk):
    existing = PatientFactory(first_name="Maria", last_name="Nunez", date_of_birth="1984-03-02")
    body = {**NEW_PATIENT, "phone": "", "national_id": "", "first_name": "MARÍA "}
    response = desk.post("/api/patients/", body, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "possible_duplicate"
    assert response.data["extra"]["candidates"] == [
        {
            "id": str(existing.public_id),
            "mrn": existing.mrn,
            "name": "Maria Nunez",
            "date_of_birth": "1984-03-02",
        }
    ]
    assert Patient.objects.count() == 1

    confirmed = desk.post("/api/patients/", {**body, "confirm_new_person": True}, format="json")
    assert confirmed.status_code == 201
    assert Patient.objects.count() == 2
    event = AuditEvent.objects.filter(resource_type="patient").order_by("-sequence").first()
    assert event.detail["confirmed_new_person"] is True


def test_duplicate_phone_or_national_id_is_409(desk):
    PatientFactory(first_name="Other", last_name="Person", phone="+34 600-111-222")
    response = desk.post("/api/patients/", NEW_PATIENT, format="json")
    assert response.status_code == 409
    PatientFactory(first_name="Third", last_name="Person", phone="", national_id="x 1234567 l")
    body = {**NEW_PATIENT, "phone": "+1 212 555 0100"}
    response = desk.post("/api/patients/", body, format="json")
    assert response.status_code == 409
    assert [c["name"] for c in response.data["extra"]["candidates"]] == ["Third Person"]


def test_same_name_other_birth_date_is_not_a_duplicate(desk):
    PatientFactory(first_name="Maria", last_name="Nunez", date_of_birth="1990-01-01", phone="")
    assert desk.post("/api/patients/", NEW_PATIENT, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"date_of_birth": 19840302}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"sex": "robot"}, "sex"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"first_name": ["Ana"]}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"blood_group": "Z+"}, "blood_group"),
        ({"confirm_new_person": "perhaps"}, "confirm_new_person"),
    ],
)
def test_bad_input_is_400_with_field_errors(desk, change, field):
    response = desk.post("/api/patients/", {**NEW_PATIENT, **change}, format="json")
    assert response.status_code == 400, response.data
    assert response.data["code"] == "validation_error"
    assert field in response.data["fields"]


def test_non_json_body_is_400(desk):
    response = desk.post("/api/patients/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_bad_filters_are_400(desk):
    assert desk.get("/api/patients/", {"sex": "x"}).status_code == 400
    assert desk.get("/api/patients/", {"date_of_birth": "soon"}).status_code == 400
    assert desk.get("/api/patients/", {"q": "x" * 101}).status_code == 400


def test_patch_updates_search_columns_and_keeps_history(desk, patient, last_audit):
    url = f"/api/patients/{patient.public_id}/"
    response = desk.patch(url, {"last_name": "Sílva-Pérez", "phone": "(555) 123"}, format="json")
    assert response.status_code == 200, response.data
    patient.refresh_from_db()
    assert patient.last_name_norm == "silva perez"
    assert patient.full_name_norm == "ana silva perez"
    assert patient.phone_digits == "555123"
    assert patient.history.count() == 2
    assert last_audit(resource_type="patient").detail == {"changed": ["last_name", "phone"]}
    assert desk.get("/api/patients/", {"q": "silva pe"}).data["count"] == 1


def test_put_replaces_the_demographics(desk, patient):
    url = f"/api/patients/{patient.public_id}/"
    assert desk.put(url, {"first_name": "Ana"}, format="json").status_code == 400
    response = desk.put(url, NEW_PATIENT, format="json")
    assert response.status_code == 200
    assert response.data["last_name"] == "Núñez"
    assert response.data["mrn"] == patient.mrn  # the MRN never changes


def test_roles_that_may_not_edit_demographics(client_for, patient, assign, doctor):
    url = f"/api/patients/{patient.public_id}/"
    assign(patient, doctor)
    assert client_for(Role.DOCTOR, user=doctor).patch(url, {"city": "X"}).status_code == 403
    assert client_for(Role.PHARMACIST).patch(url, {"city": "X"}).status_code == 403
    assert client_for(Role.ACCOUNTANT).put(url, NEW_PATIENT, format="json").status_code == 403


def test_national_id_is_masked_for_roles_that_do_not_register(client_for):
    patient = PatientFactory(national_id="NAT-1234-9876")
    url = f"/api/patients/{patient.public_id}/"
    assert client_for(Role.RECEPTIONIST).get(url).data["national_id"] == "NAT-1234-9876"
    assert client_for(Role.PHARMACIST).get(url).data["national_id"] == "•••••••••9876"


def test_patients_are_never_deleted(desk, patient):
    assert desk.delete(f"/api/patients/{patient.public_id}/").status_code == 405
    with pytest.raises(PermissionError):
        patient.delete()


# --- Self-registration creates the chart -----------------------------------------------------


def test_register_creates_a_linked_chart(api_client, client_for):
    response = api_client.post(
        "/api/register/",
        {
            "username": "zoe",
            "password": "a-long-enough-pass-42",
            "first_name": "Zoë",
            "last_name": "Saldaña",
            "phone": "+1 555 0100",
            "date_of_birth": "1990-06-19",
            "sex": "female",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    patient = Patient.objects.get(user__username="zoe")
    assert mrn_is_valid(patient.mrn)
    assert (patient.full_name_norm, str(patient.date_of_birth)) == ("zoe saldana", "1990-06-19")
    me = client_for(Role.PATIENT, user=patient.user).get("/api/patients/me/")
    assert me.status_code == 200
    assert me.data["mrn"] == patient.mrn
    assert me.data["has_portal_account"] is True


def test_register_without_birth_date_still_creates_a_chart(api_client):
    response = api_client.post(
        "/api/register/",
        {"username": "bare", "password": "a-long-enough-pass-42"},
        format="json",
    )
    assert response.status_code == 201
    assert Patient.objects.get(user__username="bare").date_of_birth is None


def test_register_with_a_future_birth_date_creates_nothing(api_client):
    response = api_client.post(
        "/api/register/",
        {"username": "future", "password": "a-long-enough-pass-42", "date_of_birth": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 400
    from hms.accounts.models import User

    assert not User.objects.filter(username="future").exists()
