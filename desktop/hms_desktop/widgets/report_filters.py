"""The filter bar of reports and dashboards: a date range, and the ward, department, doctor and
insurer choices a report accepts (only those are shown).

The choices come from the existing lists (wards, the doctors' directory; departments are the
doctors' own), read once off the UI thread. A role that may not list wards sees "All wards"
only. The server's field errors (400 naming `date_to`, `ward`, ...) show under the field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QFrame, QLabel, QVBoxLayout, QWidget

from hms_desktop.api import Api
from hms_desktop.api.dto import REPORT_FILTERS, ReportFilterValues
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources.base import ONE_PAGE
from hms_desktop.context import AppContext
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.forms import FieldBox, FormErrors, combo, line_edit

DEFAULT_DAYS = 30  # the server's default too: the 30 days ending today

LABELS = {
    "date_from": "From",
    "date_to": "To",
    "ward": "Ward",
    "department": "Department",
    "doctor": "Doctor",
    "payer": "Insurer",
}


def date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumWidth(130)
    return edit


def read_choices(api: Api, may_list_wards: bool) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices of the ward, department and doctor filters (off the UI thread)."""
    wards: list[tuple[str, str]] = []
    if may_list_wards:
        wards = [(w.id, w.name) for w in api.inpatient.wards(page_size=ONE_PAGE).results]
    doctors = []
    page: int | None = 1
    while page is not None:
        answer = api.doctors.list(page=page, page_size=ONE_PAGE)
        doctors += answer.results
        page = answer.next_page
    departments = sorted({d.department for d in doctors if d.department})
    return {
        "ward": wards,
        "department": [(name, name) for name in departments],
        "doctor": sorted(((d.id, d.display_name) for d in doctors), key=lambda c: c[1]),
    }


class ReportFilterBar(QFrame):
    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(6)
        self.row = FlowLayout(spacing=12, row_spacing=8)
        outer.addLayout(self.row)
        self.errors = FormErrors(QLabel())
        outer.addWidget(self.errors.general)
        today = QDate.currentDate().toPython()
        self.date_from = date_edit(today - timedelta(days=DEFAULT_DAYS - 1))
        self.date_to = date_edit(today)
        self.may_list_wards = ctx.capabilities.may("wards", "list")
        self.ward = combo([("", "All wards")])
        if not self.may_list_wards:
            self.ward.setToolTip("Your role does not list wards: the report covers them all.")
        self.department = combo([("", "All departments")])
        self.doctor = combo([("", "All doctors")])
        self.payer = line_edit("Any insurer")
        self.payer.setMinimumWidth(160)
        for box in (self.ward, self.department, self.doctor):
            box.setMinimumWidth(170)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.editors: dict[str, QWidget] = {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "ward": self.ward,
            "department": self.department,
            "doctor": self.doctor,
            "payer": self.payer,
        }
        self.cells: dict[str, QWidget] = {}
        for name in REPORT_FILTERS:
            cell = QWidget()
            cell.setObjectName(f"filter-{name}")
            layout = QVBoxLayout(cell)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(2)
            caption = QLabel(LABELS[name])
            caption.setObjectName("fieldLabel")
            layout.addWidget(caption)
            layout.addWidget(self.errors.add(name, FieldBox(self.editors[name])))
            self.cells[name] = cell
            self.row.addWidget(cell)
        self.row.addStretch(1)
        self.choices_loaded = False
        self.accepted: tuple[str, ...] = REPORT_FILTERS

    def add_action(self, widget: QWidget) -> None:
        """A button at the right end of the bar (Run, Export, Save PDF)."""
        self.row.addWidget(widget)

    def show_only(self, accepted: list[str] | tuple[str, ...]) -> None:
        """Show the filters a report accepts, hide the rest (their values are not sent)."""
        self.accepted = tuple(name for name in REPORT_FILTERS if name in accepted)
        for name, cell in self.cells.items():
            cell.setVisible(name in self.accepted)
        self.errors.clear()

    def values(self) -> dict[str, Any]:
        """The accepted filters as the API takes them (empty choices left out)."""
        values: dict[str, Any] = {}
        for name in self.accepted:
            editor = self.editors[name]
            if isinstance(editor, QDateEdit):
                values[name] = editor.date().toPython()
            elif isinstance(editor, QComboBox):
                if editor.currentData():
                    values[name] = editor.currentData()
            elif editor.text().strip():
                values[name] = editor.text().strip()
        return values

    def set_dates(self, date_from: date, date_to: date) -> None:
        self.date_from.setDate(QDate(date_from.year, date_from.month, date_from.day))
        self.date_to.setDate(QDate(date_to.year, date_to.month, date_to.day))

    def select(self, name: str, value: str) -> bool:
        """Choose `value` in the ward, department or doctor list; False when not offered."""
        box = self.editors[name]
        assert isinstance(box, QComboBox)
        index = box.findData(value)
        if index < 0:
            return False
        box.setCurrentIndex(index)
        return True

    def applied(self, filters: ReportFilterValues) -> None:
        """Show the range the server used (its defaults fill what was not sent)."""
        if filters.date_from and filters.date_to:
            self.set_dates(filters.date_from, filters.date_to)

    def show_error(self, exc: Exception) -> bool:
        """Field errors under their fields; True when the error was one of those."""
        if isinstance(exc, ApiError) and exc.fields:
            self.errors.show(exc)
            return True
        return False

    # --- choices ---------------------------------------------------------------------------

    def load_choices(self, run) -> None:
        """Read the lists once; `run` is the page's `run` (off the UI thread)."""
        if self.choices_loaded:
            return
        self.choices_loaded = True
        api, may_list_wards = self.ctx.api, self.may_list_wards
        run(
            lambda: read_choices(api, may_list_wards),
            on_done=self._fill_choices,
            on_error=self._choices_failed,
        )

    def _fill_choices(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        for name, items in choices.items():
            box = self.editors[name]
            assert isinstance(box, QComboBox)
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for value, label in items:
                box.addItem(label, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)

    def _choices_failed(self, exc: Exception) -> None:
        self.choices_loaded = False  # try again next time the screen is shown
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        self.errors.show_message(f"Could not load the ward and doctor lists: {message}")
