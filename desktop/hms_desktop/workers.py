"""The one way the desktop talks to the network: off the UI thread, results back by signals.

A `Worker` (QRunnable) runs a plain function on a `QThreadPool` thread and reports through a
`WorkerSignals` QObject (`finished(result)` / `failed(exception)`). `TaskRunner.run()` wraps
that for views:

    self.runner.run(
        lambda: api.users.create(**fields),
        on_done=self._created,          # called on the UI thread with the result
        on_error=self._show_errors,     # ApiError from the server (fields, message, ...)
        busy=[self.save_button],        # disabled until the call ends
        owner=self,                     # callbacks are dropped if this widget is gone
    )

Errors are routed in one place: `SessionExpired` always goes to `session_expired` (the app
returns to the login screen), `ServerUnreachable` to `unreachable` (the banner with Retry,
which re-runs the calls that failed that way), everything else to `on_error` or, if the view
gave none, to `error`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from hms_desktop.api.errors import ServerUnreachable, SessionExpired

logger = logging.getLogger(__name__)

BUSY_PROPERTY = "hmsBusyCount"
MAX_RETRIES_KEPT = 20
RETIRE_AFTER_S = 2.0


class WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    """Runs `fn()` on a pool thread; never touches widgets."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = WorkerSignals()
        # Python keeps the worker alive through its Task; the pool must not delete it.
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class Task(QObject):
    """One call in flight. Lives on the UI thread, so the worker's signals reach it queued."""

    def __init__(
        self,
        runner: TaskRunner,
        fn: Callable[[], Any],
        *,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[Exception], None] | None,
        on_unreachable: Callable[[ServerUnreachable], None] | None,
        busy: Iterable[QWidget],
        owner: QObject | None,
        retry_key: str | None,
    ) -> None:
        # No Qt parent: the runner keeps a Python reference while the call runs (and while it
        # waits for Retry); dropping it deletes the task on the UI thread.
        super().__init__()
        self.runner = runner
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.on_unreachable = on_unreachable
        self.busy = [w for w in busy if w is not None]
        self.owner = owner
        self.retry_key = retry_key
        self.worker: Worker | None = None

    def start(self) -> None:
        for widget in self.busy:
            _mark_busy(widget, +1)
        self.worker = Worker(self.fn)
        self.worker.signals.finished.connect(self._finished)
        self.worker.signals.failed.connect(self._failed)
        self.runner._started(self)
        self.runner.pool.start(self.worker)

    def owner_alive(self) -> bool:
        return self.owner is None or shiboken6.isValid(self.owner)

    def _end(self) -> None:
        for widget in self.busy:
            if shiboken6.isValid(widget):
                _mark_busy(widget, -1)
        if self.worker is not None:
            self.runner._retire(self.worker)
            self.worker = None
        self.runner._ended(self)

    @Slot(object)
    def _finished(self, result: Any) -> None:
        self._end()
        self.runner._succeeded(self)
        if self.on_done and self.owner_alive():
            self._call(self.on_done, result)

    @Slot(object)
    def _failed(self, exc: Exception) -> None:
        self._end()
        if isinstance(exc, SessionExpired):
            self.runner.session_expired.emit(exc)
        elif isinstance(exc, ServerUnreachable):
            if self.on_unreachable and self.owner_alive():
                self._call(self.on_unreachable, exc)
            self.runner._unreachable(self, exc)  # kept for Retry
        elif self.on_error and self.owner_alive():
            self._call(self.on_error, exc)
        else:
            if not self.owner_alive():
                logger.debug("dropping error for a closed view: %r", exc)
            else:
                self.runner.error.emit(exc)

    def _call(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception as exc:  # a bug in a view must not kill the event loop silently
            logger.exception("callback failed")
            self.runner.error.emit(exc)

    def retry_copy(self) -> Task:
        return Task(
            self.runner,
            self.fn,
            on_done=self.on_done,
            on_error=self.on_error,
            on_unreachable=self.on_unreachable,
            busy=[w for w in self.busy if shiboken6.isValid(w)],
            owner=self.owner,
            retry_key=self.retry_key,
        )


class TaskRunner(QObject):
    """Starts calls on a thread pool and routes their results; one per application."""

    session_expired = Signal(object)  # SessionExpired
    unreachable = Signal(object)  # ServerUnreachable
    reachable = Signal()  # a call succeeded: the server answers again
    error = Signal(object)  # an error no view handled
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: set[Task] = set()
        self._to_retry: list[Task] = []
        # Finished workers are kept a moment so that they (and their WorkerSignals QObject)
        # are freed here on the UI thread, never by the pool thread leaving `run()`.
        self._retired: list[tuple[float, Worker]] = []

    @property
    def pending(self) -> int:
        return len(self._active)

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_unreachable: Callable[[ServerUnreachable], None] | None = None,
        busy: Iterable[QWidget] = (),
        owner: QObject | None = None,
        retry_key: str | None = None,
    ) -> Task:
        task = Task(
            self,
            fn,
            on_done=on_done,
            on_error=on_error,
            on_unreachable=on_unreachable,
            busy=busy,
            owner=owner,
            retry_key=retry_key,
        )
        task.start()
        return task

    def retry(self) -> int:
        """Run again every call that failed because the server was unreachable."""
        tasks, self._to_retry = self._to_retry, []
        count = 0
        for task in tasks:
            if task.owner_alive():
                task.retry_copy().start()
                count += 1
        return count

    def forget_retries(self) -> None:
        self._drop_retries(lambda task: True)

    def _drop_retries(self, match: Callable[[Task], bool]) -> None:
        self._to_retry = [task for task in self._to_retry if not match(task)]

    def wait_for_done(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

    # --- bookkeeping called by Task -----------------------------------------------------

    def _retire(self, worker: Worker) -> None:
        now = time.monotonic()
        self._retired = [(t, w) for t, w in self._retired if now - t < RETIRE_AFTER_S]
        self._retired.append((now, worker))

    def _started(self, task: Task) -> None:
        was_idle = not self._active
        self._active.add(task)
        if was_idle:
            self.busy_changed.emit(True)

    def _ended(self, task: Task) -> None:
        self._active.discard(task)
        if not self._active:
            self.busy_changed.emit(False)

    def _succeeded(self, task: Task) -> None:
        if task.retry_key:
            self._drop_retries(lambda t: t.retry_key == task.retry_key)
        self.reachable.emit()

    def _unreachable(self, task: Task, exc: ServerUnreachable) -> None:
        self._drop_retries(
            lambda t: not t.owner_alive() or bool(task.retry_key and t.retry_key == task.retry_key)
        )
        self._to_retry.append(task)
        if len(self._to_retry) > MAX_RETRIES_KEPT:
            oldest = self._to_retry[0]
            self._drop_retries(lambda t: t is oldest)
        self.unreachable.emit(exc)


def is_busy(widget: QWidget) -> bool:
    """True while a call this control started is running (views check it before enabling)."""
    return int(widget.property(BUSY_PROPERTY) or 0) > 0


def _mark_busy(widget: QWidget, delta: int) -> None:
    """Disable a control while any call it started is running (nested calls are counted)."""
    count = int(widget.property(BUSY_PROPERTY) or 0)
    if count == 0 and delta > 0:
        widget.setProperty("hmsWasEnabled", widget.isEnabled())
    count = max(0, count + delta)
    widget.setProperty(BUSY_PROPERTY, count)
    if count > 0:
        widget.setEnabled(False)
    elif delta < 0:
        widget.setEnabled(bool(widget.property("hmsWasEnabled")))
