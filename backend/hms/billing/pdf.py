"""Invoice and receipt PDFs (ReportLab): hospital name and logo, patient, lines, totals, payments.

The header, the patient line and the build come from hms.core.documents (the logo:
`HOSPITAL_LOGO_PATH`, or the older `BILLING_LOGO_PATH`, else the one shipped in hms/core).
"""

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from hms.billing.models import Invoice, Payment
from hms.core.documents import GRID, build_pdf, hospital_header, patient_block, styles
from hms.core.documents import local_time as _local

TITLE = "HMS billing document"


def _styles():
    style = styles()
    return style.title, style.heading, style.normal


def _amount(value, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as issued (a draft prints as DRAFT, a void one as VOID with its reason).
    Uses the invoice as loaded by selectors.invoice_get_for_user (lines and payments
    prefetched)."""
    _, heading, normal = _styles()
    currency = invoice.currency
    story = hospital_header("Invoice", invoice.number or "DRAFT")
    story += [
        Paragraph(
            f"Status: {invoice.get_status_display()} | Issued: {_local(invoice.issued_at)} | "
            f"Due: {invoice.due_date or '-'}",
            normal,
        ),
        *patient_block(invoice.patient),
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
    return build_pdf(story, title=TITLE)


def receipt_pdf(payment: Payment) -> bytes:
    """A receipt for one payment, with what remains due on its invoice."""
    _, _, normal = _styles()
    invoice = payment.invoice
    currency = payment.currency
    story = hospital_header("Receipt", payment.receipt_number)
    story += [
        Paragraph(f"Date: {_local(payment.received_at)}", normal),
        *patient_block(invoice.patient),
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
    return build_pdf(story, title=TITLE)
