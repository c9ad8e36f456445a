"""The medication administration record: what happened to a dose (given, held, refused)."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.inpatient import selectors
from hms.inpatient.mar import PRN
from hms.inpatient.models import AdministrationStatus, Admission, MedicationAdministration
from hms.inpatient.services.common import audit, chart_time, save_unique


def _dose_recorded() -> ConflictError:
    return ConflictError("This dose has already been recorded.", code="dose_already_recorded")


@transaction.atomic
def administration_record(
    *,
    actor: User,
    admission: Admission,
    prescription_item,
    status: str,
    scheduled_at: datetime | None = None,
    administered_at: datetime | None = None,
    dose: str = "",
    reason: str = "",
) -> MedicationAdministration:
    """Record what happened to a dose: `given`, `held` or `refused` (the last two need a
    reason). A scheduled dose is named by its `scheduled_at` (one record each, 409
    `dose_already_recorded`); an as-needed (PRN) dose has none."""
    administered_at = chart_time(admission, administered_at, "administered_at")
    if prescription_item.prescription.patient_id != admission.patient_id:
        raise ApplicationError(
            "This prescription is for another patient.",
            code="validation_error",
            fields={"prescription_item": ["Not this patient's prescription."]},
        )
    if status not in AdministrationStatus.values:
        raise ValidationError({"status": ["given, held or refused."]})
    reason = (reason or "").strip()
    if status != AdministrationStatus.GIVEN and not reason:
        raise ValidationError({"reason": [f"Say why the dose was {status}."]})
    if prescription_item.frequency == PRN:
        if scheduled_at is not None:
            raise ValidationError({"scheduled_at": ["An as-needed dose has no scheduled time."]})
        if prescription_item.prescription.status == "cancelled":
            raise ConflictError("This prescription was cancelled.", code="prescription_cancelled")
    else:
        if scheduled_at is None:
            raise ValidationError({"scheduled_at": ["Name the scheduled dose (its due time)."]})
        # Dose times are UTC (hms.inpatient.mar): a local time in the hour the clocks go back
        # would equal none of them.
        scheduled_at = scheduled_at.astimezone(UTC)
        due = selectors.admission_dose_times(
            admission=admission, item=prescription_item, around=scheduled_at
        )
        if scheduled_at not in due:
            raise ApplicationError(
                "No dose of this item is due at that time.",
                code="not_a_scheduled_dose",
                fields={"scheduled_at": ["Not on this item's schedule."]},
            )
    if scheduled_at is not None and partial_unique_lock(Admission.objects.filter(pk=admission.pk)):
        # MySQL/MariaDB hold no one-record-per-dose constraint: with the admission locked,
        # look for the dose's record here.
        recorded = MedicationAdministration.objects.filter(
            prescription_item=prescription_item, scheduled_at=scheduled_at
        )
        if recorded.exists():
            raise _dose_recorded()
    record = MedicationAdministration(
        admission=admission,
        prescription_item=prescription_item,
        scheduled_at=scheduled_at,
        status=status,
        administered_at=administered_at,
        dose=dose or f"{prescription_item.dose.normalize():f} {prescription_item.dose_unit}",
        reason=reason,
        recorded_by=actor,
    )
    save_unique(record, error=_dose_recorded())
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="medication_administration",
        record=record,
        patient=admission.patient,
        detail={
            "admission": str(admission.public_id),
            "prescription_item": str(prescription_item.public_id),
            "status": status,
            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
        },
    )
    return record
