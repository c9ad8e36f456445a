"""Periodic billing work (declared in CELERY_BEAT_SCHEDULE in config/settings/base.py)."""

from celery import shared_task
from django.db import transaction

from hms.billing.billable import bill_current_admissions_bed_days


@shared_task(
    name="hms.billing.tasks.charge_bed_days_of_current_admissions",
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def charge_bed_days_of_current_admissions() -> int:
    """Nightly, after midnight: charge the night just spent by every admitted patient (and any
    earlier night not yet charged). Each bed-day is charged once, so a rerun does nothing."""
    with transaction.atomic():
        return bill_current_admissions_bed_days()
