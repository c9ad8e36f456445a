"""The conversation socket (ws/conversations/<id>/) through the real ASGI application:
who may connect (close codes), delivery in order and exactly once, replay on reconnect,
read receipts, typing, presence and the waiting room, call signalling, flood closing."""

import asyncio
import gc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from hms.accounts.tests.factories import UserFactory
from hms.appointments.models import Appointment
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory, PatientUserFactory
from hms.telemedicine import consumers, services
from hms.telemedicine.live import conversation_group
from hms.telemedicine.models import (
    ConsultInvite,
    ConsultRoom,
    Conversation,
    ConversationReadState,
    Message,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True, scope="module")
def _pool_connections_closed(django_db_setup, django_db_blocker):
    """On PostgreSQL the socket's database calls run on the event loop's thread pool, and a
    pool thread's connection outlives the test's loop until it is collected: end those
    sessions before the test database is dropped."""
    yield
    gc.collect()
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# A Monday morning; the consult below starts at 10:00 and ends at 10:30.
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
RECEIVE = 5  # seconds to wait for a frame that must come (a slow CI machine)


class Chart:
    """A doctor and a portal patient in their care, with their chart conversation."""

    def __init__(self):
        self.doctor = UserFactory(role=Role.DOCTOR, first_name="Grace", last_name="Okafor")
        self.patient_user = PatientUserFactory(first_name="Amina", last_name="Yusuf")
        self.patient = PatientFactory(user=self.patient_user, first_name="Amina")
        CareAssignmentFactory(patient=self.patient, doctor=self.doctor)
        self.conversation = Conversation.objects.create(
            patient=self.patient, doctor=self.doctor, kind="chart"
        )


class Consult(Chart):
    """A teleconsult appointment at NOW (30 minutes), its room, and an invited nurse."""

    def __init__(self):
        super().__init__()
        self.nurse = UserFactory(role=Role.NURSE, first_name="Ines", last_name="Moreau")
        self.appointment = Appointment.objects.create(
            patient=self.patient,
            doctor=self.doctor,
            date=NOW.date(),
            slot=NOW.time(),
            start_at=NOW,
            end_at=NOW + timedelta(minutes=30),
            booked_by=self.patient_user,
            visit_type="teleconsult",
        )
        self.conversation = Conversation.objects.create(
            patient=self.patient, doctor=self.doctor, kind="consult"
        )
        self.room = ConsultRoom.objects.create(
            appointment=self.appointment, conversation=self.conversation
        )
        ConsultInvite.objects.create(room=self.room, user=self.nurse, invited_by=self.doctor)


def _bearer(user) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {AccessToken.for_user(user)}".encode())]


def _path(conversation, after=None) -> str:
    query = f"?after={after}" if after is not None else ""
    return f"/ws/conversations/{conversation.public_id}/{query}"


async def _open(user, conversation, *, after=None) -> tuple[WebsocketCommunicator, dict]:
    """Connects and reads hello ... caught_up; returns the socket and what it received."""
    socket = WebsocketCommunicator(application, _path(conversation, after), headers=_bearer(user))
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from(timeout=RECEIVE)
    assert hello["event"] == "hello", hello
    replayed = []
    while True:
        frame = await socket.receive_json_from(timeout=RECEIVE)
        if frame["event"] == "caught_up":
            break
        assert frame["event"] == "message", frame
        replayed.append(frame["message"])
    return socket, {"hello": hello, "replayed": replayed, "caught_up": frame}


async def _close_code(path: str, headers) -> int | None:
    """The code a refused socket is closed with (accepted, then closed at once)."""
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect()
    if not connected:
        return code
    output = await socket.receive_output(timeout=RECEIVE)
    assert output["type"] == "websocket.close", output
    await socket.wait()
    return output["code"]


async def _frames(socket, count: int) -> list[dict]:
    return [await socket.receive_json_from(timeout=RECEIVE) for _ in range(count)]


async def _messages(socket, count: int) -> list[dict]:
    frames = await _frames(socket, count)
    assert all(frame["event"] == "message" for frame in frames), frames
    return [frame["message"] for frame in frames]


def _send_frame(body: str, client_id=None) -> dict:
    return {"action": "send", "client_id": str(client_id or uuid.uuid4()), "body": body}


@database_sync_to_async
def _stored(conversation) -> list[tuple[int, str, int]]:
    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("seq", "body", "sender_id")
    )


@database_sync_to_async
def _service_send(user, conversation, body: str):
    return services.message_send(
        actor=user, conversation=conversation, body=body, client_id=uuid.uuid4()
    )


# --- who may connect ------------------------------------------------------------------------


async def test_a_socket_needs_a_signed_in_participant():
    chart = await database_sync_to_async(Chart)()
    path = _path(chart.conversation)
    origin = [(b"origin", b"http://testserver")]
    assert await _close_code(path, origin) == consumers.CLOSE_UNAUTHENTICATED
    token = str(AccessToken.for_user(chart.doctor))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (
        await _close_code(path, [(b"authorization", f"Bearer {tampered}".encode())])
        == consumers.CLOSE_UNAUTHENTICATED
    )
    stranger_doctor = await database_sync_to_async(UserFactory)(role=Role.DOCTOR)
    other_patient = await database_sync_to_async(PatientUserFactory)()
    assert await _close_code(path, _bearer(stranger_doctor)) == consumers.CLOSE_FORBIDDEN
    assert await _close_code(path, _bearer(other_patient)) == consumers.CLOSE_FORBIDDEN
    unknown = f"/ws/conversations/{uuid.uuid4()}/"
    assert await _close_code(unknown, _bearer(chart.doctor)) == consumers.CLOSE_NOT_FOUND
    assert await _stored(chart.conversation) == []


async def test_a_browser_signs_in_with_its_session_cookie():
    chart = await database_sync_to_async(Chart)()

    @database_sync_to_async
    def session_cookie(user) -> bytes:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}".encode()

    cookie = await session_cookie(chart.patient_user)
    socket = WebsocketCommunicator(
        application,
        _path(chart.conversation, after="not-a-number"),
        headers=[(b"cookie", cookie), (b"origin", b"http://testserver")],
    )
    assert (await socket.connect())[0]
    hello = await socket.receive_json_from(timeout=RECEIVE)
    assert hello["me"] == str(chart.patient_user.public_id)
    assert hello["room"] is None
    assert await socket.receive_json_from(timeout=RECEIVE) == {"event": "caught_up", "last_seq": 0}
    await socket.disconnect()
    # Another site's page sends the cookie too: refused before the socket opens.
    foreign = WebsocketCommunicator(
        application,
        _path(chart.conversation),
        headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")],
    )
    assert (await foreign.connect())[0] is False


async def test_a_consult_room_opens_and_closes_with_its_window():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    path = _path(consult.conversation)
    stranger_nurse = await database_sync_to_async(UserFactory)(role=Role.NURSE)
    with time_machine.travel(NOW - timedelta(minutes=20), tick=True):
        assert await _close_code(path, _bearer(consult.patient_user)) == consumers.CLOSE_TOO_EARLY
    with time_machine.travel(NOW - timedelta(minutes=10), tick=True):
        assert await _close_code(path, _bearer(stranger_nurse)) == consumers.CLOSE_FORBIDDEN
        nurse, opened = await _open(consult.nurse, consult.conversation)
        room = opened["hello"]["room"]
        assert room["state"] == "open"
        assert room["ends_consult"] is False
        assert datetime.fromisoformat(room["opens_at"]) == NOW - timedelta(minutes=15)
        assert datetime.fromisoformat(room["closes_at"]) == NOW + timedelta(minutes=60)
        await nurse.disconnect()
    with time_machine.travel(NOW + timedelta(minutes=61), tick=True):
        assert await _close_code(path, _bearer(consult.doctor)) == consumers.CLOSE_ROOM_CLOSED
    with time_machine.travel(NOW + timedelta(minutes=5), tick=True):
        await database_sync_to_async(ConsultRoom.objects.filter(pk=consult.room.pk).update)(
            ended_at=timezone.now()
        )
        assert await _close_code(path, _bearer(consult.doctor)) == consumers.CLOSE_ROOM_CLOSED
    assert await _stored(consult.conversation) == []


async def test_hello_describes_the_conversation():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    with time_machine.travel(NOW, tick=True):
        doctor, opened = await _open(consult.doctor, consult.conversation)
        hello = opened["hello"]
        assert hello["me"] == str(consult.doctor.public_id)
        assert hello["conversation"]["id"] == str(consult.conversation.public_id)
        assert hello["last_seq"] == 0
        assert hello["ice_servers"] == []
        assert hello["room"]["ends_consult"] is True
        assert {p["id"]: p["role"] for p in hello["participants"]} == {
            str(consult.doctor.public_id): "doctor",
            str(consult.patient_user.public_id): "patient",
            str(consult.nurse.public_id): "nurse",
        }
        assert hello["online"] == [str(consult.doctor.public_id)]
        assert opened["replayed"] == []
        assert opened["caught_up"] == {"event": "caught_up", "last_seq": 0}
        await doctor.disconnect()


# --- messages -------------------------------------------------------------------------------


async def test_a_sent_message_is_stored_once_and_reaches_everyone():
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    patient, _ = await _open(chart.patient_user, chart.conversation)
    await doctor.receive_json_from(timeout=RECEIVE)  # the patient's presence

    client_id = uuid.uuid4()
    await patient.send_json_to(_send_frame("Is the <b>rash</b> normal?", client_id))
    (mine,) = await _messages(patient, 1)
    (theirs,) = await _messages(doctor, 1)
    assert mine == theirs
    assert mine["seq"] == 1
    assert mine["body"] == "Is the <b>rash</b> normal?"  # text as sent; clients render text
    assert mine["client_id"] == str(client_id)
    assert mine["sender"]["id"] == str(chart.patient_user.public_id)

    # Sent again (say, after a reconnect): stored once, nobody gets a second copy.
    await patient.send_json_to(_send_frame("Is the <b>rash</b> normal?", client_id))
    assert await patient.receive_nothing(timeout=0.3)
    assert await doctor.receive_nothing(timeout=0.1)
    assert await _stored(chart.conversation) == [
        (1, "Is the <b>rash</b> normal?", chart.patient_user.pk)
    ]
    await doctor.disconnect()
    await patient.disconnect()


async def test_several_senders_are_delivered_to_every_socket_in_seq_order():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    with time_machine.travel(NOW, tick=True):
        users = [consult.doctor, consult.patient_user, consult.nurse]
        sockets = [(await _open(user, consult.conversation))[0] for user in users]
        for index, socket in enumerate(sockets):  # presence frames of those who came later
            for _ in range(len(sockets) - 1 - index):
                assert (await socket.receive_json_from(timeout=RECEIVE))["event"] == "presence"

        rounds = 4
        for n in range(rounds):
            await asyncio.gather(
                *(
                    socket.send_json_to(_send_frame(f"{user.role} {n}"))
                    for user, socket in zip(users, sockets, strict=True)
                )
            )
        # And one through the service, as the REST API sends: fanned out to the sockets too.
        await _service_send(consult.doctor, consult.conversation, "Sent from the desktop")
        total = rounds * len(users) + 1
        received = [await _messages(socket, total) for socket in sockets]
        stored = await _stored(consult.conversation)
        assert [seq for seq, _, _ in stored] == list(range(1, total + 1))
        for messages, socket in zip(received, sockets, strict=True):
            assert [(m["seq"], m["body"]) for m in messages] == [
                (seq, body) for seq, body, _ in stored
            ]
            assert await socket.receive_nothing(timeout=0.1)
        assert "Sent from the desktop" in [body for _, body, _ in stored]
        for socket in sockets:
            await socket.disconnect()


async def test_a_message_ahead_of_a_gap_waits_for_the_missing_one():
    """Two workers' pushes can arrive out of order: the socket reads the gap first."""
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    layer = get_channel_layer()

    @database_sync_to_async
    def store_without_pushing(body):
        # Stored, but its live push is late (as when another worker's push is slower).
        conversation = Conversation.objects.get(pk=chart.conversation.pk)
        conversation.last_seq += 1
        conversation.save(update_fields=["last_seq"])
        message = Message.objects.create(
            conversation=conversation,
            seq=conversation.last_seq,
            sender=chart.patient_user,
            body=body,
            client_id=uuid.uuid4(),
            created_at=timezone.now(),
        )
        return services.message_repr(message)

    await store_without_pushing("first")
    second = await store_without_pushing("second")
    await layer.group_send(
        conversation_group(chart.conversation.public_id),
        {"type": "chat.message", "message": second},
    )
    received = await _messages(doctor, 2)
    assert [(m["seq"], m["body"]) for m in received] == [(1, "first"), (2, "second")]
    # The late push of the first arrives after all: already delivered, not sent twice.
    await layer.group_send(
        conversation_group(chart.conversation.public_id),
        {"type": "chat.message", "message": {**received[0]}},
    )
    assert await doctor.receive_nothing(timeout=0.2)
    await doctor.disconnect()


async def test_a_reconnect_with_after_replays_the_missed_messages_exactly_once():
    chart = await database_sync_to_async(Chart)()
    patient, _ = await _open(chart.patient_user, chart.conversation)
    for body in ("one", "two"):
        await _service_send(chart.doctor, chart.conversation, body)
    seen = await _messages(patient, 2)
    await patient.disconnect()

    for body in ("three", "four", "five"):
        await _service_send(chart.doctor, chart.conversation, body)

    patient, opened = await _open(chart.patient_user, chart.conversation, after=seen[-1]["seq"])
    assert opened["hello"]["last_seq"] == 5
    assert [(m["seq"], m["body"]) for m in opened["replayed"]] == [
        (3, "three"),
        (4, "four"),
        (5, "five"),
    ]
    assert opened["caught_up"]["last_seq"] == 5
    assert await patient.receive_nothing(timeout=0.2)

    # A client that lost frames asks again on the same socket.
    await patient.send_json_to({"action": "resume", "after": 3})
    again = await _frames(patient, 3)
    assert [f["message"]["seq"] for f in again[:2]] == [4, 5]
    assert again[2] == {"event": "caught_up", "last_seq": 5}
    # New messages keep coming after the replay, once each.
    await _service_send(chart.doctor, chart.conversation, "six")
    (six,) = await _messages(patient, 1)
    assert six["seq"] == 6
    assert await patient.receive_nothing(timeout=0.2)
    await patient.disconnect()

    # From the start: everything.
    patient, opened = await _open(chart.patient_user, chart.conversation)
    assert [m["seq"] for m in opened["replayed"]] == [1, 2, 3, 4, 5, 6]
    await patient.disconnect()


async def test_flooding_is_refused_and_then_closed():
    chart = await database_sync_to_async(Chart)()
    # The clock stands still: every message falls in the same rate-limit window.
    with time_machine.travel(NOW, tick=False):
        await _flood(chart)
    assert len(await _stored(chart.conversation)) == 20


async def _flood(chart):
    patient, _ = await _open(chart.patient_user, chart.conversation)
    limit = 20  # CHAT_RATE_LIMIT "20/10"
    for n in range(limit):
        await patient.send_json_to(_send_frame(f"message {n}"))
    received = await _messages(patient, limit)
    assert [m["seq"] for m in received] == list(range(1, limit + 1))

    for _ in range(consumers.FLOOD_VIOLATIONS - 1):
        await patient.send_json_to(_send_frame("too many"))
        error = await patient.receive_json_from(timeout=RECEIVE)
        assert error["event"] == "error" and error["code"] == "rate_limited"
    await patient.send_json_to(_send_frame("still more"))
    error = await patient.receive_json_from(timeout=RECEIVE)
    assert error["code"] == "rate_limited"
    closed = await patient.receive_output(timeout=RECEIVE)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_FLOODING}


async def test_bad_frames_get_an_error_and_the_socket_stays_open():
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    await doctor.send_to(text_data="not json")
    await doctor.send_json_to({"action": "dance"})
    await doctor.send_json_to(["send"])
    await doctor.send_json_to({"action": "send", "client_id": "nope", "body": "hi"})
    await doctor.send_json_to({"action": "send", "client_id": str(uuid.uuid4()), "body": 5})
    await doctor.send_json_to({"action": "read", "seq": "x"})
    await doctor.send_json_to(_send_frame("x" * 4001))
    await doctor.send_json_to(_send_frame(""))
    errors = await _frames(doctor, 8)
    assert [e["event"] for e in errors] == ["error"] * 8
    assert [e["code"] for e in errors[:6]] == ["invalid"] * 6
    assert errors[6]["code"] in ("too_long", "validation_error", "invalid")
    await doctor.send_json_to({"action": "ping"})
    assert await doctor.receive_json_from(timeout=RECEIVE) == {"event": "pong"}
    assert await _stored(chart.conversation) == []
    await doctor.disconnect()


# --- receipts, typing, presence -------------------------------------------------------------


async def test_read_receipts_reach_every_participant():
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    for body in ("one", "two"):
        await _service_send(chart.doctor, chart.conversation, body)
    await _messages(doctor, 2)
    patient, opened = await _open(chart.patient_user, chart.conversation)
    assert len(opened["replayed"]) == 2
    await doctor.receive_json_from(timeout=RECEIVE)  # presence

    await patient.send_json_to({"action": "ack", "seq": 2})
    await patient.send_json_to({"action": "read", "seq": 2})
    expected = {"event": "read", "user": str(chart.patient_user.public_id), "seq": 2}
    assert await doctor.receive_json_from(timeout=RECEIVE) == expected
    assert await patient.receive_json_from(timeout=RECEIVE) == expected

    state = await database_sync_to_async(ConversationReadState.objects.get)(
        conversation=chart.conversation, user=chart.patient_user
    )
    assert (state.last_read_seq, state.last_delivered_seq) == (2, 2)
    await patient.disconnect()
    # hello tells a newcomer who has read what.
    await doctor.receive_json_from(timeout=RECEIVE)  # presence: left
    again, opened = await _open(chart.patient_user, chart.conversation, after=2)
    assert opened["hello"]["read"][str(chart.patient_user.public_id)] == 2
    await again.disconnect()
    await doctor.disconnect()


async def test_typing_goes_to_the_others_only():
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    patient, _ = await _open(chart.patient_user, chart.conversation)
    await doctor.receive_json_from(timeout=RECEIVE)  # presence
    await patient.send_json_to({"action": "typing"})
    assert await doctor.receive_json_from(timeout=RECEIVE) == {
        "event": "typing",
        "user": {"id": str(chart.patient_user.public_id), "name": "Amina Yusuf"},
    }
    assert await patient.receive_nothing(timeout=0.2)
    await doctor.disconnect()
    await patient.disconnect()


async def test_presence_and_the_waiting_room():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()

    @database_sync_to_async
    def waiting_since():
        return ConsultRoom.objects.get(pk=consult.room.pk).patient_waiting_since

    with time_machine.travel(NOW - timedelta(minutes=5), tick=True):
        feed = WebsocketCommunicator(
            application, "/ws/notifications/", headers=_bearer(consult.doctor)
        )
        assert (await feed.connect())[0]
        await feed.receive_json_from(timeout=RECEIVE)  # hello

        patient, opened = await _open(consult.patient_user, consult.conversation)
        assert opened["hello"]["online"] == [str(consult.patient_user.public_id)]
        assert await waiting_since() is not None
        waiting = await feed.receive_json_from(timeout=RECEIVE)
        assert waiting["event"] == "consult_waiting"
        assert waiting["appointment"] == str(consult.appointment.public_id)
        assert waiting["waiting"] is True

        doctor, opened = await _open(consult.doctor, consult.conversation)
        assert set(opened["hello"]["online"]) == {
            str(consult.patient_user.public_id),
            str(consult.doctor.public_id),
        }
        joined = await patient.receive_json_from(timeout=RECEIVE)
        assert joined == {
            "event": "presence",
            "user": {
                "id": str(consult.doctor.public_id),
                "name": "Grace Okafor",
                "role": "doctor",
            },
            "state": "joined",
        }
        assert await waiting_since() is None
        assert (await feed.receive_json_from(timeout=RECEIVE))["waiting"] is False

        # A second tab of the doctor's is no news; closing it neither.
        tab, _ = await _open(consult.doctor, consult.conversation)
        await tab.disconnect()
        assert await patient.receive_nothing(timeout=0.2)

        await doctor.disconnect()
        left = await patient.receive_json_from(timeout=RECEIVE)
        assert (left["state"], left["user"]["id"]) == ("left", str(consult.doctor.public_id))
        assert await waiting_since() is not None  # back to waiting
        assert (await feed.receive_json_from(timeout=RECEIVE))["waiting"] is True
        await patient.disconnect()
        assert await waiting_since() is None
        assert (await feed.receive_json_from(timeout=RECEIVE))["waiting"] is False
        await feed.disconnect()


# --- call signalling ------------------------------------------------------------------------


async def test_signals_are_relayed_to_the_other_participants_only():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    with time_machine.travel(NOW, tick=True):
        doctor, _ = await _open(consult.doctor, consult.conversation)
        doctor_tab, _ = await _open(consult.doctor, consult.conversation)
        patient, _ = await _open(consult.patient_user, consult.conversation)
        for socket in (doctor, doctor_tab):
            assert (await socket.receive_json_from(timeout=RECEIVE))["event"] == "presence"

        offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
        await doctor.send_json_to({"action": "signal", "kind": "offer", "data": offer})
        assert await patient.receive_json_from(timeout=RECEIVE) == {
            "event": "signal",
            "from": str(consult.doctor.public_id),
            "kind": "offer",
            "data": offer,
        }
        assert await doctor.receive_nothing(timeout=0.2)
        assert await doctor_tab.receive_nothing(timeout=0.1)

        answer = {"type": "answer", "sdp": "v=0"}
        await patient.send_json_to({"action": "signal", "kind": "answer", "data": answer})
        for socket in (doctor, doctor_tab):
            relayed = await socket.receive_json_from(timeout=RECEIVE)
            assert (relayed["kind"], relayed["from"]) == (
                "answer",
                str(consult.patient_user.public_id),
            )
        assert await patient.receive_nothing(timeout=0.2)

        # Too large, unknown kind, not an object: refused, relayed to nobody.
        huge = {"candidate": "x" * (consumers.SIGNAL_DATA_MAX_BYTES + 1)}
        await patient.send_json_to({"action": "signal", "kind": "ice", "data": huge})
        await patient.send_json_to({"action": "signal", "kind": "shout", "data": {}})
        await patient.send_json_to({"action": "signal", "kind": "ice", "data": "candidate"})
        codes = [frame["code"] for frame in await _frames(patient, 3)]
        assert codes == ["too_long", "invalid", "invalid"]
        assert await doctor.receive_nothing(timeout=0.2)
        assert await _stored(consult.conversation) == []
        for socket in (doctor, doctor_tab, patient):
            await socket.disconnect()


async def test_signals_need_a_consult_room():
    chart = await database_sync_to_async(Chart)()
    doctor, _ = await _open(chart.doctor, chart.conversation)
    patient, _ = await _open(chart.patient_user, chart.conversation)
    await doctor.receive_json_from(timeout=RECEIVE)  # presence
    await doctor.send_json_to({"action": "signal", "kind": "offer", "data": {"sdp": "v=0"}})
    assert (await doctor.receive_json_from(timeout=RECEIVE))["code"] == "invalid"
    assert await patient.receive_nothing(timeout=0.2)
    await doctor.disconnect()
    await patient.disconnect()


async def test_ending_the_consult_closes_every_socket():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    with time_machine.travel(NOW, tick=True):
        patient, _ = await _open(consult.patient_user, consult.conversation)
        nurse, _ = await _open(consult.nurse, consult.conversation)
        await patient.receive_json_from(timeout=RECEIVE)  # presence
        await get_channel_layer().group_send(
            conversation_group(consult.conversation.public_id), {"type": "consult.ended"}
        )
        for socket in (patient, nurse):
            assert await socket.receive_json_from(timeout=RECEIVE) == {"event": "consult_ended"}
            closed = await socket.receive_output(timeout=RECEIVE)
            assert closed == {"type": "websocket.close", "code": consumers.CLOSE_ROOM_CLOSED}


async def test_frames_and_close_codes_are_documented():
    docs = (Path(__file__).resolve().parents[4] / "docs" / "api.md").read_text()
    section = docs.split("## WebSocket: conversations", 1)[1]
    for action in consumers.ConversationConsumer.ACTIONS:
        assert f'"action": "{action}"' in section
    for code in (4401, 4403, 4404, 4409, 4410, 4429):
        assert f"| {code} |" in section


async def test_a_message_after_the_room_closed_is_refused_and_the_socket_closes():
    with time_machine.travel(NOW - timedelta(hours=1), tick=True):
        consult = await database_sync_to_async(Consult)()
    with time_machine.travel(NOW + timedelta(minutes=59), tick=True):
        patient, _ = await _open(consult.patient_user, consult.conversation)
    # The window (until 30 minutes after the 10:30 end) is over while the socket is open.
    with time_machine.travel(NOW + timedelta(minutes=61), tick=True):
        await patient.send_json_to(_send_frame("Are you still there?"))
        error = await patient.receive_json_from(timeout=RECEIVE)
        assert (error["event"], error["code"]) == ("error", "room_closed")
        closed = await patient.receive_output(timeout=RECEIVE)
        assert closed == {"type": "websocket.close", "code": consumers.CLOSE_ROOM_CLOSED}
    assert await _stored(consult.conversation) == []
