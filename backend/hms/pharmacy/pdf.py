"""The prescription as a PDF: each drug with dose, route, frequency, duration and quantity,
the prescriber and a signature line; the patient on every page (hms.core.documents)."""

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from hms.core.documents import (
    TEXT_GRID,
    PrintedDocument,
    build_pdf,
    date_text,
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
from hms.pharmacy import selectors
from hms.pharmacy.models import Prescription, PrescriptionStatus


def prescription_reference(prescription: Prescription) -> str:
    """The short number printed on the prescription (the first block of its public id)."""
    return str(prescription.public_id).split("-")[0].upper()


def _drug_label(item) -> str:
    drug = item.drug
    strength = f" {drug.strength}" if getattr(drug, "strength", "") else ""
    brand = f" ({drug.brand_name})" if drug.brand_name else ""
    return f"{drug.generic_name}{strength}{brand}"


def _duration(item) -> str:
    if item.duration_days is None:
        return "-"
    return f"{item.duration_days} day{'s' if item.duration_days != 1 else ''}"


def prescription_pdf(prescription: Prescription) -> bytes:
    """Uses the prescription as loaded by selectors.prescription_get_for_user (patient,
    prescriber and items with their drugs)."""
    style = styles()
    patient = prescription.patient
    story = hospital_header("Prescription", prescription_reference(prescription))
    story += [
        Paragraph(
            f"Date: {local_time(prescription.prescribed_at)} | "
            f"Status: {escape(prescription.get_status_display())}",
            style.normal,
        ),
        *patient_block(patient),
        Spacer(1, 4 * mm),
    ]
    if prescription.status == PrescriptionStatus.CANCELLED:
        story.append(
            paragraph(
                f"CANCELLED {local_time(prescription.cancelled_at)}: {prescription.cancel_reason}"
            )
        )
    rows = [["Drug", "Dose", "Route", "Frequency", "Duration", "Qty", "Instructions"]]
    for item in prescription.items.all():
        rows.append(
            [
                paragraph(_drug_label(item), style.small),
                f"{item.dose.normalize():f} {item.dose_unit}",
                item.get_route_display(),
                paragraph(item.get_frequency_display(), style.small),
                _duration(item),
                str(item.quantity),
                paragraph(
                    "; ".join(
                        part
                        for part in (item.instructions, f"from {date_text(item.start_date)}")
                        if part
                    ),
                    style.small,
                ),
            ]
        )
    table = Table(
        rows,
        colWidths=[44 * mm, 22 * mm, 20 * mm, 26 * mm, 18 * mm, 10 * mm, 38 * mm],
        repeatRows=1,
    )
    table.setStyle(TEXT_GRID)
    story.append(table)
    if prescription.note:
        story += [Spacer(1, 4 * mm), paragraph(f"Note: {prescription.note}")]
    prescriber = prescription.prescriber
    profile = getattr(prescriber, "doctor_profile", None)
    licence = profile.license_number if profile is not None else ""
    story.append(
        KeepTogether(
            [
                Spacer(1, 12 * mm),
                paragraph(
                    f"Prescriber: {person_name(prescriber)}"
                    + (f" (licence {licence})" if licence else "")
                ),
                Spacer(1, 10 * mm),
                Paragraph("Signature: ______________________________", style.normal),
                Paragraph("Date: ____________________", style.normal),
            ]
        )
    )
    return build_pdf(story, title="Prescription", patient=patient)


def prescription_print(*, user, public_id) -> PrintedDocument:
    """The prescription printed for `user` (the chart rules decide: 404/403), audited."""
    prescription = selectors.prescription_get_for_user(user=user, public_id=public_id)
    patient = prescription.patient
    return document_printed(
        prescription_pdf(prescription),
        actor=user,
        document="prescription",
        record=prescription,
        patient=patient,
        filename=pdf_filename("prescription", patient.mrn, prescription_reference(prescription)),
    )
