"""What the layout tests check on a rendered window: every button and one-line label shows its
whole text, and no two widgets of a layout sit on each other."""

from __future__ import annotations

import re
from itertools import combinations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLayout,
    QPushButton,
    QStackedLayout,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QWidget,
)

_MNEMONIC = re.compile(r"&(.)")


def shown_text(button: QAbstractButton) -> str:
    """The text as drawn: "&&" shows as "&", a single "&" marks a mnemonic and is not drawn."""
    return _MNEMONIC.sub(r"\1", button.text()).strip()


def text_room(button: QAbstractButton) -> int:
    """The width a button has for its text: its contents rectangle (inside the border and the
    stylesheet's padding) less the icon and the gap after it."""
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        rect = button.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, button
        )
    else:
        rect = button.contentsRect()
    room = rect.width()
    if not button.icon().isNull():
        room -= button.iconSize().width() + 4
    return room


def clipped_buttons(root: QWidget) -> list[str]:
    found = []
    for button in root.findChildren(QAbstractButton):
        if not isinstance(button, (QPushButton, QToolButton)) or not button.isVisibleTo(root):
            continue
        text = shown_text(button)
        if not text:
            continue
        needed = button.fontMetrics().horizontalAdvance(text)
        room = text_room(button)
        if needed > room:
            found.append(f"button {text!r} needs {needed} px, has {room}")
    return found


def clipped_labels(root: QWidget) -> list[str]:
    """Labels on one line narrower than their text (a wrapped label grows down instead)."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or label.wordWrap() or not label.text():
            continue
        if label.pixmap() is not None and not label.pixmap().isNull():
            continue
        needed = label.minimumSizeHint().width()
        if label.width() < needed:
            found.append(f"label {label.text()[:60]!r} needs {needed} px, has {label.width()}")
    return found


def overlapping(root: QWidget) -> list[str]:
    """Widgets of one layout whose rectangles intersect (a layout given less room than its
    widgets' minimum sizes stacks them on each other)."""
    found = []
    for layout in root.findChildren(QLayout):
        if isinstance(layout, QStackedLayout):
            continue
        widgets = []
        for i in range(layout.count()):
            widget = layout.itemAt(i).widget()
            if widget is not None and widget.isVisibleTo(root):
                widgets.append(widget)
        for a, b in combinations(widgets, 2):
            overlap: QRect = a.geometry().intersected(b.geometry())
            if overlap.width() > 0 and overlap.height() > 0:
                found.append(f"{describe(a)} overlaps {describe(b)} by {overlap.width()} px")
    return found


def describe(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    label = text() if callable(text) else ""
    return f"{type(widget).__name__}({widget.objectName() or label[:30]!r})"


def problems(root: QWidget) -> list[str]:
    QApplication.processEvents()
    return clipped_buttons(root) + clipped_labels(root) + overlapping(root)
