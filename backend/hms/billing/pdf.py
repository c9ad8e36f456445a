"""Invoice and receipt PDFs (ReportLab): hospital name and logo, patient, lines, totals, payments.

The logo is `hms/billing/static/billing/logo.png`, shipped with the app; set
`BILLING_LOGO_PATH` to use another file.
"""

from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hms.billing.models import Invoice, Payment

LOGO = Path(__file__).resolve().parent / "static" / "billing" / "logo.png"
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


def _logo_path() -> Path:
    return Path(getattr(settings, "BILLING_LOGO_PATH", "") or LOGO)


def _styles():
    styles = getSampleStyleSheet()
    return styles["Title"], styles["Heading2"], styles["Normal"]


def _header(title: str, number: str) -> list:
    title_style, _, normal = _styles()
    logo = Image(str(_logo_path()), width=18 * mm, height=18 * mm)
    head = Table(
        [[logo, Paragraph(f"<b>{settings.HOSPITAL_NAME}</b>", title_style)]],
        colWidths=[22 * mm, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    return [head, Spacer(1, 4 * mm), Paragraph(f"<b>{title} {number}</b>", normal)]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _patient_block(patient) -> list:
    _, _, normal = _styles()
    born = f", born {patient.date_of_birth:%Y-%m-%d}" if patient.date_of_birth else ""
    return [Paragraph(f"Patient: {patient.display_name} (MRN {patient.mrn}){born}", normal)]


def _amount(value, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _build(story: list) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="HMS billing document",
        author=settings.HOSPITAL_NAME,
    )
    document.build(story)
    return buffer.getvalue()


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as issued (a draft prints as DRAFT, a void one as VOID with its reason).
    Uses the invoice as loaded by selectors.invoice_get_for_user (lines and payments
    prefetched)."""
    _, heading, normal = _styles()
    currency = invoice.currency
    story = _header("Invoice", invoice.number or "DRAFT")
    story += [
        Paragraph(
            f"Status: {invoice.get_status_display()} | Issued: {_local(invoice.issued_at)} | "
            f"Due: {invoice.due_date or '-'}",
            normal,
        ),
        *_patient_block(invoice.patient),
        Spacer(1, 4 * mm),
    ]
    if invoice.status == "void":
        story.append(Paragraph(f"<b>VOID</b>: {invoice.void_reason}", normal))
    lines = [line for line in invoice.lines.all() if line.released_at is None]
    if invoice.status == "void":
        lines = list(invoice.lines.all())
    rows = [["Item", "Qty", "Unit price", "Discount", "Tax", "Amount"]]
    for line in lines:
        rows.append(
            [
                Paragraph(line.description, normal),
                f"{line.quantity.normalize():f}",
                f"{line.unit_price:,.2f}",
                f"{line.discount_amount:,.2f}" if line.discount_amount else "",
                f"{line.tax_amount:,.2f}" if line.tax_amount else "",
                f"{line.total:,.2f}",
            ]
        )
    story.append(Table(rows, colWidths=[70 * mm, 14 * mm, 24 * mm, 22 * mm, 20 * mm, 26 * mm]))
    story[-1].setStyle(GRID)
    totals = [
        ["Subtotal", _amount(invoice.subtotal, currency)],
        ["Discount", _amount(invoice.discount_total, currency)],
        ["Tax", _amount(invoice.tax_total, currency)],
        ["Total", _amount(invoice.total, currency)],
        ["Paid", _amount(invoice.amount_paid, currency)],
        ["Balance due", _amount(invoice.balance, currency)],
    ]
    story += [
        Spacer(1, 4 * mm),
        Table(
            totals,
            colWidths=[140 * mm, 36 * mm],
            style=TableStyle(
                [
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                    ("FONTNAME", (0, 3), (-1, 3), "Helvetica-Bold"),
                    ("FONTNAME", (0, 5), (-1, 5), "Helvetica-Bold"),
                ]
            ),
        ),
    ]
    payments = list(invoice.payments.all())
    if payments:
        rows = [["Receipt", "Date", "Method", "Amount", "Refunded"]]
        for payment in payments:
            rows.append(
                [
                    payment.receipt_number,
                    _local(payment.received_at),
                    payment.get_method_display(),
                    f"{payment.amount:,.2f}",
                    f"{payment.refunded_amount:,.2f}" if payment.refunded_amount else "",
                ]
            )
        story += [Spacer(1, 6 * mm), Paragraph("Payments", heading), Table(rows, hAlign="LEFT")]
        story[-1].setStyle(GRID)
    if invoice.notes:
        story += [Spacer(1, 4 * mm), Paragraph(invoice.notes, normal)]
    return _build(story)


def receipt_pdf(payment: Payment) -> bytes:
    """A receipt for one payment, with what remains due on its invoice."""
    _, _, normal = _styles()
    invoice = payment.invoice
    currency = payment.currency
    story = _header("Receipt", payment.receipt_number)
    story += [
        Paragraph(f"Date: {_local(payment.received_at)}", normal),
        *_patient_block(invoice.patient),
        Spacer(1, 4 * mm),
    ]
    rows = [
        ["Invoice", invoice.number or "-"],
        ["Method", payment.get_method_display()],
        ["Reference", payment.reference or "-"],
        ["Amount received", _amount(payment.amount, currency)],
    ]
    refunds = list(payment.refunds.all())
    for refund in refunds:
        rows.append([f"Refunded {_local(refund.refunded_at)}", _amount(refund.amount, currency)])
    rows += [
        ["Invoice total", _amount(invoice.total, currency)],
        ["Balance due", _amount(invoice.balance, currency)],
        ["Received by", payment.received_by.get_full_name() or payment.received_by.username],
    ]
    story.append(
        Table(
            rows,
            colWidths=[60 * mm, 80 * mm],
            hAlign="LEFT",
            style=TableStyle([("FONTNAME", (0, 3), (-1, 3), "Helvetica-Bold")]),
        )
    )
    return _build(story)
