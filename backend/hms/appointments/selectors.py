"""Reads for scheduling: availability, appointment lists scoped to the user, queues, feeds."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.cache import caches
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.models import (
    SLOT_HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    DoctorSchedule,
    ExceptionKind,
    ScheduleBlock,
    ScheduleException,
    VisitType,
)
from hms.appointments.scheduling import Slot, TimeRange, slot_grid, working_ranges
from hms.core.errors import NotFoundError
from hms.core.roles import Role
from hms.core.selectors import one_or_none
from hms.patients.access import (
    CARE_BOUND_ROLES,
    ChartSection,
    patient_get_for_user,
    patients_in_care_of,
)
from hms.patients.models import Patient

MAX_AVAILABILITY_DAYS = 31
# Versioned keys never go stale; the expiry only bounds memory and changes made outside HMS.
WORKING_DAY_CACHE_SECONDS = 10 * 60


def doctor_get(*, public_id) -> User:
    doctor = one_or_none(
        User.objects.select_related("doctor_profile", "schedule").filter(role=Role.DOCTOR),
        public_id=public_id,
    )
    if doctor is None:
        raise NotFoundError("No doctor with this id.", code="doctor_not_found")
    return doctor


def schedule_for(*, doctor: User) -> DoctorSchedule | None:
    return (
        DoctorSchedule.objects.filter(doctor=doctor)
        .prefetch_related(Prefetch("blocks", queryset=ScheduleBlock.objects.order_by("start_time")))
        .first()
    )


def schedule_exception_list(
    *, doctor: User | None = None, start: date | None = None, end: date | None = None
) -> QuerySet[ScheduleException]:
    """Active exceptions; with a doctor, theirs plus clinic-wide holidays."""
    queryset = ScheduleException.objects.filter(cancelled_at__isnull=True).select_related("doctor")
    if doctor is not None:
        queryset = queryset.filter(Q(doctor=doctor) | Q(doctor__isnull=True))
    if start is not None:
        queryset = queryset.filter(date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    return queryset.order_by("date", "start_time", "id")


def doctor_working_ranges(
    *, doctor: User, start: date, end: date
) -> tuple[int | None, dict[date, list[TimeRange]]]:
    """The doctor's slot length and working time of each date from start to end inclusive.

    Two queries whatever the range: the schedule with its blocks, and the exceptions.
    """
    schedule = schedule_for(doctor=doctor)
    if schedule is None:
        return None, {}
    blocks_by_weekday: dict[int, list[TimeRange]] = defaultdict(list)
    for block in schedule.blocks.all():
        blocks_by_weekday[block.weekday].append(TimeRange(block.start_time, block.end_time))
    removals: dict[date, list[TimeRange | None]] = defaultdict(list)
    extras: dict[date, list[TimeRange]] = defaultdict(list)
    for exception in schedule_exception_list(doctor=doctor, start=start, end=end):
        time_range = (
            TimeRange(exception.start_time, exception.end_time) if exception.start_time else None
        )
        if exception.kind == ExceptionKind.EXTRA:
            extras[exception.date].append(time_range)
        else:
            removals[exception.date].append(time_range)
    ranges = {}
    day = start
    while day <= end:
        ranges[day] = working_ranges(
            weekly_blocks=blocks_by_weekday.get(day.weekday(), []),
            removals=removals.get(day, []),
            extra_sessions=extras.get(day, []),
        )
        day += timedelta(days=1)
    return schedule.slot_minutes, ranges


def doctor_day_ranges(*, doctor: User, day: date) -> tuple[int | None, list[TimeRange]]:
    """The doctor's slot length and working time on one date, for checking one booking.

    From the cache, or one query: that weekday's blocks and the date's exceptions in a UNION.
    The schedule row (with its version) comes with the doctor from `doctor_get`.
    """
    schedule = getattr(doctor, "schedule", None)  # a missing one-to-one raises AttributeError
    if schedule is None:
        return None, []
    # Keyed by the schedule's version, read with the doctor: any change to the blocks or
    # exceptions commits a new version, so a cached day is never out of date. The public id
    # (not the pk, which a rolled-back test database reuses) keeps keys unique.
    key = f"hms:working-day:{schedule.public_id}:{schedule.version}:{day.isoformat()}"
    cache = caches["versioned"]  # correct in each process: the key carries the version
    ranges = cache.get(key)
    if ranges is None:
        ranges = _day_ranges_from_database(doctor=doctor, schedule=schedule, day=day)
        cache.set(key, ranges, WORKING_DAY_CACHE_SECONDS)
    return schedule.slot_minutes, ranges


def _day_ranges_from_database(*, doctor: User, schedule: DoctorSchedule, day: date):
    no_kind = Value("", output_field=CharField())  # weekly blocks are not exceptions
    blocks = (
        ScheduleBlock.objects.filter(schedule=schedule, weekday=day.weekday())
        .order_by()
        .values_list("start_time", "end_time", no_kind)
    )
    exceptions = (
        ScheduleException.objects.filter(
            Q(doctor=doctor) | Q(doctor__isnull=True), date=day, cancelled_at__isnull=True
        )
        .order_by()
        .values_list("start_time", "end_time", "kind")
    )
    weekly, removals, extras = [], [], []
    for start_time, end_time, row_kind in blocks.union(exceptions, all=True):
        time_range = TimeRange(start_time, end_time) if start_time is not None else None
        if not row_kind:
            weekly.append(time_range)
        elif row_kind == ExceptionKind.EXTRA:
            extras.append(time_range)
        else:
            removals.append(time_range)
    return working_ranges(weekly_blocks=weekly, removals=removals, extra_sessions=extras)


def doctor_slots(*, doctor: User, start: date, end: date) -> dict[date, list[Slot]]:
    """Every slot of the doctor's grid from start to end inclusive (booked or not)."""
    slot_minutes, ranges = doctor_working_ranges(doctor=doctor, start=start, end=end)
    return {
        day: slot_grid(day=day, ranges=day_ranges, slot_minutes=slot_minutes)
        for day, day_ranges in ranges.items()
    }


def doctor_availability(*, doctor: User, start: date, end: date) -> list[Slot]:
    """Free slots: on the grid, not in the past, not holding an active appointment."""
    now = timezone.now()
    taken = set(
        Appointment.objects.filter(
            doctor=doctor, date__gte=start, date__lte=end, status__in=SLOT_HOLDING_STATUSES
        ).values_list("date", "slot")
    )
    return [
        slot
        for day_slots in doctor_slots(doctor=doctor, start=start, end=end).values()
        for slot in day_slots
        if slot.start_at > now and (slot.date, slot.start) not in taken
    ]


# A teleconsult's patient is in the waiting room while their consult room (hms.telemedicine,
# reverse one-to-one `consult_room`) has them waiting and the doctor has not started the visit.
WAITING_ROOM_STATUSES = [AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value]


def with_waiting_room(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Annotate `waiting_room` (a join in the page's query, not a query more)."""
    return queryset.annotate(
        waiting_room=Case(
            When(
                visit_type=VisitType.TELECONSULT,
                status__in=WAITING_ROOM_STATUSES,
                consult_room__patient_waiting_since__isnull=False,
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _with_relations(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return with_waiting_room(queryset.select_related("patient", "doctor", "encounter", "booked_by"))


def appointments_visible_to(*, user: User) -> QuerySet[Appointment]:
    """Patients see their own appointments, doctors theirs, the front desk and nurses all."""
    queryset = _with_relations(Appointment.objects.all())
    if user.role == Role.PATIENT:
        return queryset.filter(patient__user=user)
    if user.role == Role.DOCTOR:
        return queryset.filter(doctor=user)
    if user.role in (Role.RECEPTIONIST, Role.NURSE):
        return queryset
    return queryset.none()


def appointment_list(*, user: User, filters: dict | None = None) -> QuerySet[Appointment]:
    """The appointments this user may list, under the chart rule of the detail route.

    With `patient` (a public id), the patient's chart is opened for its appointments section
    (404 for another patient's id, 403 `break_glass_required` for a doctor or nurse outside
    the patient's care; the read is audited there); a caller that has already opened the
    chart that way passes the Patient itself. Without it, doctors and nurses list only the
    appointments of patients in their care: a row they could not open is not listed either.
    """
    filters = filters or {}
    queryset = appointments_visible_to(user=user)
    if patient := filters.get("patient"):
        if not isinstance(patient, Patient):
            patient = patient_get_for_user(
                user=user, patient_public_id=patient, section=ChartSection.APPOINTMENTS
            )
        queryset = queryset.filter(patient=patient)
    elif user.role in CARE_BOUND_ROLES:
        queryset = queryset.filter(patient__in=patients_in_care_of(user=user).values("pk"))
    if doctor_id := filters.get("doctor"):
        queryset = queryset.filter(doctor__public_id=doctor_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if date_from := filters.get("date_from"):
        queryset = queryset.filter(date__gte=date_from)
    if date_to := filters.get("date_to"):
        queryset = queryset.filter(date__lte=date_to)
    if filters.get("upcoming"):
        queryset = queryset.filter(start_at__gte=timezone.now(), status=AppointmentStatus.BOOKED)
    return queryset.order_by("start_at", "id")


def appointment_get_for_user(*, user: User, public_id) -> Appointment:
    """Someone else's appointment answers 404, exactly like one that does not exist."""
    appointment = appointments_visible_to(user=user).filter(public_id=public_id).first()
    if appointment is None:
        raise NotFoundError("No appointment with this id.", code="appointment_not_found")
    return appointment


def appointment_queue(
    *, day: date, doctor: User | None = None, user: User | None = None
) -> QuerySet[Appointment]:
    """The day's front-desk queue in slot order (cancelled ones left out).

    The queue is the desk's day sheet: a nurse checks in whoever arrives, so every row stays.
    For a doctor or nurse (`user`), the clinical free text of a row whose patient is outside
    their care (the reason for the visit, the reason for cancelling) is withheld, as the
    appointment's detail route would refuse it (`reason_withheld`).
    """
    queryset = _with_relations(Appointment.objects.filter(date=day)).exclude(
        status=AppointmentStatus.CANCELLED
    )
    if doctor is not None:
        queryset = queryset.filter(doctor=doctor)
    if user is not None:
        queryset = with_reason_withheld_outside_care(queryset, user=user)
    return queryset.order_by("start_at", "doctor_id", "id")


def with_reason_withheld_outside_care(
    queryset: QuerySet[Appointment], *, user: User
) -> QuerySet[Appointment]:
    """Annotate `reason_withheld`: true on the rows whose patient a doctor or nurse may not
    open (no care relationship). Part of the page's query (a subquery), not a query more."""
    if user.role not in CARE_BOUND_ROLES:
        return queryset
    return queryset.annotate(
        reason_withheld=Case(
            When(patient__in=patients_in_care_of(user=user).values("pk"), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
    )


def appointment_queue_summary(*, day: date, doctor: User | None = None) -> dict[str, int]:
    queryset = Appointment.objects.filter(date=day)
    if doctor is not None:
        queryset = queryset.filter(doctor=doctor)
    counts = dict(queryset.values_list("status").annotate(n=Count("id")))
    return {status.value: counts.get(status.value, 0) for status in AppointmentStatus}


def doctor_calendar_appointments(*, doctor: User, since: date) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(doctor=doctor, date__gte=since)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient")
        .order_by("start_at")
    )


def appointments_due_for_reminder(*, now=None) -> QuerySet[Appointment]:
    """Booked appointments starting within the next 24 hours that have had no reminder."""
    now = now or timezone.now()
    return Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        reminder_sent_at__isnull=True,
        start_at__gt=now,
        start_at__lte=now + timedelta(hours=24),
    ).order_by("start_at")


def schedule_exception_find(*, public_id) -> ScheduleException | None:
    return ScheduleException.objects.select_related("doctor").filter(public_id=public_id).first()
