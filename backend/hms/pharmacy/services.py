"""Writes for the formulary, stock, prescriptions and dispensing. Each is one transaction and
writes its audit event last.

Stock: every change of a batch's quantity goes through `_post_movement`, which locks nothing
itself but requires the batch row to be locked (SELECT ... FOR UPDATE) by the caller, changes
the quantity and appends the ledger row in the same transaction. The database refuses a negative
quantity (check constraint), so even a bug here cannot drive stock below zero.

Locking order (to avoid deadlocks): prescription, its items (by id), batches (by id), then the
audit chain head (inside audit_record).
"""

import math
import uuid
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.events import publish
from hms.core.locks import lock_or_create
from hms.core.models import AuditAction
from hms.core.plausible_dates import day_window_check, years_before
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create_for_role
from hms.core.wording import with_article
from hms.patients.models import Patient
from hms.patients.names import name_normalise
from hms.pharmacy import safety, selectors
from hms.pharmacy.events import DispenseReturned, MedicationDispensed
from hms.pharmacy.models import (
    DOSES_PER_DAY,
    OPEN_PRESCRIPTION_STATUSES,
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
OVERRIDE_REASON_MIN_LENGTH = 10
# A lot expiring later than this is a typo (it would never be flagged as expiring).
MAX_SHELF_LIFE_YEARS = 10

DRUG_FIELDS = (
    "generic_name",
    "brand_name",
    "form",
    "strength",
    "route",
    "atc_code",
    "drug_class",
    "unit",
    "dose_unit",
    "strength_amount",
    "usual_dose_min",
    "usual_dose_max",
    "max_daily_dose",
    "reorder_level",
    "price",
    "currency",
)


# --- Formulary -------------------------------------------------------------------------------


def _drug_set_derived(drug: Drug) -> None:
    drug.generic_name = drug.generic_name.strip()
    drug.generic_name_norm = name_normalise(drug.generic_name)
    drug.drug_class_norm = safety.normalise_class(drug.drug_class) if drug.drug_class else ""
    drug.atc_code = (drug.atc_code or "").strip().upper()


def _drug_validate(drug: Drug) -> None:
    if not drug.generic_name_norm:
        raise ApplicationError(
            "A drug needs a generic name.",
            code="validation_error",
            fields={"generic_name": ["This field is required."]},
        )
    if (
        drug.usual_dose_min is not None
        and drug.usual_dose_max is not None
        and drug.usual_dose_max < drug.usual_dose_min
    ):
        raise ApplicationError(
            "The usual dose range is upside down.",
            code="validation_error",
            fields={"usual_dose_max": ["Must not be below usual_dose_min."]},
        )
    clash = Drug.objects.filter(
        generic_name_norm=drug.generic_name_norm,
        brand_name=drug.brand_name,
        form=drug.form,
        strength=drug.strength,
    )
    if drug.pk is not None:
        clash = clash.exclude(pk=drug.pk)
    if clash.exists():
        raise ConflictError(
            "This product (name, brand, form and strength) is already in the formulary.",
            code="drug_exists",
            extra={"drug": str(clash.first().public_id)},
        )


@transaction.atomic
def drug_create(*, actor: User, **fields) -> Drug:
    drug = Drug(**{k: v for k, v in fields.items() if k in DRUG_FIELDS}, created_by=actor)
    _drug_set_derived(drug)
    _drug_validate(drug)
    drug.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="drug",
        object_id=drug.public_id,
        detail={"generic_name": drug.generic_name, "strength": drug.strength},
    )
    return drug


@transaction.atomic
def drug_update(*, actor: User, drug: Drug, **fields) -> Drug:
    drug = Drug.objects.select_for_update().get(pk=drug.pk)
    changed = []
    for name, value in fields.items():
        if name in (*DRUG_FIELDS, "active") and getattr(drug, name) != value:
            setattr(drug, name, value)
            changed.append(name)
    if not changed:
        return drug
    _drug_set_derived(drug)
    _drug_validate(drug)
    drug.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="drug",
        object_id=drug.public_id,
        detail={"changed": sorted(changed)},
    )
    return drug


# --- Stock and its ledger --------------------------------------------------------------------


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


# --- Prescriptions ---------------------------------------------------------------------------


def _dose_in_dispensing_units(*, drug: Drug, dose: Decimal, unit: str) -> Decimal | None:
    unit = safety.COUNT_UNIT_ALIASES.get(unit.strip().lower(), unit.strip().lower())
    dispensing = safety.COUNT_UNIT_ALIASES.get(drug.unit.lower(), drug.unit.lower())
    if unit == dispensing:
        return dose
    if drug.strength_amount:
        amount = safety.dose_in_drug_units(drug=drug, dose=dose, unit=unit)
        if amount is not None:
            return amount / drug.strength_amount
    return None


def default_quantity(
    *, drug: Drug, dose: Decimal, dose_unit: str, frequency: str, duration_days: int | None
) -> int | None:
    """Units to supply for the whole course, when it can be worked out."""
    per_day = DOSES_PER_DAY.get(frequency)
    per_dose = _dose_in_dispensing_units(drug=drug, dose=dose, unit=dose_unit)
    if per_dose is None:
        return None
    if frequency == "stat":
        return max(1, math.ceil(per_dose))
    if per_day is None or not duration_days:
        return None
    return max(1, math.ceil(per_dose * per_day * duration_days))


# A course of treatment starts within this many days of the day it is prescribed.
START_DATE_WINDOW_DAYS = 366


def _normalise_items(items: list[dict], *, patient: Patient) -> list[dict]:
    if not items:
        raise ApplicationError(
            "A prescription needs at least one item.",
            code="validation_error",
            fields={"items": ["At least one item is required."]},
        )
    today = timezone.localdate()
    normalised = []
    for index, raw in enumerate(items):
        item = dict(raw)
        drug: Drug = item["drug"]
        if not drug.active:
            raise ApplicationError(
                f"{drug.display_name} is no longer in the formulary.",
                code="drug_inactive",
                fields={"items": {index: {"drug": ["Inactive drug."]}}},
            )
        item["dose_unit"] = (item.get("dose_unit") or drug.dose_unit).strip()
        item["route"] = item.get("route") or drug.route
        item["start_date"] = item.get("start_date") or today
        try:
            day_window_check(
                item["start_date"],
                field="start_date",
                days_back=START_DATE_WINDOW_DAYS,
                days_ahead=START_DATE_WINDOW_DAYS,
                patient=patient,
            )
        except ApplicationError as error:
            raise ApplicationError(
                f"Item {index + 1}: {error.message}",
                code=error.code,
                fields={"items": {index: error.fields}},
            ) from error
        if not item.get("quantity"):
            item["quantity"] = default_quantity(
                drug=drug,
                dose=item["dose"],
                dose_unit=item["dose_unit"],
                frequency=item["frequency"],
                duration_days=item.get("duration_days"),
            )
            if not item["quantity"]:
                raise ApplicationError(
                    f"Say how many {drug.unit}s of {drug.generic_name} to supply.",
                    code="validation_error",
                    fields={"items": {index: {"quantity": ["Required for this item."]}}},
                )
        normalised.append(item)
    return normalised


def _lock_patient(patient: Patient) -> None:
    # Serialises prescribing for one patient, so two prescriptions written at once cannot both
    # miss each other in the duplicate-therapy check.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()


@transaction.atomic
def prescription_create(
    *,
    actor: User,
    patient: Patient,
    items: list[dict],
    encounter=None,
    note: str = "",
    override_reason: str = "",
) -> Prescription:
    """Write a prescription after the safety checks. A severe warning blocks it (409
    `safety_override_required`, warnings in `extra`) unless `override_reason` is given; the
    override is audited on its own."""
    if actor.role != Role.DOCTOR:
        raise ForbiddenError("Only doctors prescribe.", code="not_a_prescriber")
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ApplicationError(
            "That encounter belongs to another patient.",
            code="validation_error",
            fields={"encounter": ["Not this patient's encounter."]},
        )
    items = _normalise_items(items, patient=patient)
    _lock_patient(patient)
    warnings = safety.check_for_patient(patient=patient, items=safety.proposed_items(items))
    severe = [w for w in warnings if w.severity == safety.Severity.SEVERE]
    override_reason = (override_reason or "").strip()
    if severe and len(override_reason) < OVERRIDE_REASON_MIN_LENGTH:
        raise ConflictError(
            "Severe safety warnings: review them, change the prescription, or override with a "
            f"reason (at least {OVERRIDE_REASON_MIN_LENGTH} characters).",
            code="safety_override_required",
            extra={"warnings": [w.as_dict() for w in warnings]},
        )
    prescription = Prescription.objects.create(
        patient=patient,
        prescriber=actor,
        encounter=encounter,
        prescribed_at=timezone.now(),
        note=note,
        safety_warnings=[w.as_dict() for w in warnings],
        override_reason=override_reason if severe else "",
    )
    PrescriptionItem.objects.bulk_create(
        PrescriptionItem(
            prescription=prescription,
            drug=item["drug"],
            dose=item["dose"],
            dose_unit=item["dose_unit"],
            route=item["route"],
            frequency=item["frequency"],
            duration_days=item.get("duration_days"),
            quantity=item["quantity"],
            instructions=item.get("instructions", ""),
            start_date=item["start_date"],
        )
        for item in items
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="prescription",
        object_id=prescription.public_id,
        patient_id=patient.public_id,
        detail={
            "items": [
                {"drug": str(i["drug"].public_id), "name": i["drug"].generic_name} for i in items
            ],
            "warnings": [f"{w.severity}:{w.code}" for w in warnings],
        },
    )
    if severe:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            resource_type="prescription_safety_override",
            object_id=prescription.public_id,
            patient_id=patient.public_id,
            detail={"reason": override_reason, "overridden": [w.as_dict() for w in severe]},
        )
    return prescription


@transaction.atomic
def prescription_cancel(*, actor: User, prescription: Prescription, reason: str) -> Prescription:
    """Cancel (stop) a prescription; nothing is removed. Already dispensed units stay
    dispensed."""
    reason = _require_reason(reason, what="a cancelled prescription needs a reason")
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if prescription.status == PrescriptionStatus.CANCELLED:
        raise ConflictError("This prescription is already cancelled.", code="invalid_status")
    previous = prescription.status
    prescription.status = PrescriptionStatus.CANCELLED
    prescription.cancelled_at = timezone.now()
    prescription.cancelled_by = actor
    prescription.cancel_reason = reason
    prescription.save()
    audit_record(
        actor=actor,
        action=AuditAction.VOID,
        resource_type="prescription",
        object_id=prescription.public_id,
        patient_id=prescription.patient.public_id,
        detail={"reason": reason, "previous_status": previous},
    )
    return prescription


def _status_for(items: list[PrescriptionItem]) -> str:
    if all(item.quantity_dispensed >= item.quantity for item in items):
        return PrescriptionStatus.DISPENSED
    if any(item.quantity_dispensed > 0 for item in items):
        return PrescriptionStatus.PARTIALLY_DISPENSED
    return PrescriptionStatus.ACTIVE


@transaction.atomic
def prescription_dispense(
    *,
    actor: User,
    prescription: Prescription,
    quantities: dict | None = None,
    note: str = "",
    location: str = DEFAULT_LOCATION,
) -> Dispense:
    """Dispense what is left (or `quantities`: {item public_id: units}) first-expiry-first-out
    from non-expired batches at `location`. Short stock gives a partial dispense (the
    prescription becomes partially dispensed; `dispense.shortfalls` says what is missing); no
    stock at all answers 409 `out_of_stock` and changes nothing. Ledger rows are written in
    this transaction."""
    prescription = (
        Prescription.objects.select_for_update().select_related("patient").get(pk=prescription.pk)
    )
    if prescription.status not in OPEN_PRESCRIPTION_STATUSES:
        raise ConflictError(
            f"{with_article(prescription.get_status_display().lower(), capital=True)} prescription "
            "cannot be dispensed.",
            code="not_dispensable",
        )
    items = list(
        PrescriptionItem.objects.select_for_update()
        .select_related("drug")
        .filter(prescription=prescription)
        .order_by("pk")
    )
    wanted: list[tuple[PrescriptionItem, int]] = []
    known = {str(item.public_id): item for item in items}
    for key in quantities or {}:
        if str(key) not in known:
            raise ApplicationError(
                "An item is not on this prescription.",
                code="validation_error",
                fields={"items": [f"{key} is not an item of this prescription."]},
            )
    for item in items:
        want = item.remaining if quantities is None else int(quantities.get(str(item.public_id), 0))
        if want < 0 or want > item.remaining:
            raise ApplicationError(
                f"{item.drug.generic_name}: {item.remaining} unit(s) remain to be dispensed.",
                code="over_dispense",
                fields={"items": [f"At most {item.remaining} for {item.public_id}."]},
            )
        if want:
            wanted.append((item, want))
    if not wanted:
        raise ApplicationError("Nothing to dispense.", code="nothing_to_dispense")

    today = timezone.localdate()
    # Lock the usable batches in primary-key order; allocate in expiry order.
    batches = list(
        StockBatch.objects.select_for_update()
        .filter(
            drug_id__in={item.drug_id for item, _ in wanted},
            location=location,
            expiry_date__gt=today,
            quantity__gt=0,
        )
        .order_by("pk")
    )
    by_drug: dict[int, list[StockBatch]] = {}
    for batch in sorted(batches, key=lambda b: (b.expiry_date, b.pk)):
        by_drug.setdefault(batch.drug_id, []).append(batch)

    dispense = Dispense.objects.create(
        prescription=prescription, dispensed_by=actor, dispensed_at=timezone.now(), note=note
    )
    lines = []
    shortfalls = []
    total = 0
    for item, want in wanted:
        left = want
        for batch in by_drug.get(item.drug_id, []):
            if left == 0:
                break
            take = min(batch.quantity, left)
            if take <= 0:
                continue
            batch.drug = item.drug
            _post_movement(
                batch=batch,
                kind=MovementKind.DISPENSE,
                quantity=-take,
                actor=actor,
                dispense=dispense,
            )
            lines.append(DispenseLine(dispense=dispense, item=item, batch=batch, quantity=take))
            left -= take
        given = want - left
        total += given
        if given:
            item.quantity_dispensed += given
            item.save(update_fields=["quantity_dispensed", "updated_at"])
        if left:
            shortfalls.append(
                {
                    "item": str(item.public_id),
                    "drug": item.drug.generic_name,
                    "requested": want,
                    "dispensed": given,
                    "missing": left,
                }
            )
    if total == 0:
        raise ConflictError(
            "None of the prescribed drugs is in stock (non-expired) at the pharmacy.",
            code="out_of_stock",
            extra={"shortfalls": shortfalls},
        )
    DispenseLine.objects.bulk_create(lines)
    prescription.status = _status_for(items)
    prescription.save(update_fields=["status", "updated_at"])
    publish(MedicationDispensed(actor=actor, dispense=dispense))  # billing charges each line
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="dispense",
        object_id=dispense.public_id,
        patient_id=prescription.patient.public_id,
        detail={
            "prescription": str(prescription.public_id),
            "units": total,
            "status": prescription.status,
            "shortfalls": shortfalls,
        },
    )
    dispense.shortfalls = shortfalls
    return dispense


# --- Alerts ----------------------------------------------------------------------------------


def pharmacy_stock_alerts_notify(*, today: date | None = None) -> dict[str, int]:
    """Notify every pharmacist of each low-stock drug and each batch expiring within
    EXPIRY_ALERT_DAYS (or expired with stock left): one notification per item per day."""
    today = today or timezone.localdate()
    counts = {"low_stock": 0, "expiring": 0, "expired": 0}
    for alert in selectors.stock_alerts(today=today):
        kind = alert["kind"]
        counts[kind] += 1
        key_object = alert["batch"].public_id if alert["batch"] else alert["drug"].public_id
        notification_create_for_role(
            role=Role.PHARMACIST,
            kind=f"pharmacy_{kind}",
            title=alert["title"],
            body=alert["message"],
            severity=alert["severity"],
            link="/api/pharmacy/alerts/",
            dedupe_key=f"pharmacy:{kind}:{key_object}:{today.isoformat()}",
        )
    return counts
