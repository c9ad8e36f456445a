"""Reads for telemedicine: conversations scoped to their participants, messages in seq order,
read state, and the consult room of a teleconsult appointment with its time window."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.models import Appointment, AppointmentStatus
from hms.core.errors import ForbiddenError, NotFoundError
from hms.core.roles import Role
from hms.patients.access import ChartSection, patient_get_for_user
from hms.telemedicine.models import (
    ConsultInvite,
    ConsultRoom,
    Conversation,
    ConversationReadState,
    Message,
)

# --- Conversations -------------------------------------------------------------------------


def _with_relations(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.select_related("patient", "doctor", "consult_room__appointment")


def conversations_visible_to(*, user: User) -> QuerySet[Conversation]:
    """The doctor's conversations, the patient's own, and the consults a staff member is
    invited to. Anyone else: none."""
    queryset = Conversation.objects.all()
    if user.role == Role.PATIENT:
        return queryset.filter(patient__user=user)
    invited = Q(
        pk__in=ConsultInvite.objects.filter(user=user).values("room__conversation_id"),
    )
    if user.role == Role.DOCTOR:
        return queryset.filter(Q(doctor=user) | invited)
    return queryset.filter(invited)


def with_unread(queryset: QuerySet[Conversation], *, user: User) -> QuerySet[Conversation]:
    """Annotate `unread`: messages after the user's last read one (a subquery, no query more)."""
    last_read = ConversationReadState.objects.filter(conversation=OuterRef("pk"), user=user).values(
        "last_read_seq"
    )[:1]
    return queryset.annotate(
        my_last_read_seq=Coalesce(Subquery(last_read, output_field=IntegerField()), Value(0)),
        unread=Greatest(F("last_seq") - F("my_last_read_seq"), Value(0)),
    )


def conversation_list(*, user: User, filters: dict | None = None) -> QuerySet[Conversation]:
    """Mine, most recently active first. Filters: `patient` (public id), `kind`.

    Filtered to a patient, the chart rule of the detail routes applies first (404 for another
    patient's id, 403 `break_glass_required` for a clinician outside the patient's care;
    audited there), as on every list that takes `?patient=`."""
    filters = filters or {}
    queryset = _with_relations(conversations_visible_to(user=user))
    if patient_id := filters.get("patient"):
        patient = patient_get_for_user(
            user=user, patient_public_id=patient_id, section=ChartSection.CLINICAL
        )
        queryset = queryset.filter(patient=patient)
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    queryset = with_unread(queryset, user=user)
    return queryset.order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")


def conversation_find(*, public_id) -> Conversation | None:
    return _with_relations(Conversation.objects.filter(public_id=public_id)).first()


def is_participant(*, user: User, conversation: Conversation) -> bool:
    """The conversation's doctor, its patient (their portal account), or staff invited to its
    consult."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.pk == conversation.doctor_id:
        return True
    if user.role == Role.PATIENT:
        return conversation.patient.user_id == user.pk
    return ConsultInvite.objects.filter(room__conversation=conversation, user=user).exists()


def conversation_for_participant(*, user: User, conversation_public_id) -> Conversation:
    """The conversation, for one of its participants: NotFoundError when there is none with
    this id, ForbiddenError when the user is not a participant (the socket's 4404 / 4403)."""
    conversation = conversation_find(public_id=conversation_public_id)
    if conversation is None:
        raise NotFoundError("No conversation with this id.", code="conversation_not_found")
    if not is_participant(user=user, conversation=conversation):
        raise ForbiddenError("You are not part of this conversation.", code="not_a_participant")
    return conversation


def conversation_get_for_user(*, user: User, public_id) -> Conversation:
    """For the REST API: someone else's conversation answers 404, like one that does not
    exist, so ids cannot be probed."""
    try:
        conversation = conversation_for_participant(user=user, conversation_public_id=public_id)
    except ForbiddenError:
        raise NotFoundError(
            "No conversation with this id.", code="conversation_not_found"
        ) from None
    return with_unread(
        _with_relations(Conversation.objects.filter(pk=conversation.pk)), user=user
    ).get()


def conversation_participants(*, conversation: Conversation) -> list[User]:
    """The doctor, the patient's account (if they have one) and invited staff, in one query."""
    invited = ConsultInvite.objects.filter(room__conversation=conversation).values("user_id")
    ids = Q(pk=conversation.doctor_id) | Q(pk__in=invited)
    if conversation.patient.user_id is not None:
        ids |= Q(pk=conversation.patient.user_id)
    return list(User.objects.filter(ids).order_by("id"))


# --- Messages ------------------------------------------------------------------------------


def messages_after(
    *, conversation: Conversation, after_seq: int = 0, limit: int | None = None
) -> QuerySet[Message]:
    """Messages with seq > after_seq, in seq order (the first `limit` of them)."""
    queryset = (
        Message.objects.filter(conversation=conversation, seq__gt=max(int(after_seq or 0), 0))
        .select_related("sender", "document", "conversation")
        .order_by("seq")
    )
    if limit is not None:
        queryset = queryset[:limit]
    return queryset


def last_messages(conversations) -> dict[int, Message]:
    """The newest message of each conversation (one query), by conversation pk."""
    ids = [c.pk for c in conversations if c.last_seq]
    if not ids:
        return {}
    rows = Message.objects.filter(
        conversation_id__in=ids, seq=F("conversation__last_seq")
    ).select_related("sender")
    return {message.conversation_id: message for message in rows}


def message_in_conversation(*, conversation: Conversation, public_id) -> Message:
    message = (
        Message.objects.filter(conversation=conversation, public_id=public_id)
        .select_related("sender", "document", "conversation")
        .first()
    )
    if message is None:
        raise NotFoundError("No message with this id.", code="message_not_found")
    return message


def read_positions(*, conversation: Conversation) -> dict[str, int]:
    """{user public id: last read seq} of everyone who has read something."""
    rows = ConversationReadState.objects.filter(conversation=conversation).values_list(
        "user__public_id", "last_read_seq"
    )
    return {str(user_id): seq for user_id, seq in rows}


# --- Consult rooms -------------------------------------------------------------------------


class RoomState:
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


# An appointment in one of these no longer has a consult to hold.
FINISHED_STATUSES = frozenset(
    {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
)


@dataclass(frozen=True)
class RoomWindow:
    opens_at: datetime
    closes_at: datetime


def room_window(*, appointment: Appointment, ended_at: datetime | None = None) -> RoomWindow:
    opens_at = appointment.start_at - timedelta(minutes=settings.TELECONSULT_ROOM_OPENS_MINUTES)
    closes_at = appointment.end_at + timedelta(minutes=settings.TELECONSULT_ROOM_CLOSES_MINUTES)
    if ended_at is not None:
        closes_at = min(closes_at, ended_at)
    return RoomWindow(opens_at=opens_at, closes_at=closes_at)


def room_state(*, room: ConsultRoom, at: datetime | None = None) -> str:
    return appointment_room_state(appointment=room.appointment, ended_at=room.ended_at, at=at)


def appointment_room_state(
    *, appointment: Appointment, ended_at: datetime | None = None, at: datetime | None = None
) -> str:
    """The state of a teleconsult's room at `at`, whether or not its room exists yet (rooms are
    made when first needed; one not made yet has not ended)."""
    at = at or timezone.now()
    if ended_at is not None or appointment.status in FINISHED_STATUSES:
        return RoomState.CLOSED
    window = room_window(appointment=appointment)
    if at < window.opens_at:
        return RoomState.SCHEDULED
    if at >= window.closes_at:
        return RoomState.CLOSED
    return RoomState.OPEN


def consult_room_find(*, appointment: Appointment) -> ConsultRoom | None:
    return (
        ConsultRoom.objects.filter(appointment=appointment)
        .select_related("appointment__patient", "appointment__doctor", "conversation")
        .first()
    )


def consult_room_invitees(*, room: ConsultRoom) -> list[User]:
    return [invite.user for invite in room.invites.select_related("user").order_by("id")]


def appointment_for_consult(*, user: User, appointment_public_id) -> Appointment:
    """A teleconsult appointment for its doctor, its patient or staff invited to its consult;
    anyone else (and an unknown id) gets 404."""
    appointment = (
        Appointment.objects.select_related("patient", "doctor", "doctor__doctor_profile")
        .filter(public_id=appointment_public_id)
        .first()
    )
    if appointment is None or not _may_see_consult(user=user, appointment=appointment):
        raise NotFoundError("No appointment with this id.", code="appointment_not_found")
    return appointment


def _may_see_consult(*, user: User, appointment: Appointment) -> bool:
    if user.pk == appointment.doctor_id:
        return True
    if user.role == Role.PATIENT:
        return appointment.patient.user_id == user.pk
    return ConsultInvite.objects.filter(room__appointment=appointment, user=user).exists()


def consults_for_invitee(*, user: User) -> QuerySet[ConsultRoom]:
    """The consult rooms a staff member is invited to, soonest first."""
    return (
        ConsultRoom.objects.filter(invites__user=user)
        .select_related("appointment__patient", "appointment__doctor", "conversation")
        .order_by("appointment__start_at", "id")
    )
