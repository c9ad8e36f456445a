"""Writes for wards, beds, admissions, charts and the medication administration record.

Each service is one transaction, checks its rules before writing, and records an audit event as
its last step. Races are closed in the database: admitting locks the bed row and then the
patient row (SELECT ... FOR UPDATE), transfers and discharges lock the admission and then the
beds in primary-key order, and partial unique constraints (one active admission per bed and per
patient, one open stay per bed, one record per scheduled dose) turn any lost race into a 409.
MySQL/MariaDB cannot hold those constraints; there the services check each rule themselves
under the same locks (the admission's, for a dose).

Access is decided before a service runs: the API resolves the patient through
hms.patients.access (care relationship, break-the-glass, audit of the read) and the role table
has said the role may try.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.clinical import services as clinical_services
from hms.clinical.icd10 import icd10_lookup
from hms.clinical.models import EncounterType
from hms.core.errors import ApplicationError, ConflictError
from hms.core.events import publish
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.plausible_dates import clock_skew
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create
from hms.inpatient import selectors
from hms.inpatient.events import AdmissionDischarged
from hms.inpatient.mar import PRN
from hms.inpatient.models import (
    ADMITTABLE_BED_STATUSES,
    FLUID_KINDS_BY_DIRECTION,
    MAX_FLUID_ENTRY_ML,
    AdministrationStatus,
    Admission,
    AdmissionStatus,
    AdmissionType,
    Bed,
    BedStatus,
    BedStay,
    Consciousness,
    DischargeDisposition,
    DischargeSummary,
    FluidEntry,
    GcsAssessment,
    MedicationAdministration,
    NurseWardAssignment,
    NursingNote,
    Observation,
    Room,
    StayKind,
    Ward,
)
from hms.inpatient.news2 import news2_compute
from hms.patients.models import Patient

# How far back an admission, transfer or chart entry may be recorded (a night admission entered
# in the morning); nothing may be recorded in the future (a few minutes of clock skew allowed).
MAX_BACKDATE = timedelta(days=7)


def _audit(*, actor, action, resource_type: str, record, patient=None, detail=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=record.public_id,
        patient_id=patient.public_id if patient is not None else "",
        detail=detail,
    )


def _when(value: datetime | None, *, field: str, not_before: datetime | None = None) -> datetime:
    now = timezone.now()
    value = value or now
    if value > now + clock_skew():
        raise ValidationError({field: ["Cannot be in the future."]})
    if value < now - MAX_BACKDATE:
        raise ValidationError({field: [f"Cannot be more than {MAX_BACKDATE.days} days ago."]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [f"Cannot be before {not_before.isoformat()}."]})
    return value


def _changed(record, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def _save_unique(record, *, error: ApplicationError) -> None:
    """Save; a unique constraint lost to a concurrent request becomes `error`."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise error from exc


# --- Wards, rooms, beds ----------------------------------------------------------------------


@transaction.atomic
def ward_create(*, actor: User, name: str, code: str, type: str, floor: str = "", phone: str = ""):
    ward = Ward(name=name.strip(), code=code.strip().upper(), type=type, floor=floor, phone=phone)
    _save_unique(
        ward, error=ConflictError("A ward with this name or code exists.", code="ward_exists")
    )
    _audit(actor=actor, action=AuditAction.CREATE, resource_type="ward", record=ward)
    return ward


@transaction.atomic
def ward_update(*, actor: User, ward: Ward, **fields) -> Ward:
    ward = Ward.objects.select_for_update().get(pk=ward.pk)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    if (
        fields.get("active") is False
        and ward.admissions.filter(status=AdmissionStatus.ACTIVE).exists()
    ):
        raise ConflictError(
            "Patients are still admitted to this ward; transfer or discharge them first.",
            code="ward_occupied",
        )
    changed = _changed(ward, fields)
    if changed:
        _save_unique(
            ward, error=ConflictError("A ward with this name or code exists.", code="ward_exists")
        )
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="ward",
            record=ward,
            detail={"fields": changed},
        )
    return ward


@transaction.atomic
def room_create(*, actor: User, ward: Ward, name: str) -> Room:
    room = Room(ward=ward, name=name.strip())
    _save_unique(
        room,
        error=ConflictError("This ward already has a room with this name.", code="room_exists"),
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="room",
        record=room,
        detail={"ward": str(ward.public_id)},
    )
    return room


@transaction.atomic
def room_update(*, actor: User, room: Room, **fields) -> Room:
    room = Room.objects.select_for_update().select_related("ward").get(pk=room.pk)
    if fields.get("active") is False and room.beds.filter(status=BedStatus.OCCUPIED).exists():
        raise ConflictError("A bed in this room is occupied.", code="room_occupied")
    changed = _changed(room, fields)
    if changed:
        _save_unique(
            room,
            error=ConflictError("This ward already has a room with this name.", code="room_exists"),
        )
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="room",
            record=room,
            detail={"fields": changed},
        )
    return room


@transaction.atomic
def bed_create(*, actor: User, room: Room, label: str) -> Bed:
    if not room.active:
        raise ConflictError("This room is not in use.", code="room_inactive")
    bed = Bed(ward_id=room.ward_id, room=room, label=label.strip())
    _save_unique(
        bed, error=ConflictError("This room already has a bed with this label.", code="bed_exists")
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="bed",
        record=bed,
        detail={"room": str(room.public_id)},
    )
    return bed


@transaction.atomic
def bed_update(*, actor: User, bed: Bed, **fields) -> Bed:
    """Relabel a bed or take it out of use (`active`)."""
    bed = Bed.objects.select_for_update().get(pk=bed.pk)
    if fields.get("active") is False and bed.status == BedStatus.OCCUPIED:
        raise ConflictError("The bed is occupied.", code="bed_occupied")
    changed = _changed(bed, fields)
    if changed:
        _save_unique(
            bed,
            error=ConflictError("This room already has a bed with this label.", code="bed_exists"),
        )
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="bed",
            record=bed,
            detail={"fields": changed},
        )
    return bed


# Statuses staff set by hand; `occupied` comes and goes only with admissions.
MANUAL_BED_STATUSES = frozenset(
    {BedStatus.AVAILABLE, BedStatus.CLEANING, BedStatus.MAINTENANCE, BedStatus.RESERVED}
)


@transaction.atomic
def bed_set_status(*, actor: User, bed: Bed, status: str, note: str = "") -> Bed:
    """Housekeeping and bed management: cleaning → available, out for maintenance, reserved
    for an expected patient. An occupied bed changes only by transfer or discharge."""
    bed = Bed.objects.select_for_update().get(pk=bed.pk)
    if status not in MANUAL_BED_STATUSES:
        raise ApplicationError(
            "A bed becomes occupied only by admitting a patient to it.",
            code="invalid_bed_status",
            fields={"status": ["Choose available, cleaning, maintenance or reserved."]},
        )
    if bed.status == BedStatus.OCCUPIED:
        raise ConflictError(
            "The bed is occupied; transfer or discharge the patient first.", code="bed_occupied"
        )
    if not bed.active:
        raise ConflictError("This bed is not in use.", code="bed_inactive")
    previous = bed.status
    bed.status = status
    bed.status_note = note
    bed.status_changed_at = timezone.now()
    bed.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="bed",
        record=bed,
        detail={"status": {"from": previous, "to": status}},
    )
    return bed


def _set_bed_status(bed: Bed, status: str, note: str = "") -> None:
    bed.status = status
    bed.status_note = note
    bed.status_changed_at = timezone.now()
    bed.save(update_fields=["status", "status_note", "status_changed_at", "updated_at"])


# --- Nurse ward assignments ------------------------------------------------------------------


@transaction.atomic
def nurse_ward_assign(
    *,
    actor: User,
    nurse: User,
    ward: Ward,
    starts_on: date | None = None,
    ends_on: date | None = None,
    note: str = "",
) -> NurseWardAssignment:
    if nurse.role != Role.NURSE or not nurse.is_active:
        raise ApplicationError(
            "Only an active nurse can be assigned to a ward.",
            code="not_a_nurse",
            fields={"nurse": ["Not an active nurse."]},
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": ["Must not be before starts_on."]})
    assignment = NurseWardAssignment.objects.create(
        nurse=nurse, ward=ward, starts_on=starts_on, ends_on=ends_on, assigned_by=actor, note=note
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="nurse_ward_assignment",
        record=assignment,
        detail={"nurse": str(nurse.public_id), "ward": str(ward.public_id)},
    )
    return assignment


@transaction.atomic
def nurse_ward_assignment_end(
    *, actor: User, assignment: NurseWardAssignment, ends_on: date | None = None
) -> NurseWardAssignment:
    assignment = NurseWardAssignment.objects.select_for_update().get(pk=assignment.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        # Never started: it ends the day before it would have started.
        ends_on = assignment.starts_on - timedelta(days=1)
        assignment.starts_on = ends_on
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ConflictError("This assignment has already ended.", code="assignment_ended")
    assignment.ends_on = ends_on
    assignment.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="nurse_ward_assignment",
        record=assignment,
        detail={"ends_on": ends_on.isoformat()},
    )
    return assignment


# --- Admissions ------------------------------------------------------------------------------


def _lock_bed(bed: Bed) -> Bed:
    return Bed.objects.select_for_update().select_related("ward", "room").get(pk=bed.pk)


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
    if doctor.role != Role.DOCTOR or not doctor.is_active:
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
    admitted_at = _when(admitted_at, field="admitted_at")
    bed = _lock_bed(bed)  # parallel admissions to this bed queue here
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
    _set_bed_status(bed, BedStatus.OCCUPIED)
    _audit(
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


def _lock_admission(admission: Admission) -> Admission:
    locked = (
        Admission.objects.select_for_update()
        .select_related("patient", "ward", "bed", "encounter", "attending_doctor")
        .get(pk=admission.pk)
    )
    return locked


def _check_active(admission: Admission) -> None:
    if admission.status != AdmissionStatus.ACTIVE:
        raise ConflictError(
            "This admission has ended (the patient was discharged).", code="admission_not_active"
        )


def _open_stay(admission: Admission) -> BedStay:
    return BedStay.objects.select_for_update().get(admission=admission, ended_at__isnull=True)


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
    admission = _lock_admission(admission)
    _check_active(admission)
    if bed.pk == admission.bed_id:
        raise ConflictError("The patient is already in this bed.", code="same_bed")
    stay = _open_stay(admission)
    transferred_at = _when(transferred_at, field="transferred_at", not_before=stay.started_at)
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
    _set_bed_status(old_bed, BedStatus.CLEANING, note="Vacated by transfer")
    _set_bed_status(new_bed, BedStatus.OCCUPIED)
    _audit(
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
def icu_admit(
    *,
    actor: User,
    patient: Patient,
    bed: Bed,
    attending_doctor: User | None = None,
    reason: str = "",
    admission_type: str = AdmissionType.EMERGENCY,
    at: datetime | None = None,
) -> Admission:
    """Into an ICU bed: a patient already on a ward is transferred there (the ICU stay
    starts); anyone else is admitted straight to the ICU."""
    if not bed.ward.is_icu:
        raise ApplicationError(
            "Choose a bed on an intensive care ward.",
            code="not_an_icu_bed",
            fields={"bed": ["This bed is not on an ICU ward."]},
        )
    current = Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE).first()
    if current is not None:
        if current.ward.is_icu:
            raise ConflictError("The patient is already in intensive care.", code="already_in_icu")
        return admission_transfer(
            actor=actor,
            admission=current,
            bed=bed,
            reason=reason,
            transferred_at=at,
            attending_doctor=attending_doctor,
            kind=StayKind.ICU_ADMISSION,
        )
    if attending_doctor is None:
        raise ApplicationError(
            "Name the attending doctor.",
            code="validation_error",
            fields={"attending_doctor": ["Required when the patient is not yet admitted."]},
        )
    return admission_admit(
        actor=actor,
        patient=patient,
        bed=bed,
        attending_doctor=attending_doctor,
        reason=reason,
        admission_type=admission_type,
        admitted_at=at,
        kind=StayKind.ICU_ADMISSION,
    )


@transaction.atomic
def icu_discharge(
    *,
    actor: User,
    admission: Admission,
    bed: Bed,
    reason: str = "",
    at: datetime | None = None,
    attending_doctor: User | None = None,
) -> Admission:
    """Step down from the ICU to a ward bed (the hospital stay goes on; leaving hospital
    from the ICU is an ordinary discharge)."""
    if not admission.ward.is_icu:
        raise ConflictError("The patient is not in intensive care.", code="not_in_icu")
    if bed.ward.is_icu:
        raise ApplicationError(
            "Choose a bed outside intensive care.",
            code="icu_bed_chosen",
            fields={"bed": ["This bed is on an ICU ward; use a transfer to move within ICU."]},
        )
    return admission_transfer(
        actor=actor,
        admission=admission,
        bed=bed,
        reason=reason,
        transferred_at=at,
        attending_doctor=attending_doctor,
        kind=StayKind.ICU_DISCHARGE,
    )


def _check_list(value, field: str) -> list:
    if not isinstance(value, list):
        raise ValidationError({field: ["Must be a list (empty for none)."]})
    return value


def _summary_diagnoses(raw: list) -> list[dict]:
    _check_list(raw, "diagnoses")
    if not raw:
        raise ValidationError({"diagnoses": ["Give at least one diagnosis (ICD-10 code)."]})
    diagnoses, errors = [], {}
    for index, entry in enumerate(raw):
        code = entry.get("code") if isinstance(entry, dict) else entry
        try:
            found = icd10_lookup(str(code or ""))
        except ValidationError as exc:
            errors[index] = exc.messages
            continue
        diagnoses.append({"code": found.code, "title": found.title})
    if errors:
        raise ValidationError({"diagnoses": [f"{i}: {'; '.join(m)}" for i, m in errors.items()]})
    return diagnoses


@transaction.atomic
def discharge_summary_save(
    *,
    actor: User,
    admission: Admission,
    diagnoses: list,
    procedures: list,
    medications_on_discharge: list,
    follow_up: str,
    hospital_course: str = "",
) -> DischargeSummary:
    """Write or amend the discharge summary (every version is kept)."""
    admission = _lock_admission(admission)
    follow_up = (follow_up or "").strip()
    if not follow_up:
        raise ValidationError({"follow_up": ["State the follow-up plan (or that none is needed)."]})
    values = {
        "diagnoses": _summary_diagnoses(diagnoses),
        "procedures": [
            str(p).strip() for p in _check_list(procedures, "procedures") if str(p).strip()
        ],
        "medications_on_discharge": _check_list(
            medications_on_discharge, "medications_on_discharge"
        ),
        "follow_up": follow_up,
        "hospital_course": hospital_course or "",
    }
    summary = DischargeSummary.objects.select_for_update().filter(admission=admission).first()
    action = AuditAction.UPDATE
    if summary is None:
        summary = DischargeSummary(admission=admission, written_by=actor, **values)
        action = AuditAction.CREATE
        changed = list(values)
    else:
        changed = _changed(summary, values)
        summary.written_by = actor
    if changed:
        summary._history_user = actor
        summary.save()
        _audit(
            actor=actor,
            action=action,
            resource_type="discharge_summary",
            record=summary,
            patient=admission.patient,
            detail={"admission": str(admission.public_id), "fields": changed},
        )
    return summary


@transaction.atomic
def admission_discharge(
    *,
    actor: User,
    admission: Admission,
    disposition: str = DischargeDisposition.HOME,
    discharged_at: datetime | None = None,
    note: str = "",
) -> Admission:
    """Discharge: needs the doctor's discharge summary; closes the last bed stay and the
    inpatient encounter, and sends the bed to `cleaning`."""
    admission = _lock_admission(admission)
    _check_active(admission)
    if not DischargeSummary.objects.filter(admission=admission).exists():
        raise ConflictError(
            "A doctor must write the discharge summary before the patient is discharged.",
            code="discharge_summary_required",
            extra={
                "discharge_summary_url": f"/api/admissions/{admission.public_id}/discharge-summary/"
            },
        )
    stay = _open_stay(admission)
    discharged_at = _when(discharged_at, field="discharged_at", not_before=stay.started_at)
    bed = _lock_bed(admission.bed)
    stay.ended_at = discharged_at
    stay.save(update_fields=["ended_at", "updated_at"])
    admission.status = AdmissionStatus.DISCHARGED
    admission.discharged_at = discharged_at
    admission.discharged_by = actor
    admission.discharge_disposition = disposition
    admission.discharge_note = note
    admission._history_user = actor
    admission.save()
    _set_bed_status(bed, BedStatus.CLEANING, note="Vacated by discharge")
    if admission.encounter.status == "open":
        clinical_services.encounter_close(
            actor=actor, encounter=admission.encounter, ended_at=discharged_at
        )
    publish(AdmissionDischarged(actor=actor, admission=admission))  # billing: bed-days left
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="admission",
        record=admission,
        patient=admission.patient,
        detail={"discharged": True, "disposition": str(disposition), "bed": str(bed.public_id)},
    )
    return admission


@transaction.atomic
def admission_set_spo2_scale(
    *, actor: User, admission: Admission, scale: int, reason: str
) -> Admission:
    """A doctor switches the NEWS2 SpO2 scale (2: hypercapnic respiratory failure, target
    88-92%). Applies to observations recorded from now on."""
    admission = _lock_admission(admission)
    _check_active(admission)
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
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="admission",
            record=admission,
            patient=admission.patient,
            detail={"spo2_scale": {"from": previous, "to": scale}, "reason": reason},
        )
    return admission


# --- Charts ----------------------------------------------------------------------------------


def _chart_time(admission: Admission, value: datetime | None, field: str) -> datetime:
    _check_active(admission)
    return _when(value, field=field, not_before=admission.admitted_at)


@transaction.atomic
def observation_record(
    *,
    actor: User,
    admission: Admission,
    respiratory_rate: int,
    spo2: int,
    on_oxygen: bool,
    systolic_bp: int,
    diastolic_bp: int,
    pulse: int,
    consciousness: str,
    temperature_c: Decimal,
    measured_at: datetime | None = None,
    oxygen_flow_l_min: Decimal | None = None,
    oxygen_device: str = "",
) -> Observation:
    """Record a full set of observations, score NEWS2 on the admission's SpO2 scale, copy the
    vital signs into the medical record, and alert the attending doctor at an aggregate of 5+
    or a 3 in any single parameter."""
    measured_at = _chart_time(admission, measured_at, "measured_at")
    if consciousness not in Consciousness.values:
        raise ValidationError({"consciousness": ["One of A, C, V, P, U."]})
    if not on_oxygen and (oxygen_flow_l_min or oxygen_device):
        raise ValidationError({"on_oxygen": ["Oxygen flow or device given for a patient on air."]})
    vitals = clinical_services.vital_signs_record(
        actor=actor,
        patient=admission.patient,
        encounter=admission.encounter,
        measured_at=measured_at,
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        systolic_bp=systolic_bp,
        diastolic_bp=diastolic_bp,
        pulse=pulse,
        temperature_c=temperature_c,
    )
    result = news2_compute(
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        on_oxygen=on_oxygen,
        systolic_bp=systolic_bp,
        pulse=pulse,
        consciousness=consciousness,
        temperature_c=vitals.temperature_c,
        spo2_scale=admission.spo2_scale,
    )
    observation = Observation.objects.create(
        admission=admission,
        vital_signs=vitals,
        measured_at=measured_at,
        recorded_by=actor,
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        on_oxygen=on_oxygen,
        oxygen_flow_l_min=oxygen_flow_l_min,
        oxygen_device=oxygen_device,
        systolic_bp=systolic_bp,
        diastolic_bp=diastolic_bp,
        pulse=pulse,
        consciousness=consciousness,
        temperature_c=vitals.temperature_c,
        spo2_scale=admission.spo2_scale,
        news2_score=result.score,
        news2_risk=result.risk,
        news2_single_three=result.single_three,
        news2_components=result.components,
        alert_sent=result.triggers_alert,
    )
    if result.triggers_alert:
        _news2_alert(admission=admission, observation=observation)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="inpatient_observation",
        record=observation,
        patient=admission.patient,
        detail={"admission": str(admission.public_id), "news2": result.score},
    )
    return observation


def _news2_alert(*, admission: Admission, observation: Observation) -> None:
    patient = admission.patient
    threes = [name for name, points in observation.news2_components.items() if points == 3]
    why = f"aggregate {observation.news2_score}"
    if threes:
        why += f"; 3 points for {', '.join(name.replace('_', ' ') for name in threes)}"
    notification_create(
        recipient=admission.attending_doctor,
        kind="news2_alert",
        severity="critical" if observation.news2_score >= 7 else "warning",
        title=(
            f"NEWS2 {observation.news2_score} ({observation.get_news2_risk_display()}): "
            f"{patient.display_name}, {admission.ward.name} bed {admission.bed.label}"
        ),
        body=(
            f"Observations at {timezone.localtime(observation.measured_at):%H:%M} "
            f"score {why}. RR {observation.respiratory_rate}, SpO2 {observation.spo2}% "
            f"({'oxygen' if observation.on_oxygen else 'air'}, scale {observation.spo2_scale}), "
            f"BP {observation.systolic_bp}/{observation.diastolic_bp}, pulse {observation.pulse}, "
            f"{observation.get_consciousness_display().lower()}, "
            f"T {observation.temperature_c} °C."
        ),
        link=f"/api/admissions/{admission.public_id}/chart/",
        patient_id=patient.public_id,
        dedupe_key=f"news2:{observation.public_id}",
    )


@transaction.atomic
def fluid_record(
    *,
    actor: User,
    admission: Admission,
    direction: str,
    kind: str,
    volume_ml: int,
    recorded_at: datetime | None = None,
    note: str = "",
) -> FluidEntry:
    recorded_at = _chart_time(admission, recorded_at, "recorded_at")
    allowed = FLUID_KINDS_BY_DIRECTION.get(direction)
    if allowed is None:
        raise ValidationError({"direction": ["in or out."]})
    if kind not in allowed:
        raise ValidationError(
            {"kind": [f"Not a kind of {'intake' if direction == 'in' else 'output'}."]}
        )
    if not 1 <= volume_ml <= MAX_FLUID_ENTRY_ML:
        raise ValidationError({"volume_ml": [f"Between 1 and {MAX_FLUID_ENTRY_ML} ml."]})
    entry = FluidEntry.objects.create(
        admission=admission,
        recorded_at=recorded_at,
        recorded_by=actor,
        direction=direction,
        kind=kind,
        volume_ml=volume_ml,
        note=note,
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="fluid_entry",
        record=entry,
        patient=admission.patient,
        detail={"admission": str(admission.public_id)},
    )
    return entry


@transaction.atomic
def gcs_record(
    *,
    actor: User,
    admission: Admission,
    eye: int,
    verbal: int,
    motor: int,
    assessed_at: datetime | None = None,
    pupils: str = "",
    note: str = "",
) -> GcsAssessment:
    assessed_at = _chart_time(admission, assessed_at, "assessed_at")
    errors = {}
    for name, value, top in (("eye", eye, 4), ("verbal", verbal, 5), ("motor", motor, 6)):
        if not 1 <= value <= top:
            errors[name] = [f"Between 1 and {top}."]
    if errors:
        raise ValidationError(errors)
    assessment = GcsAssessment.objects.create(
        admission=admission,
        assessed_at=assessed_at,
        recorded_by=actor,
        eye=eye,
        verbal=verbal,
        motor=motor,
        total=eye + verbal + motor,
        pupils=pupils,
        note=note,
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="gcs_assessment",
        record=assessment,
        patient=admission.patient,
        detail={"admission": str(admission.public_id), "total": assessment.total},
    )
    return assessment


@transaction.atomic
def nursing_note_create(
    *, actor: User, admission: Admission, text: str, written_at: datetime | None = None
) -> NursingNote:
    written_at = _chart_time(admission, written_at, "written_at")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["The note is empty."]})
    note = NursingNote(admission=admission, written_at=written_at, author=actor, text=text)
    note._history_user = actor
    note.save()
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="nursing_note",
        record=note,
        patient=admission.patient,
        detail={"admission": str(admission.public_id)},
    )
    return note


CHART_RESOURCE_TYPES = {
    Observation: "inpatient_observation",
    FluidEntry: "fluid_entry",
    GcsAssessment: "gcs_assessment",
    NursingNote: "nursing_note",
    MedicationAdministration: "medication_administration",
}


@transaction.atomic
def chart_entry_void(*, actor: User, entry, reason: str):
    """Void a mistaken chart entry: it stays (marked voided) and leaves the chart's series. An
    observation's copy in the medical record is voided with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why this entry is voided."]})
    model = type(entry)
    entry = (
        model.all_objects.select_for_update().select_related("admission__patient").get(pk=entry.pk)
    )
    if entry.is_voided:
        raise ConflictError("This entry is already voided.", code="already_voided")
    entry.voided_at = timezone.now()
    entry.voided_by = actor
    entry.void_reason = reason
    if isinstance(entry, NursingNote):
        entry._history_user = actor
    entry.save()
    if isinstance(entry, Observation) and entry.vital_signs_id is not None:
        vitals = entry.vital_signs
        if not vitals.is_voided:
            clinical_services.clinical_record_void(actor=actor, record=vitals, reason=reason)
    _audit(
        actor=actor,
        action=AuditAction.VOID,
        resource_type=CHART_RESOURCE_TYPES[model],
        record=entry,
        patient=entry.admission.patient,
        detail={"reason": reason},
    )
    return entry


# --- Medication administration record -------------------------------------------------------


def _dose_recorded() -> ConflictError:
    return ConflictError("This dose has already been recorded.", code="dose_already_recorded")


@transaction.atomic
def administration_record(
    *,
    actor: User,
    admission: Admission,
    prescription_item,
    status: str,
    scheduled_at: datetime | None = None,
    administered_at: datetime | None = None,
    dose: str = "",
    reason: str = "",
) -> MedicationAdministration:
    """Record what happened to a dose: `given`, `held` or `refused` (the last two need a
    reason). A scheduled dose is named by its `scheduled_at` (one record each, 409
    `dose_already_recorded`); an as-needed (PRN) dose has none."""
    administered_at = _chart_time(admission, administered_at, "administered_at")
    if prescription_item.prescription.patient_id != admission.patient_id:
        raise ApplicationError(
            "This prescription is for another patient.",
            code="validation_error",
            fields={"prescription_item": ["Not this patient's prescription."]},
        )
    if status not in AdministrationStatus.values:
        raise ValidationError({"status": ["given, held or refused."]})
    reason = (reason or "").strip()
    if status != AdministrationStatus.GIVEN and not reason:
        raise ValidationError({"reason": [f"Say why the dose was {status}."]})
    if prescription_item.frequency == PRN:
        if scheduled_at is not None:
            raise ValidationError({"scheduled_at": ["An as-needed dose has no scheduled time."]})
        if prescription_item.prescription.status == "cancelled":
            raise ConflictError("This prescription was cancelled.", code="prescription_cancelled")
    else:
        if scheduled_at is None:
            raise ValidationError({"scheduled_at": ["Name the scheduled dose (its due time)."]})
        # Dose times are UTC (hms.inpatient.mar): a local time in the hour the clocks go back
        # would equal none of them.
        scheduled_at = scheduled_at.astimezone(UTC)
        due = selectors.admission_dose_times(
            admission=admission, item=prescription_item, around=scheduled_at
        )
        if scheduled_at not in due:
            raise ApplicationError(
                "No dose of this item is due at that time.",
                code="not_a_scheduled_dose",
                fields={"scheduled_at": ["Not on this item's schedule."]},
            )
    if scheduled_at is not None and partial_unique_lock(Admission.objects.filter(pk=admission.pk)):
        # MySQL/MariaDB hold no one-record-per-dose constraint: with the admission locked,
        # look for the dose's record here.
        recorded = MedicationAdministration.objects.filter(
            prescription_item=prescription_item, scheduled_at=scheduled_at
        )
        if recorded.exists():
            raise _dose_recorded()
    record = MedicationAdministration(
        admission=admission,
        prescription_item=prescription_item,
        scheduled_at=scheduled_at,
        status=status,
        administered_at=administered_at,
        dose=dose or f"{prescription_item.dose.normalize():f} {prescription_item.dose_unit}",
        reason=reason,
        recorded_by=actor,
    )
    _save_unique(record, error=_dose_recorded())
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="medication_administration",
        record=record,
        patient=admission.patient,
        detail={
            "admission": str(admission.public_id),
            "prescription_item": str(prescription_item.public_id),
            "status": status,
            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
        },
    )
    return record
