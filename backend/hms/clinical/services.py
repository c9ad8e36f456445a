"""Writes to the medical record. Every function checks its rules, saves inside a transaction,
records a history version (django-simple-history, with the actor) and an audit event.

Access is decided before a service runs: the API resolves the patient or record through
`hms.clinical.selectors` (which asks the access module, `purpose="write"`), so a service receives
objects the actor may change, and the role table has already said the role may try.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.clinical.icd10 import icd10_lookup
from hms.clinical.models import (
    AUDIT_RESOURCE_TYPES,
    Diagnosis,
    DiagnosisType,
    Document,
    DocumentType,
    Encounter,
    EncounterStatus,
    EncounterType,
    Problem,
    ProblemStatus,
    VisitNote,
    VitalSigns,
    VoidableModel,
)
from hms.clinical.uploads import inspect_upload, storage_name
from hms.clinical.vitals import MEASUREMENT_FIELDS, bmi_compute, vitals_errors
from hms.core.errors import ConflictError, ForbiddenError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.plausible_dates import day_check, moment_check
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.core.transactions import service_transaction
from hms.patients.models import Patient


def _save(record: VoidableModel, *, actor, reason: str = "") -> None:
    """Validate field-level rules (choices, lengths) and save with the history author."""
    record.full_clean(exclude=_fk_fields(record), validate_unique=False, validate_constraints=False)
    record._history_user = actor
    if reason:
        record._change_reason = reason[:100]
    record.save()


def _fk_fields(record) -> list[str]:
    # Foreign keys were resolved (and scoped) by the caller; full_clean would re-query each.
    return [field.name for field in record._meta.fields if field.is_relation]


def _audit(*, actor, action: AuditAction, record, detail: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=AUDIT_RESOURCE_TYPES[type(record)],
        object_id=record.public_id,
        patient_id=record.patient.public_id,
        detail=detail,
    )


def _changed(record, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def _check_encounter(*, encounter: Encounter | None, patient) -> None:
    if encounter is None:
        return
    if encounter.patient_id != patient.pk:
        raise ValidationError({"encounter": ["This encounter belongs to another patient."]})
    if encounter.is_voided:
        raise ValidationError({"encounter": ["This encounter was voided."]})


# --- Encounters ------------------------------------------------------------------------------


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
    if doctor.role != Role.DOCTOR or not doctor.is_active:
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
    _save(encounter, actor=actor)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=encounter,
        detail={"type": str(type), "attending_doctor": str(doctor.public_id)},
    )
    return encounter


@service_transaction
def encounter_update(*, actor, encounter: Encounter, **fields) -> Encounter:
    """Change type, reason, start time or attending doctor of an open encounter."""
    encounter = _lock_for_change(encounter)
    if encounter.status == EncounterStatus.CLOSED:
        raise ConflictError("A closed encounter cannot be changed.", code="encounter_closed")
    doctor = fields.get("attending_doctor")
    if doctor is not None and (doctor.role != Role.DOCTOR or not doctor.is_active):
        raise ValidationError(
            {"attending_doctor": ["The attending doctor must be an active doctor."]}
        )
    if fields.get("started_at"):
        moment_check(fields["started_at"], field="started_at", patient=encounter.patient)
    changed = _changed(encounter, fields)
    if changed:
        _save(encounter, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=encounter, detail={"fields": changed})
    return encounter


@service_transaction
def encounter_close(*, actor, encounter: Encounter, ended_at: datetime | None = None) -> Encounter:
    encounter = _lock_for_change(encounter)
    if encounter.status == EncounterStatus.CLOSED:
        raise ConflictError("This encounter is already closed.", code="encounter_closed")
    ended_at = ended_at or timezone.now()
    if ended_at < encounter.started_at:
        raise ValidationError({"ended_at": ["The encounter cannot end before it started."]})
    moment_check(ended_at, field="ended_at", patient=encounter.patient)
    encounter.status = EncounterStatus.CLOSED
    encounter.ended_at = ended_at
    _save(encounter, actor=actor, reason="closed")
    _audit(actor=actor, action=AuditAction.UPDATE, record=encounter, detail={"closed": True})
    return encounter


# --- Visit notes -----------------------------------------------------------------------------


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
    _check_encounter(encounter=encounter, patient=patient)
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
    _save(note, actor=actor)
    _audit(
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
    note = _lock_for_change(note)
    if "encounter" in fields:
        _check_encounter(encounter=fields["encounter"], patient=note.patient)
    if fields.get("visit_date") is not None:
        moment_check(fields["visit_date"], field="visit_date", patient=note.patient)
    changed = _changed(note, fields)
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
        _save(note, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=note, detail={"fields": changed})
    return note


# --- Vital signs ------------------------------------------------------------------------------


def _vitals_check(values: dict) -> None:
    errors = vitals_errors(values)
    if errors:
        raise ValidationError(errors)


def _vitals_stored(measurements: dict) -> dict:
    """Round decimals to the precision stored (36.85 °C -> 36.9), after the range check."""
    stored = dict(measurements)
    for name, value in measurements.items():
        if value is None:
            continue
        places = VitalSigns._meta.get_field(name).decimal_places if name in DECIMAL_VITALS else 0
        if places:
            stored[name] = Decimal(str(value)).quantize(
                Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
            )
    return stored


DECIMAL_VITALS = frozenset({"temperature_c", "weight_kg", "height_cm"})


@service_transaction
def vital_signs_record(
    *,
    actor,
    patient,
    encounter: Encounter | None = None,
    measured_at: datetime | None = None,
    **measurements: int | Decimal | None,
) -> VitalSigns:
    unknown = set(measurements) - set(MEASUREMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measurements: {sorted(unknown)}")
    _vitals_check(measurements)
    measurements = _vitals_stored(measurements)
    _check_encounter(encounter=encounter, patient=patient)
    measured_at = moment_check(measured_at or timezone.now(), field="measured_at", patient=patient)
    vitals = VitalSigns(
        patient=patient,
        encounter=encounter,
        recorded_by=actor,
        measured_at=measured_at,
        **measurements,
    )
    vitals.bmi = bmi_compute(weight_kg=vitals.weight_kg, height_cm=vitals.height_cm)
    _save(vitals, actor=actor)
    _audit(actor=actor, action=AuditAction.CREATE, record=vitals)
    return vitals


@service_transaction
def vital_signs_update(*, actor, vitals: VitalSigns, **fields) -> VitalSigns:
    """Correct a measurement (the wrong value stays in the history); BMI is derived again."""
    vitals = _lock_for_change(vitals)
    merged = {name: fields.get(name, getattr(vitals, name)) for name in MEASUREMENT_FIELDS}
    _vitals_check(merged)
    fields = {**fields, **_vitals_stored({k: v for k, v in fields.items() if k in merged})}
    if "encounter" in fields:
        _check_encounter(encounter=fields["encounter"], patient=vitals.patient)
    if fields.get("measured_at") is not None:
        moment_check(fields["measured_at"], field="measured_at", patient=vitals.patient)
    changed = _changed(vitals, fields)
    if changed:
        vitals.bmi = bmi_compute(weight_kg=vitals.weight_kg, height_cm=vitals.height_cm)
        _save(vitals, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=vitals, detail={"fields": changed})
    return vitals


# --- Diagnoses and problems -------------------------------------------------------------------


def _icd10(code: str, field: str = "code"):
    try:
        return icd10_lookup(code)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


@service_transaction
def diagnosis_create(
    *,
    actor,
    encounter: Encounter,
    code: str,
    type: DiagnosisType | str = DiagnosisType.PROVISIONAL,
    notes: str = "",
    diagnosed_at: datetime | None = None,
) -> Diagnosis:
    _check_encounter(encounter=encounter, patient=encounter.patient)
    icd = _icd10(code)
    if diagnosed_at is not None:
        moment_check(diagnosed_at, field="diagnosed_at", patient=encounter.patient)
    diagnosis = Diagnosis(
        patient=encounter.patient,
        encounter=encounter,
        code=icd.code,
        title=icd.title,
        type=type,
        notes=notes,
        diagnosed_at=diagnosed_at or timezone.now(),
        diagnosed_by=actor,
    )
    _save(diagnosis, actor=actor)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=diagnosis,
        detail={"code": icd.code, "type": str(type)},
    )
    return diagnosis


@service_transaction
def diagnosis_update(*, actor, diagnosis: Diagnosis, **fields) -> Diagnosis:
    """Confirm a provisional diagnosis, recode it or amend its notes."""
    diagnosis = _lock_for_change(diagnosis)
    if fields.get("diagnosed_at") is not None:
        moment_check(fields["diagnosed_at"], field="diagnosed_at", patient=diagnosis.patient)
    if "code" in fields:
        icd = _icd10(fields.pop("code"))
        fields.update(code=icd.code, title=icd.title)
    changed = _changed(diagnosis, fields)
    if changed:
        _save(diagnosis, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=diagnosis, detail={"fields": changed})
    return diagnosis


def _problem_dates(*, status: str, onset_date: date | None, resolved_date: date | None, patient):
    if status == ProblemStatus.ACTIVE and resolved_date is not None:
        raise ValidationError({"resolved_date": ["An active problem has no resolved date."]})
    if status == ProblemStatus.RESOLVED and resolved_date is None:
        resolved_date = timezone.localdate()
    if resolved_date and resolved_date > timezone.localdate():
        raise ValidationError({"resolved_date": ["The resolved date cannot be in the future."]})
    if onset_date and onset_date > timezone.localdate():
        raise ValidationError({"onset_date": ["The onset date cannot be in the future."]})
    if onset_date:
        day_check(onset_date, field="onset_date", patient=patient)
    if resolved_date:
        day_check(resolved_date, field="resolved_date", patient=patient)
    if onset_date and resolved_date and resolved_date < onset_date:
        raise ValidationError({"resolved_date": ["A problem cannot resolve before its onset."]})
    return resolved_date


def _save_problem(problem: Problem, *, actor) -> None:
    """Save, answering 409 when the code is already an active problem (the partial unique
    constraint closes the race between the check and the insert)."""
    duplicate = ConflictError(
        f"{problem.code} is already an active problem of this patient.",
        code="problem_already_active",
    )
    if problem.status == ProblemStatus.ACTIVE:
        # Where the partial constraint cannot exist (MySQL/MariaDB), writers of one patient's
        # problems queue on the patient's row, so the check below is final.
        partial_unique_lock(Patient.objects.filter(pk=problem.patient_id))
    if (
        problem.status == ProblemStatus.ACTIVE
        and Problem.objects.filter(
            patient_id=problem.patient_id, code=problem.code, status=ProblemStatus.ACTIVE
        )
        .exclude(pk=problem.pk)
        .exists()
    ):
        raise duplicate
    try:
        with transaction.atomic():
            _save(problem, actor=actor)
    except IntegrityError as error:
        if "problem_one_active_per_code" not in str(error) and "UNIQUE" not in str(error).upper():
            raise
        raise duplicate from error


@service_transaction
def problem_create(
    *,
    actor,
    patient,
    code: str,
    status: ProblemStatus | str = ProblemStatus.ACTIVE,
    onset_date: date | None = None,
    resolved_date: date | None = None,
    notes: str = "",
) -> Problem:
    icd = _icd10(code)
    resolved_date = _problem_dates(
        status=status, onset_date=onset_date, resolved_date=resolved_date, patient=patient
    )
    problem = Problem(
        patient=patient,
        code=icd.code,
        title=icd.title,
        status=status,
        onset_date=onset_date,
        resolved_date=resolved_date,
        notes=notes,
        recorded_by=actor,
    )
    _save_problem(problem, actor=actor)
    _audit(actor=actor, action=AuditAction.CREATE, record=problem, detail={"code": icd.code})
    return problem


@service_transaction
def problem_update(*, actor, problem: Problem, **fields) -> Problem:
    """Resolve (or reactivate) a problem, recode it, or amend its dates and notes."""
    problem = _lock_for_change(problem)
    if "code" in fields:
        icd = _icd10(fields.pop("code"))
        fields.update(code=icd.code, title=icd.title)
    status = fields.get("status", problem.status)
    if status == ProblemStatus.ACTIVE and "resolved_date" not in fields:
        fields["resolved_date"] = None  # reactivated
    fields["resolved_date"] = _problem_dates(
        status=status,
        onset_date=fields.get("onset_date", problem.onset_date),
        resolved_date=fields.get("resolved_date", problem.resolved_date),
        patient=problem.patient,
    )
    changed = _changed(problem, fields)
    if changed:
        _save_problem(problem, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=problem, detail={"fields": changed})
    return problem


# --- Documents --------------------------------------------------------------------------------


@transaction.atomic  # stores a file: not run twice (hms.core.transactions)
def document_upload(
    *,
    actor,
    patient,
    file,
    doc_type: DocumentType | str,
    description: str = "",
    encounter: Encounter | None = None,
    appointment_public_id=None,
) -> Document:
    """Store an uploaded file after checking its size and its real type (from its content)."""
    _check_encounter(encounter=encounter, patient=patient)
    inspected = inspect_upload(file)
    name = default_storage.save(
        storage_name(folder="documents", file_type=inspected.file_type), file
    )
    try:
        document = Document(
            patient=patient,
            encounter=encounter,
            appointment_public_id=appointment_public_id,
            doc_type=doc_type,
            description=description,
            file=name,
            original_name=inspected.download_name(),
            content_type=inspected.file_type.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=actor,
        )
        _save(document, actor=actor)
        _audit(
            actor=actor,
            action=AuditAction.CREATE,
            record=document,
            detail={
                "doc_type": str(doc_type),
                "sha256": inspected.sha256,
                "size": inspected.size,
                "content_type": inspected.file_type.content_type,
            },
        )
    except Exception:
        default_storage.delete(name)  # no orphan file when the row is not written
        raise
    return document


@service_transaction
def document_update(*, actor, document: Document, **fields) -> Document:
    """Change a document's type, description or encounter (the file itself never changes)."""
    document = _lock_for_change(document)
    if "encounter" in fields:
        _check_encounter(encounter=fields["encounter"], patient=document.patient)
    changed = _changed(document, fields)
    if changed:
        _save(document, actor=actor)
        _audit(actor=actor, action=AuditAction.UPDATE, record=document, detail={"fields": changed})
    return document


@service_transaction
def document_void(*, actor, document: Document, reason: str) -> Document:
    """Void a document. A patient may void only the documents they uploaded themselves."""
    if actor.role == Role.PATIENT and document.uploaded_by_id != actor.pk:
        raise ForbiddenError("You can void only documents you uploaded.", code="not_your_upload")
    return clinical_record_void(actor=actor, record=document, reason=reason)


def document_download_record(*, actor, document: Document) -> None:
    """Audit that the file's bytes were handed out (the chart read is audited by access)."""
    _audit(
        actor=actor,
        action=AuditAction.READ,
        record=document,
        detail={"download": True, "sha256": document.sha256},
    )


# --- Voiding (the only "delete") ---------------------------------------------------------------


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
    record = _lock(record)
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
    _save(record, actor=actor, reason=f"voided: {reason}")
    _audit(actor=actor, action=AuditAction.VOID, record=record, detail={"reason": reason})
    return record


def _lock(record):
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


def _lock_for_change(record):
    locked = _lock(record)
    if locked.is_voided:
        raise ConflictError("A voided record cannot be changed.", code="record_voided")
    return locked
