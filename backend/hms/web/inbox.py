"""Where a notification leads on the web: the page its reader can open for the thing it is
about. The server stores an API link with each notification (for every client); the portal
turns it into the page the reader's role has for it, or into the inbox when there is none."""

import uuid

from django.urls import reverse

from hms.core.models import Notification
from hms.web.navigation import PORTAL_ROLES, WORKSPACE_ROLES

# Kinds whose subject is a result: a doctor opens the patient's results, a patient their own.
RESULT_KIND_PREFIXES = ("lab_", "radiology_")


def notification_web_url(notification: Notification, user) -> str | None:
    """The page for this notification's subject, for this reader; None when the web has none
    (the inbox shows the notification itself then)."""
    kind = notification.kind
    if user.role in WORKSPACE_ROLES and _is_uuid(notification.patient_id):
        view = (
            "web:workspace-results-patient"
            if kind.startswith(RESULT_KIND_PREFIXES)
            else "web:workspace-chart"
        )
        return reverse(view, kwargs={"patient_id": notification.patient_id})
    if user.role in PORTAL_ROLES:
        if kind.startswith(RESULT_KIND_PREFIXES):
            return reverse("web:portal-results")
        if kind.startswith("appointment"):
            return reverse("web:portal-appointments")
        if kind.startswith(("invoice", "billing")):
            return reverse("web:portal-invoices")
    return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
