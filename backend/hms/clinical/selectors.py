"""Reads of the medical record. Each one owns its access scope and its joins.

A list filtered by `patient` opens that chart through the access module (404 for another
patient's id, 403 `break_glass_required` for a clinician outside the care relationship), which
audits the read. A list without `patient` is limited to the charts the user may see
(`charts_listable_by`) and audited as one cross-chart read. A single record is returned only
after its patient's chart is opened the same way.
"""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from hms.clinical.models import (
    AUDIT_RESOURCE_TYPES,
    Diagnosis,
    Document,
    Encounter,
    Problem,
    VisitNote,
    VitalSigns,
)
from hms.clinical.timeline import TimelineEntry, timeline_collect
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.access import (
    CARE_BOUND_ROLES,
    ChartSection,
    patient_get_for_user,
    patients_in_care_of,
    section_allowed,
)
from hms.patients.models import Patient

logger = logging.getLogger(__name__)

VOIDED_BY = ("voided_by",)


def clinical_patient_get(
    *, user, patient_id, section: str = ChartSection.CLINICAL, purpose: str = "read"
):
    """Open one patient's chart section (checked and audited by the access module)."""
    return patient_get_for_user(
        user=user, patient_public_id=patient_id, section=section, purpose=purpose
    )


def charts_listable_by(*, user, section: str = ChartSection.CLINICAL) -> QuerySet[Patient]:
    """The patients whose `section` may appear in this user's cross-patient lists.

    A patient: their own chart. Doctors and nurses: the patients in their care (a chart opened
    by break-the-glass is read one patient at a time, with `?patient=`, so each read is
    audited as emergency access). Other roles allowed the section: every patient. Roles not
    allowed the section: nobody (the role table normally stops them earlier).
    """
    if not section_allowed(user=user, section=section):
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if user.role in CARE_BOUND_ROLES:
        return patients_in_care_of(user=user)
    return Patient.objects.all()


def _scoped(
    model: type[Model],
    *,
    user,
    filters: dict[str, Any],
    select: tuple[str, ...],
    date_field: str,
    section: str = ChartSection.CLINICAL,
) -> QuerySet:
    manager = model.all_objects if filters.get("include_voided") else model.objects
    queryset = manager.select_related("patient", *select, *VOIDED_BY)
    if patient_id := filters.get("patient"):
        patient = clinical_patient_get(user=user, patient_id=patient_id, section=section)
        queryset = queryset.filter(patient=patient)
    else:
        queryset = queryset.filter(
            patient__in=charts_listable_by(user=user, section=section).values("pk")
        )
        audit_record(
            actor=user,
            action=AuditAction.READ,
            resource_type=AUDIT_RESOURCE_TYPES[model],
            detail={"list": True, "filters": {k: str(v) for k, v in filters.items()}},
        )
    if encounter_id := filters.get("encounter"):
        queryset = queryset.filter(encounter__public_id=encounter_id)
    if since := filters.get("since"):
        queryset = queryset.filter(**{f"{date_field}__gte": since})
    if until := filters.get("until"):
        queryset = queryset.filter(**{f"{date_field}__lt": until})
    return queryset


def _record_get(
    model: type[Model],
    *,
    user,
    public_id,
    select: tuple[str, ...],
    section: str = ChartSection.CLINICAL,
    purpose: str = "read",
):
    """One record (voided ones too: the chart shows them), after its chart is opened."""
    record = (
        model.all_objects.select_related("patient", *select, *VOIDED_BY)
        .filter(public_id=public_id)
        .first()
    )
    if record is None:
        raise NotFoundError(f"No {model._meta.verbose_name} with this id.")
    patient = clinical_patient_get(
        user=user, patient_id=record.patient.public_id, section=section, purpose=purpose
    )
    record.patient = patient
    return record


# --- Encounters ------------------------------------------------------------------------------

ENCOUNTER_SELECT = ("attending_doctor",)


def encounter_list(*, user, filters: dict[str, Any]) -> QuerySet[Encounter]:
    queryset = _scoped(
        Encounter, user=user, filters=filters, select=ENCOUNTER_SELECT, date_field="started_at"
    )
    for field in ("status", "type"):
        if value := filters.get(field):
            queryset = queryset.filter(**{field: value})
    if doctor_id := filters.get("doctor"):
        queryset = queryset.filter(attending_doctor__public_id=doctor_id)
    return queryset


def encounter_get(*, user, encounter_id, purpose: str = "read") -> Encounter:
    return _record_get(
        Encounter, user=user, public_id=encounter_id, select=ENCOUNTER_SELECT, purpose=purpose
    )


def encounter_for_write(*, user, encounter_id) -> Encounter:
    """The encounter a new diagnosis is made on (400 when there is none), its chart opened for
    writing (404 / 403 as the access module decides)."""
    encounter = Encounter.objects.select_related("patient").filter(public_id=encounter_id).first()
    if encounter is None:
        raise ValidationError({"encounter": ["No such encounter."]})
    encounter.patient = clinical_patient_get(
        user=user, patient_id=encounter.patient.public_id, purpose="write"
    )
    return encounter


def encounter_for_patient(*, patient, encounter_id) -> Encounter | None:
    """An encounter of this patient (already opened by the caller), or None. Not voided."""
    if encounter_id is None:
        return None
    return Encounter.objects.filter(public_id=encounter_id, patient=patient).first()


def encounter_for_patient_field(*, patient, encounter_id) -> Encounter | None:
    """The encounter named in a request's `encounter` field: this patient's, None when the
    field is empty, a 400 naming the field otherwise."""
    if not encounter_id:
        return None
    encounter = encounter_for_patient(patient=patient, encounter_id=encounter_id)
    if encounter is None:
        raise ApplicationError(
            "No such encounter for this patient.",
            code="validation_error",
            fields={"encounter": ["No such encounter for this patient."]},
        )
    return encounter


# --- Visit notes, vitals, diagnoses, problems, documents --------------------------------------

VISIT_NOTE_SELECT = ("doctor", "encounter", "prescription")


def visit_note_list(*, user, filters: dict[str, Any]) -> QuerySet[VisitNote]:
    queryset = _scoped(
        VisitNote, user=user, filters=filters, select=VISIT_NOTE_SELECT, date_field="visit_date"
    )
    if doctor_id := filters.get("doctor"):
        queryset = queryset.filter(doctor__public_id=doctor_id)
    return queryset


def visit_note_get(*, user, note_id, purpose: str = "read") -> VisitNote:
    return _record_get(
        VisitNote, user=user, public_id=note_id, select=VISIT_NOTE_SELECT, purpose=purpose
    )


VITALS_SELECT = ("recorded_by", "encounter")


def vital_signs_list(*, user, filters: dict[str, Any]) -> QuerySet[VitalSigns]:
    return _scoped(
        VitalSigns, user=user, filters=filters, select=VITALS_SELECT, date_field="measured_at"
    )


def vital_signs_get(*, user, vitals_id, purpose: str = "read") -> VitalSigns:
    return _record_get(
        VitalSigns, user=user, public_id=vitals_id, select=VITALS_SELECT, purpose=purpose
    )


DIAGNOSIS_SELECT = ("diagnosed_by", "encounter")


def diagnosis_list(*, user, filters: dict[str, Any]) -> QuerySet[Diagnosis]:
    queryset = _scoped(
        Diagnosis, user=user, filters=filters, select=DIAGNOSIS_SELECT, date_field="diagnosed_at"
    )
    if code := filters.get("code"):
        queryset = queryset.filter(code__startswith=code)
    if kind := filters.get("type"):
        queryset = queryset.filter(type=kind)
    return queryset


def diagnosis_get(*, user, diagnosis_id, purpose: str = "read") -> Diagnosis:
    return _record_get(
        Diagnosis, user=user, public_id=diagnosis_id, select=DIAGNOSIS_SELECT, purpose=purpose
    )


PROBLEM_SELECT = ("recorded_by",)


def problem_list(*, user, filters: dict[str, Any]) -> QuerySet[Problem]:
    queryset = _scoped(
        Problem, user=user, filters=filters, select=PROBLEM_SELECT, date_field="created_at"
    )
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if code := filters.get("code"):
        queryset = queryset.filter(code__startswith=code)
    return queryset


def problem_get(*, user, problem_id, purpose: str = "read") -> Problem:
    return _record_get(
        Problem, user=user, public_id=problem_id, select=PROBLEM_SELECT, purpose=purpose
    )


DOCUMENT_SELECT = ("uploaded_by", "encounter")


def document_list(*, user, filters: dict[str, Any]) -> QuerySet[Document]:
    queryset = _scoped(
        Document,
        user=user,
        filters=filters,
        select=DOCUMENT_SELECT,
        date_field="created_at",
        section=ChartSection.DOCUMENTS,
    )
    if doc_type := filters.get("doc_type"):
        queryset = queryset.filter(doc_type=doc_type)
    return queryset


def document_get(*, user, document_id, purpose: str = "read") -> Document:
    return _record_get(
        Document,
        user=user,
        public_id=document_id,
        select=DOCUMENT_SELECT,
        section=ChartSection.DOCUMENTS,
        purpose=purpose,
    )


def document_patient_for_upload(*, user, patient_id=None):
    """The chart a document is uploaded to: the one named, or a patient's own chart."""
    if patient_id is None:
        if user.role != Role.PATIENT:
            raise ValidationError({"patient": ["This field is required."]})
        patient_id = Patient.objects.filter(user=user).values_list("public_id", flat=True).first()
        if patient_id is None:
            raise ValidationError({"patient": ["Your account has no patient chart yet."]})
    return clinical_patient_get(
        user=user,
        patient_id=patient_id,
        section=ChartSection.DOCUMENTS,
        purpose=document_write_purpose(user=user),
    )


def document_write_purpose(*, user) -> str:
    """The access purpose for adding or voiding a document.

    The section table's documents "write" names the staff who add documents to any chart in
    their reach. Patients also add (and void) their own papers: for them the access module's
    own-chart rule is the check (anything but "write" is checked as a read there, so another
    patient's chart is still 404), and the audit event records the purpose.
    """
    if user.role == Role.PATIENT and not section_allowed(
        user=user, section=ChartSection.DOCUMENTS, purpose="write"
    ):
        return "patient_upload"
    return "write"


def document_open(*, document: Document):
    """The stored file, opened for reading (the caller checked access through document_get)."""
    try:
        return document.file.open("rb")
    except FileNotFoundError as error:
        logger.error("Document %s: file %s is missing", document.public_id, document.file.name)
        raise NotFoundError(
            "The file of this document is missing from storage.", code="file_missing"
        ) from error


# --- Timeline ---------------------------------------------------------------------------------


def patient_timeline(
    *,
    user,
    patient_id,
    types: set[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_voided: bool = False,
) -> list[TimelineEntry]:
    """Every clinical event of one patient, newest first, from every registered source."""
    patient = clinical_patient_get(user=user, patient_id=patient_id)
    return timeline_collect(
        patient=patient,
        user=user,
        since=since,
        until=until,
        types=types,
        include_voided=include_voided,
    )


def encounter_summary_records(*, encounter: Encounter) -> dict[str, list]:
    """What an encounter's visit summary prints of this app's records (voided ones left
    out): vital signs oldest first, diagnoses and visit notes in the order they were made.
    Three queries."""
    return {
        "vitals": list(
            VitalSigns.objects.filter(encounter=encounter)
            .select_related("recorded_by")
            .order_by("measured_at", "id")
        ),
        "diagnoses": list(
            Diagnosis.objects.filter(encounter=encounter)
            .select_related("diagnosed_by")
            .order_by("diagnosed_at", "id")
        ),
        "notes": list(
            VisitNote.objects.filter(encounter=encounter)
            .select_related("doctor")
            .order_by("visit_date", "id")
        ),
    }
