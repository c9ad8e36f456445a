"""What every screen has: a context, a page layout with a message banner, a way to call the
API; and the buttons screens are built from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from hms_desktop.api.errors import ApiError
from hms_desktop.context import AppContext
from hms_desktop.widgets.banner import Banner
from hms_desktop.workers import Task


class Page(QWidget):
    title = ""
    intro = ""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(24, 18, 24, 18)
        self.outer.setSpacing(12)
        if self.intro:
            intro = QLabel(self.intro)
            intro.setObjectName("pageIntro")
            intro.setWordWrap(True)
            self.outer.addWidget(intro)
        self.banner = Banner()
        self.outer.addWidget(self.banner)

    def activated(self) -> None:
        """Called every time the page is shown."""

    def run(self, fn: Callable[[], Any], **kwargs: Any) -> Task:
        return self.ctx.runner.run(fn, owner=self, **kwargs)

    def show_error(self, exc: Exception) -> None:
        message = exc.message if isinstance(exc, ApiError) else f"Unexpected error: {exc}"
        self.banner.show_message(message, kind="error")

    def _open(self, dialog: QDialog, on_saved: Callable[[Any], None]) -> QDialog:
        """Open a page's dialog (non-modal to tests, modal to the user) and call `on_saved`
        with what it saved; `self.dialog` is the open one, for tests and re-entry."""
        self.dialog = dialog
        dialog.saved.connect(on_saved)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def show_success(self, message: str) -> None:
        self.banner.show_message(message, kind="success")


def button(
    text: str, *, primary: bool = False, danger: bool = False, name: str = ""
) -> QPushButton:
    widget = QPushButton(text)
    if primary:
        widget.setProperty("primary", True)
    if danger:
        widget.setProperty("danger", True)
    if name:
        widget.setObjectName(name)
    return widget
