"""Forms that show the server's validation errors next to the fields they belong to.

The server answers a failed save with `{"message", "fields": {"email": ["..."]}}`; `FormErrors`
puts each field's messages under its input (and outlines it), and the general message above
the form. Nothing the user typed is touched: a failed save leaves every input as it was.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.errors import ApiError
from hms_desktop.theme import repolish


class FieldBox(QWidget):
    """An input with its error line underneath."""

    def __init__(self, editor: QWidget, *, hint: str = "", parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        self.hint = QLabel(hint)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        for signal_name in ("textEdited", "currentIndexChanged", "textChanged"):
            signal = getattr(editor, signal_name, None)
            if signal is not None:
                signal.connect(self.clear_error)
                break

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        repolish(self.editor)

    def clear_error(self, *_args) -> None:
        if self.error.isVisible():
            self.set_error("")

    @property
    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() else ""


class FormErrors:
    """Maps server field names to FieldBoxes and shows an ApiError on them."""

    def __init__(self, general: QLabel, fields: dict[str, FieldBox] | None = None) -> None:
        self.general = general
        self.fields: dict[str, FieldBox] = dict(fields or {})
        self.aliases: dict[str, str] = {}
        self.general.setObjectName("formError")
        self.general.setWordWrap(True)
        self.general.hide()

    def add(self, name: str, box: FieldBox) -> FieldBox:
        self.fields[name] = box
        return box

    def alias(self, server_name: str, field_name: str) -> None:
        """Show the server's errors for `server_name` on the field called `field_name`."""
        self.aliases[server_name] = field_name

    def clear(self) -> None:
        self.general.hide()
        self.general.clear()
        for box in self.fields.values():
            box.set_error("")

    def show_message(self, message: str) -> None:
        self.general.setText(message)
        self.general.show()

    def show(self, error: Exception) -> None:
        self.clear()
        if not isinstance(error, ApiError):
            self.show_message(f"Unexpected error: {error}")
            return
        unplaced = []
        first: FieldBox | None = None
        for name, messages in error.fields.items():
            text = " ".join(messages)
            box = self.fields.get(self.aliases.get(name, name))
            if box is None:
                label = name.replace("_", " ").capitalize()
                unplaced.append(text if name == "non_field_errors" else f"{label}: {text}")
                continue
            box.set_error(text)
            first = first or box
        summary = error.message
        if unplaced:
            summary = "\n".join([summary, *unplaced])
        if error.request_id and error.status >= 500:
            summary += f"\n(Request id {error.request_id})"
        self.show_message(summary)
        if first is not None:
            first.editor.setFocus()


def add_row(form: QFormLayout, label: str, box: FieldBox) -> FieldBox:
    text = QLabel(label)
    text.setObjectName("fieldLabel")
    text.setBuddy(box.editor)
    form.addRow(text, box)
    return box


def line_edit(placeholder: str = "", *, password: bool = False, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(not password)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(260)
    return edit


def combo(choices: list[tuple[str, str]], *, current: str | None = None) -> QComboBox:
    """A combo box of (value, label) choices; the value is the item's data."""
    box = QComboBox()
    for value, label in choices:
        box.addItem(label, value)
    if current is not None:
        index = box.findData(current)
        if index >= 0:
            box.setCurrentIndex(index)
    return box


def text_of(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, QComboBox):
        return str(widget.currentData() or "")
    raise TypeError(widget)


def amount_in(
    editor: QLineEdit, box: FieldBox, *, example: str, what: str = "an amount", positive: bool
) -> Decimal | None:
    """The money typed in `editor` ("1,250.00" reads as 1250.00), or None after saying under
    `box` why it is not an amount: not a number, not finite, negative, or zero where
    `positive` asks for more."""
    try:
        amount = Decimal(editor.text().strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        box.set_error(f"Enter {what}, e.g. {example}")
        return None
    if amount < 0 or (positive and amount == 0):
        box.set_error(
            "The amount must be more than zero." if positive else "It cannot be negative."
        )
        return None
    return amount
