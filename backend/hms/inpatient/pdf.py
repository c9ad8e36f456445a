"""The discharge summary as a PDF: the stay (admitted, discharged, ward, attending doctor),
diagnoses, procedures, hospital course, medications on discharge and follow-up, who wrote it;
the patient on every page (hms.core.documents)."""

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

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
from hms.inpatient import selectors
from hms.inpatient.models import DischargeSummary
from hms.patients.access import ChartSection, patient_get_for_user


def _heading(text: str) -> Paragraph:
    return Paragraph(escape(text), styles().heading)


def discharge_summary_pdf(summary: DischargeSummary) -> bytes:
    """`summary` as loaded by selectors.discharge_summary_of, its admission by
    selectors.admission_get_for_user (patient, ward, bed and doctors selected)."""
    style = styles()
    admission = summary.admission
    patient = admission.patient
    story = hospital_header("Discharge summary")
    story += [
        paragraph(
            f"Admitted: {local_time(admission.admitted_at)} | "
            f"Discharged: {local_time(admission.discharged_at)}"
            + (
                f" ({admission.get_discharge_disposition_display()})"
                if admission.discharge_disposition
                else ""
            )
        ),
        paragraph(
            f"Ward: {admission.ward.name}, bed {admission.bed.label} | "
            f"Attending doctor: {person_name(admission.attending_doctor)}"
        ),
        *patient_block(patient),
        Spacer(1, 2 * mm),
        _heading("Reason for admission"),
        paragraph(admission.reason or "-"),
        _heading("Diagnoses"),
    ]
    diagnoses = summary.diagnoses or []
    if diagnoses:
        story += [paragraph(f"{d.get('code', '')} {d.get('title', '')}".strip()) for d in diagnoses]
    else:
        story.append(paragraph("None."))
    story.append(_heading("Procedures"))
    story += [paragraph(f"- {p}") for p in summary.procedures] or [paragraph("None.")]
    if summary.hospital_course:
        story += [_heading("Hospital course"), paragraph(summary.hospital_course)]
    story.append(_heading("Medications on discharge"))
    medications = summary.medications_on_discharge or []
    if medications:
        rows = [["Drug", "Dose", "Frequency", "Duration", "Instructions"]]
        for m in medications:
            rows.append(
                [
                    paragraph(m.get("drug", ""), style.small),
                    paragraph(m.get("dose", ""), style.small),
                    paragraph(m.get("frequency", ""), style.small),
                    paragraph(m.get("duration", ""), style.small),
                    paragraph(m.get("instructions", ""), style.small),
                ]
            )
        table = Table(rows, colWidths=[44 * mm, 26 * mm, 30 * mm, 24 * mm, 54 * mm], repeatRows=1)
        table.setStyle(TEXT_GRID)
        story.append(table)
    else:
        story.append(paragraph("None."))
    story += [_heading("Follow-up"), paragraph(summary.follow_up)]
    if admission.discharge_note:
        story += [_heading("Discharge note"), paragraph(admission.discharge_note)]
    story += [
        Spacer(1, 8 * mm),
        paragraph(
            f"Written by {person_name(summary.written_by)}, "
            f"last updated {local_time(summary.updated_at)}"
        ),
        Spacer(1, 8 * mm),
        Paragraph("Signature: ______________________________", style.normal),
    ]
    return build_pdf(story, title="Discharge summary", patient=patient)


def discharge_summary_print(*, user, admission_id) -> PrintedDocument:
    """The admission's discharge summary printed for `user` (the clinical section of the
    chart: 404/403 as the access module decides; 404 before one is written), audited."""
    admission = selectors.admission_get_for_user(user=user, public_id=admission_id)
    patient_get_for_user(
        user=user, patient_public_id=admission.patient.public_id, section=ChartSection.CLINICAL
    )
    summary = selectors.discharge_summary_of(admission=admission)
    summary.admission = admission
    return document_printed(
        discharge_summary_pdf(summary),
        actor=user,
        document="discharge_summary",
        record=admission,
        patient=admission.patient,
        filename=pdf_filename("discharge-summary", admission.patient.mrn),
    )
