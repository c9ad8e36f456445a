"""A file download in the background, with its progress and a Cancel button.

The download runs on the TaskRunner's pool; the pool thread reports progress only by emitting
`DownloadSignals.progress`, which Qt delivers to this bar on the UI thread (queued), and asks
a `threading.Event` (not Qt) whether the user cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QWidget

from hms_desktop.api.client import Download, Progress
from hms_desktop.widgets.page import Page, button
from hms_desktop.workers import Task

# fetch(progress, cancelled) -> Download, run off the UI thread
Fetch = Callable[[Progress, Callable[[], bool]], Download]


class DownloadSignals(QObject):
    progress = Signal(
        object, object
    )  # bytes so far, total bytes or None; emitted off the UI thread


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class DownloadBar(QFrame):
    """Hidden until a download starts; shows what is being saved and how far it is."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(10)
        self.label = QLabel()
        self.label.setObjectName("downloadLabel")
        self.bar = QProgressBar()
        self.bar.setObjectName("downloadProgress")
        self.bar.setTextVisible(False)
        self.bar.setMinimumWidth(160)
        self.cancel_button = button("Cancel", name="cancelDownload")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self._cancel = threading.Event()
        self.received = 0
        self.task: Task | None = None
        self.hide()

    @property
    def active(self) -> bool:
        return self.task is not None

    def start(
        self,
        page: Page,
        what: str,
        fetch: Fetch,
        *,
        on_done: Callable[[Download], None],
        on_error: Callable[[Exception], None],
        busy: Sequence[QWidget] = (),
    ) -> Task:
        """Run `fetch` on the pool; `on_done`/`on_error` are called on the UI thread."""
        self._cancel = threading.Event()
        cancel = self._cancel
        # One signal object per download, without a parent: the call keeps it alive (and it
        # is freed with the call, on the UI thread), so the pool thread never emits through an
        # object that closing the screen has deleted; Qt drops the connection if this bar goes.
        signals = DownloadSignals()
        signals.progress.connect(self._progress)
        self.received = 0
        self.label.setText(f"Saving {what}…")
        self.bar.setRange(0, 0)  # busy until the size is known
        self.cancel_button.setEnabled(True)
        self.show()

        def finished(result: Any) -> None:
            self._ended()
            on_done(result)

        def failed(exc: Exception) -> None:
            self._ended()
            on_error(exc)

        self.task = page.run(
            lambda: fetch(lambda done, total: signals.progress.emit(done, total), cancel.is_set),
            on_done=finished,
            on_error=failed,
            on_unreachable=failed,
            busy=list(busy),
        )
        return self.task

    def cancel(self) -> None:
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")

    @Slot(object, object)
    def _progress(self, done: int, total: int | None) -> None:
        if self.task is None:
            return
        self.received = done
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(min(1000, int(1000 * done / total)))
            self.bar.setToolTip(f"{size_text(done)} of {size_text(total)}")
        else:
            self.bar.setToolTip(f"{size_text(done)} received")

    def _ended(self) -> None:
        self.task = None
        self.hide()
