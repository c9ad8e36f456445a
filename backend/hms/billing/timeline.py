"""Invoices and payments on the patient's timeline, for users who may read the billing section."""

from hms.billing.models import Invoice, InvoiceStatus, Payment
from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.patients.access import ChartSection, section_allowed


def _may_read_billing(user) -> bool:
    return section_allowed(user=user, section=ChartSection.BILLING)


def _invoice_entries(patient, user, since, until):
    if not _may_read_billing(user):
        return []
    entries = []
    invoices = Invoice.objects.filter(patient=patient).exclude(status=InvoiceStatus.DRAFT)
    if since is not None:
        invoices = invoices.filter(issued_at__gte=since)
    if until is not None:
        invoices = invoices.filter(issued_at__lt=until)
    for invoice in invoices.select_related("issued_by"):
        entries.append(
            TimelineEntry(
                occurred_at=invoice.issued_at,
                type="invoice",
                id=str(invoice.public_id),
                title=f"Invoice {invoice.number}",
                summary=f"{invoice.total} {invoice.currency}, {invoice.get_status_display()}",
                actor=invoice.issued_by.get_full_name() if invoice.issued_by else "",
                voided=invoice.status == InvoiceStatus.VOID,
                void_reason=invoice.void_reason,
                detail={"status": invoice.status, "total": str(invoice.total)},
            )
        )
    return entries


def _payment_entries(patient, user, since, until):
    if not _may_read_billing(user):
        return []
    entries = []
    payments = Payment.objects.filter(invoice__patient=patient)
    if since is not None:
        payments = payments.filter(received_at__gte=since)
    if until is not None:
        payments = payments.filter(received_at__lt=until)
    for payment in payments.select_related("received_by", "invoice"):
        entries.append(
            TimelineEntry(
                occurred_at=payment.received_at,
                type="payment",
                id=str(payment.public_id),
                title=f"Payment {payment.receipt_number}",
                summary=f"{payment.amount} {payment.currency} by {payment.get_method_display()} "
                f"on {payment.invoice.number}",
                actor=payment.received_by.get_full_name(),
                detail={"amount": str(payment.amount), "method": payment.method},
            )
        )
    return entries


register_timeline_source("invoices", _invoice_entries, types={"invoice"})
register_timeline_source("payments", _payment_entries, types={"payment"})
