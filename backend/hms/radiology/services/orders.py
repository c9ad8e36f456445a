"""Imaging orders: placing them (with the contrast-allergy warnings) and their status flow."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hms.accounts.models import User
from hms.clinical.models import Encounter
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.plausible_dates import ahead_check
from hms.core.roles import Role
from hms.patients.models import Allergy, AllergyStatus, Patient
from hms.radiology.models import ImagingOrder, ImagingProcedure, Laterality, OrderStatus, Priority
from hms.radiology.services.common import _audit, _lock, _transition

# Allergy substances that matter before a contrast study (normalised, lower-case substrings).
CONTRAST_ALLERGY_TERMS = ("contrast", "iod", "gadolin", "gadobut", "gadoter", "iohexol")


def _new_accession_number() -> str:
    """R + yymmdd + 6 random digits (13 characters; DICOM AccessionNumber allows 16)."""
    return f"R{timezone.localdate():%y%m%d}{secrets.randbelow(10**6):06d}"


def _contrast_warnings(*, patient: Patient, procedure: ImagingProcedure) -> list[dict]:
    if not procedure.with_contrast:
        return []
    query = Q()
    for term in CONTRAST_ALLERGY_TERMS:
        query |= Q(substance_norm__icontains=term)
    allergies = Allergy.objects.filter(query, patient=patient, status=AllergyStatus.ACTIVE)
    return [
        {
            "code": "contrast_allergy",
            "message": f"The patient has a recorded allergy to {allergy.substance} "
            f"({allergy.get_severity_display().lower()}); this procedure uses contrast.",
        }
        for allergy in allergies
    ]


@transaction.atomic
def imaging_order_create(
    *,
    actor: User,
    patient: Patient,
    procedure: ImagingProcedure,
    clinical_indication: str,
    ordering_doctor: User | None = None,
    priority: Priority | str = Priority.ROUTINE,
    laterality: Laterality | str = Laterality.NONE,
    notes: str = "",
    encounter: Encounter | None = None,
) -> ImagingOrder:
    """Request an imaging examination. A doctor orders in their own name; the front desk and
    nurses name the ordering doctor (who receives the report)."""
    if ordering_doctor is None:
        if actor.role != Role.DOCTOR:
            raise ApplicationError(
                "Say which doctor orders this examination (they receive the report).",
                code="ordering_doctor_required",
                fields={"ordering_doctor": ["This field is required."]},
            )
        ordering_doctor = actor
    if not ordering_doctor.is_active_doctor:
        raise ApplicationError(
            "The ordering doctor must be an active doctor.",
            code="not_a_doctor",
            fields={"ordering_doctor": ["Not an active doctor."]},
        )
    if actor.role == Role.DOCTOR and ordering_doctor.pk != actor.pk:
        raise ApplicationError(
            "Doctors order examinations in their own name.",
            code="not_own_order",
            fields={"ordering_doctor": ["Must be yourself."]},
        )
    if not procedure.active:
        raise ApplicationError(
            f"{procedure.name} is no longer offered.",
            code="procedure_inactive",
            fields={"procedure": ["This procedure is inactive."]},
        )
    clinical_indication = (clinical_indication or "").strip()
    if len(clinical_indication) < 3:
        raise ApplicationError(
            "Give the clinical indication (the question the examination should answer).",
            code="indication_required",
            fields={"clinical_indication": ["At least 3 characters."]},
        )
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ApplicationError(
            "The encounter belongs to another patient.",
            code="encounter_mismatch",
            fields={"encounter": ["Not an encounter of this patient."]},
        )
    order = ImagingOrder(
        patient=patient,
        procedure=procedure,
        modality=procedure.modality,
        ordering_doctor=ordering_doctor,
        requested_by=actor,
        encounter=encounter,
        priority=priority,
        laterality=laterality,
        clinical_indication=clinical_indication,
        notes=notes.strip(),
    )
    for _attempt in range(5):
        order.accession_number = _new_accession_number()
        try:
            with transaction.atomic():
                order.save()
            break
        except IntegrityError:
            if ImagingOrder.objects.filter(accession_number=order.accession_number).exists():
                continue  # that random number was taken: draw another
            raise
    else:  # pragma: no cover - a million numbers a day
        raise ConflictError("Could not allocate an accession number; try again.")
    order.warnings = _contrast_warnings(patient=patient, procedure=procedure)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        order=order,
        detail={
            "procedure": procedure.code,
            "priority": str(priority),
            "ordering_doctor": str(ordering_doctor.public_id),
            "accession_number": order.accession_number,
            **({"warnings": [w["code"] for w in order.warnings]} if order.warnings else {}),
        },
    )
    return order


@transaction.atomic
def imaging_order_schedule(*, actor, order: ImagingOrder, scheduled_at) -> ImagingOrder:
    """Book (or move) the examination's time."""
    order = _lock(order)
    if scheduled_at <= timezone.now():
        raise ApplicationError(
            "The examination must be scheduled in the future.",
            code="scheduled_in_past",
            fields={"scheduled_at": ["In the past."]},
        )
    ahead_check(scheduled_at, field="scheduled_at", days=settings.APPOINTMENT_BOOKING_HORIZON_DAYS)
    previous = order.scheduled_at
    if order.status != OrderStatus.SCHEDULED:
        _transition(order, OrderStatus.SCHEDULED)
    order.scheduled_at = scheduled_at
    order.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        detail={
            "status": order.status,
            "scheduled_at": scheduled_at.isoformat(),
            **({"rescheduled_from": previous.isoformat()} if previous else {}),
        },
    )
    return order


@transaction.atomic
def imaging_order_start(*, actor, order: ImagingOrder) -> ImagingOrder:
    """The patient is on the scanner."""
    order = _lock(order)
    _transition(order, OrderStatus.IN_PROGRESS)
    order.started_at = timezone.now()
    order.save()
    _audit(actor=actor, action=AuditAction.UPDATE, order=order, detail={"status": order.status})
    return order


@transaction.atomic
def imaging_order_complete(*, actor, order: ImagingOrder) -> ImagingOrder:
    """The images are acquired: the study waits for its report."""
    order = _lock(order)
    _transition(order, OrderStatus.ACQUIRED)
    if not order.images.exists():
        raise ConflictError(
            "Upload the study's images before marking it acquired.", code="no_images"
        )
    order.acquired_at = timezone.now()
    order.save()
    _audit(actor=actor, action=AuditAction.UPDATE, order=order, detail={"status": order.status})
    return order


@transaction.atomic
def imaging_order_cancel(*, actor, order: ImagingOrder, reason: str) -> ImagingOrder:
    """Cancel (never delete) an order that has not been reported."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            "Say why the examination is cancelled.",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    order = _lock(order)
    _transition(order, OrderStatus.CANCELLED)
    order.cancelled_at = timezone.now()
    order.cancelled_by = actor
    order.cancel_reason = reason
    order.save()
    _audit(actor=actor, action=AuditAction.VOID, order=order, detail={"reason": reason})
    return order
