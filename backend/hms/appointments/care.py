"""Appointments put a patient in the doctor's care (for chart access)."""

from django.utils import timezone

from hms.appointments.models import Appointment, AppointmentStatus
from hms.core.roles import Role
from hms.patients.access import register_care_relationship


@register_care_relationship("appointment")
def _patients_with_appointments(user):
    if getattr(user, "role", None) != Role.DOCTOR:
        return None
    return (
        Appointment.objects.filter(doctor=user)
        .exclude(status=AppointmentStatus.CANCELLED)
        .values("patient_id")
    )


@register_care_relationship("checked_in_today")
def _patients_checked_in_today(user):
    """Nurses triage whoever is at the clinic today."""
    if getattr(user, "role", None) != Role.NURSE:
        return None
    return Appointment.objects.filter(
        date=timezone.localdate(),
        status__in=[AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS],
    ).values("patient_id")
