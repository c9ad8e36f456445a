"""Voiding, the medical record's only "delete": the record stays, marked, with a reason."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from hms.clinical.models import Encounter, VoidableModel
from hms.clinical.services.base import record_audit, record_lock, record_save
from hms.core.errors import ConflictError
from hms.core.models import AuditAction
from hms.core.transactions import service_transaction


def _active_dependants(record) -> Iterable[str]:
    if isinstance(record, Encounter):
        for label, manager in (
            ("visit notes", record.visit_notes),
            ("vital signs", record.vitals),
            ("diagnoses", record.diagnoses),
            ("documents", record.documents),
        ):
            if manager.exists():
                yield label


@service_transaction
def clinical_record_void(*, actor, record: VoidableModel, reason: str) -> VoidableModel:
    """Void a clinical record: it stays in the database, in its history and in the chart (marked
    voided), and leaves ordinary lists. An encounter is voided only after its records are."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why this record is voided."]})
    record = record_lock(record)
    if record.is_voided:
        raise ConflictError("This record is already voided.", code="already_voided")
    dependants = list(_active_dependants(record))
    if dependants:
        raise ConflictError(
            f"Void this encounter's {', '.join(dependants)} first.",
            code="encounter_has_records",
            extra={"records": dependants},
        )
    record.voided_at = timezone.now()
    record.voided_by = actor
    record.void_reason = reason
    record_save(record, actor=actor, reason=f"voided: {reason}")
    record_audit(actor=actor, action=AuditAction.VOID, record=record, detail={"reason": reason})
    return record
