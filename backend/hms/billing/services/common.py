"""Helpers shared by billing's writes: audit, reasons, dates and the hospital's currency."""

from datetime import date, datetime

from django.utils import timezone

from hms.billing.money import hospital_currency
from hms.core.errors import ApplicationError
from hms.core.services import audit_record

MIN_REASON_LENGTH = 3


def _audit(*, actor, action, resource_type: str, obj, patient_id="", detail=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=obj.public_id,
        patient_id=patient_id,
        detail=detail,
    )


def _require_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ApplicationError(
            "Say why.",
            code="reason_required",
            fields={field: [f"A reason of at least {MIN_REASON_LENGTH} characters is required."]},
        )
    return reason


# The latest an invoice may fall due, counted from its issue.
MAX_DUE_DAYS = 366


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _check_currency(currency: str) -> None:
    if currency != hospital_currency():
        raise ApplicationError(
            f"The hospital bills in {hospital_currency()}, not {currency}.",
            code="wrong_currency",
            fields={"currency": [f"Must be {hospital_currency()}."]},
        )
