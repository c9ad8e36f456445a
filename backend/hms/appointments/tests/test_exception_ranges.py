"""Leave and holidays over a range of dates: one exception a date, all or none, and the free
slots follow at once."""

import pytest

from hms.appointments.models import ScheduleException
from hms.core.models import AuditEvent
from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

RANGE = "/api/schedule-exceptions/range/"


def slots(client, doctor, day):
    response = client.get(f"/api/doctors/{doctor.public_id}/availability/", {"date": day})
    assert response.status_code == 200, response.json()
    return response.json()["slots"]


def test_a_week_of_leave_removes_every_slot_of_those_days(client_for, doctor, book):
    book(day="2027-03-03", slot="09:00")
    client = client_for(Role.RECEPTIONIST)
    assert slots(client, doctor, "2027-03-02")
    response = client.post(
        RANGE,
        {
            "doctor": str(doctor.public_id),
            "date_from": "2027-03-02",
            "date_to": "2027-03-05",
            "kind": "leave",
            "reason": "Conference",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [e["date"] for e in body["results"]] == [
        "2027-03-02",
        "2027-03-03",
        "2027-03-04",
        "2027-03-05",
    ]
    assert body["affected_appointments"] == 1
    assert AuditEvent.objects.filter(resource_type="schedule_exception").count() == 4
    for day in ("2027-03-02", "2027-03-05"):
        assert slots(client, doctor, day) == []
    assert slots(client, doctor, "2027-03-08")  # the Monday after is worked again


def test_a_clinic_wide_holiday_range_by_the_admin(client_for, doctor):
    client = client_for(Role.ADMIN)
    response = client.post(
        RANGE,
        {"date_from": "2027-03-04", "date_to": "2027-03-05", "kind": "holiday", "reason": "Eid"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert all(e["doctor"] is None for e in response.json()["results"])
    assert slots(client, doctor, "2027-03-04") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_from": "2027-03-05", "date_to": "2027-03-04", "kind": "leave"}, "date_to"),
        ({"date_from": "2027-03-01", "date_to": "2027-07-01", "kind": "leave"}, "date_to"),
        ({"date_from": "2027-03-01", "date_to": "2027-03-02", "kind": "extra"}, "kind"),
        (
            {
                "date_from": "2027-03-01",
                "date_to": "2027-03-02",
                "kind": "leave",
                "start_time": "10:00",
            },
            "end_time",
        ),
    ],
)
def test_bad_ranges_are_refused_and_nothing_is_created(client_for, doctor, body, field):
    response = client_for(Role.RECEPTIONIST).post(
        RANGE, {"doctor": str(doctor.public_id), **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ScheduleException.objects.exists()


def test_a_doctor_may_not_declare_another_doctors_leave(client_for, doctor):
    response = client_for(Role.DOCTOR).post(
        RANGE,
        {
            "doctor": str(doctor.public_id),
            "date_from": "2027-03-02",
            "date_to": "2027-03-03",
            "kind": "leave",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not ScheduleException.objects.exists()
