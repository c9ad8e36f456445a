"""Every screen at a small laptop's size (1024x640) and a full-HD monitor's (1920x1080): no
button or label shows less than its whole text, and no two widgets in a layout sit on each
other. Each screen is saved as a screenshot (under pytest's temporary directory) to look at.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

from hms_desktop.modules import MODULES
from hms_desktop.widgets.list_page import ListPage
from hms_desktop.widgets.page import Page

from .conftest import sign_in, wait_idle
from .layout_checks import problems

SIZES = {"small": (1024, 640), "large": (1920, 1080)}
# Between them these roles open every module; each sees its own toolbar actions.
ROLES = ("admin", "receptionist", "nurse", "pharmacist", "lab_technician", "radiologist")


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
    root.setFixedSize(400, 60)  # the window cannot grow to make room
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
    root.show()
    qtbot.waitExposed(root)
    found = problems(root)
    assert any("Wards" in p for p in found), found
    assert any("overlaps" in p for p in found), found


@pytest.mark.parametrize("role", ("admin", "receptionist", "pharmacist"))
def test_each_screens_new_dialog_shows_all_its_text(qtbot, hms, screenshots, role):
    """The dialog each screen's "new" action opens (Ctrl+N), on the small screen."""
    window = sign_in(qtbot, hms, role)
    window.resize(*SIZES["small"])
    window.show()
    found, opened = [], []
    for key in window.module_keys():
        page = window.open_module(key)
        wait_idle(qtbot, hms)
        if not (isinstance(page, Page) and page.press_shortcut("new")):
            continue
        dialog = page.dialog
        assert dialog is not None and dialog.isVisible(), key
        wait_idle(qtbot, hms)
        QApplication.processEvents()
        opened.append(key)
        dialog.grab().save(str(screenshots / f"{role}-{key}-new-dialog.png"))
        found += [f"{key}: {problem}" for problem in problems(dialog)]
        dialog.reject()
        wait_idle(qtbot, hms)
    assert opened, f"{role} has no screen with a new action"
    assert not found, f"{role}'s dialogs:\n" + "\n".join(found)
