"""Encounters: open, change and close them."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from hms.clinical.models import Encounter, EncounterStatus, EncounterType
from hms.clinical.services.base import (
    changed_fields,
    record_audit,
    record_lock_for_change,
    record_save,
)
from hms.core.errors import ConflictError
from hms.core.models import AuditAction
from hms.core.plausible_dates import moment_check
from hms.core.transactions import service_transaction


@service_transaction
def encounter_create(
    *,
    actor,
    patient,
    type: EncounterType | str,
    attending_doctor=None,
    started_at: datetime | None = None,
    reason: str = "",
) -> Encounter:
    doctor = attending_doctor or actor
    if not doctor.is_active_doctor:
        raise ValidationError(
            {"attending_doctor": ["The attending doctor must be an active doctor."]}
        )
    started_at = moment_check(started_at or timezone.now(), field="started_at", patient=patient)
    encounter = Encounter(
        patient=patient,
        attending_doctor=doctor,
        type=type,
        started_at=started_at,
        reason=reason,
        created_by=actor,
    )
    record_save(encounter, actor=actor)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=encounter,
        detail={"type": str(type), "attending_doctor": str(doctor.public_id)},
    )
    return encounter


@service_transaction
def encounter_update(*, actor, encounter: Encounter, **fields) -> Encounter:
    """Change type, reason, start time or attending doctor of an open encounter."""
    encounter = record_lock_for_change(encounter)
    if encounter.status == EncounterStatus.CLOSED:
        raise ConflictError("A closed encounter cannot be changed.", code="encounter_closed")
    doctor = fields.get("attending_doctor")
    if doctor is not None and not doctor.is_active_doctor:
        raise ValidationError(
            {"attending_doctor": ["The attending doctor must be an active doctor."]}
        )
    if fields.get("started_at"):
        moment_check(fields["started_at"], field="started_at", patient=encounter.patient)
    changed = changed_fields(encounter, fields)
    if changed:
        record_save(encounter, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=encounter, detail={"fields": changed}
        )
    return encounter


@service_transaction
def encounter_close(*, actor, encounter: Encounter, ended_at: datetime | None = None) -> Encounter:
    encounter = record_lock_for_change(encounter)
    if encounter.status == EncounterStatus.CLOSED:
        raise ConflictError("This encounter is already closed.", code="encounter_closed")
    ended_at = ended_at or timezone.now()
    if ended_at < encounter.started_at:
        raise ValidationError({"ended_at": ["The encounter cannot end before it started."]})
    moment_check(ended_at, field="ended_at", patient=encounter.patient)
    encounter.status = EncounterStatus.CLOSED
    encounter.ended_at = ended_at
    record_save(encounter, actor=actor, reason="closed")
    record_audit(actor=actor, action=AuditAction.UPDATE, record=encounter, detail={"closed": True})
    return encounter
