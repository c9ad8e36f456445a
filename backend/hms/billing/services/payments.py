"""Payment and refund writes against an issued invoice."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hms.billing.models import (
    InsuranceClaim,
    Invoice,
    InvoiceStatus,
    NumberKind,
    Payment,
    PaymentMethod,
    Refund,
)
from hms.billing.money import ZERO, money
from hms.billing.services.common import _audit, _local_date, _require_reason
from hms.billing.services.invoices import _lock_invoice, _pending_insurance, _require_status
from hms.billing.services.numbering import number_allocate
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction


def _status_for_paid(invoice: Invoice) -> InvoiceStatus:
    if invoice.amount_paid == ZERO:
        return InvoiceStatus.ISSUED
    if invoice.amount_paid >= invoice.total:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIALLY_PAID


def _payment_create(
    *,
    actor,
    invoice: Invoice,
    amount: Decimal,
    method: PaymentMethod | str,
    reference: str = "",
    claim: InsuranceClaim | None = None,
) -> Payment:
    """Record money against a locked invoice. Callers hold the invoice lock."""
    method = PaymentMethod(method)
    _require_status(invoice, [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], doing="paid")
    amount = Decimal(amount)
    if amount <= 0 or money(amount) != amount:
        raise ApplicationError(
            "An amount is positive, with at most 2 decimals.",
            code="invalid_amount",
            fields={"amount": ["Positive, at most 2 decimal places."]},
        )
    balance = invoice.balance
    if claim is None and method != PaymentMethod.INSURANCE:
        # The patient's part: what is left once the payers pay what they are expected to.
        payable = balance - _pending_insurance(invoice)
    else:
        payable = balance
    if amount > payable:
        raise ConflictError(
            f"The payment of {amount} is more than the {payable} due.",
            code="overpayment",
            fields={"amount": [f"At most {payable}."]},
            extra={"balance": str(balance), "payable": str(payable)},
        )
    now = timezone.now()
    year = _local_date(now).year
    sequence, number = number_allocate(kind=NumberKind.RECEIPT, year=year)
    payment = Payment.objects.create(
        invoice=invoice,
        method=method,
        amount=amount,
        currency=invoice.currency,
        reference=reference,
        receipt_number=number,
        receipt_year=year,
        receipt_sequence=sequence,
        received_by=actor,
        received_at=now,
        claim=claim,
    )
    invoice.amount_paid += amount
    invoice.status = _status_for_paid(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_payment",
        obj=payment,
        patient_id=invoice.patient.public_id,
        detail={
            "invoice": invoice.number,
            "amount": str(amount),
            "method": method.value,
            "receipt": number,
            "status": invoice.status,
        },
    )
    return payment


@transaction.atomic
def payment_record(
    *, actor, invoice: Invoice, amount: Decimal, method: PaymentMethod | str, reference: str = ""
) -> Payment:
    """Take a payment (partial or full) on an issued invoice and number its receipt. A payment
    never takes the balance below zero."""
    invoice = _lock_invoice(invoice)
    return _payment_create(
        actor=actor, invoice=invoice, amount=amount, method=method, reference=reference
    )


@transaction.atomic
def refund_create(
    *,
    actor,
    payment: Payment,
    amount: Decimal,
    reason: str,
    method: PaymentMethod | str | None = None,
) -> Refund:
    """Give money back from one payment; never more than what is left of it."""
    reason = _require_reason(reason)
    invoice = _lock_invoice(payment.invoice)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.method == PaymentMethod.INSURANCE:
        raise ConflictError(
            "Insurance settlements are not refunded at the desk.", code="insurance_payment"
        )
    amount = Decimal(amount)
    if amount <= 0 or money(amount) != amount:
        raise ApplicationError(
            "An amount is positive, with at most 2 decimals.",
            code="invalid_amount",
            fields={"amount": ["Positive, at most 2 decimal places."]},
        )
    refundable = payment.amount - payment.refunded_amount
    if amount > refundable:
        raise ConflictError(
            f"At most {refundable} of this payment can be refunded.",
            code="refund_exceeds_payment",
            fields={"amount": [f"At most {refundable}."]},
            extra={"refundable": str(refundable)},
        )
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        method=PaymentMethod(method or payment.method),
        reason=reason,
        refunded_by=actor,
        refunded_at=timezone.now(),
    )
    payment.refunded_amount += amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    invoice.amount_paid -= amount
    invoice.status = _status_for_paid(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_refund",
        obj=refund,
        patient_id=invoice.patient.public_id,
        detail={
            "payment": payment.receipt_number,
            "amount": str(amount),
            "reason": reason,
            "status": invoice.status,
        },
    )
    return refund
