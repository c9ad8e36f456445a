import pytest
from icalendar import Calendar

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.calendar_feed import calendar_token_for
from hms.appointments.models import DoctorSchedule, ScheduleException
from hms.core.models import AuditEvent
from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WEEK = {
    "slot_minutes": 20,
    "blocks": [
        {"weekday": 0, "start_time": "08:00", "end_time": "12:00"},
        {"weekday": 0, "start_time": "13:00", "end_time": "16:00"},
        {"weekday": 2, "start_time": "08:00", "end_time": "10:00"},
    ],
}


class TestSchedules:
    def test_receptionist_sets_a_doctors_week(self, client_for):
        doctor = DoctorProfileFactory().user
        client = client_for(Role.RECEPTIONIST)
        response = client.put(f"/api/doctors/{doctor.public_id}/schedule/", WEEK, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["slot_minutes"] == 20
        assert len(response.json()["blocks"]) == 3
        assert client.get(f"/api/doctors/{doctor.public_id}/schedule/").json()["blocks"][0] == {
            "weekday": 0,
            "start_time": "08:00:00",
            "end_time": "12:00:00",
        }
        assert AuditEvent.objects.filter(resource_type="doctor_schedule").count() == 1

    def test_doctor_manages_only_their_own(self, client_for):
        me = DoctorProfileFactory().user
        other = DoctorProfileFactory().user
        client = client_for(Role.DOCTOR, user=me)
        assert (
            client.put(f"/api/doctors/{me.public_id}/schedule/", WEEK, format="json").status_code
            == 200
        )
        response = client.put(f"/api/doctors/{other.public_id}/schedule/", WEEK, format="json")
        assert response.status_code == 403
        assert not DoctorSchedule.objects.filter(doctor=other).exists()

    def test_overlapping_blocks_are_rejected(self, client_for):
        doctor = DoctorProfileFactory().user
        body = {
            "slot_minutes": 15,
            "blocks": [
                {"weekday": 1, "start_time": "09:00", "end_time": "12:00"},
                {"weekday": 1, "start_time": "11:00", "end_time": "13:00"},
            ],
        }
        response = client_for(Role.ADMIN).put(
            f"/api/doctors/{doctor.public_id}/schedule/", body, format="json"
        )
        assert response.status_code == 400 and response.json()["code"] == "overlapping_blocks"

    @pytest.mark.parametrize(
        "body",
        [
            {"slot_minutes": 2, "blocks": []},
            {
                "slot_minutes": 15,
                "blocks": [{"weekday": 9, "start_time": "09:00", "end_time": "10:00"}],
            },
            {
                "slot_minutes": 15,
                "blocks": [{"weekday": 1, "start_time": "10:00", "end_time": "09:00"}],
            },
            {
                "slot_minutes": 60,
                "blocks": [{"weekday": 1, "start_time": "09:00", "end_time": "09:30"}],
            },
        ],
    )
    def test_bad_schedules_are_400(self, client_for, body):
        doctor = DoctorProfileFactory().user
        response = client_for(Role.ADMIN).put(
            f"/api/doctors/{doctor.public_id}/schedule/", body, format="json"
        )
        assert response.status_code == 400

    def test_patients_cannot_read_schedules(self, client_for, doctor):
        assert (
            client_for(Role.PATIENT).get(f"/api/doctors/{doctor.public_id}/schedule/").status_code
            == 403
        )


class TestExceptions:
    def test_leave_is_created_listed_and_cancelled(self, client_for, doctor, book):
        book(day="2027-03-05", slot="09:00")
        client = client_for(Role.RECEPTIONIST)
        response = client.post(
            "/api/schedule-exceptions/",
            {
                "doctor": str(doctor.public_id),
                "date": "2027-03-05",
                "kind": "leave",
                "reason": "Conference",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["affected_appointments"] == 1  # the front desk must call them
        listed = client.get("/api/schedule-exceptions/", {"doctor": str(doctor.public_id)})
        assert listed.json()["count"] == 1
        exception_id = response.json()["id"]
        assert client.post(f"/api/schedule-exceptions/{exception_id}/cancel/").status_code == 200
        assert ScheduleException.objects.get().cancelled_at is not None
        assert client.post(f"/api/schedule-exceptions/{exception_id}/cancel/").status_code == 409

    def test_clinic_wide_holiday_by_admin_only_for_holidays(self, client_for):
        client = client_for(Role.ADMIN)
        ok = client.post(
            "/api/schedule-exceptions/",
            {"date": "2027-12-25", "kind": "holiday", "reason": "Christmas"},
            format="json",
        )
        assert ok.status_code == 201 and ok.json()["doctor"] is None
        bad = client.post(
            "/api/schedule-exceptions/", {"date": "2027-12-26", "kind": "leave"}, format="json"
        )
        assert bad.status_code == 400 and bad.json()["code"] == "doctor_required"

    def test_extra_session_needs_times(self, client_for, doctor):
        response = client_for(Role.ADMIN).post(
            "/api/schedule-exceptions/",
            {"doctor": str(doctor.public_id), "date": "2027-03-06", "kind": "extra"},
            format="json",
        )
        assert response.status_code == 400 and "start_time" in response.json()["fields"]

    def test_doctor_cannot_declare_others_leave(self, client_for, doctor):
        response = client_for(Role.DOCTOR).post(
            "/api/schedule-exceptions/",
            {"doctor": str(doctor.public_id), "date": "2027-03-06", "kind": "leave"},
            format="json",
        )
        assert response.status_code == 403


class TestCalendarFeed:
    def test_doctor_downloads_own_calendar(self, client_for, doctor, book, patient):
        book(day="2027-03-02", slot="09:00")
        response = client_for(Role.DOCTOR, user=doctor).get(
            f"/api/doctors/{doctor.public_id}/calendar.ics"
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = calendar.walk("VEVENT")
        assert len(events) == 1
        assert events[0].decoded("dtstart").isoformat() == "2027-03-02T09:00:00+00:00"
        assert patient.mrn in str(events[0]["summary"])
        assert patient.last_name not in str(events[0]["summary"])  # no full names in feeds

    def test_subscription_link_works_without_a_header(self, client_for, doctor, api_client):
        link = client_for(Role.DOCTOR, user=doctor).get("/api/doctors/me/calendar-link/").json()
        path = link["url"].split("testserver", 1)[1]
        assert api_client.get(path).status_code == 200
        other = DoctorProfileFactory().user
        forged = (
            f"/api/doctors/{other.public_id}/calendar.ics?token={calendar_token_for(doctor=doctor)}"
        )
        assert api_client.get(forged).status_code == 404
        assert (
            api_client.get(f"/api/doctors/{doctor.public_id}/calendar.ics?token=bogus").status_code
            == 401
        )

    def test_other_doctors_and_patients_cannot_read_it(self, client_for, doctor):
        url = f"/api/doctors/{doctor.public_id}/calendar.ics"
        assert client_for(Role.DOCTOR).get(url).status_code == 404
        assert client_for(Role.PATIENT).get(url).status_code == 403
        assert client_for(Role.RECEPTIONIST).get(url).status_code == 200
