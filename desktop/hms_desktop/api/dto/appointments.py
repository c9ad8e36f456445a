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
    booked_by: PersonRef | None = None
    checked_in_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    encounter_id: str | None = None
    created_at: datetime | None = None

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
