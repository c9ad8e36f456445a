"""The portal's session sign-in and sign-out: the API's lockout and audit, CSRF enforced."""

import pytest
from django.test import Client

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_sign_in_and_out_with_a_session():
    user = UserFactory()
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    # The session authenticates API calls too (for the portal's htmx requests).
    assert client.get("/api/profile/").json()["username"] == user.username
    assert client.post("/logout/").status_code == 302
    assert client.get("/api/profile/").status_code == 401
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_wrong_password_shows_the_error_on_the_form():
    user = UserFactory()
    response = Client().post("/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 400
    assert "Invalid username or password." in response.content.decode()


def test_session_login_shares_the_lockout():
    user = UserFactory()
    for _ in range(5):
        Client().post("/login/", {"username": user.username, "password": "nope"})
    response = Client().post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "locked" in response.content.decode()


def test_csrf_is_enforced():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_open_redirects_are_refused():
    user = UserFactory()
    response = Client().post(
        "/login/",
        {"username": user.username, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
