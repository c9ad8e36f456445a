"""An unreachable or hanging server: a banner with Retry, and a UI that never freezes."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QTimer

from hms_desktop.app import HmsApp

from .conftest import DEMO_PASSWORD, free_port, sign_in, snap, wait_idle

CLIENT_TIMEOUT = 2.0


class FlakyProxy:
    """A TCP proxy in front of the live server that can be told to stop answering.

    In "hang" mode it accepts connections and never answers (and cuts the kept-alive ones),
    like a server stuck behind a dead link; `forward()` brings the server back.
    """

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname, parts.port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.mode = "forward"
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            with self.lock:
                self.open.append(client)
                if self.mode == "hang":
                    continue  # hold it, never answer
                upstream = socket.create_connection(self.target)
                self.open.append(upstream)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _cut(self) -> None:
        for sock in self.open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.open.clear()

    def hang(self) -> None:
        with self.lock:
            self.mode = "hang"
            self._cut()

    def forward(self) -> None:
        with self.lock:
            self.mode = "forward"
            self._cut()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.listener.close()
        with self.lock:
            self._cut()


@pytest.fixture
def proxy(hms_server):
    proxy = FlakyProxy(hms_server)
    yield proxy
    proxy.close()


@pytest.fixture
def flaky_hms(qtbot, proxy, qsettings):
    app = HmsApp(
        settings=qsettings,
        server_url=proxy.url,
        timeout=CLIENT_TIMEOUT,
        splash_ms=0,
        health_interval_ms=60_000,
    )
    yield app
    app.runner.forget_retries()
    proxy.forward()
    if app.main_window is not None:
        app._close_main_window()
    if app.login_dialog is not None:
        app.login_dialog.close()
    app.runner.wait_for_done(15_000)
    qtbot.wait(10)
    app.client.close()


class Ticker:
    """Counts QTimer ticks: proof that the event loop keeps running."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.count = 0
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1


def test_closed_port_shows_the_login_banner(qtbot, qsettings):
    app = HmsApp(
        settings=qsettings, server_url=f"http://127.0.0.1:{free_port()}", splash_ms=0, timeout=2
    )
    dialog = app.show_login()
    dialog.username.setText("admin")
    dialog.password.setText(DEMO_PASSWORD)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=10_000)
    assert "Cannot reach the server" in dialog.banner.message
    assert dialog.banner.retry_button.isVisible()
    assert dialog.sign_in_button.isEnabled()
    assert dialog.password.text() == DEMO_PASSWORD
    snap(dialog, "login_unreachable")
    dialog.close()
    app.runner.wait_for_done(5000)
    app.client.close()


def test_login_against_a_hanging_server_does_not_freeze(qtbot, flaky_hms, proxy):
    proxy.hang()
    dialog = flaky_hms.show_login()
    dialog.username.setText("admin")
    dialog.password.setText(DEMO_PASSWORD)
    ticker = Ticker()
    dialog.sign_in_button.click()
    assert not dialog.sign_in_button.isEnabled()  # busy while the call runs
    qtbot.wait(1000)
    assert flaky_hms.runner.pending == 1  # still waiting for the server...
    assert ticker.count >= 20  # ...and the UI thread kept running meanwhile
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=10_000)
    assert "did not answer in time" in dialog.banner.message
    assert dialog.sign_in_button.isEnabled()
    # The server comes back: Retry signs in.
    proxy.forward()
    with qtbot.waitSignal(flaky_hms.main_window_shown, timeout=10_000):
        dialog.banner.retry_button.click()


def test_server_lost_mid_session_shows_banner_and_retry_recovers(qtbot, flaky_hms, proxy):
    window = sign_in(qtbot, flaky_hms, "admin")
    window.resize(1280, 800)
    page = window.open_module("users")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 9, timeout=10_000)
    wait_idle(qtbot, flaky_hms)
    rows_before = page.model.rowCount()

    proxy.hang()
    ticker = Ticker()
    page.refresh_button.click()
    qtbot.wait(800)
    assert page.model.loading
    assert flaky_hms.runner.pending >= 1
    assert ticker.count >= 15
    qtbot.waitUntil(window.banner_visible, timeout=10_000)
    assert "did not answer in time" in window.banner.message
    assert window.banner.retry_button.isVisible()
    assert window.header.status == "offline"
    assert page.model.rowCount() == rows_before  # what was on screen stays
    assert page.refresh_button.isEnabled()
    snap(window, "unreachable_banner")

    proxy.forward()
    window.banner.retry_button.click()
    qtbot.waitUntil(lambda: not window.banner_visible(), timeout=10_000)
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    assert page.model.rowCount() >= rows_before
    assert window.header.status == "online"


def test_unsaved_form_survives_an_outage(qtbot, flaky_hms, proxy):
    window = sign_in(qtbot, flaky_hms, "admin")
    page = window.open_module("users")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 9, timeout=10_000)
    wait_idle(qtbot, flaky_hms)
    dialog = page.open_create()
    dialog.username.setText("outage_user")
    dialog.password.setText("Ward-7-night-shift")
    dialog.confirm.setText("Ward-7-night-shift")
    proxy.hang()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    assert "What you typed is kept" in dialog.errors.general.text()
    assert dialog.isVisible()
    assert dialog.username.text() == "outage_user"
    assert dialog.password.text() == "Ward-7-night-shift"
    dialog.reject()
