"""Appointment lists answer what the appointment's detail route answers, role by role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

REASON = "Follow-up of a positive HIV test"


@pytest.fixture
def booked(book):
    """An appointment today (Monday 1 March 2027) at 09:00 with a reason."""
    response = book(day="2027-03-01", slot="09:00", reason=REASON)
    assert response.status_code == 201
    return response.json()


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_nurse_outside_the_patients_care_gets_what_the_detail_route_gives(
    client_for, booked, patient, doctor
):
    nurse = client_for(Role.NURSE)
    # The detail route refuses: the patient is not in the nurse's care.
    detail = nurse.get(f"/api/appointments/{booked['id']}/")
    assert detail.status_code == 403 and detail.json()["code"] == "break_glass_required"

    by_patient = nurse.get("/api/appointments/", {"patient": str(patient.public_id)})
    assert by_patient.status_code == 403
    assert by_patient.json()["code"] == "break_glass_required"
    assert ids(nurse.get("/api/appointments/")) == []
    assert ids(nurse.get("/api/appointments/", {"doctor": str(doctor.public_id)})) == []


def test_nurse_sees_the_appointments_of_a_patient_in_care(client_for, booked, reception, patient):
    nurse = client_for(Role.NURSE)
    # Checked in today: the patient is in the nurses' care (hms.appointments.care).
    assert reception.post(f"/api/appointments/{booked['id']}/check-in/").status_code == 200

    assert nurse.get(f"/api/appointments/{booked['id']}/").status_code == 200
    by_patient = nurse.get("/api/appointments/", {"patient": str(patient.public_id)})
    assert ids(by_patient) == [booked["id"]]
    assert by_patient.json()["results"][0]["reason"] == REASON
    assert ids(nurse.get("/api/appointments/")) == [booked["id"]]


def test_break_the_glass_opens_the_patients_list_as_it_opens_the_detail(
    client_for, booked, patient
):
    nurse = client_for(Role.NURSE)
    grant = nurse.post(
        f"/api/patients/{patient.public_id}/break-glass/",
        {"reason": "Collapsed in the waiting room, needs history"},
        format="json",
    )
    assert grant.status_code == 201
    assert nurse.get(f"/api/appointments/{booked['id']}/").status_code == 200
    by_patient = nurse.get("/api/appointments/", {"patient": str(patient.public_id)})
    assert ids(by_patient) == [booked["id"]]


def test_the_desk_queue_keeps_the_row_but_withholds_the_reason_outside_care(
    client_for, booked, reception, book
):
    nurse = client_for(Role.NURSE)
    book(day="2027-03-01", slot="10:00", patient_obj=PatientFactory(), reason="Chest pain")
    rows = nurse.get("/api/appointments/queue/").json()["results"]
    assert [(r["reason"], r["reason_withheld"]) for r in rows] == [(None, True), (None, True)]

    # Once checked in, the patient is in the nurse's care and the reason shows.
    assert reception.post(f"/api/appointments/{booked['id']}/check-in/").status_code == 200
    rows = nurse.get("/api/appointments/queue/").json()["results"]
    assert [(r["reason"], r["reason_withheld"]) for r in rows] == [
        (REASON, False),
        (None, True),
    ]
    # The front desk is not bound by care: it sees every reason.
    rows = reception.get("/api/appointments/queue/").json()["results"]
    assert [r["reason"] for r in rows] == [REASON, "Chest pain"]
    assert not any(r["reason_withheld"] for r in rows)


def test_doctor_lists_their_own_appointments_and_not_another_doctors_patient(
    client_for, booked, doctor, patient
):
    own = client_for(Role.DOCTOR, user=doctor)
    assert ids(own.get("/api/appointments/", {"patient": str(patient.public_id)})) == [booked["id"]]
    assert own.get("/api/appointments/queue/").json()["results"][0]["reason"] == REASON
    stranger = client_for(Role.DOCTOR)
    refused = stranger.get("/api/appointments/", {"patient": str(patient.public_id)})
    assert refused.status_code == 403 and refused.json()["code"] == "break_glass_required"


def test_receptionist_and_patient_lists_are_unchanged(client_for, booked, reception, patient):
    assert ids(reception.get("/api/appointments/", {"patient": str(patient.public_id)})) == [
        booked["id"]
    ]
    someone_else = client_for(Role.PATIENT)
    assert (
        someone_else.get("/api/appointments/", {"patient": str(patient.public_id)}).status_code
        == 404
    )


def test_nurse_queue_query_count_is_flat(client_for, book):
    nurse = client_for(Role.NURSE)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert nurse.get("/api/appointments/queue/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    book(day="2027-03-01", slot="09:00", patient_obj=PatientFactory())
    count()  # warm up: the first audit event also creates the chain's head row
    one = count()
    for slot in ("09:30", "10:00", "10:30", "11:00"):
        book(day="2027-03-01", slot=slot, patient_obj=PatientFactory())
    # COUNT, the page (care subqueries inside it), the summary, the audit write.
    assert count() == one
