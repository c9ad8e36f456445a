"""Reads for the formulary, stock, prescriptions and alerts, each with its access scope."""

from datetime import date, timedelta

from django.utils import timezone

from hms.pharmacy.models import (
    PrescriptionItem,
    PrescriptionStatus,
)

EXPIRY_ALERT_DAYS = 90


# --- Current therapy (also read by hms.inpatient for the medication administration record) ---


def active_prescription_items_for_patient(patient, *, today: date | None = None):
    """The patient's current medication items, oldest first: each with `drug` loaded and
    `dose`, `dose_unit`, `route`, `frequency`, `duration_days`, `start_date`, `instructions`,
    `end_date` (None: until stopped) and the `prescription` (status, prescriber).

    Current = prescription not cancelled, started, and within its duration. Returns a list
    (one query, whatever the number of items)."""
    today = today or timezone.localdate()
    rows = (
        PrescriptionItem.objects.filter(prescription__patient=patient, start_date__lte=today)
        .exclude(prescription__status=PrescriptionStatus.CANCELLED)
        .select_related("drug", "prescription", "prescription__prescriber")
        .order_by("start_date", "id")
    )
    current = []
    for item in rows:
        item.end_date = (
            item.start_date + timedelta(days=item.duration_days)
            if item.duration_days is not None
            else None
        )
        if item.end_date is None or item.end_date > today:
            current.append(item)
    return current
