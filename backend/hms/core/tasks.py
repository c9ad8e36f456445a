"""Celery tasks: thin wrappers that call services."""

from celery import shared_task

from hms.core import services


@shared_task(name="hms.core.tasks.escalate_overdue_critical_alerts", time_limit=55)
def escalate_overdue_critical_alerts() -> int:
    """Every minute (see CELERY_BEAT_SCHEDULE): escalate critical alerts left unacknowledged
    past CRITICAL_ALERT_ESCALATION_MINUTES. Each alert is escalated once."""
    return services.notification_escalate_overdue()
