"""Admitting a patient to a bed, transferring them to another, and the NEWS2 SpO2 scale of
the admission."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from hms.accounts.models import User
from hms.clinical import services as clinical_services
from hms.clinical.models import EncounterType
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.inpatient.models import (
    ADMITTABLE_BED_STATUSES,
    Admission,
    AdmissionStatus,
    AdmissionType,
    Bed,
    BedStatus,
    BedStay,
    StayKind,
)
from hms.inpatient.services.common import (
    audit,
    check_active,
    checked_time,
    lock_admission,
    lock_bed,
    mark_bed,
    open_stay,
)
from hms.patients.models import Patient


def _check_bed_admittable(bed: Bed, *, field: str = "bed") -> None:
    if not bed.active or not bed.ward.active or not bed.room.active:
        raise ConflictError("This bed is not in use.", code="bed_inactive", extra={"field": field})
    if bed.status not in ADMITTABLE_BED_STATUSES:
        raise ConflictError(
            f"Bed {bed.label} on {bed.ward.name} is {bed.get_status_display().lower()}.",
            code="bed_not_available",
            extra={"bed": str(bed.public_id), "status": bed.status},
        )


def _check_bed_free(bed: Bed) -> None:
    """With the bed row locked: where the one-active-admission and one-open-stay per bed
    constraints cannot exist (MySQL/MariaDB), make sure nobody holds the bed, whatever its
    status says. Elsewhere those constraints refuse a second holder at the write."""
    if connection.features.supports_partial_indexes:
        return
    if (
        Admission.objects.filter(bed=bed, status=AdmissionStatus.ACTIVE).exists()
        or BedStay.objects.filter(bed=bed, ended_at__isnull=True).exists()
    ):
        raise _bed_taken()


def _bed_taken() -> ConflictError:
    return ConflictError(
        "That bed has just been taken. Choose another bed.", code="bed_not_available"
    )


def _already_admitted(existing: Admission | None = None) -> ConflictError:
    extra = {"admission": str(existing.public_id)} if existing is not None else {}
    return ConflictError(
        "The patient is already admitted; transfer them instead.",
        code="patient_already_admitted",
        extra=extra,
    )


def _check_attending(doctor: User) -> None:
    if not doctor.is_active_doctor:
        raise ApplicationError(
            "The attending doctor must be an active doctor.",
            code="validation_error",
            fields={"attending_doctor": ["Not an active doctor."]},
        )


@transaction.atomic
def admission_admit(
    *,
    actor: User,
    patient: Patient,
    bed: Bed,
    attending_doctor: User,
    reason: str,
    admission_type: str = AdmissionType.EMERGENCY,
    admitted_at: datetime | None = None,
    kind: str = StayKind.ADMISSION,
) -> Admission:
    """Admit the patient to the bed: opens an inpatient encounter, a first bed stay, and marks
    the bed occupied. 409 `bed_not_available` / `patient_already_admitted`."""
    _check_attending(attending_doctor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the patient is admitted."]})
    admitted_at = checked_time(admitted_at, field="admitted_at")
    bed = lock_bed(bed)  # parallel admissions to this bed queue here
    _check_bed_admittable(bed)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # and per patient here
    existing = Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE).first()
    if existing is not None:
        raise _already_admitted(existing)
    _check_bed_free(bed)
    encounter = clinical_services.encounter_create(
        actor=actor,
        patient=patient,
        type=EncounterType.INPATIENT,
        attending_doctor=attending_doctor,
        started_at=admitted_at,
        reason=reason,
    )
    admission = Admission(
        patient=patient,
        encounter=encounter,
        attending_doctor=attending_doctor,
        ward=bed.ward,
        bed=bed,
        admission_type=admission_type,
        reason=reason,
        admitted_at=admitted_at,
        admitted_by=actor,
    )
    admission._history_user = actor
    try:
        with transaction.atomic():
            admission.save()
            BedStay.objects.create(
                admission=admission,
                bed=bed,
                ward=bed.ward,
                kind=kind,
                started_at=admitted_at,
                moved_by=actor,
            )
    except IntegrityError as exc:
        if Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE).exists():
            raise _already_admitted() from exc
        raise _bed_taken() from exc
    mark_bed(bed, BedStatus.OCCUPIED)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="admission",
        record=admission,
        patient=patient,
        detail={
            "ward": str(bed.ward.public_id),
            "bed": str(bed.public_id),
            "attending_doctor": str(attending_doctor.public_id),
            "encounter": str(encounter.public_id),
            "kind": str(kind),
        },
    )
    return admission


@transaction.atomic
def admission_transfer(
    *,
    actor: User,
    admission: Admission,
    bed: Bed,
    reason: str = "",
    transferred_at: datetime | None = None,
    attending_doctor: User | None = None,
    kind: str = StayKind.TRANSFER,
) -> Admission:
    """Move the patient to another bed (same or another ward). The old stay is closed and kept,
    the old bed goes to `cleaning`, the new bed becomes occupied. Optionally hands the patient
    to another attending doctor (the encounter follows)."""
    admission = lock_admission(admission)
    check_active(admission)
    if bed.pk == admission.bed_id:
        raise ConflictError("The patient is already in this bed.", code="same_bed")
    stay = open_stay(admission)
    transferred_at = checked_time(
        transferred_at, field="transferred_at", not_before=stay.started_at
    )
    # Lock both beds in primary-key order, so two crossing transfers cannot deadlock.
    locked = {
        b.pk: b
        for b in Bed.objects.select_for_update()
        .select_related("ward", "room")
        .filter(pk__in=sorted({bed.pk, admission.bed_id}))
        .order_by("pk")
    }
    old_bed, new_bed = locked[admission.bed_id], locked[bed.pk]
    _check_bed_admittable(new_bed)
    _check_bed_free(new_bed)
    if attending_doctor is not None:
        _check_attending(attending_doctor)
    stay.ended_at = transferred_at
    stay.save(update_fields=["ended_at", "updated_at"])
    previous = {"ward": str(admission.ward.public_id), "bed": str(old_bed.public_id)}
    try:
        with transaction.atomic():
            BedStay.objects.create(
                admission=admission,
                bed=new_bed,
                ward=new_bed.ward,
                kind=kind,
                started_at=transferred_at,
                reason=reason,
                moved_by=actor,
            )
            admission.bed = new_bed
            admission.ward = new_bed.ward
            if (
                attending_doctor is not None
                and attending_doctor.pk != admission.attending_doctor_id
            ):
                admission.attending_doctor = attending_doctor
                clinical_services.encounter_update(
                    actor=actor, encounter=admission.encounter, attending_doctor=attending_doctor
                )
            admission._history_user = actor
            admission._change_reason = f"{kind}: {reason}"[:100]
            admission.save()
    except IntegrityError as exc:
        raise _bed_taken() from exc
    mark_bed(old_bed, BedStatus.CLEANING, note="Vacated by transfer")
    mark_bed(new_bed, BedStatus.OCCUPIED)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="admission",
        record=admission,
        patient=admission.patient,
        detail={
            "kind": str(kind),
            "from": previous,
            "to": {"ward": str(new_bed.ward.public_id), "bed": str(new_bed.public_id)},
            "reason": reason,
        },
    )
    return admission


@transaction.atomic
def admission_set_spo2_scale(
    *, actor: User, admission: Admission, scale: int, reason: str
) -> Admission:
    """A doctor switches the NEWS2 SpO2 scale (2: hypercapnic respiratory failure, target
    88-92%). Applies to observations recorded from now on."""
    admission = lock_admission(admission)
    check_active(admission)
    if scale not in (1, 2):
        raise ValidationError({"scale": ["1 or 2."]})
    reason = (reason or "").strip()
    if scale == 2 and not reason:
        raise ValidationError(
            {"reason": ["Record why scale 2 is used (confirmed hypercapnic respiratory failure)."]}
        )
    if admission.spo2_scale != scale:
        previous = admission.spo2_scale
        admission.spo2_scale = scale
        admission.spo2_scale_reason = reason
        admission._history_user = actor
        admission.save()
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="admission",
            record=admission,
            patient=admission.patient,
            detail={"spo2_scale": {"from": previous, "to": scale}, "reason": reason},
        )
    return admission
