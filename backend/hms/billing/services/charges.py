"""Charge writes: post (idempotent per source event), post by hand, void, return units.

The charge interface for the other modules:

    from hms.billing.services import charge_post

    charge_post(actor=user, patient=patient, source_type=ChargeSource.LAB_ORDER,
                source_id=order.public_id, tariff_code="LAB-HGB")

It is idempotent: the same (source_type, source_id) posted twice, even at the same instant from
two transactions, gives one charge (a UNIQUE constraint decides; the loser gets the winner's row).
See hms.billing.billable for the ready-made calls per module.
"""

import uuid
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.billing.models import (
    Charge,
    ChargeSource,
    ChargeStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from hms.billing.money import (
    QUANTITY_MAX_DIGITS,
    ZERO,
    check_fits,
    hospital_currency,
    line_amounts,
    money,
)
from hms.billing.services.common import _audit, _local_date, _require_reason
from hms.billing.services.invoices import (
    _live_lines,
    _lock_invoice,
    _recompute_totals,
    _release_lines,
)
from hms.billing.tariffs import tariff_valid_on
from hms.core.errors import ApplicationError, ConflictError, NotFoundError
from hms.core.models import AuditAction
from hms.core.plausible_dates import moment_check
from hms.core.roles import Role
from hms.core.services import notification_create_for_role
from hms.patients.models import Patient


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
