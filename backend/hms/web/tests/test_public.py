"""Public pages: home, sign-in, sign-up, password reset, sign-out; and the security headers."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from hms.accounts.models import User
from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase-7"


def signup_data(**overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Yusuf",
        "date_of_birth": "1990-04-12",
        "email": "amina@example.org",
        "phone": "+254 700 000 001",
        "username": "amina",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


# --- home, headers ----------------------------------------------------------------------------


def test_home_shows_the_landing_page_to_visitors():
    response = Client().get("/")
    assert response.status_code == 200
    assert b"Create a patient account" in response.content


@pytest.mark.parametrize(
    ("role", "target"),
    [(Role.PATIENT, "/portal/"), (Role.DOCTOR, "/workspace/"), (Role.NURSE, "/staff/")],
)
def test_home_sends_each_role_to_its_own_home(web_client_for, role, target):
    response = web_client_for(role).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("url", ["/", "/login/", "/signup/", "/password-reset/"])
def test_every_page_has_a_strict_content_security_policy(url):
    response = Client().get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script_and_no_external_assets():
    html = Client().get("/signup/").content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url


def test_swagger_ui_is_exempt_from_the_portal_policy():
    response = Client().get("/api/docs/")
    assert "Content-Security-Policy" not in response


def test_vendored_assets_are_served():
    client = Client()
    for path in (
        "/static/web/vendor/bootstrap/bootstrap.min.css",
        "/static/web/vendor/bootstrap/bootstrap.bundle.min.js",
        "/static/web/vendor/htmx/htmx.min.js",
        "/static/web/vendor/chartjs/chart.umd.min.js",
        "/static/web/css/portal.css",
        "/static/web/js/portal.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


# --- sign-in ----------------------------------------------------------------------------------


def test_login_page_renders_with_the_portal_layout():
    response = Client().get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html
    assert 'href="/password-reset/"' in html
    assert "Skip to main content" in html


def test_login_with_wrong_password_shows_the_error_and_keeps_the_username(make_user):
    make_user(Role.PATIENT, username="pat")
    response = Client().post("/login/", {"username": "pat", "password": "wrong"})
    assert response.status_code == 400
    assert b"Invalid username or password." in response.content
    assert b'value="pat"' in response.content


def test_login_lockout_message_is_shown(make_user, settings):
    settings.LOGIN_MAX_FAILED_ATTEMPTS = 3
    make_user(Role.PATIENT, username="pat")
    client = Client()
    for _ in range(3):
        response = client.post("/login/", {"username": "pat", "password": "wrong"})
    assert b"Too many failed sign-in attempts" in response.content
    response = client.post("/login/", {"username": "pat", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert b"locked" in response.content


def test_login_then_logout_with_message(make_user):
    make_user(Role.PATIENT, username="pat")
    client = Client()
    response = client.post("/login/", {"username": "pat", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == "/portal/"
    response = client.post("/logout/", follow=True)
    assert response.request["PATH_INFO"] == "/login/"
    assert b"You have been signed out." in response.content
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_username="pat").exists()
    assert client.get("/portal/").status_code == 302


def test_logout_by_get_is_refused(web_client_for):
    assert web_client_for(Role.PATIENT).get("/logout/").status_code == 405


# --- sign-up ----------------------------------------------------------------------------------


def test_signup_creates_a_patient_account_and_signs_in():
    client = Client()
    response = client.post("/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    user = User.objects.get(username="amina")
    assert user.role == Role.PATIENT
    assert user.email == "amina@example.org"
    assert user.check_password(NEW_PASSWORD)
    chart = Patient.objects.get(user=user)  # the linked chart, created with the account
    assert chart.date_of_birth == date(1990, 4, 12)
    assert chart.last_name == "Yusuf"
    # Signed in through the audited sign-in path.
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).exists()
    page = client.get("/portal/")
    assert page.status_code == 200
    assert b"Welcome, Amina" in page.content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-9"}, "password2", "The two passwords are not the same."),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "too common"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"username": "bad name!"}, "username", "Enter a valid username."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
    ],
)
def test_signup_bad_input_shows_errors_next_to_fields_and_saves_nothing(overrides, field, message):
    response = Client().post("/signup/", signup_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(rf'<div id="id_{field}_errors"[^>]*>(.*?)</div>\s*</div>', html, re.S)
    assert errors, f"no error block next to {field}"
    assert message in errors.group(1)
    assert f'aria-describedby="id_{field}' in html or 'aria-describedby="' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(username=signup_data(**overrides)["username"]).exists()


def test_signup_with_a_taken_username_says_so_next_to_the_field():
    UserFactory(username="amina", role=Role.PATIENT)
    response = Client().post("/signup/", signup_data())
    assert response.status_code == 400
    assert b"This username is already taken." in response.content
    assert User.objects.filter(username="amina").count() == 1


def test_signup_never_creates_staff_even_if_asked():
    Client().post("/signup/", signup_data(role="admin"))
    assert User.objects.get(username="amina").role == Role.PATIENT


def test_signed_in_user_visiting_signup_goes_home(web_client_for):
    response = web_client_for(Role.DOCTOR).get("/signup/")
    assert response.status_code == 302


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_by_email_end_to_end(make_user):
    user = make_user(Role.PATIENT, username="pat", email="pat@example.org")
    client = Client()
    response = client.post("/password-reset/", {"email": "PAT@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.org"]
    assert "Reset your" in message.subject
    link = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert b"Choose a new password" in response.content
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": "nope"})
    assert response.status_code == 200
    assert b"didn\xe2\x80\x99t match" in response.content or b"match" in response.content
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, resource_type="password", actor=user
    ).exists()

    # The new password signs in; the link is spent.
    response = Client().post("/login/", {"username": "pat", "password": NEW_PASSWORD})
    assert response.status_code == 302
    response = Client().get(link, follow=True)
    assert b"This link no longer works" in response.content


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing():
    response = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_bad_email_is_shown_next_to_the_field():
    response = Client().post("/password-reset/", {"email": "nope"})
    assert response.status_code == 200
    assert b'id="id_email_errors"' in response.content
    assert mail.outbox == []
