"""The HTTP client against the live server: tokens, refresh, logout, errors, unreachable."""

from __future__ import annotations

import httpx
import pytest

from hms_desktop.api import Api, ApiClient, ApiError, ServerUnreachable, SessionExpired
from hms_desktop.api.client import normalise_server_url

from .conftest import DEMO_PASSWORD, free_port, unique


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        (" https://hms.example.org/ ", "https://hms.example.org"),
        ("http://localhost:8000/", "http://localhost:8000"),
    ],
)
def test_server_urls_are_normalised(given, expected):
    assert normalise_server_url(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "ftp://host", "http://"])
def test_hopeless_server_urls_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_server_url(bad)


def test_login_returns_typed_user_and_keeps_tokens(hms_server):
    client = ApiClient(hms_server)
    result = client.login("nurse", DEMO_PASSWORD)
    assert result.user.username == "nurse"
    assert result.user.role == "nurse"
    assert result.user.role_display == "Nurse"
    assert client.is_authenticated
    assert Api(client).profile.get().username == "nurse"


def test_wrong_password_is_an_api_error_in_the_server_shape(hms_server):
    client = ApiClient(hms_server)
    with pytest.raises(ApiError) as caught:
        client.login(unique("nobody"), "wrong-password")
    assert caught.value.status == 401
    assert caught.value.code == "invalid_credentials"
    assert caught.value.request_id
    assert not client.is_authenticated


def test_refused_access_token_is_refreshed_once_transparently(hms_server):
    client = ApiClient(hms_server)
    client.login("admin", DEMO_PASSWORD)
    old_refresh = client.refresh_token
    client.set_tokens("not-a-valid-token", old_refresh)  # as if the access token expired

    users = Api(client).users.list(page_size=5)

    assert users.count >= 9
    assert client.access_token != "not-a-valid-token"
    assert client.refresh_token != old_refresh  # the server rotated it
    # ...and blacklisted the old one.
    answer = httpx.post(f"{hms_server}/api/token/refresh/", json={"refresh": old_refresh})
    assert answer.status_code == 401


def test_unrefreshable_session_raises_session_expired(hms_server):
    client = ApiClient(hms_server)
    client.login("admin", DEMO_PASSWORD)
    client.set_tokens("not-a-valid-token", "not-a-valid-refresh-token")
    with pytest.raises(SessionExpired):
        Api(client).users.list()
    assert not client.is_authenticated


def test_logout_revokes_the_refresh_token(hms_server):
    client = ApiClient(hms_server)
    client.login("doctor", DEMO_PASSWORD)
    refresh = client.refresh_token
    client.logout()
    assert not client.is_authenticated
    answer = httpx.post(f"{hms_server}/api/token/refresh/", json={"refresh": refresh})
    assert answer.status_code == 401


def test_logout_after_an_expired_access_token_revokes_the_rotated_refresh(hms_server):
    client = ApiClient(hms_server)
    client.login("doctor", DEMO_PASSWORD)
    client.set_tokens("expired", client.refresh_token)
    client.logout()  # refreshes first, then revokes the *new* refresh token
    assert not client.is_authenticated


def test_validation_errors_carry_fields(hms_server):
    client = ApiClient(hms_server)
    client.login("admin", DEMO_PASSWORD)
    with pytest.raises(ApiError) as caught:
        Api(client).users.create(
            username="nurse", password="Another-pass-123", role="nurse", email="not-an-email"
        )
    error = caught.value
    assert error.status == 400
    assert error.code == "validation_error"
    assert "email" in error.fields


def test_a_role_without_permission_gets_403(hms_server):
    client = ApiClient(hms_server)
    client.login("receptionist", DEMO_PASSWORD)
    with pytest.raises(ApiError) as caught:
        Api(client).users.list()
    assert caught.value.status == 403


def test_closed_port_is_server_unreachable():
    client = ApiClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ServerUnreachable) as caught:
        client.login("admin", DEMO_PASSWORD)
    assert "Cannot reach the server" in caught.value.message


def test_health(hms_server):
    health = ApiClient(hms_server).health()
    assert health.ok
    assert health.checks["database"]["ok"]
