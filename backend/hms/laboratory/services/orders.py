"""Lab orders: placing them (one per test or panel), collection, start and cancel."""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError
from hms.core.models import AuditAction
from hms.core.plausible_dates import clock_skew, moment_check
from hms.core.roles import Role
from hms.laboratory.models import PRIORITY_RANK, LabOrder, LabOrderStatus, LabPriority, LabTest
from hms.laboratory.services.common import _audit, _lock, _require_lab_technician, _transition
from hms.patients.models import Patient

_PLACER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def _placer_number() -> str:
    return "LO" + "".join(secrets.choice(_PLACER_ALPHABET) for _ in range(10))


@transaction.atomic
def lab_order_create(
    *,
    actor: User,
    patient: Patient,
    tests: list[LabTest],
    priority: LabPriority | str = LabPriority.ROUTINE,
    ordering_doctor: User | None = None,
    encounter=None,
    clinical_notes: str = "",
) -> list[LabOrder]:
    """One order per test or panel. A doctor orders in their own name; a nurse or receptionist
    names the doctor who will receive the results."""
    if not tests:
        raise ApplicationError(
            "Choose at least one test.", code="validation_error", fields={"tests": ["Required."]}
        )
    if len({t.pk for t in tests}) != len(tests):
        raise ApplicationError(
            "The same test is requested twice.",
            code="duplicate_test",
            fields={"tests": ["Each test once."]},
        )
    inactive = [t.code for t in tests if not t.active]
    if inactive:
        raise ApplicationError(
            f"No longer offered: {', '.join(inactive)}.",
            code="test_inactive",
            fields={"tests": [f"Inactive: {', '.join(inactive)}."]},
        )
    if actor.role == Role.DOCTOR:
        if ordering_doctor is not None and ordering_doctor.pk != actor.pk:
            raise ApplicationError(
                "Doctors order tests in their own name.",
                code="not_your_order",
                fields={"ordering_doctor": ["Leave empty: you are the ordering doctor."]},
            )
        ordering_doctor = actor
    if ordering_doctor is None:
        raise ApplicationError(
            "Say which doctor the results go to.",
            code="validation_error",
            fields={"ordering_doctor": ["Required unless a doctor places the order."]},
        )
    if not ordering_doctor.is_active_doctor:
        raise ApplicationError(
            "The ordering doctor must be an active doctor.",
            code="not_a_doctor",
            fields={"ordering_doctor": ["Not an active doctor."]},
        )
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ApplicationError(
            "That encounter belongs to another patient.",
            code="validation_error",
            fields={"encounter": ["No such encounter for this patient."]},
        )
    now = timezone.now()
    orders = []
    for test in tests:
        order = LabOrder(
            patient=patient,
            test=test,
            priority=priority,
            priority_rank=PRIORITY_RANK[LabPriority(priority)],
            ordering_doctor=ordering_doctor,
            ordered_by=actor,
            encounter=encounter,
            clinical_notes=clinical_notes,
            ordered_at=now,
        )
        for attempt in range(5):
            order.placer_number = _placer_number()
            try:
                with transaction.atomic():
                    order.save()
                break
            except IntegrityError:  # pragma: no cover - 1 in 10^15 per order
                if attempt == 4:
                    raise
        orders.append(order)
        _audit(
            actor=actor,
            action=AuditAction.CREATE,
            order=order,
            detail={
                "test": test.code,
                "loinc": test.loinc_code,
                "priority": str(priority),
                "placer_number": order.placer_number,
                "ordering_doctor": str(ordering_doctor.public_id),
            },
        )
    return orders


@transaction.atomic
def lab_order_collect(
    *, actor: User, order: LabOrder, collected_at: datetime | None = None
) -> LabOrder:
    """Record the specimen collection (its time decides which reference range applies). It
    happened after the order was placed (within the clock skew) and not in the future."""
    order = _lock(order)
    now = timezone.now()
    collected_at = collected_at or now
    if collected_at > now + clock_skew():
        raise ApplicationError(
            "The collection time is in the future.",
            code="collected_in_future",
            fields={"collected_at": ["In the future."]},
        )
    moment_check(
        collected_at,
        field="collected_at",
        patient=order.patient,
        not_before=order.ordered_at,
        not_before_what="the order",
    )
    _transition(order, LabOrderStatus.SPECIMEN_COLLECTED)
    order.collected_at, order.collected_by = collected_at, actor
    order.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        detail={"status": order.status, "collected_at": collected_at.isoformat()},
    )
    return order


@transaction.atomic
def lab_order_start(*, actor: User, order: LabOrder) -> LabOrder:
    order = _lock(order)
    _require_lab_technician(actor)
    _transition(order, LabOrderStatus.IN_PROGRESS)
    order.started_at = timezone.now()
    order.save()
    _audit(actor=actor, action=AuditAction.UPDATE, order=order, detail={"status": order.status})
    return order


@transaction.atomic
def lab_order_cancel(*, actor: User, order: LabOrder, reason: str) -> LabOrder:
    """Cancel (never delete) an order that has no results yet: by the ward, or by the lab
    (e.g. a haemolysed specimen)."""
    order = _lock(order)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            "Say why the order is cancelled.",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    _transition(order, LabOrderStatus.CANCELLED)
    order.cancelled_at, order.cancelled_by, order.cancel_reason = timezone.now(), actor, reason
    order.save()
    _audit(actor=actor, action=AuditAction.VOID, order=order, detail={"reason": reason})
    return order
