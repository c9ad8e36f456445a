"""The visit summary as a PDF: the encounter's complaint, vital signs, diagnoses and notes,
then the sections other modules register (orders, prescriptions: hms.clinical.visit_summary);
the patient on every page (hms.core.documents)."""

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from hms.clinical import selectors
from hms.clinical.models import Encounter, VitalSigns
from hms.clinical.visit_summary import SummarySection, visit_summary_sections
from hms.core.documents import (
    TEXT_GRID,
    PrintedDocument,
    build_pdf,
    document_printed,
    escape,
    hospital_header,
    local_time,
    paragraph,
    patient_block,
    pdf_filename,
    person_name,
    styles,
)


def _number(value) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def vitals_text(vitals: VitalSigns) -> str:
    parts = []
    if vitals.systolic_bp is not None and vitals.diastolic_bp is not None:
        parts.append(f"BP {vitals.systolic_bp}/{vitals.diastolic_bp} mmHg")
    elif vitals.systolic_bp is not None:
        parts.append(f"Systolic {vitals.systolic_bp} mmHg")
    fields = [
        ("pulse", "Pulse", "/min"),
        ("temperature_c", "Temp", " °C"),
        ("spo2", "SpO2", "%"),
        ("respiratory_rate", "RR", "/min"),
        ("weight_kg", "Weight", " kg"),
        ("height_cm", "Height", " cm"),
        ("bmi", "BMI", ""),
    ]
    for name, label, unit in fields:
        value = getattr(vitals, name)
        if value is not None:
            parts.append(f"{label} {_number(value)}{unit}")
    return ", ".join(parts)


def _table(section: SummarySection, widths=None) -> list:
    style = styles()
    story = [Paragraph(escape(section.title), style.heading)]
    if not section.rows:
        story.append(paragraph(section.empty_text))
        return story
    rows = [section.columns] + [
        [paragraph(cell, style.small) for cell in row] for row in section.rows
    ]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TEXT_GRID)
    story.append(table)
    return story


def visit_summary_pdf(
    encounter: Encounter, records: dict[str, list], sections: list[SummarySection]
) -> bytes:
    """`records`: selectors.encounter_summary_records; `sections`: the registered sections
    (visit_summary.visit_summary_sections)."""
    style = styles()
    patient = encounter.patient
    story = hospital_header("Visit summary", f"{encounter.started_at:%Y-%m-%d}")
    story += [
        paragraph(
            f"{encounter.get_type_display()} | Started: {local_time(encounter.started_at)} | "
            f"Ended: {local_time(encounter.ended_at)} | Status: {encounter.get_status_display()}"
        ),
        paragraph(f"Attending doctor: {person_name(encounter.attending_doctor)}"),
        *patient_block(patient),
    ]
    if encounter.voided_at:
        story.append(paragraph(f"VOIDED: {encounter.void_reason}"))
    story += [
        Spacer(1, 2 * mm),
        Paragraph("Presenting complaint", style.heading),
        paragraph(encounter.reason or "Not recorded."),
    ]
    story += _table(
        SummarySection(
            title="Vital signs",
            columns=["Measured", "Values", "By"],
            rows=[
                [local_time(v.measured_at), vitals_text(v), person_name(v.recorded_by)]
                for v in records["vitals"]
            ],
            empty_text="None recorded.",
        ),
        widths=[30 * mm, 110 * mm, 38 * mm],
    )
    story += _table(
        SummarySection(
            title="Diagnoses",
            columns=["Code", "Diagnosis", "Type", "By"],
            rows=[
                [
                    d.code,
                    d.title + (f" ({d.notes})" if d.notes else ""),
                    d.get_type_display(),
                    person_name(d.diagnosed_by),
                ]
                for d in records["diagnoses"]
            ],
            empty_text="None recorded.",
        ),
        widths=[18 * mm, 104 * mm, 24 * mm, 32 * mm],
    )
    story.append(Paragraph("Notes", style.heading))
    if not records["notes"]:
        story.append(paragraph("None recorded."))
    for note in records["notes"]:
        story += [
            Paragraph(
                f"<b>{local_time(note.visit_date)} - {escape(person_name(note.doctor))}</b>",
                style.normal,
            ),
            paragraph(note.notes),
            Spacer(1, 2 * mm),
        ]
    for section in sections:
        story += _table(section)
    return build_pdf(story, title="Visit summary", patient=patient)


def visit_summary_print(*, user, encounter_id) -> PrintedDocument:
    """The encounter's visit summary printed for `user` (the chart rules decide: 404/403),
    audited."""
    encounter = selectors.encounter_get(user=user, encounter_id=encounter_id)
    patient = encounter.patient
    return document_printed(
        visit_summary_pdf(
            encounter,
            selectors.encounter_summary_records(encounter=encounter),
            visit_summary_sections(encounter, user),
        ),
        actor=user,
        document="visit_summary",
        record=encounter,
        patient=patient,
        filename=pdf_filename("visit-summary", patient.mrn, f"{encounter.started_at:%Y-%m-%d}"),
    )
