"""Writes for telemedicine: chart conversations, messages (numbered per conversation, stored
once per client id, rate-limited, audited), read receipts, and the consult lifecycle of a
teleconsult appointment (the room, the waiting room, join, invite, end).

Every service is synchronous and transactional; the chat socket (hms.telemedicine.consumers)
calls them through `database_sync_to_async`. Live updates go to the conversation's channel
group after the transaction commits (hms.telemedicine.live).
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from hms.accounts.models import User
from hms.appointments import services as appointment_services
from hms.appointments.models import Appointment, AppointmentStatus, VisitType
from hms.clinical import services as clinical_services
from hms.clinical.models import Document, DocumentType, EncounterStatus
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create
from hms.patients.access import user_has_care_relationship
from hms.patients.models import Patient
from hms.telemedicine import live, selectors
from hms.telemedicine.models import (
    BODY_MAX_LENGTH,
    ConsultInvite,
    ConsultRoom,
    Conversation,
    ConversationKind,
    ConversationReadState,
    Message,
)
from hms.telemedicine.selectors import RoomState

MESSAGE_RESOURCE = "message"
CONVERSATION_RESOURCE = "conversation"
CONSULT_RESOURCE = "consult_room"

_datetime_field = serializers.DateTimeField()


def iso_datetime(value) -> str | None:
    return _datetime_field.to_representation(value) if value is not None else None


def user_ref(user: User) -> dict:
    return {"id": str(user.public_id), "name": user.display_name, "role": user.role}


# --- Representations shared by the REST API and the socket ---------------------------------


def attachment_url(message: Message) -> str:
    return f"/api/conversations/{message.conversation.public_id}/attachments/{message.public_id}/"


def message_repr(message: Message) -> dict:
    """The JSON of one message, as in the socket's `message` frame and the REST API."""
    document = message.document
    return {
        "id": str(message.public_id),
        "seq": message.seq,
        "sender": user_ref(message.sender),
        "body": message.body,
        "attachment": (
            {
                "id": str(document.public_id),
                "title": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "url": attachment_url(message),
            }
            if document is not None
            else None
        ),
        "created_at": iso_datetime(message.created_at),
        "client_id": str(message.client_id),
    }


_FETCH = object()  # conversation_repr: read the last message itself


def conversation_repr(
    conversation: Conversation,
    *,
    user: User | None = None,
    last_message: Message | None = _FETCH,
    unread: int | None = None,
) -> dict:
    """The JSON of a conversation (REST, and the socket's `hello`). A list passes
    `last_message` from its batch (selectors.last_messages) and has `unread` annotated
    (selectors.with_unread); otherwise they are read here, `unread` for `user`."""
    if last_message is _FETCH:
        last_message = selectors.last_messages([conversation]).get(conversation.pk)
    if unread is None:
        unread = getattr(conversation, "unread", None)
    if unread is None:
        unread = _unread_for(user=user, conversation=conversation) if user is not None else 0
    room = getattr(conversation, "consult_room", None)
    return {
        "id": str(conversation.public_id),
        "kind": conversation.kind,
        "patient": {
            "id": str(conversation.patient.public_id),
            "name": conversation.patient.display_name,
            "mrn": conversation.patient.mrn,
        },
        "doctor": {
            "id": str(conversation.doctor.public_id),
            "name": conversation.doctor.display_name,
        },
        "appointment": str(room.appointment.public_id) if room is not None else None,
        "last_message": (
            {
                "seq": last_message.seq,
                "body": last_message.body,
                "sender_name": last_message.sender.display_name,
                "created_at": iso_datetime(last_message.created_at),
            }
            if last_message is not None
            else None
        ),
        "unread": unread,
        "created_at": iso_datetime(conversation.created_at),
    }


def conversation_ws_path(conversation: Conversation) -> str:
    return f"/ws/conversations/{conversation.public_id}/"


def consult_room_repr(room: ConsultRoom) -> dict:
    """The JSON of a consult room (REST `GET /api/appointments/{id}/consult/`)."""
    appointment = room.appointment
    window = selectors.room_window(appointment=appointment, ended_at=room.ended_at)
    return {
        "appointment": str(appointment.public_id),
        "state": selectors.room_state(room=room),
        "opens_at": iso_datetime(window.opens_at),
        "closes_at": iso_datetime(window.closes_at),
        "conversation": str(room.conversation.public_id),
        "patient_waiting_since": iso_datetime(room.patient_waiting_since),
        "doctor_joined_at": iso_datetime(room.doctor_joined_at),
        "ended_at": iso_datetime(room.ended_at),
        "encounter": str(appointment.encounter.public_id) if appointment.encounter_id else None,
        "invited": [user_ref(user) for user in selectors.consult_room_invitees(room=room)],
        "ice_servers": list(settings.WEBRTC_ICE_SERVERS),
        "ws_url": conversation_ws_path(room.conversation),
    }


def _unread_for(*, user: User, conversation: Conversation) -> int:
    state = ConversationReadState.objects.filter(conversation=conversation, user=user).first()
    return max(conversation.last_seq - (state.last_read_seq if state else 0), 0)


def consult_room_brief(room: ConsultRoom, *, user: User) -> dict:
    """The room as the socket's `hello` names it; `ends_consult`: this user may end it."""
    window = selectors.room_window(appointment=room.appointment, ended_at=room.ended_at)
    return {
        "state": selectors.room_state(room=room),
        "opens_at": iso_datetime(window.opens_at),
        "closes_at": iso_datetime(window.closes_at),
        "ends_consult": user.pk == room.appointment.doctor_id,
    }


# --- Conversations -------------------------------------------------------------------------

# For the socket: the participant check with its distinct refusals (404 / 403).
conversation_for_participant = selectors.conversation_for_participant


def _check_care(*, doctor: User, patient: Patient) -> None:
    if not user_has_care_relationship(user=doctor, patient=patient):
        raise ForbiddenError(
            "Messages are exchanged only between a patient and a doctor caring for them.",
            code="not_in_care",
        )


def conversation_get_or_create_chart(
    *, actor: User, patient: Patient | None = None, doctor: User | None = None
) -> tuple[Conversation, bool]:
    """The chart conversation of a doctor and a patient in their care: a doctor names the
    patient, a patient the doctor. Returns (conversation, created). 403 `not_in_care`."""
    if actor.role == Role.DOCTOR:
        if patient is None:
            raise ApplicationError(
                "Say which patient.", fields={"patient": ["This field is required."]}
            )
        doctor = actor
    elif actor.role == Role.PATIENT:
        patient = getattr(actor, "patient_chart", None)
        if patient is None:
            raise NotFoundError("Your account has no patient chart yet.", code="no_chart")
        if doctor is None or doctor.role != Role.DOCTOR or not doctor.is_active:
            raise ApplicationError(
                "Choose one of your doctors.",
                code="not_a_doctor",
                fields={"doctor": ["Not an active doctor."]},
            )
    else:
        raise ForbiddenError(
            "Chart conversations are between a doctor and a patient.", code="not_a_participant"
        )
    _check_care(doctor=doctor, patient=patient)
    chart = Conversation.objects.filter(patient=patient, doctor=doctor, kind=ConversationKind.CHART)
    existing = chart.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            # One chart conversation per pair: a partial unique index, or on MySQL/MariaDB
            # the patient's row lock and a second look (hms.core.locks).
            if partial_unique_lock(Patient.objects.filter(pk=patient.pk)):
                existing = chart.first()
                if existing is not None:
                    return existing, False
            conversation = Conversation.objects.create(
                patient=patient, doctor=doctor, kind=ConversationKind.CHART
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                resource_type=CONVERSATION_RESOURCE,
                object_id=conversation.public_id,
                patient_id=patient.public_id,
                detail={"kind": ConversationKind.CHART, "doctor": str(doctor.public_id)},
            )
    except IntegrityError:  # created by a parallel request: the constraint allows one
        return (
            Conversation.objects.get(patient=patient, doctor=doctor, kind=ConversationKind.CHART),
            False,
        )
    return conversation, True


# --- Messages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int


def chat_rate_limit() -> RateLimit:
    """CHAT_RATE_LIMIT: "<messages>/<seconds>" (e.g. "20/10")."""
    count, _, seconds = str(settings.CHAT_RATE_LIMIT).partition("/")
    return RateLimit(count=max(int(count), 1), seconds=max(int(seconds or 1), 1))


def _rate_limit_hit(*, actor: User, conversation: Conversation) -> None:
    """Count one message in the user's current window; raise 429 `rate_limited` past the
    limit. A fixed window in the shared cache, so every app server counts together."""
    limit = chat_rate_limit()
    window = int(time.time() // limit.seconds)
    key = f"hms:chat-rate:{conversation.public_id.hex}:{actor.public_id.hex}:{window}"
    cache.add(key, 0, timeout=limit.seconds * 2)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds * 2)
        sent = 1
    if sent > limit.count:
        retry_after = max(int((window + 1) * limit.seconds - time.time()), 1)
        raise ApplicationError(
            f"Too many messages: at most {limit.count} every {limit.seconds} seconds. "
            "Please wait a moment.",
            code="rate_limited",
            status=429,
            extra={"retry_after_seconds": retry_after},
        )


def _clean_body(body) -> str:
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise ApplicationError("A message is text.", code="invalid", fields={"body": ["Text."]})
    if "\x00" in body:
        raise ApplicationError(
            "A message cannot contain NUL characters.",
            code="invalid",
            fields={"body": ["NUL characters are not allowed."]},
        )
    if len(body) > BODY_MAX_LENGTH:
        raise ApplicationError(
            f"A message is at most {BODY_MAX_LENGTH} characters.",
            code="too_long",
            fields={"body": [f"At most {BODY_MAX_LENGTH} characters."]},
        )
    return body


def _clean_client_id(client_id) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise ApplicationError(
            "client_id must be a UUID chosen by the client.",
            code="invalid",
            fields={"client_id": ["Must be a UUID."]},
        ) from None


def _check_may_write(*, actor: User, conversation: Conversation) -> None:
    if not selectors.is_participant(user=actor, conversation=conversation):
        raise ForbiddenError("You are not part of this conversation.", code="not_a_participant")
    if conversation.kind == ConversationKind.CONSULT:
        room = getattr(conversation, "consult_room", None)
        if room is not None:
            consult_room_check_open(room=room)
    else:  # a chart conversation lasts as long as the doctor cares for the patient
        _check_care(doctor=conversation.doctor, patient=conversation.patient)


def message_send(
    *,
    actor: User,
    conversation: Conversation,
    body: str,
    client_id,
    document: Document | None = None,
) -> Message:
    """Store a message with the conversation's next seq and fan it out after commit.

    Idempotent: a client_id this sender already used in this conversation returns the stored
    message (its `created` attribute False) and counts nothing. Raises 400 (`invalid`,
    `too_long`, `empty`), 403 `not_a_participant`, 409 `room_not_open`/`room_closed` (a
    consult outside its window), 429 `rate_limited`.
    """
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
    if not body.strip() and document is None:
        raise ApplicationError(
            "Write a message or attach a file.",
            code="empty",
            fields={"body": ["Empty."]},
        )
    _check_may_write(actor=actor, conversation=conversation)
    resent = _stored(actor=actor, conversation=conversation, client_id=client_id)
    if resent is not None:
        return resent
    _rate_limit_hit(actor=actor, conversation=conversation)
    with transaction.atomic():
        # The conversation's row lock serialises its senders: seqs are consecutive.
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        resent = _stored(actor=actor, conversation=locked, client_id=client_id)
        if resent is not None:
            return resent
        now = timezone.now()
        message = Message.objects.create(
            conversation=locked,
            seq=locked.last_seq + 1,
            sender=actor,
            body=body,
            document=document,
            client_id=client_id,
            created_at=now,
        )
        Conversation.objects.filter(pk=locked.pk).update(last_seq=message.seq, last_message_at=now)
        conversation.last_seq, conversation.last_message_at = message.seq, now
        _advance_read_state(
            user=actor, conversation=locked, read=message.seq, delivered=message.seq
        )
        message.conversation = conversation
        message.created = True
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            resource_type=MESSAGE_RESOURCE,
            object_id=message.public_id,
            patient_id=conversation.patient.public_id,
            detail={
                "conversation": str(conversation.public_id),
                "seq": message.seq,
                "length": len(body),
                "attachment": str(document.public_id) if document is not None else None,
            },
        )
        live.push_to_conversation(
            conversation_public_id=conversation.public_id,
            message={"type": live.CHAT_MESSAGE, "message": message_repr(message)},
        )
    return message


def _stored(*, actor: User, conversation: Conversation, client_id: uuid.UUID) -> Message | None:
    message = (
        Message.objects.filter(conversation=conversation, sender=actor, client_id=client_id)
        .select_related("sender", "document")
        .first()
    )
    if message is not None:
        message.conversation = conversation
        message.created = False
    return message


def message_send_attachment(
    *,
    actor: User,
    conversation: Conversation,
    file,
    body: str = "",
    client_id=None,
) -> Message:
    """Attach a file: stored as a document of the patient's chart (the documents module's
    content sniffing and size limit), and sent as a message carrying it."""
    body = _clean_body(body)
    client_id = _clean_client_id(client_id or uuid.uuid4())
    _check_may_write(actor=actor, conversation=conversation)
    resent = _stored(actor=actor, conversation=conversation, client_id=client_id)
    if resent is not None:
        return resent
    room = getattr(conversation, "consult_room", None)
    with transaction.atomic():
        document = clinical_services.document_upload(
            actor=actor,
            patient=conversation.patient,
            file=file,
            doc_type=DocumentType.OTHER,
            description=f"Sent in a message by {actor.display_name}",
            appointment_public_id=room.appointment.public_id if room is not None else None,
        )
        return message_send(
            actor=actor,
            conversation=conversation,
            body=body,
            client_id=client_id,
            document=document,
        )


def message_attachment_download_record(*, actor: User, message: Message) -> None:
    """Audit that a participant downloaded a message's file."""
    clinical_services.document_download_record(actor=actor, document=message.document)


# --- Read receipts -------------------------------------------------------------------------


def _advance_read_state(
    *, user: User, conversation: Conversation, read: int | None = None, delivered: int | None = None
) -> ConversationReadState:
    state, _ = ConversationReadState.objects.select_for_update().get_or_create(
        conversation=conversation, user=user
    )
    changed = []
    if read is not None and read > state.last_read_seq:
        state.last_read_seq = read
        changed.append("last_read_seq")
    delivered = max(delivered or 0, state.last_read_seq)
    if delivered > state.last_delivered_seq:
        state.last_delivered_seq = delivered
        changed.append("last_delivered_seq")
    if changed:
        state.save(update_fields=[*changed, "updated_at"])
    state.changed = bool(changed)
    return state


def _clean_seq(*, conversation: Conversation, seq) -> int:
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise ApplicationError(
            "seq must be a message number.", code="invalid", fields={"seq": ["A number."]}
        ) from None
    if seq < 0:
        raise ApplicationError(
            "seq must not be negative.", code="invalid", fields={"seq": ["Not negative."]}
        )
    return min(seq, conversation.last_seq)


@transaction.atomic
def conversation_mark_read(
    *, actor: User, conversation: Conversation, seq
) -> ConversationReadState:
    """The participant has read up to `seq` (never moves back; capped at the last message).
    The others see a `read` event."""
    if not selectors.is_participant(user=actor, conversation=conversation):
        raise ForbiddenError("You are not part of this conversation.", code="not_a_participant")
    conversation.refresh_from_db(fields=["last_seq"])
    seq = _clean_seq(conversation=conversation, seq=seq)
    state = _advance_read_state(user=actor, conversation=conversation, read=seq)
    if state.changed:
        live.push_to_conversation(
            conversation_public_id=conversation.public_id,
            message={
                "type": live.CHAT_READ,
                "user": str(actor.public_id),
                "seq": state.last_read_seq,
            },
        )
    return state


@transaction.atomic
def conversation_mark_delivered(
    *, actor: User, conversation: Conversation, seq
) -> ConversationReadState:
    """The participant's client has received up to `seq` (an `ack`)."""
    if not selectors.is_participant(user=actor, conversation=conversation):
        raise ForbiddenError("You are not part of this conversation.", code="not_a_participant")
    conversation.refresh_from_db(fields=["last_seq"])
    seq = _clean_seq(conversation=conversation, seq=seq)
    return _advance_read_state(user=actor, conversation=conversation, delivered=seq)


# --- Consult rooms -------------------------------------------------------------------------


def consult_room_check_open(*, room: ConsultRoom, at=None) -> None:
    """Raise 409 `room_not_open` (too early) or `room_closed` (ended or expired)."""
    state = selectors.room_state(room=room, at=at)
    if state == RoomState.OPEN:
        return
    window = selectors.room_window(appointment=room.appointment, ended_at=room.ended_at)
    if state == RoomState.SCHEDULED:
        opens = timezone.localtime(window.opens_at)
        raise ConflictError(
            f"The consult room opens at {opens:%H:%M} on {opens:%Y-%m-%d}.",
            code="room_not_open",
            extra={"opens_at": iso_datetime(window.opens_at)},
        )
    raise ConflictError("This consult has ended; the room is closed.", code="room_closed")


def consult_room_ensure(*, appointment: Appointment) -> ConsultRoom:
    """The consult room of a teleconsult appointment (created with its conversation the first
    time it is needed). 409 `not_a_teleconsult` for an in-person appointment."""
    if appointment.visit_type != VisitType.TELECONSULT:
        raise ConflictError(
            "This appointment is an in-person visit, not a teleconsult.",
            code="not_a_teleconsult",
        )
    room = selectors.consult_room_find(appointment=appointment)
    if room is not None:
        return room
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                patient=appointment.patient,
                doctor=appointment.doctor,
                kind=ConversationKind.CONSULT,
            )
            ConsultRoom.objects.create(appointment=appointment, conversation=conversation)
    except IntegrityError:  # created by a parallel request
        pass
    return selectors.consult_room_find(appointment=appointment)


def _lock_room(room: ConsultRoom) -> ConsultRoom:
    return (
        ConsultRoom.objects.select_for_update()
        .select_related("appointment__patient", "appointment__doctor", "conversation")
        .get(pk=room.pk)
    )


def _push_waiting(room: ConsultRoom) -> None:
    appointment = room.appointment
    live.push_to_user(
        user_id=appointment.doctor_id,
        event={
            "event": "consult_waiting",
            "appointment": str(appointment.public_id),
            "patient": appointment.patient.display_name,
            "waiting": room.patient_waiting_since is not None,
        },
    )


@transaction.atomic
def consult_patient_waiting(*, room: ConsultRoom, waiting: bool) -> ConsultRoom:
    """The patient is (or no longer is) in the room without the doctor: sets or clears
    `patient_waiting_since` and tells the doctor's open clients (`consult_waiting`)."""
    room = _lock_room(room)
    if waiting == (room.patient_waiting_since is not None):
        return room
    room.patient_waiting_since = timezone.now() if waiting else None
    room.save(update_fields=["patient_waiting_since", "updated_at"])
    _push_waiting(room)
    return room


def _check_consult_doctor(*, actor: User, appointment: Appointment) -> None:
    if actor.pk != appointment.doctor_id:
        raise ForbiddenError("Only the appointment's doctor can do this.", code="not_your_consult")


def _start_visit(*, actor: User, appointment: Appointment) -> Appointment:
    """Bring the appointment to `in_progress` (checking the patient in on the way), which
    opens or links its teleconsult encounter."""
    if appointment.status == AppointmentStatus.BOOKED:
        appointment = appointment_services.appointment_check_in(
            actor=actor, appointment=appointment
        )
    if appointment.status == AppointmentStatus.CHECKED_IN:
        appointment = appointment_services.appointment_start(actor=actor, appointment=appointment)
    return appointment


@transaction.atomic
def consult_join(*, actor: User, appointment: Appointment) -> ConsultRoom:
    """Enter the consult room (its doctor, its patient, or invited staff) while it is open.
    The doctor's first join starts the visit: the appointment becomes in progress and its
    teleconsult encounter opens with the real start."""
    room = consult_room_ensure(appointment=appointment)
    if not selectors.is_participant(user=actor, conversation=room.conversation):
        raise ForbiddenError("You are not part of this consult.", code="not_a_participant")
    consult_room_check_open(room=room)
    room = _lock_room(room)
    detail = {"joined": True, "role": actor.role}
    if actor.pk == appointment.doctor_id:
        room.appointment = _start_visit(actor=actor, appointment=room.appointment)
        changed = []
        if room.doctor_joined_at is None:
            room.doctor_joined_at = room.appointment.started_at or timezone.now()
            changed.append("doctor_joined_at")
        if room.patient_waiting_since is not None:
            room.patient_waiting_since = None
            changed.append("patient_waiting_since")
            _push_waiting(room)
        if changed:
            room.save(update_fields=[*changed, "updated_at"])
        detail["encounter"] = (
            str(room.appointment.encounter.public_id) if room.appointment.encounter else None
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type=CONSULT_RESOURCE,
        object_id=room.appointment.public_id,
        patient_id=room.appointment.patient.public_id,
        detail=detail,
    )
    return room


@transaction.atomic
def consult_invite(*, actor: User, appointment: Appointment, user: User) -> ConsultInvite:
    """The doctor asks a staff member (interpreter, nurse, second doctor: any active staff
    account) into the consult; they are told in their notifications."""
    _check_consult_doctor(actor=actor, appointment=appointment)
    if user.role == Role.PATIENT or not user.is_active:
        raise ApplicationError(
            "Only active staff members can be invited to a consult.",
            code="not_staff",
            fields={"user": ["Not an active staff member."]},
        )
    if user.pk == appointment.doctor_id:
        raise ApplicationError(
            "The doctor is in the consult already.",
            code="already_participant",
            fields={"user": ["Already in the consult."]},
        )
    room = consult_room_ensure(appointment=appointment)
    if selectors.room_state(room=room) == RoomState.CLOSED:
        raise ConflictError("This consult has ended; the room is closed.", code="room_closed")
    invite, created = ConsultInvite.objects.get_or_create(
        room=room, user=user, defaults={"invited_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            resource_type="consult_invite",
            object_id=appointment.public_id,
            patient_id=appointment.patient.public_id,
            detail={"user": str(user.public_id), "role": user.role},
        )
        start = timezone.localtime(appointment.start_at)
        notification_create(
            recipient=user,
            kind="consult_invite",
            title=f"Teleconsult at {start:%H:%M}",
            body=(
                f"{actor.display_name} invites you to a teleconsult on {start:%Y-%m-%d} "
                f"at {start:%H:%M}."
            ),
            link=f"/workspace/consults/{appointment.public_id}/",
            dedupe_key=f"consult_invite:{appointment.public_id}:{user.public_id}",
        )
    return invite


@transaction.atomic
def consult_end(*, actor: User, appointment: Appointment) -> ConsultRoom:
    """The doctor ends the consult: the appointment is completed (the teleconsult tariff is
    billed through AppointmentCompleted), its encounter closed with the real end, the room
    closed and every open socket told (`consult_ended`)."""
    _check_consult_doctor(actor=actor, appointment=appointment)
    room = _lock_room(consult_room_ensure(appointment=appointment))
    if room.ended_at is not None:
        raise ConflictError("This consult has ended already.", code="room_closed")
    appointment = room.appointment
    if appointment.status in selectors.FINISHED_STATUSES - {AppointmentStatus.COMPLETED}:
        raise ConflictError(
            f"This appointment is {appointment.get_status_display().lower()}.",
            code="invalid_status",
        )
    now = timezone.now()
    if appointment.status != AppointmentStatus.COMPLETED:
        appointment = _start_visit(actor=actor, appointment=appointment)
        appointment = appointment_services.appointment_complete(
            actor=actor, appointment=appointment
        )
    encounter = appointment.encounter
    if encounter is not None and encounter.status == EncounterStatus.OPEN:
        clinical_services.encounter_close(
            actor=actor, encounter=encounter, ended_at=max(now, encounter.started_at)
        )
    room.appointment = appointment
    room.ended_at = now
    room.patient_waiting_since = None
    if room.doctor_joined_at is None:
        room.doctor_joined_at = appointment.started_at or now
    room.save(update_fields=["ended_at", "patient_waiting_since", "doctor_joined_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type=CONSULT_RESOURCE,
        object_id=appointment.public_id,
        patient_id=appointment.patient.public_id,
        detail={"ended": True},
    )
    live.push_to_conversation(
        conversation_public_id=room.conversation.public_id,
        message={"type": live.CONSULT_ENDED},
    )
    return room
