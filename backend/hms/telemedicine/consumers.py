"""Chat and video signalling for one conversation: `ws://<server>/ws/conversations/<id>/`.

The same credentials as the API (hms.accounts.websocket_auth): the session cookie in a browser,
`Authorization: Bearer <access token>` from the desktop client. Optional query `?after=<seq>`:
the last message the client already has.

A refused connection is accepted and closed at once with one of the codes below, before anything
is sent or stored (a close before the accept would reach the client as an HTTP 403, without the
code):

    4401 not signed in, or a bad, expired or tampered token
    4403 not a participant of this conversation or consult room
    4404 no such conversation
    4409 the consult room is not open yet
    4410 the consult room is closed (ended or past its window)
    4429 closed for flooding (repeated rate-limit violations)

Server -> client frames: `hello` (the conversation, who is in it and online, the last seq, read
positions, ICE servers, the room window), then every message with seq > after in order, then
`caught_up`; afterwards `message`, `read`, `typing`, `presence`, `signal`, `consult_ended`,
`error` and `pong`. Client -> server: `send`, `read`, `ack`, `typing`, `resume`, `signal`,
`ping` (docs/api.md, "WebSocket: conversations", has every field).

Delivery: a socket sends messages strictly in seq order and each once. Messages reach it
through the conversation's channel group after their transaction commits; one that arrives
ahead of a missing seq (two senders committing on different workers) makes it read the gap
from the database first, and one it has already sent is dropped. Seqs are allocated under a
row lock on the conversation, so a committed seq means every lower one is committed too.
"""

import json
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction

from hms.core.errors import ApplicationError, ForbiddenError, NotFoundError
from hms.core.metrics import websocket_closed, websocket_opened
from hms.telemedicine import selectors, services
from hms.telemedicine.live import conversation_group
from hms.telemedicine.models import ConsultRoom
from hms.telemedicine.presence import (
    presence_enter,
    presence_leave,
    presence_online,
    presence_refresh,
)

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_EARLY = 4409
CLOSE_ROOM_CLOSED = 4410
CLOSE_FLOODING = 4429

ROOM_ERROR_CLOSE_CODES = {"room_not_open": CLOSE_TOO_EARLY, "room_closed": CLOSE_ROOM_CLOSED}

SIGNAL_KINDS = frozenset({"offer", "answer", "ice", "hangup", "media"})
SIGNAL_DATA_MAX_BYTES = 64 * 1024
# A text frame larger than this is refused unread (a message body is at most 4,000 characters,
# a signal's data 64 KB).
FRAME_MAX_CHARS = 96 * 1024
# Rate-limit violations (sends refused with `rate_limited`): the third within the rate limit's
# window (CHAT_RATE_LIMIT, "<count>/<seconds>") closes the socket with 4429.
FLOOD_VIOLATIONS = 3
# Frames of any kind a socket may send within that window (typing, signals, reads, pings):
# generous for a call's burst of ICE candidates; past it a frame counts as a violation.
FRAMES_PER_WINDOW = 300
# Typing indicators relayed at most once per this many seconds per socket.
TYPING_INTERVAL = 2.0
REPLAY_BATCH = 200


def _db(function):
    """`function` run on a worker thread, with Django's database connection handling.

    On PostgreSQL and MySQL each call may take any thread of the pool, so one socket's slow
    write does not hold up the others (a conversation's row lock keeps its seqs in order). With
    SQLite (the demo, the tests), which writes one at a time, every call shares one thread, as
    Channels does by default.
    """
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")


@dataclass
class Participant:
    pk: int
    id: str  # the user's public id, as every frame names users
    name: str
    role: str

    def frame(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role}


@dataclass
class Opened:
    """What a connection learns about its conversation while opening (one database visit)."""

    conversation: object
    room: object | None
    me_user: object
    me: Participant
    participants: list[Participant]
    doctor_pk: int
    patient_user_pk: int | None
    hello: dict = field(default_factory=dict)


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    opened: Opened | None = None
    group: str | None = None
    last_seq = 0  # the highest seq this socket has sent to its client
    closing = False  # closed by the server: frames still queued are ignored

    # --- opening and closing ------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        refusal, opened = await _db(_open)(user=user, conversation_public_id=conversation_id)
        if refusal is not None:
            await self._refuse(refusal)
            return
        self.opened = opened
        self.violations: deque[float] = deque()
        self.frames: deque[float] = deque()
        self.typing_at = 0.0
        self.window = flood_window()
        self.group = conversation_group(opened.conversation.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        websocket_opened("conversations")

        first_socket = await _db(self._enter)()
        online = await _db(self._online)()
        hello = {
            "event": "hello",
            **opened.hello,
            "online": [p.id for p in opened.participants if p.pk in online],
        }
        await self.send_json(hello)
        after = min(_after_from_query(self.scope), hello["last_seq"])
        self.last_seq = after
        await self._replay(after)
        await self.send_json({"event": "caught_up", "last_seq": self.last_seq})
        if first_socket:
            await self._group_send("chat.presence", state="joined", user=opened.me.frame())

    async def _refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.group is None or self.opened is None:
            return
        websocket_closed("conversations")
        await self.channel_layer.group_discard(self.group, self.channel_name)
        still_open = await _db(self._leave)()
        if not still_open:
            await self._group_send("chat.presence", state="left", user=self.opened.me.frame())
        self.group = None

    def _enter(self) -> bool:
        """Counts this socket as online; returns whether it is the user's first one here.
        Puts the patient in the waiting room when the doctor is not connected, and takes them
        out when the doctor connects."""
        opened = self.opened
        count = presence_enter(
            conversation_public_id=opened.conversation.public_id, user_id=opened.me.pk
        )
        _update_waiting_room(opened)
        return count == 1

    def _leave(self) -> int:
        opened = self.opened
        count = presence_leave(
            conversation_public_id=opened.conversation.public_id, user_id=opened.me.pk
        )
        if count == 0:
            _update_waiting_room(opened)
        return count

    def _online(self) -> set[int]:
        opened = self.opened
        return presence_online(
            conversation_public_id=opened.conversation.public_id,
            user_ids=[p.pk for p in opened.participants],
        )

    # --- frames from the client ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.opened is None or self.closing:
            return
        if text_data is None:
            await self._error("invalid", "Frames are JSON text.")
            return
        if not await self._count_frame():
            return
        if len(text_data) > FRAME_MAX_CHARS:
            await self._error("too_long", "The frame is too large.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("invalid", "The frame is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("action"), str):
            await self._error("invalid", 'A frame is an object with an "action".')
            return
        handler = self.ACTIONS.get(content["action"])
        if handler is None:
            await self._error("invalid", f"Unknown action {content['action'][:40]!r}.")
            return
        await handler(self, content)

    async def _count_frame(self) -> bool:
        """False (and maybe closed) when the socket sends frames faster than any client does."""
        now = time.monotonic()
        _forget_before(self.frames, now - self.window)
        self.frames.append(now)
        if len(self.frames) <= FRAMES_PER_WINDOW:
            return True
        await self._violation("Too many frames; slow down.")
        return False

    async def _violation(self, detail: str) -> None:
        now = time.monotonic()
        _forget_before(self.violations, now - self.window)
        self.violations.append(now)
        await self._error("rate_limited", detail)
        if len(self.violations) >= FLOOD_VIOLATIONS:
            self.closing = True
            await self.close(code=CLOSE_FLOODING)

    async def _send(self, content: dict) -> None:
        client_id = _uuid(content.get("client_id"))
        body = content.get("body", "")
        if client_id is None:
            await self._error("invalid", "client_id must be a UUID.")
            return
        if not isinstance(body, str):
            await self._error("invalid", "body must be text.")
            return
        try:
            frame = await _db(self._store)(body=body, client_id=client_id)
        except ApplicationError as error:
            if error.code == "rate_limited":
                await self._violation(error.message)
            elif error.code in ROOM_ERROR_CLOSE_CODES:
                await self._error(error.code, error.message)
                self.closing = True
                await self.close(code=ROOM_ERROR_CLOSE_CODES[error.code])
            else:
                await self._error(error.code, error.message)
            return
        # The sender sees its own message at once (and in order), without waiting for the
        # group; the copy the group brings later is then a duplicate and dropped.
        await self._deliver(frame)

    def _store(self, *, body: str, client_id: uuid.UUID) -> dict:
        opened = self.opened
        message = services.message_send(
            actor=opened.me_user,
            conversation=opened.conversation,
            body=body,
            client_id=client_id,
        )
        return services.message_repr(message)

    async def _read(self, content: dict) -> None:
        seq = _seq(content.get("seq"))
        if seq is None:
            await self._error("invalid", "seq must be a whole number.")
            return
        try:
            await _db(services.conversation_mark_read)(
                actor=self.opened.me_user, conversation=self.opened.conversation, seq=seq
            )
        except ApplicationError as error:
            await self._error(error.code, error.message)

    async def _ack(self, content: dict) -> None:
        seq = _seq(content.get("seq"))
        if seq is None:
            await self._error("invalid", "seq must be a whole number.")
            return
        try:
            await _db(services.conversation_mark_delivered)(
                actor=self.opened.me_user, conversation=self.opened.conversation, seq=seq
            )
        except ApplicationError as error:
            await self._error(error.code, error.message)

    async def _typing(self, content: dict) -> None:
        now = time.monotonic()
        if now - self.typing_at < TYPING_INTERVAL:
            return
        self.typing_at = now
        me = self.opened.me
        await self._group_send("chat.typing", user={"id": me.id, "name": me.name})

    async def _resume(self, content: dict) -> None:
        after = _seq(content.get("after"))
        if after is None:
            await self._error("invalid", "after must be a whole number.")
            return
        # Everything up to what this socket has sent already went out once; a client that
        # lost some asks again from where it is, and gets each missing one once more.
        self.last_seq = min(after, self.last_seq)
        await self._replay(self.last_seq)
        await self.send_json({"event": "caught_up", "last_seq": self.last_seq})

    async def _signal(self, content: dict) -> None:
        kind, data = content.get("kind"), content.get("data", {})
        if self.opened.room is None:
            await self._error("invalid", "Calls are made in consult rooms only.")
            return
        if kind not in SIGNAL_KINDS:
            await self._error("invalid", f"kind must be one of {', '.join(sorted(SIGNAL_KINDS))}.")
            return
        if not isinstance(data, dict):
            await self._error("invalid", "data must be an object.")
            return
        if len(json.dumps(data, separators=(",", ":"))) > SIGNAL_DATA_MAX_BYTES:
            await self._error("too_long", "Signal data is limited to 64 KB.")
            return
        await self._group_send("chat.signal", kind=kind, data=data)

    async def _ping(self, content: dict) -> None:
        opened = self.opened
        await _db(presence_refresh)(
            conversation_public_id=opened.conversation.public_id, user_id=opened.me.pk
        )
        await self.send_json({"event": "pong"})

    ACTIONS = {
        "send": _send,
        "read": _read,
        "ack": _ack,
        "typing": _typing,
        "resume": _resume,
        "signal": _signal,
        "ping": _ping,
    }

    # --- events from the channel group --------------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        await self._deliver(event["message"])

    async def chat_read(self, event: dict) -> None:
        await self.send_json({"event": "read", "user": event["user"], "seq": event["seq"]})

    async def consult_ended(self, event: dict) -> None:
        if self.closing:
            return
        self.closing = True
        await self.send_json({"event": "consult_ended"})
        await self.close(code=CLOSE_ROOM_CLOSED)

    async def chat_typing(self, event: dict) -> None:
        if event["sender"] != self.opened.me.pk:
            await self.send_json({"event": "typing", "user": event["user"]})

    async def chat_presence(self, event: dict) -> None:
        if event["sender"] != self.opened.me.pk:
            await self.send_json(
                {"event": "presence", "user": event["user"], "state": event["state"]}
            )

    async def chat_signal(self, event: dict) -> None:
        # To the other participants only: never back to the sender's own sockets.
        if event["sender"] != self.opened.me.pk:
            await self.send_json(
                {
                    "event": "signal",
                    "from": event["from"],
                    "kind": event["kind"],
                    "data": event["data"],
                }
            )

    # --- helpers ------------------------------------------------------------------------------

    async def _group_send(self, event_type: str, **fields) -> None:
        me = self.opened.me
        await self.channel_layer.group_send(
            self.group, {"type": event_type, "sender": me.pk, "from": me.id, **fields}
        )

    async def _deliver(self, message: dict) -> None:
        """Sends one message frame in seq order, each seq once (see the module docstring)."""
        seq = message["seq"]
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            await self._replay(self.last_seq, up_to=seq)
            if seq <= self.last_seq:
                return
        await self.send_json({"event": "message", "message": message})
        self.last_seq = seq

    async def _replay(self, after: int, *, up_to: int | None = None) -> None:
        while True:
            batch = await _db(_messages_after)(
                conversation=self.opened.conversation, after=after, limit=REPLAY_BATCH
            )
            for message in batch:
                if up_to is not None and message["seq"] > up_to:
                    return
                if message["seq"] > self.last_seq:
                    await self.send_json({"event": "message", "message": message})
                    self.last_seq = message["seq"]
            if len(batch) < REPLAY_BATCH:
                return
            after = batch[-1]["seq"]

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"event": "error", "code": code, "detail": detail})


# --- synchronous parts (database) -----------------------------------------------------------


def _open(*, user, conversation_public_id) -> tuple[int | None, Opened | None]:
    try:
        conversation = selectors.conversation_for_participant(
            user=user, conversation_public_id=conversation_public_id
        )
    except NotFoundError:
        return CLOSE_NOT_FOUND, None
    except ForbiddenError:
        return CLOSE_FORBIDDEN, None
    room = _consult_room(conversation)
    if room is not None:
        try:
            services.consult_room_check_open(room=room)
        except ApplicationError as error:
            return ROOM_ERROR_CLOSE_CODES.get(error.code, CLOSE_FORBIDDEN), None
    participants = [
        Participant(pk=p.pk, id=str(p.public_id), name=p.display_name, role=p.role)
        for p in selectors.conversation_participants(conversation=conversation)
    ]
    me = next(p for p in participants if p.pk == user.pk)
    opened = Opened(
        conversation=conversation,
        room=room,
        me_user=user,
        me=me,
        participants=participants,
        doctor_pk=conversation.doctor_id,
        patient_user_pk=conversation.patient.user_id,
    )
    opened.hello = {
        "conversation": services.conversation_repr(conversation, user=user),
        "me": me.id,
        "last_seq": conversation.last_seq,
        "read": selectors.read_positions(conversation=conversation),
        "participants": [p.frame() for p in participants],
        "ice_servers": list(getattr(settings, "WEBRTC_ICE_SERVERS", [])),
        "room": services.consult_room_brief(room, user=user) if room is not None else None,
    }
    return None, opened


def _consult_room(conversation):
    try:
        return conversation.consult_room
    except ObjectDoesNotExist:
        return None


def _update_waiting_room(opened: Opened) -> None:
    """The patient waits while they are connected and the doctor is not.

    Decided under the room's row lock, after this socket has been counted: of two sockets
    opening or closing at once on different servers, the one deciding second sees both counts,
    so the room ends up as the sockets are."""
    if opened.room is None or opened.patient_user_pk is None:
        return
    if opened.me.pk not in (opened.patient_user_pk, opened.doctor_pk):
        return
    with transaction.atomic():
        room = ConsultRoom.objects.select_for_update().get(pk=opened.room.pk)
        if room.ended_at is not None:
            return
        online = presence_online(
            conversation_public_id=opened.conversation.public_id,
            user_ids=[opened.patient_user_pk, opened.doctor_pk],
        )
        waiting = opened.patient_user_pk in online and opened.doctor_pk not in online
        if waiting != (room.patient_waiting_since is not None):
            services.consult_patient_waiting(room=room, waiting=waiting)


def _messages_after(*, conversation, after: int, limit: int) -> list[dict]:
    return [
        services.message_repr(message)
        for message in selectors.messages_after(
            conversation=conversation, after_seq=after, limit=limit
        )
    ]


def _after_from_query(scope) -> int:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("after")
    after = _seq(values[0]) if values else None
    return after or 0


def _seq(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 2**31:
        return value
    return None


def _uuid(value) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def flood_window() -> float:
    """The rate limit's window in seconds (10 unless CHAT_RATE_LIMIT says otherwise)."""
    _, _, seconds = str(getattr(settings, "CHAT_RATE_LIMIT", "")).partition("/")
    try:
        return max(float(seconds), 1.0)
    except ValueError:
        return 10.0


def _forget_before(times: deque, cutoff: float) -> None:
    while times and times[0] < cutoff:
        times.popleft()
