"""Form dialogs that call the API on Save and stay open, input intact, when it fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.errors import ServerUnreachable
from hms_desktop.widgets.forms import FieldBox, FormErrors, add_row
from hms_desktop.widgets.page import Page, button

UNREACHABLE_KEPT = "The server could not be reached. What you typed is kept: save again."


class FormDialog(QDialog):
    """A form dialog that calls the API on Save and stays open (input intact) on errors."""

    saved = Signal(object)

    def __init__(self, page: Page, title: str, heading: str, parent: QWidget | None = None):
        super().__init__(parent or page)
        self.page = page
        self.ctx = page.ctx
        self.setWindowTitle(title)
        self.body = QVBoxLayout(self)
        # The layout owns the minimum size, so the dialog grows when error lines appear under
        # the fields instead of squeezing the inputs; a spacer holds the minimum width.
        self.body.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.body.setContentsMargins(24, 20, 24, 18)
        self.body.setSpacing(10)
        head = QLabel(heading)
        head.setObjectName("sectionTitle")
        self.body.addWidget(head)
        self.errors = FormErrors(QLabel())
        self.body.addWidget(self.errors.general)
        self.form = QFormLayout()
        self.form.setVerticalSpacing(6)
        self.form.setHorizontalSpacing(14)
        self.body.addLayout(self.form)
        self._width = QSpacerItem(0, 0)
        self.body.addItem(self._width)
        self.setMinimumWidth(520)
        self.save_button = button("Save", primary=True, name="dialogSave")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button = button("Cancel", name="dialogCancel")
        self.cancel_button.clicked.connect(self.reject)
        self.result_value: Any = None

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            # Wrapped labels are not in the layout's minimum size; grow to show everything.
            wanted = self.sizeHint().height()
            if self.height() < wanted:
                self.resize(self.width(), wanted)
        return handled

    def setMinimumWidth(self, width: int) -> None:
        margins = self.body.contentsMargins()
        inner = max(0, width - margins.left() - margins.right())
        self._width.changeSize(inner, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.body.invalidate()

    def add_note(self, label: QLabel, *, muted: bool = False, at: int = 1) -> QLabel:
        """Show `label` as a wrapped note under the heading (`at`: its place in the body)."""
        if muted:
            label.setObjectName("muted")
        label.setWordWrap(True)
        self.body.insertWidget(at, label)
        return label

    def save_as(self, text: str, *, danger: bool = False) -> None:
        """Name the save button; a `danger` one (voiding, refunding) is red, not primary."""
        self.save_button.setText(text)
        if danger:
            self.save_button.setProperty("primary", False)
            self.save_button.setProperty("danger", True)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        self.body.addLayout(row)

    def field(
        self,
        name: str,
        label: str,
        editor: QWidget,
        hint: str = "",
        *,
        form: QFormLayout | None = None,
    ) -> FieldBox:
        box = FieldBox(editor, hint=hint)
        return self.errors.add(name, add_row(form or self.form, label, box))

    def call(self, fn, *, on_error=None) -> None:
        self.errors.clear()
        self.ctx.runner.run(
            fn,
            on_done=self._done,
            on_error=on_error or self.errors.show,
            on_unreachable=self._unreachable,
            busy=[self.save_button],
            owner=self,
        )

    def _unreachable(self, exc: ServerUnreachable) -> None:
        self.errors.show_message(UNREACHABLE_KEPT)

    def _done(self, value: Any) -> None:
        self.result_value = value
        self.saved.emit(value)
        self.accept()

    def submit(self) -> None:
        """Save: a dialog that sends something overrides this with its API call; one that
        only shows something closes."""
        self.accept()


class ReasonDialog(FormDialog):
    """A step that is not undone (cancel, void), taken with a reason: nothing is deleted and the
    record keeps the reason. `send(reason)` makes the API call, off the UI thread."""

    def __init__(
        self,
        page: Page,
        title: str,
        heading: str,
        *,
        action: str,
        send: Callable[[str], Any],
        note: str = "",
        placeholder: str = "",
        name: str = "cancelReason",
        height: int = 70,
        keep: str = "Keep it",
    ) -> None:
        super().__init__(page, title, heading)
        self.send = send
        if note:
            label = QLabel(note)
            self.add_note(label)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName(name)
        self.reason.setPlaceholderText(placeholder)
        self.reason.setFixedHeight(height)
        self.field("reason", "Reason", self.reason)
        self.save_as(action, danger=True)
        if keep:
            self.cancel_button.setText(keep)
        self.finish_layout()

    def submit(self) -> None:
        send, reason = self.send, self.reason.toPlainText().strip()
        self.call(lambda: send(reason))
