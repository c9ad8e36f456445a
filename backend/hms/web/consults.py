"""The consult room as the portal's pages show it: when it opens and closes (the
TELECONSULT_ROOM_* settings, or the doctor ending it), what a row of the patient's appointments
offers (Join, or the time it opens), and the doctors a patient may write to."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.models import Appointment, AppointmentStatus, VisitType
from hms.core.roles import Role
from hms.patients.access import user_has_care_relationship
from hms.telemedicine import selectors as tele_selectors
from hms.telemedicine.models import ConsultRoom, Conversation, Message


def opens_minutes() -> int:
    return settings.TELECONSULT_ROOM_OPENS_MINUTES


@dataclass(frozen=True)
class RoomWindow:
    state: str  # "scheduled" (not open yet), "open" or "closed"
    opens_at: datetime
    closes_at: datetime
    now: datetime
    opens_minutes: int
    conversation: str | None = None  # the consult conversation's public id, once it exists

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def consult_room_of(appointment: Appointment):
    """The appointment's consult room, or None before one is made (rooms are made lazily)."""
    try:
        return appointment.consult_room
    except Appointment.consult_room.RelatedObjectDoesNotExist:
        return None


def room_window(appointment: Appointment, *, now: datetime | None = None) -> RoomWindow:
    """When the consult room of this teleconsult opens and closes, seen at `now` (the
    telemedicine module's window; a room not made yet counts as not ended)."""
    now = now or timezone.now()
    room = consult_room_of(appointment)
    ended_at = room.ended_at if room is not None else None
    window = tele_selectors.room_window(appointment=appointment, ended_at=ended_at)
    return RoomWindow(
        state=tele_selectors.appointment_room_state(
            appointment=appointment, ended_at=ended_at, at=now
        ),
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        now=now,
        opens_minutes=opens_minutes(),
        conversation=str(room.conversation.public_id) if room is not None else None,
    )


def with_room_windows(appointments, *, now: datetime | None = None) -> list:
    """Each appointment with `.room` (its RoomWindow) when it is a teleconsult, else None."""
    now = now or timezone.now()
    rows = list(appointments)
    for appointment in rows:
        appointment.room = (
            room_window(appointment, now=now)
            if appointment.visit_type == VisitType.TELECONSULT
            else None
        )
    return rows


def doctors_caring_for(*, patient) -> list[User]:
    """The active doctors this patient may start a conversation with: those with an
    assignment, an appointment not cancelled or a visit with the patient, kept only where the
    chart-access rule counts them as caring for the patient now (hms.patients.access, which
    the conversation service checks), so the list offers no doctor who would be refused."""
    candidates = (
        User.objects.filter(role=Role.DOCTOR, is_active=True)
        .filter(
            Q(care_assignments__patient=patient, care_assignments__active=True)
            | Q(
                Q(doctor_appointments__patient=patient)
                & ~Q(doctor_appointments__status=AppointmentStatus.CANCELLED)
            )
            | Q(attended_encounters__patient=patient)
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )
    return [
        doctor for doctor in candidates if user_has_care_relationship(user=doctor, patient=patient)
    ]


def consult_invited(*, appointment: Appointment) -> list[dict]:
    """Who the doctor has invited into this consult so far."""
    room = consult_room_of(appointment)
    if room is None:
        return []
    return [
        {"id": str(user.public_id), "name": user.display_name}
        for user in tele_selectors.consult_room_invitees(room=room)
    ]


def staff_to_invite(*, exclude) -> QuerySet[User]:
    """Active staff the doctor may invite into a consult (interpreters, nurses, colleagues)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.PATIENT)
        .exclude(pk__in=[user.pk for user in exclude])
        .order_by("last_name", "first_name", "username")
    )


# --- Conversations -------------------------------------------------------------------------


def conversation_list(*, user, filters: dict | None = None) -> QuerySet[Conversation]:
    """The user's conversations, newest activity first, each annotated with its last message
    (`last_body`, `last_sender_first`, `last_sender_last`, `last_has_file`), the consult's
    appointment (`consult_start`) and `unread` (messages after what this user has read): all
    in the one query."""
    queryset = tele_selectors.conversation_list(user=user, filters=filters)
    last = Message.objects.filter(conversation=OuterRef("pk"), seq=OuterRef("last_seq"))
    return queryset.annotate(
        last_body=Subquery(last.values("body")[:1]),
        last_sender_first=Subquery(last.values("sender__first_name")[:1]),
        last_sender_last=Subquery(last.values("sender__last_name")[:1]),
        last_sender_id=Subquery(last.values("sender_id")[:1]),
        last_has_file=Subquery(last.values("document_id")[:1]),
        consult_start=Subquery(
            ConsultRoom.objects.filter(conversation=OuterRef("pk")).values("appointment__start_at")[
                :1
            ]
        ),
    )
