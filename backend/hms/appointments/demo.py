"""Demo schedule for the demo doctor, today's clinic and a few appointments ahead.

Today (the hospital's local date when the loader runs, whatever the hour) has three patients
on the doctor's list, one of them checked in and waiting, so the doctor's queue and the
reception desk's queue tell their story at 10:00 on a Tuesday as at 23:30 on a Sunday. The demo
clinic runs every day of the week for that reason. A slot already past cannot be booked now,
so for those the loader books the patient's visit ahead and moves it back onto today's slot,
as if it had been booked earlier (as the laboratory demo back-dates its orders).

Idempotent: keyed on the day. Running it again the same day adds nothing; running it on a
later day gives that day its clinic.
"""

from datetime import time, timedelta

from django.utils import timezone

from hms.accounts.models import User
from hms.appointments import selectors, services
from hms.appointments.models import (
    SLOT_HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    DoctorSchedule,
)
from hms.core.demo import register_demo_loader
from hms.patients.models import Patient

CLINIC_BLOCKS = ((time(8), time(12, 30)), (time(13, 30), time(17)))


def _schedule_every_day(*, receptionist: User, doctor: User) -> None:
    blocks = [
        {"weekday": day, "start_time": start, "end_time": end}
        for day in range(7)
        for start, end in CLINIC_BLOCKS
    ]
    services.schedule_set(actor=receptionist, doctor=doctor, slot_minutes=15, blocks=blocks)


def _todays_slots(*, doctor: User, receptionist: User):
    today = timezone.localdate()
    slots = selectors.doctor_slots(doctor=doctor, start=today, end=today).get(today, [])
    if not slots:
        # A schedule without today's weekday (made by an older demo): the demo clinic opens
        # every day.
        _schedule_every_day(receptionist=receptionist, doctor=doctor)
        slots = selectors.doctor_slots(doctor=doctor, start=today, end=today).get(today, [])
    return slots


def _book(*, receptionist: User, doctor: User, patient: Patient, slot, reason: str):
    now = timezone.now()
    if slot.start_at > now:
        return services.appointment_book(
            actor=receptionist,
            patient=patient,
            doctor=doctor,
            date=slot.date,
            slot=slot.start,
            reason=reason,
        )
    ahead = selectors.doctor_availability(
        doctor=doctor, start=slot.date, end=slot.date + timedelta(days=14)
    )
    appointment = None
    for free in ahead:
        if not Appointment.objects.filter(patient=patient, date=free.date).exists():
            appointment = services.appointment_book(
                actor=receptionist,
                patient=patient,
                doctor=doctor,
                date=free.date,
                slot=free.start,
                reason=reason,
            )
            break
    if appointment is None:
        return None
    Appointment.objects.filter(pk=appointment.pk).update(
        date=slot.date, slot=slot.start, start_at=slot.start_at, end_at=slot.end_at
    )
    appointment.refresh_from_db()
    return appointment


def _todays_clinic(*, doctor: User, receptionist: User, patients: list[Patient]) -> int:
    """Three patients today: the first checked in for the current slot (or the first slot of
    the day, before the clinic opens), the others booked around it."""
    slots = _todays_slots(doctor=doctor, receptionist=receptionist)
    if not slots:
        return 0
    now = timezone.now()
    current = max((i for i, slot in enumerate(slots) if slot.start_at <= now), default=0)
    # From the current slot on, then (late in the day) back towards the morning; slots
    # already held (booked for today by yesterday's run) are left alone.
    taken = set(
        Appointment.objects.filter(
            doctor=doctor, date=slots[0].date, status__in=SLOT_HOLDING_STATUSES
        ).values_list("slot", flat=True)
    )
    order = [slot for slot in slots[current:] + slots[:current][::-1] if slot.start not in taken]
    reasons = ("Blood pressure review", "Follow-up visit", "Diabetes review")
    booked = 0
    for index, (patient, slot) in enumerate(zip(patients, order, strict=False)):
        appointment = _book(
            receptionist=receptionist,
            doctor=doctor,
            patient=patient,
            slot=slot,
            reason=reasons[index % len(reasons)],
        )
        if appointment is None:
            continue
        booked += 1
        if index == 0:
            services.appointment_check_in(actor=receptionist, appointment=appointment)
    return booked


@register_demo_loader(order=40, name="appointments")
def load_demo_appointments() -> str:
    doctor = User.objects.get(username="doctor")
    receptionist = User.objects.get(username="receptionist")
    if not DoctorSchedule.objects.filter(doctor=doctor).exists():
        _schedule_every_day(receptionist=receptionist, doctor=doctor)
    patients = list(Patient.objects.exclude(user__username="patient").order_by("id")[:5])
    portal_patient = Patient.objects.filter(user__username="patient").first()
    today = timezone.localdate()
    booked = 0
    # Keyed on today's clinic patients: yesterday's run may have booked others for today.
    if not Appointment.objects.filter(doctor=doctor, date=today, patient__in=patients[:3]).exists():
        booked += _todays_clinic(doctor=doctor, receptionist=receptionist, patients=patients[:3])

    tomorrow = today + timedelta(days=1)
    if not Appointment.objects.filter(doctor=doctor, date=tomorrow).exists():
        free = selectors.doctor_availability(doctor=doctor, start=tomorrow, end=tomorrow)
        for patient, slot in zip(patients[3:], free, strict=False):
            services.appointment_book(
                actor=receptionist,
                patient=patient,
                doctor=doctor,
                date=slot.date,
                slot=slot.start,
                reason="Follow-up visit",
            )
            booked += 1

    upcoming = Appointment.objects.filter(
        patient=portal_patient, date__gt=tomorrow, status=AppointmentStatus.BOOKED
    )
    if portal_patient is not None and not upcoming.exists():
        later = today + timedelta(days=2)
        free = selectors.doctor_availability(doctor=doctor, start=later, end=later + timedelta(6))
        if free:
            services.appointment_book(
                actor=receptionist,
                patient=portal_patient,
                doctor=doctor,
                date=free[0].date,
                slot=free[0].start,
                reason="Annual check-up",
            )
            booked += 1
    waiting = Appointment.objects.filter(
        doctor=doctor, date=today, status=AppointmentStatus.CHECKED_IN
    ).count()
    return f"{booked} appointment(s) booked; {waiting} patient(s) waiting today"
