"""Writes for billing. Each is one transaction, validates first and writes its audit event last.

Lock order, the same everywhere so concurrent writers cannot deadlock: invoice row, then the
claim or payment row, then the number counter. Charges are locked in primary-key order.

The charge interface for the other modules:

    from hms.billing.services import charge_post

    charge_post(actor=user, patient=patient, source_type=ChargeSource.LAB_ORDER,
                source_id=order.public_id, tariff_code="LAB-HGB")

It is idempotent: the same (source_type, source_id) posted twice, even at the same instant from
two transactions, gives one charge (a UNIQUE constraint decides; the loser gets the winner's row).
See hms.billing.billable for the ready-made calls per module.
"""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from hms.billing.models import (
    NUMBER_PREFIX,
    Charge,
    ChargeSource,
    ChargeStatus,
    ClaimLine,
    ClaimStatus,
    DocumentCounter,
    InsuranceClaim,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberKind,
    Payment,
    PaymentMethod,
    Refund,
    Tariff,
    TariffCategory,
)
from hms.billing.money import (
    QUANTITY_MAX_DIGITS,
    ZERO,
    check_fits,
    copay_split,
    hospital_currency,
    line_amounts,
    money,
)
from hms.billing.tariffs import tariff_valid_on
from hms.core.errors import ApplicationError, ConflictError, NotFoundError
from hms.core.locks import lock_or_create, partial_unique_lock_table
from hms.core.models import AuditAction
from hms.core.plausible_dates import moment_check, tariff_day_check
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create_for_role
from hms.core.wording import with_article
from hms.patients.models import InsurancePolicy, Patient

MIN_REASON_LENGTH = 3


def _audit(*, actor, action, resource_type: str, obj, patient_id="", detail=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=obj.public_id,
        patient_id=patient_id,
        detail=detail,
    )


def _require_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ApplicationError(
            "Say why.",
            code="reason_required",
            fields={field: [f"A reason of at least {MIN_REASON_LENGTH} characters is required."]},
        )
    return reason


# The latest an invoice may fall due, counted from its issue.
MAX_DUE_DAYS = 366


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _check_currency(currency: str) -> None:
    if currency != hospital_currency():
        raise ApplicationError(
            f"The hospital bills in {hospital_currency()}, not {currency}.",
            code="wrong_currency",
            fields={"currency": [f"Must be {hospital_currency()}."]},
        )


# --- Tariffs -------------------------------------------------------------------------------


@transaction.atomic
def tariff_set_price(
    *,
    actor,
    code: str,
    category: TariffCategory | str,
    name: str,
    price: Decimal,
    valid_from: date,
    tax_rate: Decimal = ZERO,
    currency: str | None = None,
) -> Tariff:
    """Open a new price version for `code` from `valid_from`. The open version, if any, is
    closed the day before; charges already posted keep the version they were priced with."""
    code = code.strip().upper()
    currency = currency or hospital_currency()
    _check_currency(currency)
    tariff_day_check(valid_from, field="valid_from")
    if price < 0:
        raise ApplicationError(
            "A price cannot be negative.", code="invalid_price", fields={"price": ["Negative."]}
        )
    if not (ZERO <= tax_rate <= 100):
        raise ApplicationError(
            "A tax rate is a percentage from 0 to 100.",
            code="invalid_tax_rate",
            fields={"tax_rate": ["Between 0 and 100."]},
        )
    # Where the one-open-version constraint cannot exist (MySQL/MariaDB), a code's first
    # version has no row to lock: price setters queue on the table's lock instead.
    partial_unique_lock_table(Tariff)
    versions = list(Tariff.objects.select_for_update().filter(code=code).order_by("valid_from"))
    if versions and versions[-1].valid_from >= valid_from:
        raise ConflictError(
            f"{code} already has a price from {versions[-1].valid_from}; a new price must start "
            f"after it.",
            code="tariff_version_overlap",
            fields={"valid_from": [f"Must be after {versions[-1].valid_from}."]},
        )
    if versions and versions[-1].category != category:
        raise ConflictError(
            f"{code} is {with_article(versions[-1].get_category_display().lower())} tariff.",
            code="tariff_category_mismatch",
            fields={"category": [f"Must stay {versions[-1].category}."]},
        )
    previous = versions[-1] if versions else None
    if previous is not None and (
        previous.valid_until is None or previous.valid_until >= valid_from
    ):
        previous.valid_until = valid_from - timedelta(days=1)
        previous.save(update_fields=["valid_until", "updated_at"])
    try:
        with transaction.atomic():  # a savepoint: the one-open-version constraints
            tariff = Tariff.objects.create(
                code=code,
                category=category,
                name=name.strip(),
                price=money(price),
                currency=currency,
                tax_rate=tax_rate,
                valid_from=valid_from,
                created_by=actor,
            )
    except IntegrityError as exc:
        # A code's first version has no row to lock: another request priced it just now.
        raise ConflictError(
            f"{code} was given a price at the same moment; reload its prices and try again.",
            code="tariff_version_overlap",
        ) from exc
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_tariff",
        obj=tariff,
        detail={
            "code": code,
            "price": str(tariff.price),
            "valid_from": valid_from.isoformat(),
            "previous": str(previous.public_id) if previous else None,
        },
    )
    return tariff


@transaction.atomic
def tariff_end(*, actor, tariff: Tariff, valid_until: date) -> Tariff:
    """Stop offering a price after `valid_until` (the row stays for the charges that used it)."""
    tariff = Tariff.objects.select_for_update().get(pk=tariff.pk)
    tariff_day_check(valid_until, field="valid_until")
    if valid_until < tariff.valid_from:
        raise ApplicationError(
            "A tariff cannot end before it starts.",
            code="invalid_valid_until",
            fields={"valid_until": [f"On or after {tariff.valid_from}."]},
        )
    if tariff.valid_until is not None and tariff.valid_until < valid_until:
        raise ConflictError(
            "This version already ended; to extend a price, set a new one.",
            code="tariff_already_ended",
        )
    tariff.valid_until = valid_until
    tariff.save(update_fields=["valid_until", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_tariff",
        obj=tariff,
        detail={"valid_until": valid_until.isoformat()},
    )
    return tariff


# --- Charges -------------------------------------------------------------------------------


@transaction.atomic
def charge_post(
    *,
    actor,
    patient: Patient,
    source_type: ChargeSource | str,
    source_id,
    tariff_code: str | None = None,
    description: str | None = None,
    unit_price: Decimal | None = None,
    quantity: Decimal | int = 1,
    occurred_at: datetime | None = None,
    tax_rate: Decimal | None = None,
    reason: str = "",
) -> Charge:
    """Post the charge for one billable event, priced by `tariff_code` (the version valid on the
    event's day) or by `description` + `unit_price`. Idempotent per (source_type, source_id):
    posting the same event again returns the charge already posted, never a second one."""
    source_type = ChargeSource(source_type)
    source_id = str(source_id)
    existing = Charge.objects.filter(source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return _same_event(existing, patient)

    occurred_at = occurred_at or timezone.now()
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ApplicationError(
            "The quantity must be positive.", code="invalid_quantity", fields={"quantity": [">0"]}
        )
    tariff = None
    if tariff_code:
        if unit_price is not None:
            raise ApplicationError(
                "Give a tariff code or a price, not both.",
                code="price_and_tariff",
                fields={"unit_price": ["Not with a tariff code."]},
            )
        tariff = tariff_valid_on(code=tariff_code.strip().upper(), on=_local_date(occurred_at))
        if tariff is None:
            raise NotFoundError(
                f"No price for {tariff_code} on {_local_date(occurred_at)}.",
                code="no_tariff",
                fields={"tariff_code": ["No tariff valid on that day."]},
            )
        unit_price = tariff.price
        description = description or tariff.name
        tax_rate = tariff.tax_rate if tax_rate is None else tax_rate
    else:
        if unit_price is None or not description:
            raise ApplicationError(
                "Give a tariff code, or a description and a unit price.",
                code="price_required",
                fields={"tariff_code": ["Required unless description and unit_price are given."]},
            )
        if unit_price < 0:
            raise ApplicationError(
                "A price cannot be negative.",
                code="invalid_price",
                fields={"unit_price": ["Negative."]},
            )
    tax_rate = ZERO if tax_rate is None else Decimal(tax_rate)
    if not (ZERO <= tax_rate <= 100):
        raise ApplicationError(
            "A tax rate is a percentage from 0 to 100.",
            code="invalid_tax_rate",
            fields={"tax_rate": ["Between 0 and 100."]},
        )
    if source_type == ChargeSource.MANUAL:
        reason = _require_reason(reason)
    _check_line_fits(quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)

    charge = Charge(
        patient=patient,
        source_type=source_type,
        source_id=source_id,
        tariff=tariff,
        code=tariff.code if tariff else "",
        description=description.strip()[:255],
        quantity=quantity,
        unit_price=money(unit_price),
        tax_rate=tax_rate,
        currency=tariff.currency if tariff else hospital_currency(),
        occurred_at=occurred_at,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            charge.save()
    except IntegrityError:
        # Lost the race: another transaction posted this event first (and has committed).
        existing = Charge.objects.filter(source_type=source_type, source_id=source_id).first()
        if existing is None:
            raise
        return _same_event(existing, patient)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_charge",
        obj=charge,
        patient_id=patient.public_id,
        detail={
            "source": f"{source_type.value}:{source_id}",
            "code": charge.code,
            "quantity": str(quantity),
            "unit_price": str(charge.unit_price),
        },
    )
    return charge


def _check_line_fits(*, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> None:
    """400 when a charge, or the invoice line it will become, would overflow its columns."""
    check_fits(quantity, field="quantity", max_digits=QUANTITY_MAX_DIGITS, what="A quantity")
    check_fits(unit_price, field="unit_price", what="A unit price")
    subtotal = Decimal(quantity) * Decimal(unit_price)
    check_fits(subtotal, field="quantity", what="Quantity x unit price")
    amounts = line_amounts(quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)
    check_fits(amounts.total, field="quantity", what="Quantity x unit price, with tax,")


def _same_event(existing: Charge, patient: Patient) -> Charge:
    if existing.patient_id != patient.pk:
        raise ConflictError(
            "This event was already charged to another patient.", code="charge_source_reused"
        )
    return existing


def charge_post_manual(
    *,
    actor,
    patient: Patient,
    reason: str,
    tariff_code: str | None = None,
    description: str | None = None,
    unit_price: Decimal | None = None,
    quantity: Decimal | int = 1,
    tax_rate: Decimal | None = None,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Charge:
    """A charge entered by hand (a procedure, a dressing...), with the reason it was needed.
    A client may send an idempotency key so a retried request posts it once. What it charges
    for has happened: not in the future, not before the patient's birth."""
    if occurred_at is not None:
        moment_check(occurred_at, field="occurred_at", patient=patient)
    return charge_post(
        actor=actor,
        patient=patient,
        source_type=ChargeSource.MANUAL,
        source_id=idempotency_key or uuid.uuid4().hex,
        tariff_code=tariff_code,
        description=description,
        unit_price=unit_price,
        quantity=quantity,
        occurred_at=occurred_at,
        tax_rate=tax_rate,
        reason=_require_reason(reason),
    )


@transaction.atomic
def charge_void(*, actor, charge: Charge, reason: str) -> Charge:
    """Cancel a charge that is not on an invoice (posted in error). The row stays."""
    reason = _require_reason(reason)
    charge = Charge.objects.select_for_update().select_related("patient").get(pk=charge.pk)
    if charge.status != ChargeStatus.UNBILLED:
        raise ConflictError(
            "Only a charge that is not on an invoice can be voided; remove it from the draft "
            "or void the invoice first.",
            code="charge_invoiced" if charge.status == ChargeStatus.INVOICED else "charge_void",
        )
    charge.status = ChargeStatus.VOID
    charge.voided_at = timezone.now()
    charge.voided_by = actor
    charge.void_reason = reason
    charge.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.VOID,
        resource_type="billing_charge",
        obj=charge,
        patient_id=charge.patient.public_id,
        detail={"reason": reason},
    )
    return charge


@transaction.atomic
def charge_return_units(*, actor, charge: Charge, quantity: Decimal | int, reason: str) -> Charge:
    """Units of a charged event handed back (unused medication returned to the pharmacy): the
    patient is no longer billed for them.

    Not yet invoiced: the charge's quantity goes down (all of it returned: the charge is
    voided). On a draft invoice: the line follows (or is taken off the draft). On an issued
    invoice nothing can change any more: the accountants are told what to credit."""
    quantity = Decimal(quantity)
    # Invoice before charge, the order the invoice services lock in (no deadlock with them).
    placed = (
        InvoiceLine.objects.filter(charge=charge, released_at__isnull=True)
        .only("invoice_id")
        .first()
    )
    invoice = _lock_invoice(Invoice(pk=placed.invoice_id)) if placed is not None else None
    charge = Charge.objects.select_for_update().select_related("patient").get(pk=charge.pk)
    line = _live_lines(invoice).filter(charge=charge).first() if invoice is not None else None
    if charge.status == ChargeStatus.INVOICED and line is None:
        raise ConflictError(  # put on an invoice after the look above; rare
            "This charge was just put on an invoice. Please try the return again.",
            code="charge_busy",
        )
    if line is None:
        invoice = None  # taken off the draft meanwhile: an unbilled charge again
    if charge.status == ChargeStatus.VOID:
        return charge
    if not (0 < quantity <= charge.quantity):
        raise ConflictError(
            f"Only {charge.quantity} unit(s) of this charge can be returned.",
            code="return_exceeds_charged",
        )
    remaining = charge.quantity - quantity
    detail = {"returned": str(quantity), "reason": reason}
    if invoice is not None and invoice.status != InvoiceStatus.DRAFT:
        credit = line_amounts(
            quantity=quantity, unit_price=charge.unit_price, tax_rate=charge.tax_rate
        ).total
        notification_create_for_role(
            role=Role.ACCOUNTANT,
            kind="billing_return_after_invoice",
            title=f"Credit {credit} {charge.currency} on {invoice.number}",
            body=(
                f'{quantity} of "{charge.description}" were returned after invoice '
                f"{invoice.number} was issued to patient {charge.patient.mrn}: credit "
                f"{credit} {charge.currency} (a refund, or void and re-issue the invoice). "
                f"Reason: {reason}"
            ),
            severity="warning",
            link=f"/api/billing/invoices/{invoice.public_id}/",
            patient_id=charge.patient.public_id,
        )
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="billing_charge",
            obj=charge,
            patient_id=charge.patient.public_id,
            detail={**detail, "invoice": invoice.number, "credit_due": str(credit)},
        )
        return charge
    if invoice is not None:  # a draft: its line follows the charge
        if remaining == 0:
            _release_lines(invoice, [line])
        else:
            _resize_line(line, quantity=remaining)
        _recompute_totals(invoice)
        invoice.save()
        detail["invoice_total"] = str(invoice.total)
    if remaining == 0:
        charge.status = ChargeStatus.VOID
        charge.voided_at = timezone.now()
        charge.voided_by = actor
        charge.void_reason = f"Returned: {reason}"[:255]
        charge.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "updated_at"])
    else:
        charge.quantity = remaining
        charge.save(update_fields=["quantity", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.VOID if remaining == 0 else AuditAction.UPDATE,
        resource_type="billing_charge",
        obj=charge,
        patient_id=charge.patient.public_id,
        detail={**detail, "quantity": str(remaining)},
    )
    return charge


def _resize_line(line: InvoiceLine, *, quantity: Decimal) -> None:
    """A draft line with fewer units: a percentage discount stays a percentage, an amount
    discount is kept up to the new subtotal."""
    subtotal = money(quantity * line.unit_price)
    amounts = line_amounts(
        quantity=quantity,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        discount_amount=None
        if line.discount_percent is not None
        else min(line.discount_amount, subtotal),
        discount_percent=line.discount_percent,
    )
    line.quantity = quantity
    line.subtotal = amounts.subtotal
    line.discount_amount = amounts.discount
    line.tax_amount = amounts.tax
    line.total = amounts.total
    line.save(update_fields=["quantity", "subtotal", "discount_amount", "tax_amount", "total"])


# --- Numbers -------------------------------------------------------------------------------


def number_allocate(*, kind: NumberKind, year: int) -> tuple[int, str]:
    """The next number of `kind` in `year`, e.g. (17, "INV-2027-000017").

    Must run inside the transaction that stores the number: the counter row stays locked until
    it commits, and a rollback gives the number back, so there are no gaps and no duplicates.
    """
    counter, _ = lock_or_create(
        DocumentCounter.objects, kind=kind, year=year, defaults={"last_value": 0}
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{NUMBER_PREFIX[kind]}-{year}-{counter.last_value:06d}"


# --- Invoices ------------------------------------------------------------------------------


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


@transaction.atomic
def invoice_add_charges(*, actor, invoice: Invoice, charge_ids: list | None = None) -> Invoice:
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.DRAFT], doing="changed")
    charges = _lock_unbilled_charges(patient=invoice.patient, charge_ids=charge_ids)
    if not charges:
        raise ConflictError("This patient has no unbilled charges.", code="nothing_to_invoice")
    count = _add_charges(invoice, charges)
    _recompute_totals(invoice)
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={"added_lines": count, "total": str(invoice.total)},
    )
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
    _recompute_totals(invoice)
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={
            "line": str(line.public_id),
            "discount": str(amounts.discount),
            "reason": reason,
            "total": str(invoice.total),
        },
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
    _recompute_totals(invoice)
    invoice.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_invoice",
        obj=invoice,
        patient_id=invoice.patient.public_id,
        detail={"removed_line": str(line.public_id), "total": str(invoice.total)},
    )
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


# --- Payments and refunds ------------------------------------------------------------------


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


# --- Insurance claims ----------------------------------------------------------------------


@transaction.atomic
def claim_submit(
    *,
    actor,
    invoice: Invoice,
    policy: InsurancePolicy,
    copay_percent: Decimal | None = None,
) -> InsuranceClaim:
    """Claim the insurer's part of an issued invoice under one of the patient's policies: each
    line is split into the patient's co-pay and the claimed amount (money.copay_split)."""
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], doing="claimed")
    today = timezone.localdate()
    if (
        policy.patient_id != invoice.patient_id
        or policy.voided_at is not None
        or policy.valid_from > today
        or (policy.valid_until is not None and policy.valid_until < today)
    ):
        raise ConflictError(
            "This policy is not a valid policy of the invoice's patient today.",
            code="policy_not_valid",
            fields={"policy": ["Not valid for this patient today."]},
        )
    copay_percent = Decimal(
        settings.BILLING_DEFAULT_COPAY_PERCENT if copay_percent is None else copay_percent
    )
    if not (ZERO <= copay_percent < 100):
        raise ApplicationError(
            "A co-pay is a percentage from 0 to below 100.",
            code="invalid_copay",
            fields={"copay_percent": ["From 0 to less than 100."]},
        )
    if invoice.claims.filter(
        status__in=[
            ClaimStatus.SUBMITTED,
            ClaimStatus.APPROVED,
            ClaimStatus.PARTIALLY_APPROVED,
            ClaimStatus.PAID,
        ]
    ).exists():
        raise ConflictError("This invoice already has a claim.", code="claim_exists")
    splits = []
    for line in _live_lines(invoice):
        patient_share, insurer_share = copay_split(total=line.total, copay_percent=copay_percent)
        splits.append((line, patient_share, insurer_share))
    claimed = sum((s[2] for s in splits), ZERO)
    copay = sum((s[1] for s in splits), ZERO)
    if claimed <= 0:
        raise ConflictError("Nothing on this invoice can be claimed.", code="nothing_to_claim")
    if claimed > invoice.balance:
        raise ConflictError(
            f"The insurer's part ({claimed}) is more than the {invoice.balance} still due; "
            "refund the patient's overpayment first.",
            code="claim_exceeds_balance",
        )
    claim = InsuranceClaim.objects.create(
        invoice=invoice,
        policy=policy,
        payer=policy.payer,
        copay_percent=copay_percent,
        copay_amount=copay,
        claimed_amount=claimed,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            invoice_line=line,
            line_total=line.total,
            copay_amount=patient_share,
            claimed_amount=insurer_share,
        )
        for line, patient_share, insurer_share in splits
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={
            "invoice": invoice.number,
            "payer": policy.payer,
            "claimed": str(claimed),
            "copay": str(copay),
        },
    )
    return claim


def _lock_claim(claim: InsuranceClaim) -> tuple[Invoice, InsuranceClaim]:
    invoice = _lock_invoice(claim.invoice)
    claim = InsuranceClaim.objects.select_for_update().get(pk=claim.pk)
    return invoice, claim


def _require_claim_status(claim: InsuranceClaim, allowed, *, doing: str) -> None:
    if claim.status not in allowed:
        raise ConflictError(
            f"{with_article(claim.get_status_display().lower(), capital=True)} claim cannot be "
            f"{doing}.",
            code="invalid_claim_status",
            extra={"status": claim.status},
        )


@transaction.atomic
def claim_approve(
    *,
    actor,
    claim: InsuranceClaim,
    approved_amount: Decimal,
    payer_reference: str = "",
    note: str = "",
) -> InsuranceClaim:
    """Record the payer's decision: all of the claim (approved) or part (partially approved).
    What is not approved falls to the patient."""
    invoice, claim = _lock_claim(claim)
    _require_claim_status(claim, [ClaimStatus.SUBMITTED], doing="approved")
    approved_amount = Decimal(approved_amount)
    if (
        approved_amount <= 0
        or approved_amount > claim.claimed_amount
        or money(approved_amount) != approved_amount
    ):
        raise ApplicationError(
            f"The approved amount is above 0 and at most the {claim.claimed_amount} claimed "
            "(reject the claim to approve nothing).",
            code="invalid_approved_amount",
            fields={"approved_amount": [f"Above 0, at most {claim.claimed_amount}."]},
        )
    claim.approved_amount = approved_amount
    claim.status = (
        ClaimStatus.APPROVED
        if approved_amount == claim.claimed_amount
        else ClaimStatus.PARTIALLY_APPROVED
    )
    claim.payer_reference = payer_reference or claim.payer_reference
    claim.decision_note = note
    claim.decided_at = timezone.now()
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={"status": claim.status, "approved": str(approved_amount)},
    )
    return claim


@transaction.atomic
def claim_reject(
    *, actor, claim: InsuranceClaim, reason: str, payer_reference: str = ""
) -> InsuranceClaim:
    """The payer pays nothing; the whole balance falls to the patient."""
    reason = _require_reason(reason)
    invoice, claim = _lock_claim(claim)
    _require_claim_status(claim, [ClaimStatus.SUBMITTED], doing="rejected")
    claim.status = ClaimStatus.REJECTED
    claim.decision_note = reason
    claim.payer_reference = payer_reference or claim.payer_reference
    claim.decided_at = timezone.now()
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={"status": claim.status, "reason": reason},
    )
    return claim


@transaction.atomic
def claim_settle(*, actor, claim: InsuranceClaim, reference: str = "") -> InsuranceClaim:
    """The payer paid: post the approved amount to the invoice as an insurance payment (with a
    receipt), which settles the insurance part."""
    invoice, claim = _lock_claim(claim)
    _require_claim_status(
        claim, [ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED], doing="settled"
    )
    payment = _payment_create(
        actor=actor,
        invoice=invoice,
        amount=claim.approved_amount,
        method=PaymentMethod.INSURANCE,
        reference=reference or claim.payer_reference,
        claim=claim,
    )
    claim.status = ClaimStatus.PAID
    claim.paid_amount = payment.amount
    claim.paid_at = payment.received_at
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={
            "status": claim.status,
            "paid": str(payment.amount),
            "receipt": payment.receipt_number,
        },
    )
    return claim
