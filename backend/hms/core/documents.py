"""Building blocks of the PDFs the hospital prints (ReportLab): the hospital header with its
logo, the patient's identity on every page, local times, and the document build itself.

Every app may import this module (it imports nothing of the domain apps): billing prints
invoices and receipts with it, the clinical apps their prescriptions, lab reports, visit and
discharge summaries, appointment slips and wristbands.

    story = hospital_header("Prescription", prescription_number)
    story += [Paragraph("...", styles().normal), ...]
    return build_pdf(story, title="Prescription", patient=patient)

With `patient`, each page carries the patient's name, MRN and date of birth in a band at its
foot (drawn by the page callback, so a long document repeats it on every page), with the page
number. The logo is `hms/core/static/core/logo.png`, shipped with the app; set
`HOSPITAL_LOGO_PATH` to use another file.
"""

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from hms.core.services import audit_document_print

LOGO = Path(__file__).resolve().parent / "static" / "core" / "logo.png"

# A table with a bold header row ruled off from its body, numbers aligned right.
GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)
# The same, for tables of words: every column aligned left, the header repeated on each page.
TEXT_GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)
MARGINS = {"leftMargin": 16 * mm, "rightMargin": 16 * mm, "topMargin": 14 * mm}
# The bottom margin holds the patient band when there is one.
BOTTOM_MARGIN = 14 * mm
BOTTOM_MARGIN_WITH_PATIENT = 20 * mm


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    normal: ParagraphStyle
    small: ParagraphStyle


def styles() -> Styles:
    sheet: StyleSheet1 = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=sheet["Normal"], fontSize=8, leading=10)
    return Styles(sheet["Title"], sheet["Heading2"], sheet["Normal"], small)


def logo_path() -> Path:
    configured = getattr(settings, "HOSPITAL_LOGO_PATH", "") or getattr(
        settings, "BILLING_LOGO_PATH", ""
    )
    return Path(configured or LOGO)


def hospital_header(title: str, number: str = "") -> list[Flowable]:
    """The hospital's logo and name, then the document's title (and number) in bold."""
    style = styles()
    logo = Image(str(logo_path()), width=18 * mm, height=18 * mm)
    head = Table(
        [[logo, Paragraph(f"<b>{escape(settings.HOSPITAL_NAME)}</b>", style.title)]],
        colWidths=[22 * mm, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    heading = f"{title} {number}" if number else title
    return [head, Spacer(1, 4 * mm), Paragraph(f"<b>{escape(heading)}</b>", style.normal)]


def escape(text) -> str:
    """Text for a Paragraph (which reads a little XML): &, < and > kept as written."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text, style: ParagraphStyle | None = None) -> Paragraph:
    """Plain text (escaped; line breaks kept) as a Paragraph."""
    body = escape(text).replace("\n", "<br/>")
    return Paragraph(body, style or styles().normal)


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime in the hospital's time zone, or "-"."""
    return timezone.localtime(moment).strftime(fmt) if moment else "-"


def date_text(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "-"


def person_name(user) -> str:
    if user is None:
        return "-"
    return user.get_full_name() or user.get_username()


def patient_line(patient) -> str:
    """ "Patient: Ada Lovelace (MRN …), born 1990-01-31": the identity as billing prints it."""
    born = f", born {patient.date_of_birth:%Y-%m-%d}" if patient.date_of_birth else ""
    return f"Patient: {patient.display_name} (MRN {patient.mrn}){born}"


def patient_block(patient) -> list[Flowable]:
    return [Paragraph(escape(patient_line(patient)), styles().normal)]


def patient_band_text(patient) -> str:
    """The identity printed at the foot of every page of a patient's document."""
    born = date_text(patient.date_of_birth) if patient.date_of_birth else "unknown"
    return f"{patient.display_name}  |  MRN {patient.mrn}  |  DOB {born}"


def _patient_band(patient):
    text = patient_band_text(patient)

    def draw(canvas, document):
        canvas.saveState()
        width, _ = document.pagesize
        y = document.bottomMargin - 9 * mm
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.4)
        canvas.line(document.leftMargin, y + 4 * mm, width - document.rightMargin, y + 4 * mm)
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawString(document.leftMargin, y, text)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(width - document.rightMargin, y, f"Page {document.page}")
        canvas.restoreState()

    return draw


def build_pdf(story: list, *, title: str, patient=None, pagesize=A4) -> bytes:
    """The story as an A4 PDF (or `pagesize`). With `patient`, every page carries their name,
    MRN and date of birth (and the page number) at its foot."""
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        bottomMargin=BOTTOM_MARGIN_WITH_PATIENT if patient is not None else BOTTOM_MARGIN,
        title=title,
        author=settings.HOSPITAL_NAME,
        **MARGINS,
    )
    if patient is None:
        document.build(story)
    else:
        band = _patient_band(patient)
        document.build(story, onFirstPage=band, onLaterPages=band)
    return buffer.getvalue()


def pdf_filename(*parts) -> str:
    """A safe download name: "prescription-MRN000123-2025-01-31.pdf"."""
    cleaned = "-".join(
        "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(part)).strip("-")
        for part in parts
        if part
    )
    return f"{cleaned or 'document'}.pdf"


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF download (or, `inline`, one the browser shows), never kept by a shared cache."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(frozen=True)
class PrintedDocument:
    content: bytes
    filename: str

    def response(self, *, inline: bool = False) -> HttpResponse:
        return pdf_response(self.content, self.filename, inline=inline)


def document_printed(
    content: bytes, *, actor, document: str, record, patient, filename: str
) -> PrintedDocument:
    """Record who printed which document of whom (an `export` audit event) and hand the PDF
    back. Call it after the access check that fetched the document's data."""
    audit_document_print(
        actor=actor, document=document, object_id=record.public_id, patient_id=patient.public_id
    )
    return PrintedDocument(content=content, filename=filename)
