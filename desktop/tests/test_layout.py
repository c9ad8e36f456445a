"""Every screen at a small laptop's size (1024x640) and a full-HD monitor's (1920x1080): no
button or label shows less than its whole text, and no two widgets in a layout sit on each
other. Each screen is saved as a screenshot (under pytest's temporary directory) to look at.
"""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedLayout,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QWidget,
)

from hms_desktop.modules import MODULES
from hms_desktop.widgets.list_page import ListPage

from .conftest import sign_in, wait_idle

SIZES = {"small": (1024, 640), "large": (1920, 1080)}
# Between them these roles open every module; each sees its own toolbar actions.
ROLES = ("admin", "receptionist", "nurse", "pharmacist", "lab_technician", "radiologist")
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


@pytest.fixture
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("desktop-screens")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_every_screen_shows_all_its_text(qtbot, hms, screenshots, role, size):
    window = sign_in(qtbot, hms, role)
    width, height = SIZES[size]
    window.resize(width, height)
    window.show()
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    found = []
    for key in window.module_keys():
        page = window.open_module(key)
        wait_idle(qtbot, hms)
        QApplication.processEvents()
        window.grab().save(str(screenshots / f"{role}-{key}-{size}.png"))
        found += [f"{key}: {problem}" for problem in problems(window)]
        if isinstance(page, ListPage):
            assert page.toolbar.geometry().width() <= page.width(), key
    assert not found, f"{role} at {width}x{height}:\n" + "\n".join(found)


def test_the_roles_tried_open_every_module(qtbot, hms):
    opened = set()
    for role in ROLES:
        opened |= set(sign_in(qtbot, hms, role).module_keys())
    assert opened == {module.key for module in MODULES}


def test_the_checks_see_a_clipped_button_and_an_overlap(qtbot):
    """The checks themselves: a button narrower than its text, and two widgets forced onto
    each other by a row too narrow for their minimum widths, are both reported."""
    root = QWidget()
    qtbot.addWidget(root)
    row = QHBoxLayout(root)
    clipped = QPushButton("Wards & beds and more")
    clipped.setFixedWidth(60)
    wide = QLabel("A label that wants a good deal of room")
    wide.setMinimumWidth(300)
    other = QLabel("Another")
    other.setMinimumWidth(300)
    row.addWidget(clipped)
    row.addWidget(wide)
    row.addWidget(other)
    root.resize(400, 60)
    root.show()
    qtbot.waitExposed(root)
    found = problems(root)
    assert any("Wards" in p for p in found), found
    assert any("overlaps" in p for p in found), found
