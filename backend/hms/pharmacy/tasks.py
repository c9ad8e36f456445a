"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from hms.pharmacy import services


@shared_task(name="hms.pharmacy.tasks.notify_stock_alerts", time_limit=300, soft_time_limit=280)
def notify_stock_alerts() -> dict:
    """Daily (see CELERY_BEAT_SCHEDULE): notify pharmacists of low stock and expiring batches.
    Idempotent within a day (notifications are de-duplicated per item and day)."""
    return services.pharmacy_stock_alerts_notify()
