"""Start-up, sign-in per role, the remembered server, logout and session expiry."""

from __future__ import annotations

import httpx
import pytest

from hms_desktop.app import HmsApp, parse_args
from hms_desktop.views.login import SERVER_KEY, STAFF_ONLY
from hms_desktop.views.main_window import MainWindow

from .conftest import DEMO_PASSWORD, sign_in, snap, unique, wait_idle

EXPECTED_SIDEBAR = {
    "admin": [
        "dashboard",
        "management",
        "patients",
        "consults",
        "schedules",
        "beds",
        "wards",
        "stock",
        "stock_alerts",
        "tariffs",
        "reports",
        "users",
        "audit",
        "profile",
    ],
    "doctor": [
        "dashboard",
        "patients",
        "appointments",
        "consults",
        "schedules",
        "beds",
        "icu",
        "mar",
        "profile",
    ],
    "nurse": [
        "dashboard",
        "patients",
        "appointments",
        "consults",
        "beds",
        "icu",
        "mar",
        "profile",
    ],
    "receptionist": [
        "dashboard",
        "patients",
        "appointments",
        "consults",
        "schedules",
        "beds",
        "icu",
        "billing",
        "profile",
    ],
    "pharmacist": [
        "dashboard",
        "patients",
        "consults",
        "dispensing",
        "stock",
        "stock_alerts",
        "profile",
    ],
    "lab_technician": ["dashboard", "patients", "consults", "lab", "profile"],
    "radiologist": ["dashboard", "patients", "consults", "radiology", "profile"],
    "accountant": [
        "dashboard",
        "management",
        "patients",
        "consults",
        "billing",
        "tariffs",
        "reports",
        "profile",
    ],
}


def test_command_line():
    args = parse_args(["--server", "http://10.0.0.5:8000", "--timeout", "5"])
    assert args.server == "http://10.0.0.5:8000"
    assert args.timeout == 5


def test_start_shows_splash_then_login(qtbot, hms):
    with qtbot.waitSignal(hms.login_shown, timeout=5000):
        hms.start()
    assert hms.login_dialog.isVisible()
    assert hms.login_dialog.server.text() == hms.client.base_url
    snap(hms.login_dialog, "login")


def test_splash_screen_renders(qtbot):
    from hms_desktop.views.splash import SplashScreen

    splash = SplashScreen()
    qtbot.addWidget(splash)
    splash.show()
    splash.say("Connecting to http://127.0.0.1:8000…")
    snap(splash, "splash")


@pytest.mark.parametrize("role", sorted(EXPECTED_SIDEBAR))
def test_each_role_sees_its_modules(qtbot, hms, role):
    window = sign_in(qtbot, hms, role)
    assert isinstance(window, MainWindow)
    assert window.module_keys() == EXPECTED_SIDEBAR[role]
    assert window.header.user_label.text()
    assert window.header.role_chip.text()
    assert window.sidebar.current_key() == "dashboard"
    wait_idle(qtbot, hms)
    qtbot.waitUntil(lambda: window.header.status == "online")
    if role in ("admin", "receptionist"):
        window.resize(1280, 800)
        qtbot.wait(50)
        snap(window, f"dashboard_{role}")


def test_patients_are_refused_and_their_tokens_revoked(qtbot, hms):
    dialog = hms.show_login()
    dialog.username.setText("patient")
    dialog.password.setText(DEMO_PASSWORD)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    wait_idle(qtbot, hms)
    assert STAFF_ONLY in dialog.errors.general.text()
    assert hms.main_window is None
    assert not hms.client.is_authenticated


def test_wrong_password_keeps_the_dialog_and_says_why(qtbot, hms):
    dialog = hms.show_login()
    username = unique("ghost")
    dialog.username.setText(username)
    dialog.password.setText("not-the-password")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    assert "Invalid username or password" in dialog.errors.general.text()
    assert dialog.username.text() == username  # nothing typed is lost
    assert dialog.sign_in_button.isEnabled()
    assert hms.main_window is None


def test_missing_fields_and_bad_server_are_flagged_locally(qtbot, hms):
    dialog = hms.show_login()
    dialog.username.setText("")
    dialog.password.setText("")
    dialog.submit()
    assert dialog.errors.fields["username"].error_text
    assert dialog.errors.fields["password"].error_text
    dialog.server.setText("ftp://nowhere")
    dialog.submit()
    assert "Not a server address" in dialog.errors.fields["server"].error_text
    assert hms.runner.pending == 0


def test_server_address_is_remembered(qtbot, hms_server, qsettings):
    first = HmsApp(settings=qsettings, server_url=hms_server, splash_ms=0)
    sign_in(qtbot, first, "nurse")
    assert qsettings.value(SERVER_KEY) == hms_server
    first.quit()
    wait_idle(qtbot, first)
    first.client.close()

    later = HmsApp(settings=qsettings, splash_ms=0)  # no --server this time
    assert later.client.base_url == hms_server
    dialog = later.show_login()
    assert dialog.server.text() == hms_server
    assert dialog.username.text() == "nurse"
    dialog.close()
    later.client.close()


def test_logout_revokes_the_refresh_token_and_returns_to_login(qtbot, hms, hms_server):
    window = sign_in(qtbot, hms, "pharmacist")
    refresh = hms.client.refresh_token
    with qtbot.waitSignal(hms.login_shown, timeout=10_000):
        window.header.logout_button.click()
    assert hms.main_window is None
    assert "signed out" in hms.login_dialog.banner.message
    answer = httpx.post(f"{hms_server}/api/token/refresh/", json={"refresh": refresh})
    assert answer.status_code == 401


def test_an_expired_access_token_is_refreshed_without_the_user_noticing(qtbot, hms):
    window = sign_in(qtbot, hms, "admin")
    wait_idle(qtbot, hms)
    old_refresh = hms.client.refresh_token
    hms.client.set_tokens("expired-access-token", old_refresh)
    page = window.open_module("users")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 9, timeout=10_000)
    assert hms.main_window is window
    assert hms.client.refresh_token != old_refresh


def test_a_dead_session_goes_back_to_login(qtbot, hms):
    window = sign_in(qtbot, hms, "admin")
    wait_idle(qtbot, hms)
    hms.client.set_tokens("expired-access-token", "revoked-refresh-token")
    with qtbot.waitSignal(hms.login_shown, timeout=10_000):
        window.open_module("users")
    assert hms.main_window is None
    assert "session has ended" in hms.login_dialog.banner.message
    assert hms.login_dialog.username.text() == "admin"
