"""Doctor schedules, their exceptions, and appointments.

Times: schedule blocks and an appointment's `date`/`slot` are the hospital's local wall-clock
time (settings.TIME_ZONE); `start_at`/`end_at` are the same instants as aware datetimes (UTC in
the database) for ordering, overlap checks and reminders.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel


class DoctorSchedule(TimeStampedModel):
    """A doctor's weekly template: the slot length and the working blocks of each weekday."""

    doctor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="schedule"
    )
    slot_minutes = models.PositiveSmallIntegerField(default=15)
    # Bumped by every change to the blocks, to this doctor's exceptions, and by clinic-wide
    # holidays, so a date's working time can be cached under (schedule, version): a new
    # version is a new cache key, committed with the change that made it.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["doctor_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="schedule_slot_minutes_range",
            )
        ]

    def __str__(self) -> str:
        return f"Schedule of {self.doctor_id} ({self.slot_minutes} min slots)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ScheduleBlock(models.Model):
    """One working block on a weekday, e.g. Monday 09:00-12:30."""

    schedule = models.ForeignKey(DoctorSchedule, on_delete=models.CASCADE, related_name="blocks")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="block_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="block_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class ExceptionKind(models.TextChoices):
    LEAVE = "leave", "Leave"
    HOLIDAY = "holiday", "Holiday"
    EXTRA = "extra", "Extra session"


class ScheduleException(TimeStampedModel):
    """A change to the weekly template on one date.

    Leave and holidays remove working time (the whole day when no times are given); an extra
    session adds a block. A holiday with no doctor applies to every doctor.
    """

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedule_exceptions",
    )
    date = models.DateField()
    kind = models.CharField(max_length=8, choices=ExceptionKind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["doctor", "date"], name="exception_doctor_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__gt=F("start_time")),
                name="exception_time_range_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extra") | Q(start_time__isnull=False),
                name="exception_extra_has_times",
            ),
            models.CheckConstraint(
                condition=Q(kind="holiday") | Q(doctor__isnull=False),
                name="exception_only_holidays_clinic_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} ({self.doctor_id or 'all doctors'})"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class VisitType(models.TextChoices):
    """Where the visit happens: at the hospital, or as a video consultation (hms.telemedicine)."""

    IN_PERSON = "in_person", "In person"
    TELECONSULT = "teleconsult", "Teleconsult"


# Statuses that hold the slot. A cancelled slot can be booked again.
SLOT_HOLDING_STATUSES = [s.value for s in AppointmentStatus if s != AppointmentStatus.CANCELLED]
# Statuses in which the patient is expected somewhere: two of these may not overlap in time.
PATIENT_BUSY_STATUSES = [
    AppointmentStatus.BOOKED.value,
    AppointmentStatus.CHECKED_IN.value,
    AppointmentStatus.IN_PROGRESS.value,
]
# On PostgreSQL an exclusion constraint (migration 0002) refuses overlapping busy appointments
# of one patient; elsewhere the booking service locks the patient row and checks.
PATIENT_OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.BOOKED: frozenset(
        {AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CHECKED_IN: frozenset(
        {AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}
    ),
    AppointmentStatus.IN_PROGRESS: frozenset({AppointmentStatus.COMPLETED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


class Appointment(TimeStampedModel):
    # No single-column indexes on patient and doctor: the (patient, start_at) and
    # (doctor, start_at) indexes serve those lookups, and every booking writes each index.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="doctor_appointments",
        db_index=False,
    )
    date = models.DateField()
    slot = models.TimeField()
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    reason = models.CharField(max_length=500, blank=True)
    # Chosen at booking and not changed afterwards.
    visit_type = models.CharField(
        max_length=16, choices=VisitType.choices, default=VisitType.IN_PERSON
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    encounter = models.ForeignKey(
        "clinical.Encounter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )

    # Every reschedule and status change is a kept version. Versions are read per appointment
    # (by id, indexed); the copied columns need no indexes of their own.
    history = HistoricalRecords(
        no_db_index=["patient", "doctor", "booked_by", "cancelled_by", "encounter", "created_at"]
    )

    class Meta:
        ordering = ["start_at", "id"]
        indexes = [
            models.Index(fields=["doctor", "start_at"], name="appointment_doctor_start"),
            models.Index(fields=["patient", "start_at"], name="appointment_patient_start"),
            models.Index(fields=["date", "status"], name="appointment_date_status"),
            models.Index(fields=["status", "start_at"], name="appointment_status_start"),
        ]
        constraints = [
            # One active appointment per doctor slot; cancelling frees it.
            models.UniqueConstraint(
                fields=["doctor", "date", "slot"],
                condition=Q(status__in=SLOT_HOLDING_STATUSES),
                name="appointment_one_active_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(visit_type__in=VisitType.values), name="appointment_visit_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.slot:%H:%M} {self.patient_id} with {self.doctor_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Appointments are cancelled, never deleted.")
