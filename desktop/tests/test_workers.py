"""The one threading pattern: QThreadPool workers, results on the UI thread, busy controls."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from hms_desktop.api.errors import ApiError, ServerUnreachable, SessionExpired
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.workers import TaskRunner


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    runner.wait_for_done(5000)
    qtbot.wait(10)


def wait_idle(qtbot, runner):
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)


def test_work_runs_off_the_ui_thread_and_results_come_back_on_it(qtbot, runner):
    seen = {}

    def work():
        seen["work_thread"] = threading.current_thread()
        return 42

    def done(value):
        seen["value"] = value
        seen["callback_on_ui"] = QThread.currentThread() is QApplication.instance().thread()

    runner.run(work, on_done=done)
    wait_idle(qtbot, runner)
    assert seen["value"] == 42
    assert seen["work_thread"] is not threading.main_thread()
    assert seen["callback_on_ui"]


def test_controls_are_disabled_while_their_call_runs(qtbot, runner):
    gate = threading.Event()
    button = QPushButton("Save")
    qtbot.addWidget(button)
    runner.run(lambda: gate.wait(5), busy=[button])
    assert not button.isEnabled()
    gate.set()
    wait_idle(qtbot, runner)
    assert button.isEnabled()


def test_a_control_disabled_before_stays_disabled(qtbot, runner):
    button = QPushButton("Save")
    qtbot.addWidget(button)
    button.setEnabled(False)
    runner.run(lambda: None, busy=[button])
    wait_idle(qtbot, runner)
    assert not button.isEnabled()


def test_errors_are_routed(qtbot, runner):
    errors, unreachable, expired, unhandled = [], [], [], []
    runner.unreachable.connect(unreachable.append)
    runner.session_expired.connect(expired.append)
    runner.error.connect(unhandled.append)

    def fail(exc):
        def work():
            raise exc

        return work

    runner.run(fail(ApiError("no", status=400)), on_error=errors.append)
    runner.run(fail(ServerUnreachable("down")), on_error=errors.append)
    runner.run(fail(SessionExpired()), on_error=errors.append)
    runner.run(fail(RuntimeError("bug")))
    wait_idle(qtbot, runner)
    assert [e.message for e in errors] == ["no"]
    assert [e.message for e in unreachable] == ["down"]
    assert len(expired) == 1
    assert [str(e) for e in unhandled] == ["bug"]


def test_unreachable_calls_can_be_retried(qtbot, runner):
    attempts, results = [], []

    def work():
        attempts.append(1)
        if len(attempts) == 1:
            raise ServerUnreachable("down")
        return "ok"

    runner.run(work, on_done=results.append)
    wait_idle(qtbot, runner)
    assert results == []
    assert runner.retry() == 1
    wait_idle(qtbot, runner)
    assert results == ["ok"]
    assert runner.retry() == 0


def test_callbacks_for_a_closed_view_are_dropped(qtbot, runner):
    gate = threading.Event()
    results = []
    owner = QWidget()
    runner.run(lambda: gate.wait(5), on_done=results.append, owner=owner)
    owner.deleteLater()
    qtbot.wait(20)
    gate.set()
    wait_idle(qtbot, runner)
    assert results == []


def test_a_dialog_save_is_disabled_while_its_call_runs(qtbot, runner):
    """Discharge, admission, lab orders, dispensing: every form dialog sends through
    FormDialog.call, which keeps its Save button disabled until the server answers."""
    page = QWidget()
    page.ctx = SimpleNamespace(runner=runner)
    qtbot.addWidget(page)
    dialog = FormDialog(page, "Discharge", "Discharge a patient")
    gate = threading.Event()
    saved = []
    dialog.saved.connect(saved.append)

    dialog.call(lambda: gate.wait(5) and "discharged")
    assert not dialog.save_button.isEnabled()
    qtbot.wait(50)
    assert not dialog.save_button.isEnabled() and saved == []
    gate.set()
    wait_idle(qtbot, runner)
    assert dialog.save_button.isEnabled()
    assert saved == ["discharged"]
