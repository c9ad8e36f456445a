"""Invoices: drafts from charges, totals from lines, numbering at issue, void keeps all."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, transaction

from hms.billing import services
from hms.billing.models import ChargeStatus, Invoice, InvoiceLine, InvoiceStatus
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_draft_takes_all_unbilled_charges_and_totals_come_from_lines(accountant, patient, post):
    post(patient, "3.33", qty="1.5", tax="16")  # 4.995 -> 5.00, tax 0.80
    post(patient, "20.00")
    invoice = services.invoice_create(actor=accountant, patient=patient)
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    assert invoice.subtotal == D("25.00")
    assert invoice.tax_total == D("0.80")
    assert invoice.total == D("25.80")
    assert invoice.lines.count() == 2
    assert set(patient.charges.values_list("status", flat=True)) == {ChargeStatus.INVOICED}
    with pytest.raises(ConflictError) as error:
        services.invoice_create(actor=accountant, patient=patient)
    assert error.value.code == "nothing_to_invoice"


def test_line_discount_and_removal_recompute_totals(accountant, patient, post):
    post(patient, "100.00", tax="10")
    post(patient, "50.00")
    invoice = services.invoice_create(actor=accountant, patient=patient)
    first, second = invoice.lines.order_by("position")
    invoice = services.invoice_line_discount(
        actor=accountant,
        invoice=invoice,
        line_id=first.public_id,
        discount_percent=D("12.5"),
        reason="Staff discount",
    )
    # 100 - 12.50 = 87.50, tax 10% = 8.75 -> 96.25; + 50
    assert (invoice.subtotal, invoice.discount_total, invoice.tax_total, invoice.total) == (
        D("150.00"),
        D("12.50"),
        D("8.75"),
        D("146.25"),
    )
    with pytest.raises(ApplicationError) as error:
        services.invoice_line_discount(
            actor=accountant,
            invoice=invoice,
            line_id=second.public_id,
            discount_amount=D("50.01"),
            reason="Too much",
        )
    assert error.value.code == "invalid_discount"
    invoice = services.invoice_line_remove(
        actor=accountant, invoice=invoice, line_id=second.public_id
    )
    assert invoice.total == D("96.25")
    second.refresh_from_db()
    assert second.released_at is not None  # kept, not deleted
    assert second.charge.status == ChargeStatus.UNBILLED


def test_stored_totals_must_add_up_in_the_database(accountant, patient, post):
    post(patient)
    invoice = services.invoice_create(actor=accountant, patient=patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=D("1.00"))
    line = invoice.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(discount_amount=D("500.00"))


def test_issue_numbers_per_year_without_gaps(accountant, patient, post, issued_invoice):
    with time_machine.travel(datetime(2027, 12, 31, 22, tzinfo=UTC), tick=False):
        a = issued_invoice("10")
        b = issued_invoice("20")
    with time_machine.travel(datetime(2028, 1, 1, 8, tzinfo=UTC), tick=False):
        c = issued_invoice("30")
    assert [a.number, b.number, c.number] == [
        "INV-2027-000001",
        "INV-2027-000002",
        "INV-2028-000001",
    ]
    assert a.status == InvoiceStatus.ISSUED and a.issued_at is not None
    assert a.due_date is not None


def test_a_failed_issue_gives_its_number_back(accountant, patient, post, issued_invoice):
    issued_invoice("10")
    post(patient, "5")
    draft = services.invoice_create(actor=accountant, patient=patient)
    with pytest.raises(ApplicationError), transaction.atomic():
        services.invoice_issue(actor=accountant, invoice=draft)
        raise ApplicationError("simulated failure after numbering")
    issued = services.invoice_issue(actor=accountant, invoice=draft)
    assert issued.number.endswith("-000002")


def test_issued_invoices_are_frozen(accountant, patient, post, issued_invoice):
    invoice = issued_invoice()
    line = invoice.lines.first()
    with pytest.raises(ConflictError):
        services.invoice_line_discount(
            actor=accountant,
            invoice=invoice,
            line_id=line.public_id,
            discount_amount=D(1),
            reason="Late",
        )
    with pytest.raises(ConflictError):
        services.invoice_issue(actor=accountant, invoice=invoice)


def test_void_keeps_everything_and_releases_the_charges(accountant, patient, issued_invoice):
    invoice = issued_invoice()
    number, total = invoice.number, invoice.total
    with pytest.raises(ApplicationError):
        services.invoice_void(actor=accountant, invoice=invoice, reason="")
    invoice = services.invoice_void(actor=accountant, invoice=invoice, reason="Wrong patient")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert (invoice.number, invoice.total) == (number, total)
    assert invoice.lines.count() == 2 and invoice.void_reason == "Wrong patient"
    assert set(patient.charges.values_list("status", flat=True)) == {ChargeStatus.UNBILLED}
    assert AuditEvent.objects.filter(resource_type="billing_invoice", action="void").count() == 1
    with pytest.raises(PermissionError):
        invoice.delete()
    # The charges can be billed again, on a new invoice.
    again = services.invoice_create(actor=accountant, patient=patient)
    assert again.total == total


def test_cannot_void_with_money_received(accountant, patient, issued_invoice):
    invoice = issued_invoice()
    services.payment_record(actor=accountant, invoice=invoice, amount=D(10), method="cash")
    with pytest.raises(ConflictError) as error:
        services.invoice_void(actor=accountant, invoice=invoice, reason="Wrong patient")
    assert error.value.code == "invalid_invoice_status"


def test_fully_discounted_invoice_is_paid_when_issued(accountant, patient, post):
    post(patient, "10")
    invoice = services.invoice_create(actor=accountant, patient=patient)
    line = invoice.lines.get()
    services.invoice_line_discount(
        actor=accountant,
        invoice=invoice,
        line_id=line.public_id,
        discount_percent=D(100),
        reason="Waived",
    )
    invoice = services.invoice_issue(actor=accountant, invoice=invoice)
    assert invoice.status == InvoiceStatus.PAID and invoice.total == 0
