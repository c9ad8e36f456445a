"""A patient signs up, signs in and sees their dashboard; lockout; password reset; the other
roles' home pages. Every page is checked for requests leaving the server and screenshotted at
desktop and phone width (backend/hms/web/tests/artifacts/)."""

import re

import pytest
from playwright.sync_api import expect

from hms.accounts.models import User
from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-happy-passphrase-1"


def sign_in(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_patient_signs_up_signs_in_and_sees_the_dashboard(portal, shoot):
    page = portal
    page.goto(page.base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Care that")
    shoot(page, "home")

    page.get_by_role("link", name="Create a patient account").click()
    expect(page.get_by_role("heading", name="Create your patient account")).to_be_visible()
    shoot(page, "signup")

    # A mistake first: errors appear next to the fields and nothing is saved.
    page.get_by_label("First name").fill("Amina")
    page.get_by_label("Last name").fill("Yusuf")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill("something-else-2")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_password2_errors")).to_contain_text("not the same")
    expect(page.get_by_label("Repeat the password")).to_be_focused()
    shoot(page, "signup-errors")
    assert not User.objects.filter(username="amina").exists()

    page.get_by_label("Date of birth").fill("1990-04-12")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_text("Welcome, Amina! Your account is ready.")).to_be_visible()

    sign_out(page)
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    shoot(page, "login")

    sign_in(page, "amina", PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amina")
    expect(page.get_by_test_id("current-user")).to_contain_text("Patient")
    shoot(page, "portal-dashboard")

    page.goto(page.base_url + "/account/")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    shoot(page, "account")


def test_keyboard_users_can_skip_to_the_content(portal):
    page = portal
    UserFactory(username="pat", role=Role.PATIENT)
    sign_in(page, "pat", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_login_lockout_message(portal, settings, shoot):
    settings.LOGIN_MAX_FAILED_ATTEMPTS = 3
    UserFactory(username="pat", role=Role.PATIENT)
    page = portal
    for _ in range(3):
        sign_in(page, "pat", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    sign_in(page, "pat", TEST_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("locked")
    expect(page).to_have_url(re.compile(r"/login/$"))
    shoot(page, "login-locked")


def test_password_reset_by_email(portal, mailoutbox, shoot):
    UserFactory(username="pat", role=Role.PATIENT, email="pat@example.org")
    page = portal
    page.goto(page.base_url + "/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shoot(page, "password-reset-sent")

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/password-reset/\S+/", mailoutbox[0].body).group(0)
    assert link.startswith(page.base_url)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the new password").fill(PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Your password was changed")).to_be_visible()

    sign_in(page, "pat", PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))


@pytest.mark.parametrize(
    ("role", "path", "name"),
    [(Role.DOCTOR, "/workspace/", "workspace-dashboard"), (Role.NURSE, "/staff/", "staff")],
)
def test_staff_home_pages(portal, shoot, role, path, name):
    UserFactory(username=f"{role}1", role=role, first_name="Grace", last_name="Okafor")
    page = portal
    sign_in(page, f"{role}1", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(f"{path}$"))
    shoot(page, name)
    # The phone layout collapses the navigation behind the toggler; it opens by keyboard.
    page.set_viewport_size({"width": 375, "height": 760})
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
