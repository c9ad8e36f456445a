"""Stock writes: receipts, adjustments, write-offs, transfers and returns, each a ledger row."""

import uuid
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.events import publish
from hms.core.locks import lock_or_create
from hms.core.models import AuditAction
from hms.core.plausible_dates import years_before
from hms.core.services import audit_record
from hms.pharmacy.events import DispenseReturned
from hms.pharmacy.models import (
    Dispense,
    DispenseLine,
    Drug,
    MovementKind,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
    StockBatch,
    StockMovement,
)

DEFAULT_LOCATION = "pharmacy"
# A lot expiring later than this is a typo (it would never be flagged as expiring).
MAX_SHELF_LIFE_YEARS = 10


def _post_movement(
    *,
    batch: StockBatch,
    kind: MovementKind,
    quantity: int,
    actor: User | None,
    reason: str = "",
    reference: str = "",
    dispense: Dispense | None = None,
) -> StockMovement:
    """Change a locked batch's quantity by `quantity` and append the ledger row."""
    if quantity == 0:
        raise ApplicationError("A stock movement cannot be zero.", code="zero_quantity")
    if batch.quantity + quantity < 0:
        raise ConflictError(
            f"Only {batch.quantity} {batch.drug.unit}(s) left in lot {batch.lot_number}; "
            f"stock cannot go below zero.",
            code="insufficient_stock",
            extra={"batch": str(batch.public_id), "on_hand": batch.quantity},
        )
    batch.quantity += quantity
    try:
        with transaction.atomic():
            batch.save(update_fields=["quantity", "updated_at"])
            return StockMovement.objects.create(
                batch=batch,
                drug_id=batch.drug_id,
                kind=kind,
                quantity=quantity,
                balance_after=batch.quantity,
                reason=reason,
                reference=reference,
                dispense=dispense,
                occurred_at=timezone.now(),
                actor=actor,
            )
    except IntegrityError as exc:  # the database's own guard (quantity >= 0)
        raise ConflictError("Stock cannot go below zero.", code="insufficient_stock") from exc


def _lock_batch(batch: StockBatch) -> StockBatch:
    return StockBatch.objects.select_for_update().select_related("drug").get(pk=batch.pk)


def _audit_stock(*, actor, movement: StockMovement, detail: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="stock_movement",
        object_id=movement.public_id,
        detail={
            "kind": movement.kind,
            "batch": str(movement.batch.public_id),
            "quantity": movement.quantity,
            "balance_after": movement.balance_after,
            **(detail or {}),
        },
    )


def _require_positive(quantity: int, field: str = "quantity") -> None:
    if quantity is None or quantity <= 0:
        raise ApplicationError(
            "The quantity must be a positive whole number.",
            code="validation_error",
            fields={field: ["Must be at least 1."]},
        )


def _require_reason(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            f"Say why ({what}).",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    return reason


@transaction.atomic
def stock_receive(
    *,
    actor: User,
    drug: Drug,
    lot_number: str,
    expiry_date: date,
    quantity: int,
    unit_cost: Decimal = Decimal("0"),
    supplier: str = "",
    location: str = DEFAULT_LOCATION,
) -> StockMovement:
    """A delivery: a new batch, or more of the same lot at the same location."""
    _require_positive(quantity)
    lot_number = (lot_number or "").strip()
    if not lot_number:
        raise ApplicationError(
            "A delivery needs its lot number.",
            code="validation_error",
            fields={"lot_number": ["This field is required."]},
        )
    if expiry_date <= timezone.localdate():
        raise ApplicationError(
            "This lot has already expired; it cannot be received into stock.",
            code="already_expired",
            fields={"expiry_date": ["Must be in the future."]},
        )
    if expiry_date > years_before(timezone.localdate(), -MAX_SHELF_LIFE_YEARS):
        raise ApplicationError(
            f"No medicine keeps for more than {MAX_SHELF_LIFE_YEARS} years; check the expiry date.",
            code="implausible_date",
            fields={"expiry_date": [f"At most {MAX_SHELF_LIFE_YEARS} years ahead."]},
        )
    if unit_cost is not None and unit_cost < 0:
        raise ApplicationError(
            "The unit cost cannot be negative.",
            code="validation_error",
            fields={"unit_cost": ["Must not be negative."]},
        )
    batch, created = lock_or_create(
        StockBatch.objects,
        drug=drug,
        lot_number=lot_number,
        location=location,
        defaults={
            "expiry_date": expiry_date,
            "unit_cost": unit_cost or Decimal("0"),
            "supplier": supplier,
            "received_at": timezone.now(),
        },
    )
    if not created and batch.expiry_date != expiry_date:
        raise ConflictError(
            f"Lot {lot_number} is already in stock with expiry {batch.expiry_date}.",
            code="lot_expiry_mismatch",
            extra={"batch": str(batch.public_id), "expiry_date": str(batch.expiry_date)},
        )
    batch.drug = drug
    movement = _post_movement(
        batch=batch, kind=MovementKind.RECEIPT, quantity=quantity, actor=actor, reason=supplier
    )
    _audit_stock(actor=actor, movement=movement, detail={"drug": str(drug.public_id)})
    return movement


@transaction.atomic
def stock_adjust(*, actor: User, batch: StockBatch, quantity: int, reason: str) -> StockMovement:
    """A stock-take correction (+/-), damage, loss. Always with a reason."""
    reason = _require_reason(reason, what="every adjustment needs a reason")
    if not quantity:
        raise ApplicationError(
            "An adjustment changes the quantity by a non-zero number.",
            code="validation_error",
            fields={"quantity": ["Must not be zero."]},
        )
    batch = _lock_batch(batch)
    movement = _post_movement(
        batch=batch, kind=MovementKind.ADJUSTMENT, quantity=quantity, actor=actor, reason=reason
    )
    _audit_stock(actor=actor, movement=movement, detail={"reason": reason})
    return movement


@transaction.atomic
def stock_write_off_expired(
    *, actor: User, batch: StockBatch, quantity: int | None = None, reason: str = ""
) -> StockMovement:
    """Remove expired stock (all that is left by default)."""
    batch = _lock_batch(batch)
    if batch.expiry_date > timezone.localdate():
        raise ConflictError(
            f"Lot {batch.lot_number} expires on {batch.expiry_date}; only expired stock is "
            f"written off this way (use an adjustment for damage or loss).",
            code="not_expired",
        )
    quantity = batch.quantity if quantity is None else quantity
    _require_positive(quantity)
    movement = _post_movement(
        batch=batch,
        kind=MovementKind.EXPIRY_WRITE_OFF,
        quantity=-quantity,
        actor=actor,
        reason=(reason or "").strip() or "expired",
    )
    _audit_stock(actor=actor, movement=movement)
    return movement


@transaction.atomic
def stock_transfer(
    *, actor: User, batch: StockBatch, quantity: int, to_location: str, reason: str = ""
) -> tuple[StockMovement, StockMovement]:
    """Move units of a lot to another location (a ward's stock): two ledger rows, one
    reference."""
    _require_positive(quantity)
    to_location = (to_location or "").strip()
    if not to_location:
        raise ApplicationError(
            "Say where the stock goes.",
            code="validation_error",
            fields={"to_location": ["This field is required."]},
        )
    source = StockBatch.objects.get(pk=batch.pk)
    if to_location == source.location:
        raise ApplicationError(
            "The stock is already at that location.",
            code="validation_error",
            fields={"to_location": ["Same as the batch's location."]},
        )
    target, _ = StockBatch.objects.get_or_create(
        drug_id=source.drug_id,
        lot_number=source.lot_number,
        location=to_location,
        defaults={
            "expiry_date": source.expiry_date,
            "unit_cost": source.unit_cost,
            "supplier": source.supplier,
            "received_at": timezone.now(),
        },
    )
    # Lock both rows in primary-key order.
    locked = {
        b.pk: b
        for b in StockBatch.objects.select_for_update()
        .select_related("drug")
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    reference = f"transfer:{uuid.uuid4()}"
    note = (reason or "").strip() or f"to {to_location}"
    out = _post_movement(
        batch=source,
        kind=MovementKind.TRANSFER,
        quantity=-quantity,
        actor=actor,
        reason=note,
        reference=reference,
    )
    into = _post_movement(
        batch=target,
        kind=MovementKind.TRANSFER,
        quantity=quantity,
        actor=actor,
        reason=f"from {source.location}",
        reference=reference,
    )
    _audit_stock(
        actor=actor, movement=out, detail={"to": to_location, "to_batch": str(target.public_id)}
    )
    return out, into


def _status_for(items: list[PrescriptionItem]) -> str:
    """A prescription's status from how much of each item is dispensed (or returned); items
    stopped from the chart no longer count."""
    items = [item for item in items if item.stopped_at is None] or items
    if all(item.quantity_dispensed >= item.quantity for item in items):
        return PrescriptionStatus.DISPENSED
    if any(item.quantity_dispensed > 0 for item in items):
        return PrescriptionStatus.PARTIALLY_DISPENSED
    return PrescriptionStatus.ACTIVE


@transaction.atomic
def stock_return(
    *, actor: User, dispense_line: DispenseLine, quantity: int, reason: str
) -> StockMovement:
    """Unused medication handed back to the pharmacy: back into the batch it came from; the
    prescription item counts it as not dispensed again, and the patient's bill drops it."""
    _require_positive(quantity)
    reason = _require_reason(reason, what="every return needs a reason")
    line = (
        DispenseLine.objects.select_for_update().select_related("dispense").get(pk=dispense_line.pk)
    )
    prescription = Prescription.objects.select_for_update().get(pk=line.dispense.prescription_id)
    item = PrescriptionItem.objects.select_for_update().get(pk=line.item_id)
    if quantity > line.quantity - line.returned_quantity:
        raise ConflictError(
            f"Only {line.quantity - line.returned_quantity} unit(s) of this dispense can still "
            f"be returned.",
            code="return_exceeds_dispensed",
        )
    batch = _lock_batch(line.batch)
    movement = _post_movement(
        batch=batch,
        kind=MovementKind.RETURN,
        quantity=quantity,
        actor=actor,
        reason=reason,
        dispense=line.dispense,
    )
    line.returned_quantity += quantity
    line.save(update_fields=["returned_quantity"])
    item.quantity_dispensed -= quantity
    item.save(update_fields=["quantity_dispensed", "updated_at"])
    if prescription.status != PrescriptionStatus.CANCELLED:
        prescription.status = _status_for(list(prescription.items.all()))
        prescription.save(update_fields=["status", "updated_at"])
    # Billing credits the returned units off the patient's bill.
    publish(DispenseReturned(actor=actor, line=line, quantity=quantity, reason=reason))
    _audit_stock(actor=actor, movement=movement, detail={"reason": reason})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="prescription",
        object_id=prescription.public_id,
        patient_id=prescription.patient.public_id,
        detail={"returned": quantity, "item": str(item.public_id), "reason": reason},
    )
    return movement
