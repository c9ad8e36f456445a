"""Appointments: the day's queue page (`page`) and the booking dialogs (`dialogs`)."""

from hms_desktop.views.appointments.dialogs import (
    BookingDialog,
    CancelDialog,
    DatePicker,
    RescheduleDialog,
    SlotDialog,
)
from hms_desktop.views.appointments.page import AppointmentDetails, AppointmentsPage

__all__ = [
    "AppointmentDetails",
    "AppointmentsPage",
    "BookingDialog",
    "CancelDialog",
    "DatePicker",
    "RescheduleDialog",
    "SlotDialog",
]
