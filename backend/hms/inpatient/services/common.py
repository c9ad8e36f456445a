"""Helpers the inpatient services share: the audit record, the time a record may carry,
saving against unique constraints, and locking an admission or a bed."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.core.errors import ApplicationError, ConflictError
from hms.core.plausible_dates import clock_skew
from hms.core.services import audit_record
from hms.inpatient.models import Admission, AdmissionStatus, Bed, BedStay

# How far back an admission, transfer or chart entry may be recorded (a night admission entered
# in the morning); nothing may be recorded in the future (a few minutes of clock skew allowed).
MAX_BACKDATE = timedelta(days=7)


def audit(*, actor, action, resource_type: str, record, patient=None, detail=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=record.public_id,
        patient_id=patient.public_id if patient is not None else "",
        detail=detail,
    )


def checked_time(
    value: datetime | None, *, field: str, not_before: datetime | None = None
) -> datetime:
    now = timezone.now()
    value = value or now
    if value > now + clock_skew():
        raise ValidationError({field: ["Cannot be in the future."]})
    if value < now - MAX_BACKDATE:
        raise ValidationError({field: [f"Cannot be more than {MAX_BACKDATE.days} days ago."]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [f"Cannot be before {not_before.isoformat()}."]})
    return value


def apply_changes(record, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def save_unique(record, *, error: ApplicationError) -> None:
    """Save; a unique constraint lost to a concurrent request becomes `error`."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise error from exc


def lock_admission(admission: Admission) -> Admission:
    locked = (
        Admission.objects.select_for_update()
        .select_related("patient", "ward", "bed", "encounter", "attending_doctor")
        .get(pk=admission.pk)
    )
    return locked


def check_active(admission: Admission) -> None:
    if admission.status != AdmissionStatus.ACTIVE:
        raise ConflictError(
            "This admission has ended (the patient was discharged).", code="admission_not_active"
        )


def open_stay(admission: Admission) -> BedStay:
    return BedStay.objects.select_for_update().get(admission=admission, ended_at__isnull=True)


def chart_time(admission: Admission, value: datetime | None, field: str) -> datetime:
    check_active(admission)
    return checked_time(value, field=field, not_before=admission.admitted_at)


def lock_bed(bed: Bed) -> Bed:
    return Bed.objects.select_for_update().select_related("ward", "room").get(pk=bed.pk)


def mark_bed(bed: Bed, status: str, note: str = "") -> None:
    bed.status = status
    bed.status_note = note
    bed.status_changed_at = timezone.now()
    bed.save(update_fields=["status", "status_note", "status_changed_at", "updated_at"])
