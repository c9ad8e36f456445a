"""Diagnoses and the problem list (ICD-10)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.clinical.icd10 import icd10_lookup
from hms.clinical.models import Diagnosis, DiagnosisType, Encounter, Problem, ProblemStatus
from hms.clinical.services.base import (
    changed_fields,
    encounter_check,
    record_audit,
    record_lock_for_change,
    record_save,
)
from hms.core.errors import ConflictError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.plausible_dates import day_check, moment_check
from hms.core.transactions import service_transaction
from hms.patients.models import Patient


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
    encounter_check(encounter=encounter, patient=encounter.patient)
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
    record_save(diagnosis, actor=actor)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=diagnosis,
        detail={"code": icd.code, "type": str(type)},
    )
    _problem_from_diagnosis(actor=actor, diagnosis=diagnosis)
    return diagnosis


def _problem_from_diagnosis(*, actor, diagnosis: Diagnosis) -> Problem | None:
    """A diagnosis made in a visit joins the problem list as an active problem, unless the
    code is already an active problem there. Its onset is the day of the diagnosis."""
    partial_unique_lock(Patient.objects.filter(pk=diagnosis.patient_id))  # as _save_problem
    if Problem.objects.filter(
        patient_id=diagnosis.patient_id, code=diagnosis.code, status=ProblemStatus.ACTIVE
    ).exists():
        return None
    problem = Problem(
        patient=diagnosis.patient,
        code=diagnosis.code,
        title=diagnosis.title,
        status=ProblemStatus.ACTIVE,
        onset_date=timezone.localdate(diagnosis.diagnosed_at),
        notes=f"From the {diagnosis.get_type_display().lower()} diagnosis of "
        f"{timezone.localdate(diagnosis.diagnosed_at):%d %b %Y}.",
        recorded_by=actor,
    )
    _save_problem(problem, actor=actor)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=problem,
        detail={"code": problem.code, "from_diagnosis": str(diagnosis.public_id)},
    )
    return problem


@service_transaction
def diagnosis_update(*, actor, diagnosis: Diagnosis, **fields) -> Diagnosis:
    """Confirm a provisional diagnosis, recode it or amend its notes."""
    diagnosis = record_lock_for_change(diagnosis)
    if fields.get("diagnosed_at") is not None:
        moment_check(fields["diagnosed_at"], field="diagnosed_at", patient=diagnosis.patient)
    if "code" in fields:
        icd = _icd10(fields.pop("code"))
        fields.update(code=icd.code, title=icd.title)
    changed = changed_fields(diagnosis, fields)
    if changed:
        record_save(diagnosis, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=diagnosis, detail={"fields": changed}
        )
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
            record_save(problem, actor=actor)
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
    record_audit(actor=actor, action=AuditAction.CREATE, record=problem, detail={"code": icd.code})
    return problem


@service_transaction
def problem_update(*, actor, problem: Problem, **fields) -> Problem:
    """Resolve (or reactivate) a problem, recode it, or amend its dates and notes."""
    problem = record_lock_for_change(problem)
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
    changed = changed_fields(problem, fields)
    if changed:
        _save_problem(problem, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=problem, detail={"fields": changed}
        )
    return problem
