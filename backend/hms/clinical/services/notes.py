"""Visit notes, with an optional prescription file."""

from contextlib import contextmanager
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from hms.clinical.models import DocumentType, Encounter, VisitNote
from hms.clinical.services.base import (
    changed_fields,
    encounter_check,
    record_audit,
    record_lock_for_change,
    record_save,
)
from hms.clinical.services.diagnoses import diagnosis_create
from hms.clinical.services.documents import document_upload
from hms.clinical.services.voiding import clinical_record_void
from hms.core.models import AuditAction
from hms.core.plausible_dates import moment_check


@contextmanager
def _stored_files_removed_on_failure():
    """Collects the names of files stored inside the block and deletes them if the block
    fails: the rows that would have pointed at them roll back, and storage is not
    transactional. Put it outside the block's transaction."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def visit_note_create(
    *,
    actor,
    patient,
    notes: str,
    encounter: Encounter | None = None,
    appointment_public_id=None,
    visit_date: datetime | None = None,
    prescription_file=None,
) -> VisitNote:
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        return _visit_note_create(
            actor=actor,
            patient=patient,
            notes=notes,
            encounter=encounter,
            appointment_public_id=appointment_public_id,
            visit_date=visit_date,
            prescription_file=prescription_file,
            stored=stored,
        )


def _visit_note_create(
    *,
    actor,
    patient,
    notes,
    encounter,
    appointment_public_id,
    visit_date,
    prescription_file,
    stored: list[str],
) -> VisitNote:
    encounter_check(encounter=encounter, patient=patient)
    if visit_date is not None:
        moment_check(visit_date, field="visit_date", patient=patient)
    note = VisitNote(
        patient=patient,
        doctor=actor,
        encounter=encounter,
        appointment_public_id=appointment_public_id,
        visit_date=visit_date or timezone.now(),
        notes=notes,
    )
    if prescription_file is not None:
        note.prescription = document_upload(
            actor=actor,
            patient=patient,
            file=prescription_file,
            doc_type=DocumentType.PRESCRIPTION,
            encounter=encounter,
            appointment_public_id=appointment_public_id,
            description="Prescription attached to a visit note",
        )
        stored.append(note.prescription.file.name)
    record_save(note, actor=actor)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=note,
        detail={"prescription": str(note.prescription.public_id) if note.prescription else None},
    )
    return note


def visit_note_update(*, actor, note: VisitNote, prescription_file=None, **fields) -> VisitNote:
    """Amend a note (the previous text stays in its history). A new prescription file replaces
    the old one, which is voided, not deleted."""
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        return _visit_note_update(
            actor=actor, note=note, prescription_file=prescription_file, stored=stored, **fields
        )


def _visit_note_update(
    *, actor, note: VisitNote, prescription_file, stored: list[str], **fields
) -> VisitNote:
    note = record_lock_for_change(note)
    if "encounter" in fields:
        encounter_check(encounter=fields["encounter"], patient=note.patient)
    if fields.get("visit_date") is not None:
        moment_check(fields["visit_date"], field="visit_date", patient=note.patient)
    changed = changed_fields(note, fields)
    if prescription_file is not None:
        previous = note.prescription
        note.prescription = document_upload(
            actor=actor,
            patient=note.patient,
            file=prescription_file,
            doc_type=DocumentType.PRESCRIPTION,
            encounter=note.encounter,
            appointment_public_id=note.appointment_public_id,
            description="Prescription attached to a visit note",
        )
        stored.append(note.prescription.file.name)
        changed.append("prescription")
        if previous is not None and not previous.is_voided:
            clinical_record_void(
                actor=actor, record=previous, reason="Replaced by a new prescription file."
            )
    if changed:
        record_save(note, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=note, detail={"fields": changed}
        )
    return note


@transaction.atomic
def visit_note_with_diagnoses_create(
    *, actor, patient, encounter: Encounter, notes: str, codes
) -> VisitNote:
    """A visit note and its diagnoses (`codes`: (ICD-10 code, type) pairs) on one encounter,
    all or nothing: what a doctor writes at the end of a visit."""
    note = visit_note_create(actor=actor, patient=patient, notes=notes, encounter=encounter)
    for code, kind in codes:
        diagnosis_create(actor=actor, encounter=encounter, code=code, type=kind)
    return note
