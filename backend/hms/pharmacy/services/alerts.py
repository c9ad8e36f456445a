"""The daily stock alerts sent to pharmacists."""

from datetime import date

from django.utils import timezone

from hms.core.roles import Role
from hms.core.services import notification_create_for_role
from hms.pharmacy import selectors


def pharmacy_stock_alerts_notify(*, today: date | None = None) -> dict[str, int]:
    """Notify every pharmacist of each low-stock drug and each batch expiring within
    EXPIRY_ALERT_DAYS (or expired with stock left): one notification per item per day."""
    today = today or timezone.localdate()
    counts = {"low_stock": 0, "expiring": 0, "expired": 0}
    for alert in selectors.stock_alerts(today=today):
        kind = alert["kind"]
        counts[kind] += 1
        key_object = alert["batch"].public_id if alert["batch"] else alert["drug"].public_id
        notification_create_for_role(
            role=Role.PHARMACIST,
            kind=f"pharmacy_{kind}",
            title=alert["title"],
            body=alert["message"],
            severity=alert["severity"],
            link="/api/pharmacy/alerts/",
            dedupe_key=f"pharmacy:{kind}:{key_object}:{today.isoformat()}",
        )
    return counts
