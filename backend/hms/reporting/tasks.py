"""Celery tasks: thin wrappers around the summary refresh (hms.reporting.summaries) and the
scheduled reports (hms.reporting.services). Periodic ones are declared in CELERY_BEAT_SCHEDULE
in config/settings/base.py."""

from celery import shared_task

from hms.reporting import summaries
from hms.reporting.services import schedules_send_due


@shared_task(
    name="hms.reporting.tasks.refresh_dirty_report_summaries",
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def refresh_dirty_report_summaries() -> int:
    """Rebuild the days a later change marked dirty (queued by the event subscribers)."""
    return summaries.refresh(only_dirty=True).total_days


@shared_task(
    name="hms.reporting.tasks.refresh_report_summaries_nightly",
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def refresh_report_summaries_nightly() -> int:
    """Periodic (see CELERY_BEAT_SCHEDULE): yesterday, the dirty days and the safety window."""
    return summaries.refresh().total_days


@shared_task(
    name="hms.reporting.tasks.send_due_report_schedules",
    time_limit=30 * 60,
    soft_time_limit=29 * 60,
)
def send_due_report_schedules() -> int:
    """Every 15 minutes: e-mail each scheduled report whose period has ended, once per
    period (see hms.reporting.services)."""
    return schedules_send_due()
