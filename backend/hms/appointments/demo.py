"""Demo schedule for the demo doctor and a few appointments today and tomorrow."""

from datetime import time, timedelta

from django.utils import timezone

from hms.accounts.models import User
from hms.appointments import selectors, services
from hms.appointments.models import Appointment, DoctorSchedule
from hms.core.demo import register_demo_loader
from hms.patients.models import Patient


@register_demo_loader(order=40, name="appointments")
def load_demo_appointments() -> str:
    doctor = User.objects.get(username="doctor")
    receptionist = User.objects.get(username="receptionist")
    if not DoctorSchedule.objects.filter(doctor=doctor).exists():
        blocks = [
            {"weekday": day, "start_time": start, "end_time": end}
            for day in range(6)
            for start, end in ((time(8), time(12, 30)), (time(13, 30), time(17)))
        ]
        services.schedule_set(actor=receptionist, doctor=doctor, slot_minutes=15, blocks=blocks)
    if Appointment.objects.filter(doctor=doctor).exists():
        return "already present"
    booked = 0
    patients = list(Patient.objects.exclude(user__username="patient").order_by("id")[:5])
    portal_patient = Patient.objects.filter(user__username="patient").first()
    today = timezone.localdate()
    for day in (today, today + timedelta(days=1)):
        free = selectors.doctor_availability(doctor=doctor, start=day, end=day)
        for patient, slot in zip(
            patients[:3] if day == today else patients[3:], free, strict=False
        ):
            services.appointment_book(
                actor=receptionist,
                patient=patient,
                doctor=doctor,
                date=slot.date,
                slot=slot.start,
                reason="Follow-up visit",
            )
            booked += 1
    if portal_patient is not None:
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
    return f"{booked} appointment(s) booked"
