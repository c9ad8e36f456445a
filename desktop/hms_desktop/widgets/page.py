"""What every screen has: a context, a page layout with a message banner, a way to call the
API, the keyboard shortcuts staff expect on every screen; and the buttons screens are built
from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.errors import ApiError
from hms_desktop.context import AppContext
from hms_desktop.widgets.banner import Banner
from hms_desktop.workers import Task

# The same keys on every screen: what each does, and the key.
SHORTCUT_KEYS = {
    "search": "Ctrl+F",  # put the cursor in the search box
    "refresh": "F5",  # load the list again
    "new": "Ctrl+N",  # the screen's "new …" action
    "print": "Ctrl+P",  # print, or save the selected record as a PDF
}


def shortcut_text(name: str) -> str:
    """The key for `name` as this platform writes it (Ctrl+F, or ⌘F on a Mac)."""
    return QKeySequence(SHORTCUT_KEYS[name]).toString(QKeySequence.SequenceFormat.NativeText)


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
        self.shortcuts: dict[str, QShortcut] = {}
        self.shortcut_targets: dict[str, QWidget] = {}

    def bind_shortcuts(self, **targets: QWidget | None) -> None:
        """Give the screen's controls the keys staff expect (`SHORTCUT_KEYS`: search, refresh,
        new, print), e.g. `bind_shortcuts(new=self.new_button)`. A key puts the cursor in its
        search box, or presses its button when the button is shown and enabled (so a role that
        may not, or a row not yet selected, is respected); the control's tooltip names the key.
        The keys work while the screen is the one shown and no dialog is open over it."""
        for name, widget in targets.items():
            if name not in SHORTCUT_KEYS:
                raise KeyError(f"no shortcut called {name!r}")
            if widget is None:
                continue
            if name not in self.shortcuts:
                shortcut = QShortcut(QKeySequence(SHORTCUT_KEYS[name]), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(lambda name=name: self.press_shortcut(name))
                self.shortcuts[name] = shortcut
            self.shortcut_targets[name] = widget
            _name_key_in_tooltip(widget, shortcut_text(name))

    def press_shortcut(self, name: str) -> bool:
        """Do what the key `name` does on this screen; False when it does nothing here now."""
        widget = self.shortcut_targets.get(name)
        if widget is None or not widget.isVisible() or not widget.isEnabled():
            return False
        if isinstance(widget, QLineEdit):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            widget.selectAll()
        elif isinstance(widget, QAbstractButton):
            widget.click()
        else:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

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

    # --- PDFs the server prints -----------------------------------------------------------

    def print_source(self) -> tuple[str, Callable[[], bytes], QWidget] | None:
        """The page's printable document for its selection: (file name, fetch, the button
        that prints it), or None. Pages with a print button override it."""
        return None

    def choose_print_pdf(self) -> None:
        """The print button: save the selection's PDF where the user says, then open it."""
        source = self.print_source()
        if source is not None:
            name, fetch, widget = source
            self.choose_and_save_pdf(fetch, name, busy=[widget])

    def save_print_pdf(self, path: Path) -> Task | None:
        """Save the selection's PDF to `path` (what the print button does, without asking)."""
        source = self.print_source()
        if source is None:
            return None
        _name, fetch, widget = source
        return self.save_pdf_to(fetch, path, busy=[widget])

    def choose_and_save_pdf(
        self, fetch: Callable[[], bytes], name: str, *, busy: Sequence[QWidget] = ()
    ) -> None:
        """Ask where to save `name`, fetch the PDF off the UI thread, save it and open it in
        the system's PDF viewer (to print)."""
        path, _filter = QFileDialog.getSaveFileName(self, "Save PDF", name, "PDF (*.pdf)")
        if path:
            self.save_pdf_to(fetch, Path(path), busy=busy, open_after=True)

    def save_pdf_to(
        self,
        fetch: Callable[[], bytes],
        path: Path,
        *,
        busy: Sequence[QWidget] = (),
        open_after: bool = False,
    ) -> Task:
        return self.run(
            fetch,
            on_done=lambda data: self._pdf_saved(path, data, open_after=open_after),
            on_error=self.show_error,
            busy=list(busy),
        )

    def _pdf_saved(self, path: Path, data: bytes, *, open_after: bool = False) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            self.banner.show_message(f"Could not save {path}: {exc}", kind="error")
            return
        self.last_pdf = path
        self.show_success(f"Saved {path.name} ({len(data) // 1024 + 1} KB) in {path.parent}.")
        if open_after:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


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


def _name_key_in_tooltip(widget: QWidget, key: str) -> None:
    """ "Refresh (F5)": the tooltip (or, without one, the button's text or the search box's
    placeholder) followed by the key, once."""
    tip = widget.toolTip()
    if key in tip:
        return
    if not tip:
        if isinstance(widget, QAbstractButton):
            tip = widget.text().replace("&&", "&").rstrip("…").strip()
        elif isinstance(widget, QLineEdit):
            tip = widget.placeholderText() or "Search"
    widget.setToolTip(f"{tip} ({key})" if tip else key)
