from datetime import date, time

import pytest

from hms.appointments.models import ExceptionKind, ScheduleException
from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def starts(response, day=None):
    return [s["start"] for s in response.json()["slots"] if day is None or s["date"] == day]


def test_free_slots_for_a_day(client_for, doctor):
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2027-03-02"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "UTC" and body["slot_minutes"] == 30
    assert starts(response)[:3] == ["09:00", "09:30", "10:00"]
    assert len(body["slots"]) == 12  # 6 in the morning + 6 in the afternoon
    assert body["slots"][0]["start_at"] == "2027-03-02T09:00:00Z"


def test_booked_and_past_slots_are_left_out(client_for, doctor, book, frozen_now):
    assert book(day="2027-03-01", slot="09:30").status_code == 201
    frozen_now.move_to("2027-03-01 10:05Z")
    response = client_for(Role.RECEPTIONIST).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2027-03-01"}
    )
    assert starts(response)[:2] == ["10:30", "11:00"]


def test_exceptions_shape_the_day(client_for, doctor, make_user):
    admin = make_user(Role.ADMIN)
    ScheduleException.objects.create(
        doctor=doctor,
        date=date(2027, 3, 2),
        kind=ExceptionKind.LEAVE,
        start_time=time(9),
        end_time=time(11),
        created_by=admin,
    )
    ScheduleException.objects.create(
        doctor=doctor,
        date=date(2027, 3, 2),
        kind=ExceptionKind.EXTRA,
        start_time=time(18),
        end_time=time(19),
        created_by=admin,
    )
    ScheduleException.objects.create(
        doctor=None, date=date(2027, 3, 3), kind=ExceptionKind.HOLIDAY, created_by=admin
    )
    client = client_for(Role.PATIENT)
    url = f"/api/doctors/{doctor.public_id}/availability/"
    response = client.get(url, {"from": "2027-03-02", "to": "2027-03-04"})
    assert starts(response, "2027-03-02") == [
        "11:00",
        "11:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "18:00",
        "18:30",
    ]
    assert starts(response, "2027-03-03") == []  # clinic holiday
    assert len(starts(response, "2027-03-04")) == 12


def test_cancelled_exception_no_longer_applies(client_for, doctor, make_user):
    ScheduleException.objects.create(
        doctor=doctor,
        date=date(2027, 3, 2),
        kind=ExceptionKind.LEAVE,
        created_by=make_user(),
        cancelled_at="2027-02-01T00:00Z",
    )
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2027-03-02"}
    )
    assert len(response.json()["slots"]) == 12


def test_unavailable_doctor_has_no_slots(client_for, doctor):
    doctor.doctor_profile.available = False
    doctor.doctor_profile.save()
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2027-03-02"}
    )
    assert response.json()["slots"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"from": "2027-03-05", "to": "2027-03-01"}, "to"),
        ({"from": "2027-03-01", "to": "2027-05-01"}, "to"),
    ],
)
def test_bad_parameters_are_400(client_for, doctor, params, field):
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", params
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_doctor_is_404(client_for, patient):
    import uuid

    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{uuid.uuid4()}/availability/", {"date": "2027-03-02"}
    )
    assert response.status_code == 404


def test_time_zone_of_the_hospital_is_used(client_for, doctor, settings):
    settings.TIME_ZONE = "Africa/Nairobi"  # UTC+3
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2027-03-02"}
    )
    body = response.json()
    assert body["time_zone"] == "Africa/Nairobi"
    assert body["slots"][0]["start"] == "09:00"
    assert body["slots"][0]["start_at"].startswith("2027-03-02T09:00:00+03:00")


def test_dst_day_availability(client_for, doctor, settings, frozen_now):
    from hms.appointments.models import ScheduleBlock

    settings.TIME_ZONE = "Europe/London"
    frozen_now.move_to("2026-03-28 12:00Z")
    ScheduleBlock.objects.create(
        schedule=doctor.schedule, weekday=6, start_time=time(0), end_time=time(3)
    )
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2026-03-29"}
    )
    assert starts(response) == ["00:00", "02:00", "02:30"]
    assert response.json()["slots"][1]["start_at"] == "2026-03-29T02:00:00+01:00"
