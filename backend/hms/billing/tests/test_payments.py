"""Payments, receipts and refunds."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from hms.billing import services
from hms.billing.models import InvoiceStatus, Payment
from hms.core.errors import ApplicationError, ConflictError

pytestmark = pytest.mark.django_db


def test_partial_then_full_payment(accountant, receptionist, issued_invoice):
    invoice = issued_invoice()  # 150.00
    first = services.payment_record(
        actor=receptionist,
        invoice=invoice,
        amount=D("60.00"),
        method="mobile_money",
        reference="QK12ABC",
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.balance == D("90.00")
    second = services.payment_record(actor=accountant, invoice=invoice, amount=D(90), method="card")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0
    assert first.receipt_number.startswith("RCT-") and first.receipt_number.endswith("000001")
    assert second.receipt_number.endswith("000002")


def test_payment_never_takes_the_balance_below_zero(accountant, issued_invoice):
    invoice = issued_invoice()
    with pytest.raises(ConflictError) as error:
        services.payment_record(
            actor=accountant, invoice=invoice, amount=D("150.01"), method="cash"
        )
    assert error.value.code == "overpayment"
    with pytest.raises(ApplicationError):
        services.payment_record(actor=accountant, invoice=invoice, amount=D("0"), method="cash")
    with pytest.raises(ApplicationError):
        services.payment_record(actor=accountant, invoice=invoice, amount=D("1.001"), method="cash")


def test_no_payment_on_a_draft(accountant, patient, post):
    post(patient)
    draft = services.invoice_create(actor=accountant, patient=patient)
    with pytest.raises(ConflictError):
        services.payment_record(actor=accountant, invoice=draft, amount=D(1), method="cash")


def test_refunds_never_exceed_what_was_paid(accountant, issued_invoice):
    invoice = issued_invoice()
    payment = services.payment_record(
        actor=accountant, invoice=invoice, amount=D(150), method="cash"
    )
    services.refund_create(actor=accountant, payment=payment, amount=D(100), reason="Test not done")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.amount_paid == D(50)
    with pytest.raises(ConflictError) as error:
        services.refund_create(actor=accountant, payment=payment, amount=D("50.01"), reason="More")
    assert error.value.code == "refund_exceeds_payment"
    services.refund_create(actor=accountant, payment=payment, amount=D(50), reason="Rest of it")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.amount_paid == 0
    with pytest.raises(ApplicationError):
        services.refund_create(actor=accountant, payment=payment, amount=D(1), reason="")
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=D(151))
