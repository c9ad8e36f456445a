"""The keys staff expect on every screen: Ctrl+F to the search box, F5 to refresh, Ctrl+N for
the screen's "new" action, Ctrl+P to print or save a PDF; named in the controls' tooltips."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QStackedWidget

from hms_desktop.views.patients import PatientFormDialog
from hms_desktop.widgets import page as page_base
from hms_desktop.widgets.page import Page

from .conftest import make_patient, sign_in, wait_idle

CTRL = Qt.KeyboardModifier.ControlModifier


def shown_active(qtbot, window) -> None:
    """The window shown and active, as the one the user is working in."""
    window.show()
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def press(qtbot, window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed in `window` (made the active one), where the user's focus is."""
    shown_active(qtbot, window)
    focus = QApplication.focusWidget()
    QTest.keyClick(
        focus if focus is not None and focus.window() is window else window, key, modifier
    )
    QApplication.processEvents()


class Screen(Page):
    """A screen with a search box, a refresh and a "new" button."""

    def __init__(self) -> None:
        super().__init__(ctx=None)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name")
        self.refresh_button = QPushButton("Refresh")
        self.new_button = QPushButton("New ward…")
        self.new_button.setToolTip("Add a ward")
        for widget in (self.search, self.refresh_button, self.new_button):
            self.outer.addWidget(widget)
        self.bind_shortcuts(search=self.search, refresh=self.refresh_button, new=self.new_button)
        self.pressed: list[str] = []
        self.refresh_button.clicked.connect(lambda: self.pressed.append("refresh"))
        self.new_button.clicked.connect(lambda: self.pressed.append("new"))


@pytest.fixture
def screens(qtbot):
    """Two screens in a stack, as the main window holds them; the first is shown."""
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    first, second = Screen(), Screen()
    stack.addWidget(first)
    stack.addWidget(second)
    stack.resize(600, 300)
    shown_active(qtbot, stack)
    return stack, first, second


def test_keys_reach_the_shown_screens_controls(qtbot, screens):
    stack, first, second = screens
    first.refresh_button.setFocus()
    press(qtbot, stack, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is first.search
    press(qtbot, stack, Qt.Key.Key_F5)
    press(qtbot, stack, Qt.Key.Key_N, CTRL)
    assert first.pressed == ["refresh", "new"]
    assert second.pressed == []  # a screen not shown does not hear its keys
    stack.setCurrentWidget(second)
    press(qtbot, stack, Qt.Key.Key_N, CTRL)
    assert (first.pressed, second.pressed) == (["refresh", "new"], ["new"])


def test_a_hidden_or_disabled_action_is_not_pressed(qtbot, screens):
    stack, first, _second = screens
    first.new_button.setEnabled(False)  # e.g. busy, or nothing selected
    press(qtbot, stack, Qt.Key.Key_N, CTRL)
    first.new_button.setEnabled(True)
    first.new_button.hide()  # e.g. a role that may not
    press(qtbot, stack, Qt.Key.Key_N, CTRL)
    press(qtbot, stack, Qt.Key.Key_P, CTRL)  # this screen prints nothing
    assert first.pressed == []
    assert first.press_shortcut("new") is False


def test_tooltips_name_the_keys(qtbot, screens):
    _stack, first, _second = screens
    assert first.search.toolTip() == "Search name (Ctrl+F)"
    assert first.refresh_button.toolTip() == "Refresh (F5)"
    assert first.new_button.toolTip() == "Add a ward (Ctrl+N)"
    first.bind_shortcuts(new=first.new_button)  # bound again: the key is named once
    assert first.new_button.toolTip() == "Add a ward (Ctrl+N)"
    with pytest.raises(KeyError):
        first.bind_shortcuts(save=first.new_button)


def test_the_front_desk_registers_refreshes_and_searches_from_the_keyboard(qtbot, hms):
    window = sign_in(qtbot, hms, "receptionist")
    window.resize(1280, 800)
    shown_active(qtbot, window)
    page = window.open_module("patients")
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    assert "(Ctrl+N)" in page.register_button.toolTip()
    assert "(F5)" in page.refresh_button.toolTip()

    page.table.setFocus()
    press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is page.search, QApplication.focusWidget()
    with qtbot.waitSignal(page.refresh_button.clicked, timeout=2_000):
        press(qtbot, window, Qt.Key.Key_F5)
    wait_idle(qtbot, hms)
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    assert isinstance(page.dialog, PatientFormDialog)
    page.dialog.reject()

    appointments = window.open_module("appointments")
    wait_idle(qtbot, hms)
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    assert appointments.dialog is not None and appointments.dialog.isVisible()
    appointments.dialog.reject()
    wait_idle(qtbot, hms)


def test_ctrl_p_saves_the_selected_invoice_as_a_pdf(qtbot, hms, api_as, monkeypatch, tmp_path):
    desk = api_as("receptionist")
    patient = make_patient(desk)
    tariff = api_as("accountant").billing.tariffs(page_size=1).results[0]
    desk.billing.add_charge(patient=patient.id, tariff_code=tariff.code, reason="Front desk")
    invoice = desk.billing.create_invoice(patient=patient.id)
    saved_as = tmp_path / "invoice.pdf"
    # Every screen's print button asks where to save through the page base class, then opens
    # the PDF in the system's viewer (not on a test machine).
    monkeypatch.setattr(
        page_base.QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *_args, **_kwargs: (str(saved_as), "PDF (*.pdf)")),
    )
    monkeypatch.setattr(page_base.QDesktopServices, "openUrl", staticmethod(lambda _url: True))
    window = sign_in(qtbot, hms, "receptionist")
    window.resize(1280, 800)
    shown_active(qtbot, window)
    page = window.open_module("billing")
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    press(qtbot, window, Qt.Key.Key_P, CTRL)  # nothing selected: nothing to print
    assert not saved_as.exists()
    page.show_invoice(invoice)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == invoice.id, timeout=10_000
    )
    assert "(Ctrl+P)" in page.details.pdf_button.toolTip()
    press(qtbot, window, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(saved_as.exists, timeout=10_000)
    assert Path(saved_as).read_bytes().startswith(b"%PDF")
