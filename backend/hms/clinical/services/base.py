"""What the medical record's services share: validated saves with the history author, audit
events naming what changed, row locks.

Every function checks its rules, saves inside a transaction, records a history version
(django-simple-history, with the actor) and an audit event. Access is decided before a service
runs: the API resolves the patient or record through `hms.clinical.selectors` (which asks the
access module, `purpose="write"`), so a service receives objects the actor may change, and the
role table has already said the role may try.
"""

from typing import Any

from django.core.exceptions import ValidationError

from hms.clinical.models import AUDIT_RESOURCE_TYPES, Encounter, VoidableModel
from hms.core.errors import ConflictError
from hms.core.models import AuditAction
from hms.core.services import audit_record


def record_save(record: VoidableModel, *, actor, reason: str = "") -> None:
    """Validate field-level rules (choices, lengths) and save with the history author."""
    record.full_clean(exclude=_fk_fields(record), validate_unique=False, validate_constraints=False)
    record._history_user = actor
    if reason:
        record._change_reason = reason[:100]
    record.save()


def _fk_fields(record) -> list[str]:
    # Foreign keys were resolved (and scoped) by the caller; full_clean would re-query each.
    return [field.name for field in record._meta.fields if field.is_relation]


def record_audit(*, actor, action: AuditAction, record, detail: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=AUDIT_RESOURCE_TYPES[type(record)],
        object_id=record.public_id,
        patient_id=record.patient.public_id,
        detail=detail,
    )


def changed_fields(record, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def encounter_check(*, encounter: Encounter | None, patient) -> None:
    if encounter is None:
        return
    if encounter.patient_id != patient.pk:
        raise ValidationError({"encounter": ["This encounter belongs to another patient."]})
    if encounter.is_voided:
        raise ValidationError({"encounter": ["This encounter was voided."]})


def record_lock(record):
    """Re-read the row FOR UPDATE so two concurrent edits apply one after the other."""
    locked = type(record).all_objects.select_for_update().get(pk=record.pk)
    # Keep the relations the caller already loaded (patient, doctor, ...) when unchanged.
    for field in record._meta.fields:
        if (
            field.is_relation
            and field.is_cached(record)
            and getattr(locked, field.attname) == getattr(record, field.attname)
        ):
            field.set_cached_value(locked, field.get_cached_value(record))
    return locked


def record_lock_for_change(record):
    locked = record_lock(record)
    if locked.is_voided:
        raise ConflictError("A voided record cannot be changed.", code="record_voided")
    return locked
