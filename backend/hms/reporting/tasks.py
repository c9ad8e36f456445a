"""Periodic reporting work (declared in CELERY_BEAT_SCHEDULE in config/settings/base.py)."""

from celery import shared_task

from hms.reporting.services import schedules_send_due


@shared_task(
    name="hms.reporting.tasks.send_due_report_schedules",
    time_limit=30 * 60,
    soft_time_limit=29 * 60,
)
def send_due_report_schedules() -> int:
    """Every 15 minutes: e-mail each scheduled report whose period has ended, once per
    period (see hms.reporting.services)."""
    return schedules_send_due()
