"""What the appointments app publishes (see hms.core.events)."""

from dataclasses import dataclass

from hms.appointments.models import Appointment


@dataclass(frozen=True)
class AppointmentCompleted:
    """The doctor finished the visit (`appointment.completed_at` is set)."""

    actor: object
    appointment: Appointment
