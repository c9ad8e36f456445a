"""Prescriptions: writing (with the safety checks), cancelling and dispensing them."""

import math
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.core.plausible_dates import day_window_check
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create, notification_create_for_role
from hms.core.wording import with_article
from hms.patients.models import Patient
from hms.patients.selectors import care_assignment_list
from hms.pharmacy import safety
from hms.pharmacy.events import MedicationDispensed
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
)
from hms.pharmacy.services.stock import (
    DEFAULT_LOCATION,
    _post_movement,
    _require_reason,
    _status_for,
)

OVERRIDE_REASON_MIN_LENGTH = 10


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
    renewal_of: PrescriptionItem | None = None,
) -> Prescription:
    """Write a prescription after the safety checks. A severe warning blocks it (409
    `safety_override_required`, warnings in `extra`) unless `override_reason` is given; the
    override is audited on its own.

    `renewal_of`: a medicine of this patient the prescription continues. It is not counted as
    current therapy by the checks (a renewal does not duplicate itself; every other check
    runs), its drug's new item points back to it, and, if it is still current, it is stopped
    as renewed."""
    if actor.role != Role.DOCTOR:
        raise ForbiddenError("Only doctors prescribe.", code="not_a_prescriber")
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ApplicationError(
            "That encounter belongs to another patient.",
            code="validation_error",
            fields={"encounter": ["Not this patient's encounter."]},
        )
    if renewal_of is not None and renewal_of.prescription.patient_id != patient.pk:
        raise ApplicationError(
            "The medicine renewed belongs to another patient.",
            code="validation_error",
            fields={"renewal_of": ["Not this patient's medicine."]},
        )
    items = _normalise_items(items, patient=patient)
    _lock_patient(patient)
    warnings = safety.check_for_patient(
        patient=patient,
        items=safety.proposed_items(items),
        exclude_item_ids=[renewal_of.pk] if renewal_of is not None else (),
    )
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
            renewal_of=(
                renewal_of
                if renewal_of is not None and item["drug"].pk == renewal_of.drug_id
                else None
            ),
        )
        for item in items
    )
    if renewal_of is not None:
        _stop_renewed(actor=actor, item=renewal_of, prescription=prescription)
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
            **({"renewal_of": str(renewal_of.public_id)} if renewal_of is not None else {}),
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
        _notify_severe_override(prescription=prescription, severe=severe)
    return prescription


def item_stop(*, actor: User, item: PrescriptionItem, reason: str) -> PrescriptionItem:
    """Stop one medicine of a prescription (the caller has checked who may). Locks the
    prescription, then its items (the dispensing order); the pharmacy dispenses nothing more
    of it. When no medicine of the prescription is left, the prescription is cancelled with
    the same reason; otherwise its status follows what is left to dispense. Audited."""
    prescription = Prescription.objects.select_for_update().get(pk=item.prescription_id)
    items = list(
        PrescriptionItem.objects.select_for_update()
        .filter(prescription=prescription)
        .order_by("pk")
    )
    item = next(i for i in items if i.pk == item.pk)
    if item.stopped_at is not None or prescription.status == PrescriptionStatus.CANCELLED:
        raise ConflictError("This medicine is already stopped.", code="already_stopped")
    now = timezone.now()
    item.stopped_at, item.stopped_by, item.stop_reason = now, actor, reason
    item.save(update_fields=["stopped_at", "stopped_by", "stop_reason", "updated_at"])
    live = [i for i in items if i.stopped_at is None]
    if not live:
        prescription.status = PrescriptionStatus.CANCELLED
        prescription.cancelled_at, prescription.cancelled_by = now, actor
        prescription.cancel_reason = reason
    elif prescription.status in OPEN_PRESCRIPTION_STATUSES:
        prescription.status = _status_for(live)
    prescription.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="medication_stop",
        object_id=item.public_id,
        patient_id=prescription.patient.public_id,
        detail={
            "reason": reason,
            "prescription": str(prescription.public_id),
            "prescription_status": prescription.status,
        },
    )
    return item


def _stop_renewed(*, actor: User, item: PrescriptionItem, prescription: Prescription) -> None:
    """The renewed medicine, if still current, stops: the new prescription carries it on."""
    if item in safety.active_prescription_items_for_patient(prescription.patient):
        item_stop(
            actor=actor,
            item=item,
            reason="Renewed: continued on the prescription of "
            f"{timezone.localtime(prescription.prescribed_at):%d %b %Y}.",
        )


def _notify_severe_override(*, prescription: Prescription, severe: list) -> None:
    """A severe warning overridden is a critical alert for the people who check it next: every
    pharmacist (before dispensing) and the patient's other assigned doctors."""
    patient = prescription.patient
    who = f"{patient.display_name} ({patient.mrn})"
    alert = {
        "kind": "prescription_safety_override",
        "severity": "critical",
        "title": f"Severe safety warning overridden by {prescription.prescriber.display_name} "
        f"— {who}",
        "body": "; ".join(w.message for w in severe)[:900]
        + f"\nReason given: {prescription.override_reason}",
        "link": f"/api/pharmacy/prescriptions/{prescription.public_id}/",
        "patient_id": patient.public_id,
        "dedupe_key": f"safety-override:{prescription.public_id}",
    }
    notification_create_for_role(role=Role.PHARMACIST, **alert)
    for assignment in care_assignment_list(patient=patient):
        if assignment.doctor_id != prescription.prescriber_id and assignment.doctor.is_active:
            notification_create(recipient=assignment.doctor, **alert)


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
        if item.stopped_at is not None:  # stopped from the chart: nothing more of it
            if quantities is not None and int(quantities.get(str(item.public_id), 0)) > 0:
                raise ApplicationError(
                    f"{item.drug.generic_name} was stopped; it is not dispensed.",
                    code="medication_stopped",
                    fields={"items": [f"{item.public_id} is stopped."]},
                )
            continue
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
