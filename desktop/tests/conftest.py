"""Desktop tests: offscreen Qt against a live HMS server started once for the session.

The server runs as a subprocess (`manage.py runserver --noreload`) on a free port with its own
SQLite file in a temporary HMS_DATA_DIR, after `migrate` and `seed_demo`; the tests talk to it
over real HTTP exactly as the desktop does. Nothing from the server is imported here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The client's DTOs fail on any field the server sends or leaves out that they do not expect
# (a lenient client only logs it): the suite is where a mismatch must show.
os.environ.setdefault("HMS_DESKTOP_STRICT_DTO", "1")

import random
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from hms_desktop.api import Api, ApiClient
from hms_desktop.api.dto import convert
from hms_desktop.app import HmsApp
from hms_desktop.theme import apply_theme


def midmorning_zone(now: datetime) -> str:
    """The fixed-offset zone where `now` is between 10:00 and 11:00: appointment tests book the
    rest of "today", which a run shortly before midnight would not have. A fixed offset has no
    daylight-saving change, and the day keeps 13 hours in hand for the suite to finish."""
    offset = (10 - now.astimezone(UTC).hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # POSIX names count west as positive


# The hospital's time zone, shared by the test server (HOSPITAL_TIME_ZONE), the desktop under
# test (its process zone: QDate.currentDate, date.today) and the tests (hospital_today()).
# HMS_TEST_TIME_ZONE picks one on purpose, e.g. a zone with daylight saving for a run across
# its change; tests that book the rest of today then need hours left in the day.
HOSPITAL_TIME_ZONE = os.environ.get("HMS_TEST_TIME_ZONE") or midmorning_zone(datetime.now(UTC))
HOSPITAL_ZONE = ZoneInfo(HOSPITAL_TIME_ZONE)


def use_hospital_zone() -> None:
    """Set the process zone to the hospital's, as a workstation in the hospital is."""
    os.environ["TZ"] = HOSPITAL_TIME_ZONE
    time.tzset()


def hospital_now() -> datetime:
    """Now in the hospital's zone: the same clock and zone the test server uses."""
    return datetime.now(HOSPITAL_ZONE)


def hospital_today() -> date:
    return hospital_now().date()


def hospital_tomorrow() -> date:
    return hospital_today() + timedelta(days=1)


use_hospital_zone()  # before any test or widget reads a clock

REPO = Path(__file__).resolve().parents[2]
MANAGE = REPO / "backend" / "manage.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEMO_PASSWORD = "hms-demo-pass"
# Variables that would point the test server at shared services (CI's PostgreSQL, Redis).
SCRUBBED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DEBUG")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def hms_server(tmp_path_factory) -> str:
    data = tmp_path_factory.mktemp("hms-server")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        HMS_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'hms.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        HOSPITAL_TIME_ZONE=HOSPITAL_TIME_ZONE,
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(MANAGE)]
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        done = subprocess.run(
            manage + command, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            pytest.fail(f"manage.py {command[0]} failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    log_path = data / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            pytest.fail(f"the test server exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/health/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the test server did not come up:\n{log_path.read_text()}")
        time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(autouse=True)
def _in_the_hospital_zone():
    """Each desktop test runs in the hospital's zone, whatever ran before it in this process:
    a backend test that overrides settings.TIME_ZONE leaves the process zone at the backend's
    own (Django resets TZ when the override ends), and the desktop would then disagree with
    its server about which day it is."""
    use_hospital_zone()


@pytest.fixture(autouse=True)
def dto_mismatches(monkeypatch):
    """Every DTO mismatch during a test, which then fails even when the mismatch was raised in
    a worker and shown as an error in the UI. A test that causes one on purpose clears it."""
    seen: list[str] = []
    mismatch = convert._mismatch

    def record(cls, unknown, missing):
        seen.append(f"{cls.__name__}: unknown {unknown}, missing {missing}")
        mismatch(cls, unknown, missing)

    monkeypatch.setattr(convert, "_mismatch", record)
    yield seen
    assert not seen, "the server's JSON does not fit the client's DTOs: " + "; ".join(seen)


@pytest.fixture(scope="session", autouse=True)
def _theme(qapp):
    apply_theme(qapp)


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "hms-desktop.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def api_as(hms_server):
    """A plain client signed in as a demo user, for arranging data outside the UI."""
    clients: list[ApiClient] = []

    def make(username: str, password: str = DEMO_PASSWORD) -> Api:
        client = ApiClient(hms_server)
        client.login(username, password)
        clients.append(client)
        return Api(client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def hms(qtbot, hms_server, qsettings):
    app = HmsApp(settings=qsettings, server_url=hms_server, splash_ms=0, health_interval_ms=60_000)
    yield app
    app.runner.forget_retries()
    if app.main_window is not None:
        app._close_main_window()
    if app.login_dialog is not None:
        app.login_dialog.close()
    app.runner.wait_for_done(15_000)
    qtbot.wait(10)  # deliver the last queued results before the widgets go
    app.client.close()


def sign_in(qtbot, app: HmsApp, username: str, password: str = DEMO_PASSWORD):
    if app.main_window is not None:  # someone else is signed in: sign out first, as staff do
        with qtbot.waitSignal(app.login_shown, timeout=10_000):
            app.main_window.header.logout_button.click()
    dialog = app.login_dialog or app.show_login()
    dialog.username.setText(username)
    dialog.password.setText(password)
    dialog.sign_in_button.click()
    qtbot.waitUntil(
        lambda: (
            app.main_window is not None
            or dialog.errors.general.isVisible()
            or (dialog.banner.isVisible() and dialog.banner.retry_button.isVisible())
        ),
        timeout=15_000,
    )
    assert app.main_window is not None, (
        dialog.errors.general.text() or dialog.banner.message or "no main window"
    )
    return app.main_window


@pytest.fixture
def admin_window(qtbot, hms):
    window = sign_in(qtbot, hms, "admin")
    return window


def wait_idle(qtbot, app_or_runner, timeout: int = 15_000) -> None:
    runner = getattr(app_or_runner, "runner", app_or_runner)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)


def snap(widget, name: str) -> Path:
    """Save a screenshot of a widget under desktop/tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    QApplication.processEvents()  # pending layout requests (a field error just shown)
    widget.grab().save(str(path))
    return path


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# --- people and things other tests arrange through the API ---------------------------------

DOCTOR_PASSWORD = "Clinic-hours-42"
ALL_DAY = [{"weekday": day, "start_time": "00:00", "end_time": "23:59"} for day in range(7)]


def make_doctor(api_as, *, first_name: str = "Lena", username: str = ""):
    """A doctor of their own for a test (working every day, 15-minute slots), so tests never
    share slots; signs in with DOCTOR_PASSWORD."""
    doctor = api_as("admin").doctors.register(
        username=username or unique("dr"),
        password=DOCTOR_PASSWORD,
        first_name=first_name,
        last_name=unique("Weber").replace("_", ""),
        specialization="Family medicine",
    )
    api_as("receptionist").client.put(
        f"/api/doctors/{doctor.id}/schedule/", {"slot_minutes": 15, "blocks": ALL_DAY}
    )
    return doctor


def make_patient(desk: Api, first_name: str = "Amara"):
    """A newly registered patient (the front desk's client `desk`)."""
    return desk.patients.register(
        confirm_new_person=True,
        first_name=first_name,
        last_name=unique("Okoro").replace("_", ""),
        # Adults only: the tests assume adult reference ranges.
        date_of_birth=f"{random.randint(1940, 2000)}-0{random.randint(1, 9)}-15",
        sex="female",
        phone=f"+1 555 {random.randint(1_000_000, 9_999_999)}",
    )
