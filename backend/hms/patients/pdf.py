"""The patient wristband (and label) as a PDF: a small strip with the hospital's name, the
patient's name, MRN, date of birth and sex, an allergy flag, and the MRN as a Code 128
barcode that ward scanners read."""

from io import BytesIO

from django.conf import settings
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from hms.core.documents import PrintedDocument, date_text, document_printed, pdf_filename
from hms.patients import selectors
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.models import Patient, Sex

# An adult wristband strip: 200 mm long, 28 mm high (landscape).
WRISTBAND_SIZE = (200 * mm, 28 * mm)
BAR_WIDTH = 0.38 * mm
BAR_HEIGHT = 13 * mm


def mrn_barcode(mrn: str) -> Code128:
    return Code128(mrn, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, humanReadable=True, fontSize=7)


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width` in that font."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def wristband_pdf(patient: Patient, *, has_allergies: bool) -> bytes:
    """One wristband. `has_allergies`: the patient has active allergy records (the band says
    so in a red box; which ones are in the chart, not on the wrist)."""
    buffer = BytesIO()
    width, height = WRISTBAND_SIZE
    canvas = Canvas(buffer, pagesize=WRISTBAND_SIZE)
    canvas.setTitle("Patient wristband")
    canvas.setAuthor(settings.HOSPITAL_NAME)
    left = 6 * mm
    text_width = 98 * mm

    canvas.setFont("Helvetica", 6.5)
    canvas.drawString(
        left, height - 5 * mm, _fit(canvas, settings.HOSPITAL_NAME, "Helvetica", 6.5, text_width)
    )
    canvas.setFont("Helvetica-Bold", 11)
    given = " ".join(part for part in (patient.first_name, patient.middle_name) if part)
    name = f"{patient.last_name.upper()}, {given}"
    canvas.drawString(
        left, height - 10.5 * mm, _fit(canvas, name, "Helvetica-Bold", 11, text_width)
    )
    canvas.setFont("Helvetica", 8.5)
    born = date_text(patient.date_of_birth) if patient.date_of_birth else "unknown"
    sex = Sex(patient.sex).label if patient.sex in Sex.values else patient.sex
    canvas.drawString(left, height - 15 * mm, f"MRN {patient.mrn}")
    canvas.drawString(left, height - 19 * mm, f"DOB {born}   Sex {sex}")

    if has_allergies:
        canvas.setFillColor(colors.red)
        canvas.rect(left, 2.5 * mm, 30 * mm, 4.5 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawCentredString(left + 15 * mm, 3.8 * mm, "ALLERGIES")
        canvas.setFillColor(colors.black)
    else:
        canvas.setFont("Helvetica", 7)
        canvas.drawString(left, 3.8 * mm, "No allergies recorded")

    barcode = mrn_barcode(patient.mrn)
    x = width - barcode.width - 6 * mm
    y = (height - BAR_HEIGHT) / 2
    barcode.drawOn(canvas, x, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def wristband_print(*, user, patient_public_id) -> PrintedDocument:
    """The wristband printed for `user` (the registry card of the chart), audited."""
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_public_id, section=ChartSection.DEMOGRAPHICS
    )
    return document_printed(
        wristband_pdf(
            patient, has_allergies=selectors.patient_has_active_allergies(patient=patient)
        ),
        actor=user,
        document="wristband",
        record=patient,
        patient=patient,
        filename=pdf_filename("wristband", patient.mrn),
    )
