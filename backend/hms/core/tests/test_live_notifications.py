"""The live notification feed (ws/notifications/), through the real ASGI application:
authentication as the API does it, only one's own notifications, in the order they commit."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from hms.accounts.tests.factories import UserFactory
from hms.core.consumers import UNAUTHENTICATED_CLOSE_CODE
from hms.core.roles import Role
from hms.core.selectors import notification_get_for_user
from hms.core.services import notification_acknowledge, notification_create

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PATH = "/ws/notifications/"


@database_sync_to_async
def _user(role=Role.DOCTOR):
    return UserFactory(role=role)


@database_sync_to_async
def _notify(user, title, severity="info"):
    return notification_create(
        recipient=user, kind="lab_critical_result", title=title, severity=severity
    )


@database_sync_to_async
def _acknowledge(user, notification):
    return notification_acknowledge(
        actor=user,
        notification=notification_get_for_user(user=user, public_id=notification.public_id),
    )


@database_sync_to_async
def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def _bearer(user) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {AccessToken.for_user(user)}".encode())]


async def _refused(headers) -> int | None:
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, code = await communicator.connect()
    await communicator.disconnect()
    return None if connected else code


async def test_no_credentials_or_a_bad_token_is_refused():
    assert await _refused([]) is not None  # no Origin either: the Origin check refuses it
    assert await _refused([(b"origin", b"http://testserver")]) == UNAUTHENTICATED_CLOSE_CODE
    assert await _refused([(b"authorization", b"Bearer not-a-token")]) == UNAUTHENTICATED_CLOSE_CODE
    assert await _refused([(b"authorization", b"Basic dXNlcjpwYXNz")]) == UNAUTHENTICATED_CLOSE_CODE


async def test_an_inactive_users_token_is_refused():
    user = await _user()
    token_headers = _bearer(user)
    user.is_active = False
    await database_sync_to_async(user.save)()
    assert await _refused(token_headers) == UNAUTHENTICATED_CLOSE_CODE


async def test_a_session_cookie_works_only_from_an_allowed_origin():
    user = await _user()
    cookie = await _session_cookie(user)
    # Another site's page would send the cookie too: refused by the Origin check.
    assert await _refused([(b"cookie", cookie), (b"origin", b"https://evil.example")]) is not None
    communicator = WebsocketCommunicator(
        application, PATH, headers=[(b"cookie", cookie), (b"origin", b"http://testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["event"] == "hello"
    await communicator.disconnect()


async def test_a_user_hears_only_their_own_notifications_in_commit_order():
    doctor, colleague = await _user(), await _user()
    existing = await _notify(doctor, "Older, unread")
    doctor_feed = WebsocketCommunicator(application, PATH, headers=_bearer(doctor))
    colleague_feed = WebsocketCommunicator(application, PATH, headers=_bearer(colleague))
    assert (await doctor_feed.connect())[0] and (await colleague_feed.connect())[0]
    assert await doctor_feed.receive_json_from() == {"event": "hello", "unread": 1, "attention": 0}
    assert await colleague_feed.receive_json_from() == {
        "event": "hello",
        "unread": 0,
        "attention": 0,
    }

    await _notify(colleague, "For the colleague")
    first = await _notify(doctor, "Potassium 6.8 mmol/L", severity="critical")
    await _notify(doctor, "NEWS2 7", severity="critical")

    events = [await doctor_feed.receive_json_from(timeout=2) for _ in range(2)]
    assert [event["notification"]["title"] for event in events] == [
        "Potassium 6.8 mmol/L",
        "NEWS2 7",
    ]
    assert all(event["event"] == "created" for event in events)
    assert [(event["unread"], event["attention"]) for event in events] == [(2, 1), (3, 2)]
    assert events[0]["notification"]["id"] == str(first.public_id)
    assert events[0]["notification"]["needs_attention"] is True
    assert await doctor_feed.receive_nothing(timeout=0.2)

    colleague_event = await colleague_feed.receive_json_from(timeout=2)
    assert colleague_event["notification"]["title"] == "For the colleague"
    assert await colleague_feed.receive_nothing(timeout=0.2)
    assert existing.public_id  # created before connecting: counted in hello, never pushed

    await _acknowledge(doctor, first)
    acknowledged = await doctor_feed.receive_json_from(timeout=2)
    assert acknowledged["event"] == "acknowledged"
    assert acknowledged["notification"]["id"] == str(first.public_id)
    assert acknowledged["attention"] == 1
    await doctor_feed.disconnect()
    await colleague_feed.disconnect()


async def test_ping_gets_pong():
    user = await _user(Role.NURSE)
    feed = WebsocketCommunicator(application, PATH, headers=_bearer(user))
    assert (await feed.connect())[0]
    await feed.receive_json_from()
    await feed.send_json_to({"action": "ping"})
    assert await feed.receive_json_from() == {"event": "pong"}
    await feed.disconnect()
