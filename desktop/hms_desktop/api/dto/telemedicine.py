"""Telemedicine: conversations (a doctor and a patient's chart chat, or a teleconsult's) and
the consult rooms of teleconsult appointments. Chat and video live in the web pages; the
desktop lists a user's consults and opens a room's call page in the browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hms_desktop.api.dto.common import PatientRef, PersonRef
from hms_desktop.api.dto.convert import Dto, json_key
from hms_desktop.roles import role_label


class ConversationKind:
    CHART = "chart"  # a doctor and a patient in their care, tied to the chart
    CONSULT = "consult"  # a teleconsult's room


@dataclass(frozen=True)
class LastMessage(Dto):
    seq: int
    body: str
    sender_name: str
    created_at: datetime | None


@dataclass(frozen=True)
class Conversation(Dto):
    """`GET /api/conversations/` rows: whose it is, its teleconsult (if a consult's), the last
    message and how many the signed-in user has not read."""

    id: str
    kind: str
    patient: PatientRef
    doctor: PersonRef
    appointment: str | None  # a consult's teleconsult; None for a chart conversation
    last_message: LastMessage | None
    unread_count: int = field(metadata=json_key("unread"))
    created_at: datetime | None

    @property
    def last_message_text(self) -> str:
        if self.last_message is None:
            return ""
        body = " ".join(self.last_message.body.split()) or "(attachment)"
        return f"{self.last_message.sender_name}: {body}"


class ConsultState:
    SCHEDULED = "scheduled"  # the room is not open yet
    OPEN = "open"
    CLOSED = "closed"  # ended by the doctor, or past its closing time

    LABELS: dict[str, str] = {SCHEDULED: "Not open yet", OPEN: "Open", CLOSED: "Closed"}


@dataclass(frozen=True)
class ConsultParticipant(Dto):
    """Someone in a consult room: `{"id", "name", "role"}`."""

    id: str
    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.name} ({role_label(self.role)})"


@dataclass(frozen=True)
class ConsultRoom(Dto):
    """A teleconsult's room (`GET /api/appointments/{id}/consult/`): when it opens and closes,
    who waits or joined, and the staff the doctor invited. Video and chat live in the browser's
    call page; the desktop opens it."""

    unread = frozenset({"ice_servers", "ws_url"})

    appointment: str
    state: str
    opens_at: datetime | None
    closes_at: datetime | None
    conversation: str
    patient_waiting_since: datetime | None
    doctor_joined_at: datetime | None
    ended_at: datetime | None
    encounter: str | None
    invited: list[ConsultParticipant]

    @property
    def state_display(self) -> str:
        return ConsultState.LABELS.get(self.state, self.state)
