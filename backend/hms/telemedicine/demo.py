"""Demo telemedicine: a teleconsult of the portal patient with the demo doctor whose room is
open now (whatever the hour), and a short chart conversation between them.

The teleconsult takes a quarter-hour around now that the doctor has free today; when that is
not bookable (past, or outside the clinic's hours), the visit is booked ahead and moved onto
it, as the appointments demo does for its past slots.

Idempotent: a teleconsult of the day whose room is not closed is kept; the conversation gets
its messages once.
"""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from hms.accounts.models import User
from hms.appointments import selectors as appointment_selectors
from hms.appointments import services as appointment_services
from hms.appointments.models import (
    SLOT_HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    VisitType,
)
from hms.core.demo import register_demo_loader
from hms.patients.models import Patient
from hms.telemedicine import selectors, services
from hms.telemedicine.models import Message

QUARTER = timedelta(minutes=15)
DEMO_MESSAGES = (
    ("doctor", "Good morning. Your blood pressure readings look better this week."),
    ("patient", "Thank you, doctor. Should I keep the same dose?"),
    ("doctor", "Yes, the same dose. We can talk it through at today's video consultation."),
)


def _open_teleconsult(*, doctor: User, patient: Patient) -> Appointment | None:
    today = timezone.localdate()
    rows = Appointment.objects.filter(
        doctor=doctor, patient=patient, date=today, visit_type=VisitType.TELECONSULT
    ).exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
    for appointment in rows.select_related("patient", "doctor"):
        room = services.consult_room_ensure(appointment=appointment)
        if selectors.room_state(room=room) != selectors.RoomState.CLOSED:
            return appointment
    return None


def _candidate_starts(now: datetime) -> list[datetime]:
    """Quarter-hours whose room is open now: starting soon first, then just started."""
    local = timezone.localtime(now)
    floor = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    return [floor + QUARTER, floor, floor - QUARTER, floor - 2 * QUARTER]


def _book_teleconsult(*, doctor: User, patient: Patient, receptionist: User) -> Appointment | None:
    now = timezone.now()
    for start in _candidate_starts(now):
        day, slot = start.date(), start.time()
        if day != timezone.localdate():
            continue
        held = Appointment.objects.filter(
            doctor=doctor, date=day, slot=slot, status__in=SLOT_HOLDING_STATUSES
        )
        busy = Appointment.objects.filter(
            patient=patient,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
            start_at__lt=start + QUARTER,
            end_at__gt=start,
        )
        if held.exists() or busy.exists():
            continue
        return _book_at(
            doctor=doctor, patient=patient, receptionist=receptionist, start=start, day=day
        )
    return None


def _book_at(*, doctor, patient, receptionist, start, day) -> Appointment | None:
    ahead = appointment_selectors.doctor_availability(
        doctor=doctor, start=day + timedelta(days=1), end=day + timedelta(days=14)
    )
    for free in ahead:
        if Appointment.objects.filter(patient=patient, date=free.date).exists():
            continue
        appointment = appointment_services.appointment_book(
            actor=receptionist,
            patient=patient,
            doctor=doctor,
            date=free.date,
            slot=free.start,
            reason="Blood pressure review by video",
            visit_type=VisitType.TELECONSULT,
        )
        Appointment.objects.filter(pk=appointment.pk).update(
            date=day, slot=start.time(), start_at=start, end_at=start + QUARTER
        )
        appointment.refresh_from_db()
        return appointment
    return None


def _chart_conversation(*, doctor: User, patient: Patient) -> int:
    conversation, _ = services.conversation_get_or_create_chart(actor=doctor, patient=patient)
    if Message.objects.filter(conversation=conversation).exists():
        return 0
    senders = {"doctor": doctor, "patient": patient.user}
    for who, body in DEMO_MESSAGES:
        services.message_send(
            actor=senders[who], conversation=conversation, body=body, client_id=uuid.uuid4()
        )
    return len(DEMO_MESSAGES)


@register_demo_loader(order=48, name="telemedicine")  # after appointments and billing
def load_demo_telemedicine() -> str:
    doctor = User.objects.get(username="doctor")
    receptionist = User.objects.get(username="receptionist")
    patient = Patient.objects.filter(user__username="patient").select_related("user").first()
    if patient is None:
        return "no portal patient"
    appointment = _open_teleconsult(doctor=doctor, patient=patient)
    booked = appointment is None
    if booked:
        appointment = _book_teleconsult(doctor=doctor, patient=patient, receptionist=receptionist)
    if appointment is None:
        return "no free quarter-hour for a teleconsult now"
    room = services.consult_room_ensure(appointment=appointment)
    messages = _chart_conversation(doctor=doctor, patient=patient)
    start = timezone.localtime(appointment.start_at)
    return (
        f"teleconsult at {start:%H:%M} ({'booked' if booked else 'kept'}, room "
        f"{selectors.room_state(room=room)}); {messages} chart message(s)"
    )
