"""The consult room as the portal's pages show it: when it opens and closes (the
TELECONSULT_ROOM_* settings, or the doctor ending it), what a row of the patient's appointments
offers (Join, or the time it opens), and the doctors a patient may write to."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.models import Appointment, AppointmentStatus, VisitType
from hms.core.errors import NotFoundError
from hms.core.roles import Role
from hms.telemedicine.models import (
    ConsultInvite,
    ConsultRoom,
    Conversation,
    ConversationReadState,
    Message,
)

ROOM_STATES = ("scheduled", "open", "closed")
# The appointment is over for the room too: nobody joins a cancelled or missed consult.
CLOSED_STATUSES = (
    AppointmentStatus.CANCELLED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.COMPLETED,
)


def opens_minutes() -> int:
    return int(getattr(settings, "TELECONSULT_ROOM_OPENS_MINUTES", 15))


def closes_minutes() -> int:
    return int(getattr(settings, "TELECONSULT_ROOM_CLOSES_MINUTES", 30))


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
    """When the consult room of this teleconsult opens and closes, seen at `now`."""
    now = now or timezone.now()
    room = consult_room_of(appointment)
    opens_at = appointment.start_at - timedelta(minutes=opens_minutes())
    closes_at = appointment.end_at + timedelta(minutes=closes_minutes())
    ended = room is not None and room.ended_at is not None
    if ended:
        closes_at = room.ended_at
    if ended or appointment.status in CLOSED_STATUSES or now >= closes_at:
        state = "closed"
    elif now < opens_at:
        state = "scheduled"
    else:
        state = "open"
    conversation = None
    if room is not None and room.conversation_id:
        conversation = str(room.conversation.public_id)
    return RoomWindow(
        state=state,
        opens_at=opens_at,
        closes_at=closes_at,
        now=now,
        opens_minutes=opens_minutes(),
        conversation=conversation,
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


def doctors_caring_for(*, patient) -> QuerySet[User]:
    """The active doctors in this patient's care (an assignment, an appointment not cancelled,
    a visit they attended): the doctors the patient may start a conversation with."""
    return (
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


def consult_user_is_invited(*, appointment: Appointment, user) -> bool:
    return ConsultInvite.objects.filter(room__appointment=appointment, user=user).exists()


def consult_invited(*, appointment: Appointment) -> list[dict]:
    """Who the doctor has invited into this consult so far."""
    return [
        {"id": str(invite.user.public_id), "name": invite.user.display_name}
        for invite in ConsultInvite.objects.filter(room__appointment=appointment).select_related(
            "user"
        )
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


def conversations_visible_to(*, user) -> QuerySet[Conversation]:
    """The conversations this user takes part in: a patient's own, a doctor's, and the consult
    conversations a staff member was invited to."""
    queryset = Conversation.objects.select_related("patient", "doctor")
    if user.role == Role.PATIENT:
        return queryset.filter(patient__user=user)
    if user.role == Role.DOCTOR:
        return queryset.filter(Q(doctor=user) | Q(consult_room__invites__user=user)).distinct()
    return queryset.filter(consult_room__invites__user=user)


def conversation_list(*, user, filters: dict | None = None) -> QuerySet[Conversation]:
    """The user's conversations, newest activity first, each annotated with its last message
    (`last_body`, `last_sender_first`, `last_sender_last`, `last_has_file`), the consult's
    appointment (`consult_start`) and `unread` (messages after what this user has read): all
    in the one query."""
    filters = filters or {}
    queryset = conversations_visible_to(user=user)
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    last = Message.objects.filter(conversation=OuterRef("pk"), seq=OuterRef("last_seq"))
    read = ConversationReadState.objects.filter(conversation=OuterRef("pk"), user=user)
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
        unread=Greatest(
            F("last_seq") - Coalesce(Subquery(read.values("last_read_seq")[:1]), Value(0)),
            Value(0),
        ),
    ).order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")


def conversation_get_for_user(*, user, public_id) -> Conversation:
    """One of the user's conversations; anyone else's answers 404 like one that does not exist."""
    conversation = (
        conversations_visible_to(user=user)
        .select_related("patient__user")
        .filter(public_id=public_id)
        .first()
    )
    if conversation is None:
        raise NotFoundError("No conversation with this id.", code="conversation_not_found")
    return conversation
