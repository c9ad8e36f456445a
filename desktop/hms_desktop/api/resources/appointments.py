"""Doctors, their availability, booking and the front desk's day."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from hms_desktop.api.dto import (
    Appointment,
    Availability,
    Doctor,
    QueuePage,
    Schedule,
    ScheduleException,
    ScheduleExceptionRange,
    VisitType,
)
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources.base import (
    DEFAULT_PAGE_SIZE,
    Resource,
    action,
    listing,
)

BOOKING_CONFLICTS = ("slot_taken", "patient_double_booked")


def booking_conflict(error: Exception) -> str | None:
    """`slot_taken` or `patient_double_booked` when a booking lost to another one (409)."""
    if isinstance(error, ApiError) and error.status == 409 and error.code in BOOKING_CONFLICTS:
        return error.code
    return None


class DoctorsApi(Resource):
    list = listing(Doctor, "/api/doctors/")

    def register(self, **fields: Any) -> Doctor:
        """An admin creates a doctor's account and directory entry in one step."""
        return self._post(Doctor, "/api/doctors/", fields)


class SchedulesApi(Resource):
    """Doctors' weekly working hours and slot length, their leave and the hospital's
    holidays. A change shows in the free slots at once."""

    def get(self, doctor_id: str) -> Schedule | None:
        """None while the doctor has no schedule yet."""
        try:
            return self._get(Schedule, f"/api/doctors/{doctor_id}/schedule/")
        except ApiError as exc:
            if exc.status == 404 and exc.code == "no_schedule":
                return None
            raise

    def save(self, doctor_id: str, *, slot_minutes: int, blocks: list[dict[str, Any]]) -> Schedule:
        """Replace the weekly template: `blocks` of `{weekday, start_time, end_time}`
        ("HH:MM"). 400 `invalid_block` / `overlapping_blocks` name the block's index."""
        body = {"slot_minutes": slot_minutes, "blocks": blocks}
        return self._send(Schedule, "PUT", f"/api/doctors/{doctor_id}/schedule/", body)

    def exceptions(
        self, *, doctor: str | None = None, date_from: date | None = None
    ) -> list[ScheduleException]:
        """Active leave, holidays and extra sessions (with a doctor: theirs and the hospital's
        holidays), from `date_from` on, date order; the first page of 100."""
        filters = {"doctor": doctor, "date_from": date_from.isoformat() if date_from else None}
        return self._rows(ScheduleException, "/api/schedule-exceptions/", filters)

    def add_days_off(
        self,
        *,
        kind: str,
        date_from: date,
        date_to: date,
        doctor: str | None = None,
        reason: str = "",
    ) -> ScheduleExceptionRange:
        """Whole days of leave (a doctor) or holiday (no doctor: the whole hospital), both
        dates included; all or none."""
        body = {
            "doctor": doctor,
            "kind": kind,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "reason": reason,
        }
        return self._post(ScheduleExceptionRange, "/api/schedule-exceptions/range/", body)

    cancel_exception = action(ScheduleException, "/api/schedule-exceptions/{}/cancel/")


class AppointmentsApi(Resource):
    """Availability, booking and the front desk's day (scoped per role on the server)."""

    def availability(self, doctor_id: str, day: date) -> Availability:
        path = f"/api/doctors/{doctor_id}/availability/"
        return self._get(Availability, path, {"date": day.isoformat()})

    list = listing(Appointment, "/api/appointments/")

    def queue(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        day: date | None = None,
        doctor: str | None = None,
    ) -> QueuePage:
        """The day's queue in slot order (cancelled left out) with counts per status."""
        return self._page(
            Appointment,
            "/api/appointments/queue/",
            {"date": day.isoformat() if day else None, "doctor": doctor},
            page=page,
            page_size=page_size,
            page_type=QueuePage,
        )

    def summary(self, *, day: date | None = None, doctor: str | None = None) -> dict[str, int]:
        return self.queue(page_size=1, day=day, doctor=doctor).summary

    def get(self, appointment_id: str) -> Appointment:
        return self._get(Appointment, f"/api/appointments/{appointment_id}/")

    def slip_pdf(self, appointment_id: str) -> bytes:
        """The appointment slip to hand to the patient; audited."""
        return self._client.get_bytes(f"/api/appointments/{appointment_id}/pdf/")

    def book(
        self,
        *,
        patient: str,
        doctor: str,
        day: date,
        slot: time,
        reason: str = "",
        visit_type: str = VisitType.IN_PERSON,
    ) -> Appointment:
        """Book in person or as a teleconsult (`visit_type`, chosen only at booking).
        Raises ApiError 409 `slot_taken` / `patient_double_booked` (see booking_conflict)."""
        body = {
            "patient": patient,
            "doctor": doctor,
            "date": day.isoformat(),
            "slot": slot.strftime("%H:%M"),
            "reason": reason,
            "visit_type": visit_type,
        }
        return self._post(Appointment, "/api/appointments/", body)

    def reschedule(self, appointment_id: str, *, day: date, slot: time) -> Appointment:
        body = {"date": day.isoformat(), "slot": slot.strftime("%H:%M")}
        return self._patch(Appointment, f"/api/appointments/{appointment_id}/", body)

    def cancel(self, appointment_id: str, *, reason: str) -> Appointment:
        """Cancelled, never deleted: the slot is freed and the reason kept."""
        path = f"/api/appointments/{appointment_id}/"
        return self._send(Appointment, "DELETE", path, {"reason": reason})

    check_in = action(Appointment, "/api/appointments/{}/check-in/")
    no_show = action(Appointment, "/api/appointments/{}/no-show/")
    start = action(Appointment, "/api/appointments/{}/start/")
    complete = action(Appointment, "/api/appointments/{}/complete/")
