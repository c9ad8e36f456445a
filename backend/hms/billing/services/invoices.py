"""Invoice writes: draft from unbilled charges, add charges, discount or remove a line, issue,
void."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from hms.billing.models import (
    Charge,
    ChargeStatus,
    ClaimStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberKind,
)
from hms.billing.money import ZERO, check_fits, hospital_currency, line_amounts, money
from hms.billing.services.common import (
    MAX_DUE_DAYS,
    _audit,
    _check_currency,
    _local_date,
    _require_reason,
)
from hms.billing.services.numbering import number_allocate
from hms.core.errors import ApplicationError, ConflictError, NotFoundError
from hms.core.models import AuditAction
from hms.core.wording import with_article
from hms.patients.models import Patient


def _lock_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("patient").get(pk=invoice.pk)


def _require_status(invoice: Invoice, allowed, *, doing: str) -> None:
    if invoice.status not in allowed:
        raise ConflictError(
            f"{with_article(invoice.get_status_display().lower(), capital=True)} invoice cannot "
            f"be {doing}.",
            code="invalid_invoice_status",
            extra={"status": invoice.status},
        )


def _live_lines(invoice: Invoice):
    return invoice.lines.filter(released_at__isnull=True)


def _recompute_totals(invoice: Invoice) -> None:
    sums = _live_lines(invoice).aggregate(
        subtotal=Sum("subtotal"), discount=Sum("discount_amount"), tax=Sum("tax_amount")
    )
    # Plain sums of rounded line values (money() only normalises SQLite's SUM of decimals).
    invoice.subtotal = money(sums["subtotal"] or ZERO)
    invoice.discount_total = money(sums["discount"] or ZERO)
    invoice.tax_total = money(sums["tax"] or ZERO)
    invoice.total = invoice.subtotal - invoice.discount_total + invoice.tax_total


def _add_charges(invoice: Invoice, charges: list[Charge]) -> int:
    position = invoice.lines.count()
    lines = []
    for charge in charges:
        amounts = line_amounts(
            quantity=charge.quantity, unit_price=charge.unit_price, tax_rate=charge.tax_rate
        )
        position += 1
        lines.append(
            InvoiceLine(
                invoice=invoice,
                charge=charge,
                public_id=uuid.uuid4(),
                position=position,
                code=charge.code,
                description=charge.description,
                quantity=charge.quantity,
                unit_price=charge.unit_price,
                tax_rate=charge.tax_rate,
                subtotal=amounts.subtotal,
                discount_amount=amounts.discount,
                tax_amount=amounts.tax,
                total=amounts.total,
            )
        )
    _check_totals_fit(invoice, lines)
    InvoiceLine.objects.bulk_create(lines)
    Charge.objects.filter(pk__in=[c.pk for c in charges]).update(
        status=ChargeStatus.INVOICED, updated_at=timezone.now()
    )
    return len(lines)


def _check_totals_fit(invoice: Invoice, new_lines: list[InvoiceLine]) -> None:
    """400 (naming `charges`) when a line or the invoice's totals with the new lines would
    overflow their columns; the caller then invoices fewer charges at a time."""
    subtotal, tax, total = invoice.subtotal, invoice.tax_total, invoice.total
    for line in new_lines:
        check_fits(line.total, field="charges", what="A line's total")
        subtotal, tax, total = subtotal + line.subtotal, tax + line.tax_amount, total + line.total
    for value in (subtotal, tax, total):
        check_fits(value, field="charges", what="An invoice's total")


def _lock_unbilled_charges(*, patient: Patient, charge_ids: list | None) -> list[Charge]:
    queryset = Charge.objects.select_for_update().filter(patient=patient)
    if charge_ids is not None:
        queryset = queryset.filter(public_id__in=charge_ids)
        charges = list(queryset.order_by("pk"))
        found = {str(c.public_id) for c in charges}
        missing = [str(i) for i in charge_ids if str(i) not in found]
        if missing:
            raise NotFoundError(
                "Some charges do not exist or belong to another patient.",
                code="charge_not_found",
                fields={"charges": missing},
            )
        taken = [str(c.public_id) for c in charges if c.status != ChargeStatus.UNBILLED]
        if taken:
            raise ConflictError(
                "Some charges are already invoiced or voided.",
                code="charge_not_billable",
                fields={"charges": taken},
            )
    else:
        charges = list(queryset.filter(status=ChargeStatus.UNBILLED).order_by("pk"))
    for charge in charges:
        _check_currency(charge.currency)
    return charges


@transaction.atomic
def invoice_create(
    *, actor, patient: Patient, charge_ids: list | None = None, notes: str = ""
) -> Invoice:
    """A draft invoice with the given unbilled charges of the patient (all of them if none are
    named)."""
    charges = _lock_unbilled_charges(patient=patient, charge_ids=charge_ids)
    if not charges:
        raise ConflictError("This patient has no unbilled charges.", code="nothing_to_invoice")
    invoice = Invoice.objects.create(
        patient=patient, currency=hospital_currency(), notes=notes, created_by=actor
    )
    try:
        with transaction.atomic():
            count = _add_charges(invoice, charges)
    except IntegrityError as exc:  # a parallel draft took one of the charges first
        raise ConflictError(
            "A charge was just put on another invoice; try again.", code="charge_not_billable"
        ) from exc
    _recompute_totals(invoice)
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=patient.public_id,
        detail={"lines": count, "total": str(invoice.total)},
    )
    return invoice


def _save_draft_change(*, actor, invoice: Invoice, detail: dict) -> None:
    """Store a changed draft's new totals and audit the change (with the new total)."""
    _recompute_totals(invoice)
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={**detail, "total": str(invoice.total)},
    )


@transaction.atomic
def invoice_add_charges(*, actor, invoice: Invoice, charge_ids: list | None = None) -> Invoice:
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT], doing="changed")
    charges = _lock_unbilled_charges(patient=invoice.patient, charge_ids=charge_ids)
    if not charges:
        raise ConflictError("This patient has no unbilled charges.", code="nothing_to_invoice")
    count = _add_charges(invoice, charges)
    _save_draft_change(actor=actor, invoice=invoice, detail={"added_lines": count})
    return invoice


def _draft_line(invoice: Invoice, line_id) -> InvoiceLine:
    line = _live_lines(invoice).filter(public_id=line_id).first()
    if line is None:
        raise NotFoundError("No such line on this invoice.", code="line_not_found")
    return line


@transaction.atomic
def invoice_line_discount(
    *,
    actor,
    invoice: Invoice,
    line_id,
    reason: str,
    discount_amount: Decimal | None = None,
    discount_percent: Decimal | None = None,
) -> Invoice:
    """Discount one line of a draft by an amount or a percentage (0 removes the discount)."""
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT], doing="changed")
    line = _draft_line(invoice, line_id)
    if (discount_amount is None) == (discount_percent is None):
        raise ApplicationError(
            "Give a discount amount or a percentage.",
            code="discount_required",
            fields={"discount_amount": ["Give this or discount_percent."]},
        )
    if discount_percent is not None and not (ZERO <= discount_percent <= 100):
        raise ApplicationError(
            "A percentage is from 0 to 100.",
            code="invalid_discount",
            fields={"discount_percent": ["Between 0 and 100."]},
        )
    reason = _require_reason(reason)
    try:
        amounts = line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            discount_amount=discount_amount,
            discount_percent=discount_percent,
        )
    except ValueError as exc:
        raise ApplicationError(
            f"A discount must be between 0 and the line's {line.subtotal}.",
            code="invalid_discount",
            fields={"discount_amount": [f"Between 0 and {line.subtotal}."]},
        ) from exc
    line.discount_percent = discount_percent
    line.discount_amount = amounts.discount
    line.discount_reason = reason
    line.tax_amount = amounts.tax
    line.total = amounts.total
    line.save(
        update_fields=[
            "discount_percent",
            "discount_amount",
            "discount_reason",
            "tax_amount",
            "total",
        ]
    )
    _save_draft_change(
        actor=actor,
        invoice=invoice,
        detail={"line": str(line.public_id), "discount": str(amounts.discount), "reason": reason},
    )
    return invoice


def _release_lines(invoice: Invoice, lines) -> None:
    now = timezone.now()
    charge_ids = [line.charge_id for line in lines]
    InvoiceLine.objects.filter(pk__in=[line.pk for line in lines]).update(released_at=now)
    Charge.objects.filter(pk__in=charge_ids, status=ChargeStatus.INVOICED).update(
        status=ChargeStatus.UNBILLED, updated_at=now
    )


@transaction.atomic
def invoice_line_remove(*, actor, invoice: Invoice, line_id) -> Invoice:
    """Take a line off a draft; its charge becomes billable again (the line row is kept)."""
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT], doing="changed")
    line = _draft_line(invoice, line_id)
    _release_lines(invoice, [line])
    _save_draft_change(actor=actor, invoice=invoice, detail={"removed_line": str(line.public_id)})
    return invoice


@transaction.atomic
def invoice_issue(*, actor, invoice: Invoice, due_date: date | None = None) -> Invoice:
    """Give a draft its number (next in the year, no gaps) and freeze its lines."""
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT], doing="issued")
    if not _live_lines(invoice).exists():
        raise ConflictError("An invoice needs at least one line.", code="invoice_empty")
    now = timezone.now()
    if due_date is not None and due_date < _local_date(now):
        raise ApplicationError(
            "The due date cannot be in the past.",
            code="invalid_due_date",
            fields={"due_date": ["In the past."]},
        )
    if due_date is not None and due_date > _local_date(now) + timedelta(days=MAX_DUE_DAYS):
        raise ApplicationError(
            f"The due date cannot be more than {MAX_DUE_DAYS} days after the invoice is issued.",
            code="invalid_due_date",
            fields={"due_date": [f"At most {MAX_DUE_DAYS} days ahead."]},
        )
    sequence, number = number_allocate(kind=NumberKind.INVOICE, year=_local_date(now).year)
    invoice.number, invoice.number_year, invoice.number_sequence = (
        number,
        _local_date(now).year,
        sequence,
    )
    invoice.issued_at = now
    invoice.issued_by = actor
    invoice.due_date = due_date or _local_date(now)
    # Fully discounted: nothing to pay.
    invoice.status = InvoiceStatus.PAID if invoice.total == ZERO else InvoiceStatus.ISSUED
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={"status": invoice.status, "number": number, "total": str(invoice.total)},
    )
    return invoice


def _pending_insurance(invoice: Invoice) -> Decimal:
    """What live, unpaid claims still expect from payers for this invoice."""
    expected = ZERO
    for claim in invoice.claims.filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED]
    ):
        expected += (
            claim.claimed_amount if claim.status == ClaimStatus.SUBMITTED else claim.approved_amount
        )
    return expected


@transaction.atomic
def invoice_void(*, actor, invoice: Invoice, reason: str) -> Invoice:
    """Void (never delete): the invoice keeps its number, lines and history; its charges
    become billable again. Money received must be refunded first, open claims decided."""
    reason = _require_reason(reason)
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT, InvoiceStatus.ISSUED], doing="voided")
    if _pending_insurance(invoice) > 0:
        raise ConflictError(
            "An insurance claim on this invoice is still open; it must be decided first.",
            code="claim_open",
        )
    lines = list(_live_lines(invoice))
    _release_lines(invoice, lines)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.voided_by = actor
    invoice.void_reason = reason
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.VOID,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={"reason": reason, "number": invoice.number, "released_lines": len(lines)},
    )
    return invoice
