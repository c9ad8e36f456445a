"""The medical record's own timeline sources (registered in ClinicalConfig.ready()).

Each yields every record of the patient in the time window, voided ones marked, in one query.
"""

from collections.abc import Iterator

from hms.clinical.models import Diagnosis, Document, Encounter, Problem, VisitNote, VitalSigns
from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.time_window import in_time_window
from hms.patients.access import ChartSection, section_allowed


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _void(record) -> dict:
    return {"voided": record.is_voided, "void_reason": record.void_reason}


def encounter_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    rows = Encounter.all_objects.filter(patient=patient).select_related("attending_doctor")
    for encounter in in_time_window(rows, "started_at", since, until):
        yield TimelineEntry(
            occurred_at=encounter.started_at,
            type="encounter",
            id=str(encounter.public_id),
            title=encounter.get_type_display(),
            summary=encounter.reason[:200],
            actor=_name(encounter.attending_doctor),
            detail={
                "status": encounter.status,
                "encounter_type": encounter.type,
                "ended_at": encounter.ended_at.isoformat() if encounter.ended_at else None,
            },
            **_void(encounter),
        )


def visit_note_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    rows = VisitNote.all_objects.filter(patient=patient).select_related(
        "doctor", "encounter", "prescription"
    )
    for note in in_time_window(rows, "visit_date", since, until):
        yield TimelineEntry(
            occurred_at=note.visit_date,
            type="visit_note",
            id=str(note.public_id),
            title="Visit note",
            summary=note.notes[:200],
            actor=_name(note.doctor),
            detail={
                "encounter": str(note.encounter.public_id) if note.encounter else None,
                "prescription": str(note.prescription.public_id) if note.prescription else None,
            },
            **_void(note),
        )


def _vitals_summary(vitals: VitalSigns) -> str:
    parts = []
    if vitals.systolic_bp is not None:
        parts.append(f"BP {vitals.systolic_bp}/{vitals.diastolic_bp}")
    for label, value, unit in (
        ("Pulse", vitals.pulse, ""),
        ("T", vitals.temperature_c, " °C"),
        ("SpO2", vitals.spo2, "%"),
        ("RR", vitals.respiratory_rate, ""),
        ("Wt", vitals.weight_kg, " kg"),
        ("Ht", vitals.height_cm, " cm"),
        ("BMI", vitals.bmi, ""),
    ):
        if value is not None:
            parts.append(f"{label} {value}{unit}")
    return ", ".join(parts)


def vital_signs_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    rows = VitalSigns.all_objects.filter(patient=patient).select_related("recorded_by")
    for vitals in in_time_window(rows, "measured_at", since, until):
        yield TimelineEntry(
            occurred_at=vitals.measured_at,
            type="vitals",
            id=str(vitals.public_id),
            title="Vital signs",
            summary=_vitals_summary(vitals),
            actor=_name(vitals.recorded_by),
            **_void(vitals),
        )


def diagnosis_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    rows = Diagnosis.all_objects.filter(patient=patient).select_related("diagnosed_by", "encounter")
    for diagnosis in in_time_window(rows, "diagnosed_at", since, until):
        yield TimelineEntry(
            occurred_at=diagnosis.diagnosed_at,
            type="diagnosis",
            id=str(diagnosis.public_id),
            title=f"{diagnosis.code} {diagnosis.title}",
            summary=diagnosis.get_type_display(),
            actor=_name(diagnosis.diagnosed_by),
            detail={
                "code": diagnosis.code,
                "diagnosis_type": diagnosis.type,
                "encounter": str(diagnosis.encounter.public_id),
            },
            **_void(diagnosis),
        )


def problem_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    rows = Problem.all_objects.filter(patient=patient).select_related("recorded_by")
    for problem in in_time_window(rows, "created_at", since, until):
        yield TimelineEntry(
            occurred_at=problem.created_at,
            type="problem",
            id=str(problem.public_id),
            title=f"{problem.code} {problem.title}",
            summary=problem.get_status_display(),
            actor=_name(problem.recorded_by),
            detail={
                "code": problem.code,
                "status": problem.status,
                "onset_date": problem.onset_date.isoformat() if problem.onset_date else None,
            },
            **_void(problem),
        )


def document_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    """Uploaded documents, for roles that may see the chart's documents section."""
    if not section_allowed(user=user, section=ChartSection.DOCUMENTS):
        return
    rows = Document.all_objects.filter(patient=patient).select_related("uploaded_by")
    for document in in_time_window(rows, "created_at", since, until):
        yield TimelineEntry(
            occurred_at=document.created_at,
            type="document",
            id=str(document.public_id),
            title=f"{document.get_doc_type_display()}: {document.original_name}",
            summary=document.description[:200],
            actor=_name(document.uploaded_by),
            detail={
                "doc_type": document.doc_type,
                "content_type": document.content_type,
                "download_url": f"/api/documents/{document.public_id}/download/",
            },
            **_void(document),
        )


def register_clinical_timeline_sources() -> None:
    register_timeline_source("encounters", encounter_entries, types={"encounter"})
    register_timeline_source("visit_notes", visit_note_entries, types={"visit_note"})
    register_timeline_source("vitals", vital_signs_entries, types={"vitals"})
    register_timeline_source("diagnoses", diagnosis_entries, types={"diagnosis"})
    register_timeline_source("problems", problem_entries, types={"problem"})
    register_timeline_source("documents", document_entries, types={"document"})
