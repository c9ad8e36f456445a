"""Celery tasks: thin wrappers that take ids and call services."""

from celery import shared_task

from hms.appointments import selectors, services


@shared_task(
    name="hms.appointments.tasks.send_appointment_reminder", time_limit=60, soft_time_limit=50
)
def send_appointment_reminder(appointment_id: int) -> bool:
    return services.appointment_reminder_send(appointment_id=appointment_id)


@shared_task(
    name="hms.appointments.tasks.send_due_appointment_reminders",
    time_limit=300,
    soft_time_limit=280,
)
def send_due_appointment_reminders() -> int:
    """Periodic (see CELERY_BEAT_SCHEDULE): queue a reminder for each appointment due one."""
    ids = list(selectors.appointments_due_for_reminder().values_list("id", flat=True)[:1000])
    for appointment_id in ids:
        send_appointment_reminder.delay(appointment_id)
    return len(ids)
