"""Signed-in pages: who may open which, the role-aware navigation, and the account forms."""

import pytest
from django.test import Client

from hms.accounts.tests.factories import TEST_PASSWORD
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role

pytestmark = pytest.mark.django_db

OTHER_STAFF = [r for r in Role if r not in (Role.PATIENT, Role.DOCTOR)]


@pytest.mark.parametrize("url", ["/portal/", "/workspace/", "/staff/", "/account/"])
def test_signed_out_visitors_are_sent_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/portal/", {Role.PATIENT}),
        ("/workspace/", {Role.DOCTOR}),
        ("/staff/", set(OTHER_STAFF)),
        ("/account/", set(Role)),
    ],
)
@pytest.mark.parametrize("role", list(Role))
def test_each_home_page_opens_for_its_roles_only(web_client_for, url, allowed, role):
    response = web_client_for(role).get(url)
    if role in allowed:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    else:
        assert response.status_code == 403
        assert b"You can't open this page" in response.content


def test_patient_navigation_shows_the_patient_portal(web_client_for):
    html = web_client_for(Role.PATIENT, user=None).get("/portal/").content.decode()
    assert 'href="/portal/"' in html
    assert 'href="/workspace/"' not in html
    assert "Patient" in html
    assert 'action="/logout/"' in html


def test_doctor_navigation_shows_the_workspace(web_client_for):
    html = web_client_for(Role.DOCTOR).get("/workspace/").content.decode()
    assert 'href="/workspace/"' in html
    assert 'href="/portal/"' not in html
    assert "Doctor workspace" in html


@pytest.mark.parametrize("role", OTHER_STAFF)
def test_other_staff_are_pointed_to_the_desktop_client(web_client_for, role):
    html = web_client_for(role).get("/staff/").content.decode()
    assert "desktop client" in html
    assert 'href="/portal/"' not in html
    assert 'href="/workspace/"' not in html


def test_the_navbar_names_the_user_and_role(web_client_for, make_user):
    user = make_user(Role.DOCTOR, first_name="Grace", last_name="Okafor")
    html = web_client_for(Role.DOCTOR, user=user).get("/workspace/").content.decode()
    assert "Grace Okafor" in html
    assert "Good" in html and "Dr Okafor" in html


def test_unknown_page_is_a_portal_404(web_client_for):
    response = web_client_for(Role.PATIENT).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


# --- account ----------------------------------------------------------------------------------


def test_account_profile_update_saves_through_the_service(web_client_for):
    client = web_client_for(Role.PATIENT)
    response = client.post(
        "/account/",
        {
            "form": "profile",
            "profile-first_name": "Pat",
            "profile-last_name": "Example",
            "profile-email": "new@example.org",
            "profile-phone": "+1 555 0100",
        },
    )
    assert response.status_code == 302
    client.user.refresh_from_db()
    assert client.user.email == "new@example.org"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, resource_type="profile", actor=client.user
    ).exists()


def test_account_profile_bad_input_shows_errors_and_saves_nothing(web_client_for):
    client = web_client_for(Role.PATIENT)
    before = client.user.email
    response = client.post(
        "/account/",
        {"form": "profile", "profile-first_name": "", "profile-email": "nope"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_profile-first_name_errors"' in html
    assert 'id="id_profile-email_errors"' in html
    client.user.refresh_from_db()
    assert client.user.email == before


def test_password_change_keeps_the_session(web_client_for):
    client = web_client_for(Role.DOCTOR)
    response = client.post(
        "/account/",
        {
            "form": "password",
            "password-current_password": TEST_PASSWORD,
            "password-new_password1": "another-good-passphrase-3",
            "password-new_password2": "another-good-passphrase-3",
        },
    )
    assert response.status_code == 302
    client.user.refresh_from_db()
    assert client.user.check_password("another-good-passphrase-3")
    assert client.get("/workspace/").status_code == 200


@pytest.mark.parametrize(
    ("current", "new1", "new2", "field", "message"),
    [
        (
            "wrong",
            "another-good-passphrase-3",
            "another-good-passphrase-3",
            "current_password",
            "The current password is wrong.",
        ),
        (TEST_PASSWORD, "short", "short", "new_password1", "too short"),
        (
            TEST_PASSWORD,
            "another-good-passphrase-3",
            "different-passphrase-4",
            "new_password2",
            "not the same",
        ),
    ],
)
def test_password_change_bad_input(web_client_for, current, new1, new2, field, message):
    client = web_client_for(Role.DOCTOR)
    response = client.post(
        "/account/",
        {
            "form": "password",
            "password-current_password": current,
            "password-new_password1": new1,
            "password-new_password2": new2,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_password-{field}_errors"')
    assert message in html[start : start + 400]
    client.user.refresh_from_db()
    assert client.user.check_password(TEST_PASSWORD)
