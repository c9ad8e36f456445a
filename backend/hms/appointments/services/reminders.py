"""The 24-hour appointment reminder: claimed once, sent by e-mail and SMS, audited."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from hms.appointments.models import Appointment, AppointmentStatus
from hms.appointments.services.booking import doctor_display_name
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.core.sms import send_sms


def appointment_reminder_send(*, appointment_id: int) -> bool:
    """Send the 24-hour reminder once. Returns False if it was already sent or no longer due.

    The claim is a conditional UPDATE, so two workers running at once send it only once; it
    commits only if sending succeeded, so a failed send is retried by the next run.
    """
    with transaction.atomic():
        return _reminder_claim_and_send(appointment_id)


def _reminder_claim_and_send(appointment_id: int) -> bool:
    now = timezone.now()
    claimed = Appointment.objects.filter(
        pk=appointment_id,
        status=AppointmentStatus.BOOKED,
        reminder_sent_at__isnull=True,
        start_at__gt=now,
    ).update(reminder_sent_at=now)
    if not claimed:
        return False
    appointment = Appointment.objects.select_related("patient", "patient__user", "doctor").get(
        pk=appointment_id
    )
    patient = appointment.patient
    local_start = timezone.localtime(appointment.start_at)
    body = (
        f"Reminder from {settings.HOSPITAL_NAME}: {patient.first_name}, you have an appointment "
        f"with {doctor_display_name(appointment.doctor)} on {local_start:%A %d %B at %H:%M}. "
        f"If you cannot come, please cancel so someone else can have the slot."
    )
    email = patient.email or (patient.user.email if patient.user else "")
    if email:
        send_mail(
            subject=f"Appointment reminder: {local_start:%d %b %H:%M}",
            message=body,
            from_email=None,
            recipient_list=[email],
        )
    if patient.phone:
        send_sms(to=patient.phone, body=body)
    audit_record(
        actor=None,
        actor_username="system",
        action=AuditAction.UPDATE,
        resource_type="appointment_reminder",
        object_id=appointment.public_id,
        patient_id=patient.public_id,
        detail={"email": bool(email), "sms": bool(patient.phone)},
    )
    return True
