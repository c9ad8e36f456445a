"""The day switcher of day-sheet screens (the appointments queue, the medication round):
the day before and after the one shown, yesterday / today / tomorrow, and any date from a
calendar. Days are the hospital's: a workstation runs in the hospital's time zone, so the
local date is the hospital's date.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QPushButton, QWidget

from hms_desktop.widgets.page import button


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DaySwitcher(QWidget):
    """`day_changed(date)` whenever the day shown changes (once per change)."""

    day_changed = Signal(object)

    QUICK_DAYS = (
        ("Yesterday", -1, "yesterday"),
        ("Today", 0, "today"),
        ("Tomorrow", 1, "tomorrow"),
    )

    def __init__(self, *, prefix: str = "", parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.previous_day = button("◀", name=f"{prefix}previousDay")
        self.previous_day.setToolTip("Previous day")
        _fit_arrow(self.previous_day)
        self.picker = QDateEdit(QDate.currentDate())
        self.picker.setObjectName(f"{prefix}dayPicker")
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("ddd d MMM yyyy")
        self.picker.setMinimumWidth(150)
        self.next_day = button("▶", name=f"{prefix}nextDay")
        self.next_day.setToolTip("Next day")
        _fit_arrow(self.next_day)
        self.quick: dict[int, QPushButton] = {}
        layout.addWidget(self.previous_day)
        layout.addWidget(self.picker)
        layout.addWidget(self.next_day)
        for label, offset, name in self.QUICK_DAYS:
            widget = button(label, name=f"{prefix}{name}")
            widget.setCheckable(True)
            widget.clicked.connect(lambda _checked=False, o=offset: self.go_relative(o))
            self.quick[offset] = widget
            layout.addWidget(widget)
        self.previous_day.clicked.connect(
            lambda: self.picker.setDate(self.picker.date().addDays(-1))
        )
        self.next_day.clicked.connect(lambda: self.picker.setDate(self.picker.date().addDays(1)))
        self.picker.dateChanged.connect(self._changed)
        self._mark_quick()

    @staticmethod
    def today() -> date:
        return pydate(QDate.currentDate())

    def day(self) -> date:
        return pydate(self.picker.date())

    def set_day(self, value: date) -> None:
        """Show `value` (emits `day_changed` when it is another day)."""
        self.picker.setDate(qdate(value))
        self._mark_quick()

    def go_relative(self, offset: int) -> None:
        """Yesterday (-1), today (0) or tomorrow (1), counted from today's date now."""
        self.set_day(pydate(QDate.currentDate().addDays(offset)))

    def is_today(self) -> bool:
        return self.picker.date() == QDate.currentDate()

    def _changed(self, _value: QDate) -> None:
        self._mark_quick()
        self.day_changed.emit(self.day())

    def _mark_quick(self) -> None:
        offset = QDate.currentDate().daysTo(self.picker.date())
        for days, widget in self.quick.items():
            widget.setChecked(days == offset)


def _fit_arrow(arrow: QPushButton) -> None:
    """A narrow arrow button, yet wide enough for its glyph inside the theme's padding."""
    glyph = arrow.fontMetrics().horizontalAdvance(arrow.text())
    arrow.setStyleSheet("padding-left: 8px; padding-right: 8px;")
    arrow.setFixedWidth(max(36, glyph + 2 * 8 + 2 + 8))
