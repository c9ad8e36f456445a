"""Writes for doctors' schedules: the weekly template and its exceptions (leave, holidays,
extra sessions). Each is one transaction and writes its audit event."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.models import (
    Appointment,
    AppointmentStatus,
    DoctorSchedule,
    ExceptionKind,
    ScheduleBlock,
    ScheduleException,
)
from hms.appointments.scheduling import TimeRange
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.locks import lock_or_create
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record


def _check_may_manage_schedule(*, actor: User, doctor: User) -> None:
    if actor.role == Role.DOCTOR and actor.pk != doctor.pk:
        raise ForbiddenError("Doctors manage only their own schedule.", code="not_your_schedule")


@transaction.atomic
def schedule_set(
    *, actor: User, doctor: User, slot_minutes: int, blocks: list[dict]
) -> DoctorSchedule:
    """Replace a doctor's weekly template. Existing appointments are kept as they are."""
    _check_may_manage_schedule(actor=actor, doctor=doctor)
    by_day: dict[int, list[TimeRange]] = {}
    for index, block in enumerate(blocks):
        time_range = TimeRange(block["start_time"], block["end_time"])
        if time_range.end <= time_range.start:
            raise ApplicationError(
                "A working block must end after it starts.",
                code="invalid_block",
                fields={"blocks": {index: ["end_time must be after start_time."]}},
            )
        duration = datetime.combine(date.min, time_range.end) - datetime.combine(
            date.min, time_range.start
        )
        if duration < timedelta(minutes=slot_minutes):
            raise ApplicationError(
                "A working block is shorter than one slot.",
                code="invalid_block",
                fields={"blocks": {index: [f"Shorter than the {slot_minutes}-minute slot."]}},
            )
        for other in by_day.get(block["weekday"], []):
            if other.overlaps(time_range):
                raise ApplicationError(
                    "Working blocks on the same day overlap.",
                    code="overlapping_blocks",
                    fields={"blocks": {index: ["Overlaps another block on the same day."]}},
                )
        by_day.setdefault(block["weekday"], []).append(time_range)

    schedule, _ = lock_or_create(
        DoctorSchedule.objects, doctor=doctor, defaults={"slot_minutes": slot_minutes}
    )
    schedule.slot_minutes = slot_minutes
    schedule.save()
    schedule.blocks.all().delete()  # the template is configuration, replaced as a whole
    ScheduleBlock.objects.bulk_create(
        ScheduleBlock(
            schedule=schedule,
            weekday=b["weekday"],
            start_time=b["start_time"],
            end_time=b["end_time"],
        )
        for b in blocks
    )
    _bump_schedule_versions(doctor=doctor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="doctor_schedule",
        object_id=doctor.public_id,
        detail={"slot_minutes": slot_minutes, "blocks": len(blocks)},
    )
    return schedule


@transaction.atomic
def schedule_exception_create(
    *,
    actor: User,
    doctor: User | None,
    date: date,
    kind: ExceptionKind | str,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
) -> ScheduleException:
    if doctor is None:
        if kind != ExceptionKind.HOLIDAY:
            raise ApplicationError(
                "Only holidays can apply to every doctor; choose a doctor.",
                code="doctor_required",
                fields={"doctor": ["Required unless kind is holiday."]},
            )
        if actor.role == Role.DOCTOR:
            raise ForbiddenError("Doctors cannot declare clinic-wide holidays.", code="forbidden")
    else:
        _check_may_manage_schedule(actor=actor, doctor=doctor)
    if (start_time is None) != (end_time is None):
        raise ApplicationError(
            "Give both start and end times, or neither for the whole day.",
            code="invalid_time_range",
            fields={"end_time" if end_time is None else "start_time": ["Required with the other."]},
        )
    if start_time is not None and end_time <= start_time:
        raise ApplicationError(
            "The exception must end after it starts.",
            code="invalid_time_range",
            fields={"end_time": ["Must be after start_time."]},
        )
    if kind == ExceptionKind.EXTRA and start_time is None:
        raise ApplicationError(
            "An extra session needs its start and end times.",
            code="invalid_time_range",
            fields={"start_time": ["Required for an extra session."]},
        )
    exception = ScheduleException.objects.create(
        doctor=doctor,
        date=date,
        kind=kind,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        created_by=actor,
    )
    _bump_schedule_versions(doctor=doctor)
    booked = 0
    if doctor is not None and kind != ExceptionKind.EXTRA:
        booked = _appointments_in_exception(exception).count()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="schedule_exception",
        object_id=exception.public_id,
        detail={"kind": str(kind), "date": date.isoformat(), "affected_appointments": booked},
    )
    exception.affected_appointments = booked
    return exception


MAX_EXCEPTION_RANGE_DAYS = 92


@transaction.atomic
def schedule_exception_create_range(
    *,
    actor: User,
    doctor: User | None,
    date_from: date,
    date_to: date,
    kind: ExceptionKind | str,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
) -> list[ScheduleException]:
    """Leave or a holiday over a range of dates (both included): one exception a date, all
    or none. Each date is checked and audited as `schedule_exception_create` does."""
    if kind == ExceptionKind.EXTRA:
        raise ApplicationError(
            "Extra sessions are added one date at a time.",
            code="invalid_kind",
            fields={"kind": ["Leave or holiday for a range of dates."]},
        )
    days = (date_to - date_from).days + 1
    if days < 1:
        raise ApplicationError(
            "The last day must not be before the first.",
            code="invalid_date_range",
            fields={"date_to": ["Must not be before date_from."]},
        )
    if days > MAX_EXCEPTION_RANGE_DAYS:
        raise ApplicationError(
            f"At most {MAX_EXCEPTION_RANGE_DAYS} days at a time.",
            code="invalid_date_range",
            fields={"date_to": [f"At most {MAX_EXCEPTION_RANGE_DAYS} days after date_from."]},
        )
    return [
        schedule_exception_create(
            actor=actor,
            doctor=doctor,
            date=date_from + timedelta(days=offset),
            kind=kind,
            start_time=start_time,
            end_time=end_time,
            reason=reason,
        )
        for offset in range(days)
    ]


def _appointments_in_exception(exception: ScheduleException):
    queryset = Appointment.objects.filter(
        doctor=exception.doctor, date=exception.date, status=AppointmentStatus.BOOKED
    )
    if exception.start_time is not None:
        queryset = queryset.filter(slot__gte=exception.start_time, slot__lt=exception.end_time)
    return queryset


@transaction.atomic
def schedule_exception_cancel(*, actor: User, exception: ScheduleException) -> ScheduleException:
    if exception.doctor is not None:
        _check_may_manage_schedule(actor=actor, doctor=exception.doctor)
    elif actor.role == Role.DOCTOR:
        raise ForbiddenError("Doctors cannot change clinic-wide holidays.", code="forbidden")
    if exception.cancelled_at is not None:
        raise ConflictError("This exception is already cancelled.", code="already_cancelled")
    exception.cancelled_at = timezone.now()
    exception.save(update_fields=["cancelled_at", "updated_at"])
    _bump_schedule_versions(doctor=exception.doctor)
    audit_record(
        actor=actor,
        action=AuditAction.VOID,
        resource_type="schedule_exception",
        object_id=exception.public_id,
    )
    return exception


def _bump_schedule_versions(*, doctor: User | None) -> None:
    """A doctor's working time changed (every doctor's, for a clinic-wide holiday): new
    schedule versions, so no cached working day of the old version is used again."""
    schedules = (
        DoctorSchedule.objects.all()
        if doctor is None
        else DoctorSchedule.objects.filter(doctor=doctor)
    )
    schedules.update(version=F("version") + 1)
