"""Writes for appointments: booking and every later change of one. Each is one transaction
and writes its audit event.

Double booking is closed in the database where it can be:
- a slot: a partial unique constraint allows one slot-holding appointment per (doctor, date,
  slot); on MySQL/MariaDB, which have no partial indexes, the doctor's schedule row is locked
  and the slot checked instead;
- a patient: on PostgreSQL an exclusion constraint refuses overlapping active appointments;
  elsewhere the patient's row is locked while their overlapping appointments are checked.
So two parallel requests cannot both pass either check.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments import selectors
from hms.appointments.events import AppointmentCompleted
from hms.appointments.models import (
    ALLOWED_TRANSITIONS,
    PATIENT_BUSY_STATUSES,
    PATIENT_OVERLAP_CONSTRAINT,
    SLOT_HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    DoctorSchedule,
    VisitType,
)
from hms.appointments.scheduling import local_instant, slot_at, slot_grid
from hms.clinical import services as clinical_services
from hms.clinical.models import Encounter, EncounterStatus, EncounterType
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.core.wording import with_article
from hms.patients.models import Patient

RESOURCE = "appointment"


def _audit(*, actor, action, appointment: Appointment, detail: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type=RESOURCE,
        object_id=appointment.public_id,
        patient_id=appointment.patient.public_id,
        detail=detail,
    )


def doctor_display_name(doctor: User) -> str:
    return f"Dr {doctor.get_full_name() or doctor.username}"


def _check_slot(*, doctor: User, day: date, slot: time) -> tuple[datetime, datetime]:
    """Validate a requested slot; return its start and end instants. Raises 400/409."""
    profile = getattr(doctor, "doctor_profile", None)
    if not doctor.is_active or (profile is not None and not profile.available):
        raise ConflictError(
            f"{doctor_display_name(doctor)} is not taking appointments.", code="doctor_unavailable"
        )
    start_at = local_instant(day, slot)
    if start_at is None:
        raise ApplicationError(
            f"{slot:%H:%M} does not exist on {day} (the clock changes that night).",
            code="not_on_slot_grid",
            fields={"slot": ["This local time does not exist on this date."]},
        )
    now = timezone.now()
    if start_at <= now:
        raise ApplicationError(
            "That time is in the past.", code="slot_in_past", fields={"slot": ["In the past."]}
        )
    horizon = settings.APPOINTMENT_BOOKING_HORIZON_DAYS
    if day > timezone.localdate() + timedelta(days=horizon):
        raise ApplicationError(
            f"Appointments can be booked at most {horizon} days ahead.",
            code="too_far_ahead",
            fields={"date": [f"At most {horizon} days ahead."]},
        )
    slot_minutes, day_ranges = selectors.doctor_day_ranges(doctor=doctor, day=day)
    if not day_ranges:
        raise ConflictError(
            f"{doctor_display_name(doctor)} is not working on {day:%A %d %B %Y}.",
            code="doctor_not_working",
        )
    match = slot_at(day=day, start=slot, ranges=day_ranges, slot_minutes=slot_minutes)
    if match is None:
        # Only on this error path is the whole day's grid built, to name the valid times.
        grid = slot_grid(day=day, ranges=day_ranges, slot_minutes=slot_minutes)
        inside = any(s.start <= slot < s.end for s in grid)
        if inside:
            starts = ", ".join(f"{s.start:%H:%M}" for s in grid[:6])
            raise ApplicationError(
                f"{slot:%H:%M} is not the start of a slot. Slots start at {starts}…",
                code="not_on_slot_grid",
                fields={"slot": ["Not on the slot grid."]},
            )
        raise ApplicationError(
            f"{slot:%H:%M} is outside {doctor_display_name(doctor)}'s working hours on {day}.",
            code="outside_working_hours",
            fields={"slot": ["Outside working hours."]},
        )
    # A slot already taken is refused by the database constraint when saving (one query
    # less than asking first), answering the same 409 `slot_taken`.
    return match.start_at, match.end_at


def _slot_taken() -> ConflictError:
    return ConflictError(
        "That slot has just been booked. Please choose another time.", code="slot_taken"
    )


def _check_patient_free(
    *, patient: Patient, start_at: datetime, end_at: datetime, exclude: Appointment | None = None
) -> None:
    clash = Appointment.objects.filter(
        patient=patient,
        status__in=PATIENT_BUSY_STATUSES,
        start_at__lt=end_at,
        end_at__gt=start_at,
    ).select_related("doctor")
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.first()
    if other is not None:
        local_start = timezone.localtime(other.start_at)
        raise ConflictError(
            f"The patient already has an appointment at {local_start:%H:%M} on "
            f"{local_start:%Y-%m-%d} with {doctor_display_name(other.doctor)}.",
            code="patient_double_booked",
            extra={"appointment": str(other.public_id)},
        )


def _database_refuses_patient_overlap() -> bool:
    """PostgreSQL has the exclusion constraint (migration 0002); other databases need the
    application's lock-and-check."""
    return connection.vendor == "postgresql"


def _make_patient_free_check(
    *, patient: Patient, start_at: datetime, end_at: datetime, exclude: Appointment | None = None
) -> None:
    """Inside the write's transaction: make sure the patient holds no overlapping appointment.

    On PostgreSQL the exclusion constraint refuses it at the write, with no query here; else
    the patient's row is locked (serialising that patient's bookings) and checked."""
    if _database_refuses_patient_overlap():
        return
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    _check_patient_free(patient=patient, start_at=start_at, end_at=end_at, exclude=exclude)


def _make_slot_free_check(
    *, doctor: User, day: date, slot: time, exclude: Appointment | None = None
) -> None:
    """Inside the write's transaction, on databases without partial unique indexes (MySQL,
    MariaDB), where the one-appointment-per-slot constraint cannot exist: lock the doctor's
    schedule row, which serialises that doctor's bookings, and look for the slot's holder."""
    if connection.features.supports_partial_indexes:
        return  # the database constraint refuses the second holder at the write
    DoctorSchedule.objects.select_for_update().filter(doctor=doctor).first()
    holders = Appointment.objects.filter(
        doctor=doctor, date=day, slot=slot, status__in=SLOT_HOLDING_STATUSES
    )
    if exclude is not None:
        holders = holders.exclude(pk=exclude.pk)
    if holders.exists():
        raise _slot_taken()


def _holding_conflict(
    error: IntegrityError,
    *,
    patient: Patient,
    start_at: datetime,
    end_at: datetime,
    exclude: Appointment | None = None,
) -> ConflictError:
    """The 409 for a write the database refused, called after its transaction rolled back:
    the patient overlap constraint, or else the one-appointment-per-slot constraint."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if constraint != PATIENT_OVERLAP_CONSTRAINT:
        return _slot_taken()
    try:
        _check_patient_free(patient=patient, start_at=start_at, end_at=end_at, exclude=exclude)
    except ConflictError as conflict:  # names the appointment in the way
        return conflict
    return ConflictError(  # it was cancelled in the meantime; the time is free again
        "The patient had another appointment at this time. Please try again.",
        code="patient_double_booked",
    )


def appointment_book(
    *,
    actor: User,
    patient: Patient,
    doctor: User,
    date: date,
    slot: time,
    reason: str = "",
    visit_type: str = VisitType.IN_PERSON,
) -> Appointment:
    if visit_type not in VisitType.values:
        raise ApplicationError(
            "Choose in person or teleconsult.",
            code="invalid_visit_type",
            fields={"visit_type": [f"One of: {', '.join(VisitType.values)}."]},
        )
    if doctor.role != Role.DOCTOR:
        raise ApplicationError(
            "Appointments are booked with a doctor.",
            code="not_a_doctor",
            fields={"doctor": ["Not a doctor."]},
        )
    start_at, end_at = _check_slot(doctor=doctor, day=date, slot=slot)
    appointment = Appointment(
        patient=patient,
        doctor=doctor,
        date=date,
        slot=slot,
        start_at=start_at,
        end_at=end_at,
        reason=reason,
        visit_type=visit_type,
        booked_by=actor,
    )
    # A lost race (slot or patient) is refused by a database constraint: the INSERT fails,
    # the transaction rolls back, and the error is answered after it, without a savepoint.
    try:
        with transaction.atomic():
            _make_slot_free_check(doctor=doctor, day=date, slot=slot)
            _make_patient_free_check(patient=patient, start_at=start_at, end_at=end_at)
            appointment.save()
            _audit(
                actor=actor,
                action=AuditAction.CREATE,
                appointment=appointment,
                detail={
                    "doctor": str(doctor.public_id),
                    "start_at": start_at.isoformat(),
                    "visit_type": visit_type,
                },
            )
    except IntegrityError as error:
        raise _holding_conflict(error, patient=patient, start_at=start_at, end_at=end_at) from error
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("patient", "doctor")
        .get(pk=appointment.pk)
    )


def _check_patient_may_change(*, actor: User, appointment: Appointment) -> None:
    if actor.role == Role.PATIENT and appointment.start_at <= timezone.now():
        raise ApplicationError(
            "Past appointments cannot be changed online; please contact the front desk.",
            code="appointment_started",
        )


def appointment_reschedule(
    *, actor: User, appointment: Appointment, date: date, slot: time
) -> Appointment:
    """Move a booked appointment to another slot of the same doctor; the old version is kept."""
    try:
        with transaction.atomic():
            return _reschedule_locked(actor=actor, appointment=appointment, date=date, slot=slot)
    except IntegrityError as error:
        # Only the INSERT/UPDATE can fail this way, after the slot checks passed.
        start_at, end_at = _check_slot(doctor=appointment.doctor, day=date, slot=slot)
        raise _holding_conflict(
            error,
            patient=appointment.patient,
            start_at=start_at,
            end_at=end_at,
            exclude=appointment,
        ) from error


def _reschedule_locked(*, actor: User, appointment: Appointment, date: date, slot: time):
    appointment = _lock(appointment)
    _check_patient_may_change(actor=actor, appointment=appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise ConflictError(
            f"Only booked appointments can be rescheduled (this one is "
            f"{appointment.get_status_display().lower()}).",
            code="invalid_status",
        )
    if (appointment.date, appointment.slot) == (date, slot):
        return appointment
    start_at, end_at = _check_slot(doctor=appointment.doctor, day=date, slot=slot)
    _make_slot_free_check(doctor=appointment.doctor, day=date, slot=slot, exclude=appointment)
    _make_patient_free_check(
        patient=appointment.patient, start_at=start_at, end_at=end_at, exclude=appointment
    )
    previous = {"date": appointment.date.isoformat(), "slot": appointment.slot.strftime("%H:%M")}
    appointment.date, appointment.slot = date, slot
    appointment.start_at, appointment.end_at = start_at, end_at
    appointment.reminder_sent_at = None  # the new time deserves its own reminder
    appointment.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        appointment=appointment,
        detail={
            "rescheduled_from": previous,
            "to": {"date": date.isoformat(), "slot": slot.strftime("%H:%M")},
        },
    )
    return appointment


@transaction.atomic
def appointment_update_reason(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    appointment = _lock(appointment)
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED):
        raise ConflictError("This appointment can no longer be changed.", code="invalid_status")
    if appointment.reason != reason:
        appointment.reason = reason
        appointment.save(update_fields=["reason", "updated_at"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            appointment=appointment,
            detail={"changed": ["reason"]},
        )
    return appointment


def _transition(appointment: Appointment, target: AppointmentStatus) -> None:
    if target not in ALLOWED_TRANSITIONS[appointment.status]:
        raise ConflictError(
            f"{with_article(appointment.get_status_display().lower(), capital=True)} appointment "
            f"cannot become {target.label.lower()}.",
            code="invalid_transition",
            extra={"from": appointment.status, "to": target.value},
        )
    appointment.status = target


@transaction.atomic
def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    """Cancel (never delete): the slot becomes bookable again."""
    appointment = _lock(appointment)
    _check_patient_may_change(actor=actor, appointment=appointment)
    if not reason or len(reason.strip()) < 3:
        raise ApplicationError(
            "Say why the appointment is cancelled.",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    _transition(appointment, AppointmentStatus.CANCELLED)
    appointment.cancelled_at = timezone.now()
    appointment.cancelled_by = actor
    appointment.cancel_reason = reason.strip()
    appointment.save()
    _audit(
        actor=actor,
        action=AuditAction.VOID,
        appointment=appointment,
        detail={"reason": appointment.cancel_reason},
    )
    return appointment


@transaction.atomic
def appointment_check_in(*, actor: User, appointment: Appointment) -> Appointment:
    appointment = _lock(appointment)
    if appointment.date != timezone.localdate():
        raise ConflictError(
            f"Check-in is only possible on the day of the appointment ({appointment.date}).",
            code="not_today",
        )
    _transition(appointment, AppointmentStatus.CHECKED_IN)
    appointment.checked_in_at = timezone.now()
    appointment.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        appointment=appointment,
        detail={"status": appointment.status},
    )
    return appointment


@transaction.atomic
def appointment_mark_no_show(*, actor: User, appointment: Appointment) -> Appointment:
    appointment = _lock(appointment)
    if appointment.start_at > timezone.now():
        raise ConflictError(
            "A patient can be marked as a no-show only after the appointment time.",
            code="not_yet_due",
        )
    _transition(appointment, AppointmentStatus.NO_SHOW)
    appointment.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        appointment=appointment,
        detail={"status": appointment.status},
    )
    return appointment


def _check_own_doctor(*, actor: User, appointment: Appointment) -> None:
    if actor.pk != appointment.doctor_id:
        raise ForbiddenError(
            "Only the appointment's doctor can start or complete it.", code="not_your_appointment"
        )


def _open_or_link_encounter(*, actor: User, appointment: Appointment) -> None:
    """Link the visit to the medical record: today's open encounter of the visit's type
    (outpatient, or teleconsult for a video consultation) of this patient with this doctor,
    or a new one."""
    if appointment.encounter_id is not None:
        return
    encounter_type = (
        EncounterType.TELECONSULT
        if appointment.visit_type == VisitType.TELECONSULT
        else EncounterType.OUTPATIENT
    )
    # Today's local bounds rather than started_at__date, which MySQL/MariaDB evaluate with
    # CONVERT_TZ: NULL (no match) unless their time zone tables are loaded.
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    existing = (
        Encounter.objects.filter(
            patient=appointment.patient,
            attending_doctor=appointment.doctor,
            type=encounter_type,
            status=EncounterStatus.OPEN,
            started_at__gte=midnight,
            started_at__lt=midnight + timedelta(days=1),  # wall-clock: the next local midnight
        )
        .order_by("-started_at")
        .first()
    )
    appointment.encounter = existing or clinical_services.encounter_create(
        actor=actor,
        patient=appointment.patient,
        type=encounter_type,
        attending_doctor=appointment.doctor,
        started_at=appointment.started_at or timezone.now(),
        reason=appointment.reason,
    )


@transaction.atomic
def appointment_start(*, actor: User, appointment: Appointment) -> Appointment:
    appointment = _lock(appointment)
    _check_own_doctor(actor=actor, appointment=appointment)
    _transition(appointment, AppointmentStatus.IN_PROGRESS)
    appointment.started_at = timezone.now()
    _open_or_link_encounter(actor=actor, appointment=appointment)
    appointment.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        appointment=appointment,
        detail={"status": appointment.status, "encounter": str(appointment.encounter.public_id)},
    )
    return appointment


@transaction.atomic
def appointment_complete(*, actor: User, appointment: Appointment) -> Appointment:
    """Finish the visit; it is linked to an encounter in the medical record."""
    appointment = _lock(appointment)
    _check_own_doctor(actor=actor, appointment=appointment)
    _transition(appointment, AppointmentStatus.COMPLETED)
    appointment.completed_at = timezone.now()
    _open_or_link_encounter(actor=actor, appointment=appointment)
    appointment.save()
    publish(AppointmentCompleted(actor=actor, appointment=appointment))  # billed by hms.billing
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        appointment=appointment,
        detail={"status": appointment.status, "encounter": str(appointment.encounter.public_id)},
    )
    return appointment
