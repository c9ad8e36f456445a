"""My account: own details and password."""

from __future__ import annotations

from hms_desktop.api import ApiClient

from .conftest import DEMO_PASSWORD, sign_in, snap, unique, wait_idle


def test_edit_own_details(qtbot, hms):
    window = sign_in(qtbot, hms, "lab_technician")
    window.resize(1280, 800)
    page = window.open_module("profile")
    qtbot.waitUntil(lambda: page._loaded, timeout=10_000)
    wait_idle(qtbot, hms)
    snap(window, "profile")
    page.phone.setText("+1 555 0142")
    page.email.setText("not-an-email")
    page.save_button.click()
    qtbot.waitUntil(lambda: bool(page.details_errors.fields["email"].error_text), timeout=10_000)
    page.email.setText("lena@hospital.example")
    page.save_button.click()
    qtbot.waitUntil(lambda: "saved" in page.banner.message, timeout=10_000)
    assert hms.context.user.phone == "+1 555 0142"


def test_change_own_password_keeps_the_session(qtbot, hms, api_as, hms_server):
    username = unique("radiographer")
    api_as("admin").users.create(username=username, password=DEMO_PASSWORD, role="radiologist")
    window = sign_in(qtbot, hms, username)
    page = window.open_module("profile")
    page.current_password.setText("wrong-password")
    page.new_password.setText("Fresh-Xray-2026")
    page.confirm_password.setText("Fresh-Xray-2026")
    page.password_button.click()
    box = page.password_errors.fields["current_password"]
    qtbot.waitUntil(lambda: bool(box.error_text), timeout=10_000)
    page.current_password.setText(DEMO_PASSWORD)
    page.password_button.click()
    qtbot.waitUntil(lambda: "changed" in page.banner.message, timeout=10_000)
    assert page.new_password.text() == ""
    # The session goes on with fresh tokens (the server revoked the old refresh token)...
    window.open_module("dashboard")
    qtbot.wait(200)
    assert hms.main_window is window
    assert hms.client.is_authenticated
    # ...and the new password is the one that works.
    ApiClient(hms_server).login(username, "Fresh-Xray-2026")
