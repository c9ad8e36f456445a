"""Writes for scheduling and appointments, one module per part: the doctors' schedules,
booking and the appointment's later changes, and the reminders."""

from hms.appointments.services.booking import (
    RESOURCE,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_start,
    appointment_update_reason,
)
from hms.appointments.services.reminders import appointment_reminder_send
from hms.appointments.services.schedules import (
    schedule_exception_cancel,
    schedule_exception_create,
    schedule_exception_create_range,
    schedule_set,
)

__all__ = [
    "RESOURCE",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_mark_no_show",
    "appointment_reminder_send",
    "appointment_reschedule",
    "appointment_start",
    "appointment_update_reason",
    "schedule_exception_cancel",
    "schedule_exception_create",
    "schedule_exception_create_range",
    "schedule_set",
]
