"""Doctors, their free slots, appointments and the day's queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from hms_desktop.api.dto.common import PatientRef, PersonRef, SummaryPage, SummaryPageJson
from hms_desktop.api.dto.convert import Dto, completed


@dataclass(frozen=True)
class Doctor(Dto):
    unread = frozenset({"bio"})

    id: str
    first_name: str
    last_name: str
    display_name: str
    specialization: str = ""
    department: str = ""
    available: bool = True
    license_number: str = ""


class AppointmentStatus:
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    LABELS: dict[str, str] = {
        BOOKED: "Booked",
        CHECKED_IN: "Checked in",
        IN_PROGRESS: "In progress",
        COMPLETED: "Completed",
        NO_SHOW: "No-show",
        CANCELLED: "Cancelled",
    }


class VisitType:
    IN_PERSON = "in_person"
    TELECONSULT = "teleconsult"

    LABELS: dict[str, str] = {IN_PERSON: "In person", TELECONSULT: "Teleconsult"}


@dataclass(frozen=True)
class Appointment(Dto):
    unread = frozenset({"reason_withheld"})

    id: str
    patient: PatientRef
    doctor: PersonRef
    date: date
    slot: time
    start_at: datetime | None
    end_at: datetime | None
    status: str
    status_display: str = field(
        default="",
        metadata=completed(
            lambda a: a.status_display or AppointmentStatus.LABELS.get(a.status, a.status)
        ),
    )
    reason: str = ""
    visit_type: str = VisitType.IN_PERSON
    visit_type_display: str = field(
        default="",
        metadata=completed(
            lambda a: a.visit_type_display or VisitType.LABELS.get(a.visit_type, a.visit_type)
        ),
    )
    # A teleconsult whose patient waits in the consult room (the doctor has not started).
    waiting_room: bool = False
    booked_by: PersonRef | None = None
    checked_in_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    encounter_id: str | None = None
    created_at: datetime | None = None

    @property
    def is_teleconsult(self) -> bool:
        return self.visit_type == VisitType.TELECONSULT

    @property
    def slot_text(self) -> str:
        return self.slot.strftime("%H:%M")

    @property
    def is_due(self) -> bool:
        """The start time has passed (a no-show can be recorded)."""
        return self.start_at is not None and self.start_at <= datetime.now(UTC)


@dataclass(frozen=True)
class Slot(Dto):
    """A free slot in the hospital's time zone."""

    date: date
    start: time
    end: time
    start_at: datetime | None = None
    end_at: datetime | None = None

    @property
    def label(self) -> str:
        return self.start.strftime("%H:%M")


@dataclass(frozen=True)
class Availability(Dto):
    doctor: PersonRef | None
    time_zone: str
    date_from: date | None
    date_to: date | None
    slot_minutes: int | None
    slots: list[Slot]


@dataclass(frozen=True)
class QueuePageJson(SummaryPageJson):
    date: date | None


@dataclass(frozen=True)
class QueuePage(SummaryPage[Appointment]):
    """A page of the day's queue, with the day and the counts per status for the whole day."""

    day: date | None = None

    envelope: ClassVar[type[SummaryPageJson]] = QueuePageJson

    @staticmethod
    def kept(envelope: Any) -> dict[str, Any]:
        return {"summary": envelope.summary, "day": envelope.date}


WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
EXCEPTION_KINDS: dict[str, str] = {
    "leave": "Leave",
    "holiday": "Holiday",
    "extra": "Extra session",
}


@dataclass(frozen=True)
class ScheduleBlock(Dto):
    """One working block of a weekday (0 Monday … 6 Sunday), in the hospital's time."""

    weekday: int
    start_time: time
    end_time: time


@dataclass(frozen=True)
class Schedule(Dto):
    """A doctor's weekly template: the slot length and the working blocks."""

    doctor: PersonRef
    slot_minutes: int
    blocks: list[ScheduleBlock]
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ScheduleException(Dto):
    """Leave, a holiday (no doctor: the whole hospital) or an extra session on one date;
    without times, the whole day."""

    id: str
    doctor: PersonRef | None
    date: date
    kind: str
    start_time: time | None = None
    end_time: time | None = None
    reason: str = ""
    affected_appointments: int | None = None  # when just created

    @property
    def kind_display(self) -> str:
        return EXCEPTION_KINDS.get(self.kind, self.kind)

    @property
    def times(self) -> str:
        if self.start_time is None or self.end_time is None:
            return "All day"
        return f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"


@dataclass(frozen=True)
class ScheduleExceptionRange(Dto):
    """The exceptions created for a range of dates, and the booked appointments they touch."""

    results: list[ScheduleException]
    affected_appointments: int = 0
