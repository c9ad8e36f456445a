"""Laboratory (lab technician): the worklist (STAT first), specimen collection, result entry
with live flagging, and verification by a second person.

While a value is typed, its flag is worked out here from the reference range for the patient's
sex and age (lab_flags); once saved, the server's flag is the one recorded and shown.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hms_desktop import theme
from hms_desktop.api.dto import (
    CRITICAL_LAB_FLAGS,
    LAB_FLAGS,
    LAB_PRIORITIES,
    LabOrder,
    LabPatient,
    LabResult,
    LabTest,
)
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.lab_flags import Applied, preview_flag, select_range
from hms_desktop.models.lab import (
    FLAG_COLOURS,
    FLAG_SYMBOLS,
    LAB_STATUS_COLOURS,
    PRIORITY_COLOURS,
    LabOrdersModel,
    LabResultsModel,
)
from hms_desktop.models.patients import SEX_LABELS
from hms_desktop.views.base import Page, button
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import FieldBox, combo, line_edit
from hms_desktop.widgets.table import DataTable, TablePanel
from hms_desktop.workers import is_busy

STATUS_FILTERS = [
    ("open", "Open orders"),
    ("ordered", "Waiting for the specimen"),
    ("specimen_collected,in_progress", "In the lab"),
    ("resulted", "To verify"),
    ("verified", "Verified"),
    ("cancelled", "Cancelled"),
    ("", "Everything"),
]
FLAG_BACKGROUNDS = {
    "normal": theme.SUCCESS_LIGHT,
    "low": theme.WARNING_LIGHT,
    "high": theme.WARNING_LIGHT,
    "abnormal": theme.WARNING_LIGHT,
    "critical_low": theme.DANGER,
    "critical_high": theme.DANGER,
    "": theme.BACKGROUND,
}
_ROW_ERROR = re.compile(r"^(\d+): (\w+): (.*)$")


def patient_line(patient: LabPatient, on: date | None = None) -> str:
    parts = [patient.name, patient.mrn, SEX_LABELS.get(patient.sex, patient.sex or "sex unknown")]
    if patient.date_of_birth:
        on = on or date.today()
        born = patient.date_of_birth
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        parts.append(f"{years} y (born {born.isoformat()})")
    else:
        parts.append("date of birth unknown")
    return " · ".join(p for p in parts if p)


def flag_label(flag: str | None) -> str:
    if flag is None:
        return ""
    symbol = FLAG_SYMBOLS.get(flag, "")
    return f"{symbol} {LAB_FLAGS.get(flag, flag)}".strip()


def style_flag_chip(chip: QLabel, flag: str | None) -> None:
    chip.setText(flag_label(flag))
    chip.setProperty("flag", flag or "")
    if flag is None:
        chip.setStyleSheet("background: transparent;")
        return
    critical = flag in CRITICAL_LAB_FLAGS
    background = FLAG_BACKGROUNDS.get(flag, theme.BACKGROUND)
    colour = "white" if critical else FLAG_COLOURS.get(flag, theme.MUTED)
    chip.setStyleSheet(
        f"background: {background}; color: {colour}; border-radius: 10px; padding: 2px 10px;"
        f" font-weight: {700 if critical else 600};"
    )


class AnalyteRow:
    """One analyte's inputs in the result form, with its live flag."""

    def __init__(self, test: LabTest, applied: Applied | None, current: LabResult | None) -> None:
        self.test = test
        self.applied = applied
        self.name = QLabel(
            f"<b>{test.name}</b><br><span style='color:{theme.MUTED}'>"
            f"{test.code} · LOINC {test.loinc_code}</span>"
        )
        self.value: QLineEdit | QComboBox
        if test.allowed_values:
            self.value = QComboBox()
            self.value.setEditable(True)
            self.value.addItems(["", *test.allowed_values])
            self.value.setMinimumWidth(150)
            self.value.currentTextChanged.connect(lambda _t: self.update_flag())
        else:
            self.value = QLineEdit()
            self.value.setPlaceholderText("e.g. 6.5 or <0.01")
            self.value.setMaximumWidth(150)
            self.value.textChanged.connect(lambda _t: self.update_flag())
        self.value.setObjectName(f"value-{test.code}")
        self.box = FieldBox(self.value)
        self.unit = QComboBox()
        self.unit.setObjectName(f"unit-{test.code}")
        for unit in test.units or [""]:
            self.unit.addItem(unit or "—", unit)
        self.unit.setEnabled(len(test.units) > 1)
        self.unit.currentIndexChanged.connect(lambda _i: self.update_flag())
        self.flag = QLabel()
        self.flag.setObjectName("flagChip")
        self.flag.setMinimumWidth(130)
        self.flag.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference = QLabel(self.reference_text())
        self.reference.setObjectName("muted")
        self.reference.setWordWrap(True)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("optional")
        if current is not None:
            self.set_text(current.value)
            index = self.unit.findData(current.unit)
            if index >= 0:
                self.unit.setCurrentIndex(index)
            self.comment.setText(current.comment)
        self.update_flag()

    def reference_text(self) -> str:
        if self.test.allowed_values:
            normal = ", ".join(self.test.normal_values)
            return (
                f"Normal: {normal}" if normal else "One of: " + ", ".join(self.test.allowed_values)
            )
        if self.applied is None or not self.applied.text:
            return "No reference range for this patient"
        text = f"{self.applied.text} {self.test.unit}".strip()
        limits = []
        if self.applied.critical_low is not None:
            limits.append(f"< {format(self.applied.critical_low.normalize(), 'f')}")
        if self.applied.critical_high is not None:
            limits.append(f"> {format(self.applied.critical_high.normalize(), 'f')}")
        if limits:
            text += f" · critical {' or '.join(limits)}"
        return text

    def text(self) -> str:
        if isinstance(self.value, QComboBox):
            return self.value.currentText().strip()
        return self.value.text().strip()

    def set_text(self, text: str) -> None:
        if isinstance(self.value, QComboBox):
            self.value.setCurrentText(text)
        else:
            self.value.setText(text)

    def unit_value(self) -> str:
        return self.unit.currentData() or ""

    def preview(self) -> str | None:
        return preview_flag(self.test, self.text(), self.unit_value(), self.applied)

    def update_flag(self) -> None:
        style_flag_chip(self.flag, self.preview())

    def payload(self) -> dict[str, str]:
        return {
            "test": self.test.code,
            "value": self.text(),
            "unit": self.unit_value(),
            "comment": self.comment.text().strip(),
        }


class ResultEntryDialog(FormDialog):
    """Enter (or, before verification, correct) an order's results."""

    def __init__(self, page: Page, order: LabOrder) -> None:
        super().__init__(page, "Enter results", f"Results · {order.test.name}")
        self.setMinimumWidth(900)
        self.order = order
        collected = order.collected_at.astimezone().date() if order.collected_at else None
        self.on = collected or date.today()
        who = QLabel(
            f"{patient_line(order.patient, self.on)}<br>"
            f"<span style='color:{theme.MUTED}'>Order {order.placer_number} · "
            f"{order.priority_display} · collected {fmt_datetime(order.collected_at)}</span>"
        )
        who.setWordWrap(True)
        self.body.insertWidget(1, who)
        hint = QLabel(
            "The flag is worked out as you type, from the reference range for this patient's "
            "sex and age; the server checks the value and unit and records its own flag."
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.body.insertWidget(2, hint)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setContentsMargins(0, 4, 0, 4)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        for col, title in enumerate(("Analyte", "Value", "Unit", "Flag", "Reference", "Comment")):
            label = QLabel(title)
            label.setObjectName("fieldLabel")
            self.grid.addWidget(label, 0, col)
        self.grid.setColumnStretch(4, 1)
        self.loading = QLabel("Loading the test's units and reference ranges…")
        self.loading.setObjectName("muted")
        self.grid.addWidget(self.loading, 1, 0, 1, 6)
        self.body.addWidget(self.grid_holder)
        self.rows: list[AnalyteRow] = []
        self.save_button.setText("Save results")
        self.finish_layout()
        lab = self.ctx.api.lab
        code = order.test.code
        self.ctx.runner.run(
            lambda: lab.analytes(code),
            on_done=self._analytes,
            on_error=self.errors.show,
            busy=[self.save_button],
            owner=self,
        )

    def _analytes(self, tests: list[LabTest]) -> None:
        self.loading.hide()
        current = {r.test.code: r for r in self.order.current_results}
        patient = self.order.patient
        for i, test in enumerate(tests, start=1):
            applied = select_range(
                self.ctx.capabilities.lab_flags,
                test.reference_ranges,
                sex=patient.sex,
                birth=patient.date_of_birth,
                on=self.on,
            )
            row = AnalyteRow(test, applied, current.get(test.code))
            self.errors.add(f"{test.code}.value", row.box)
            for col, widget in enumerate(
                (row.name, row.box, row.unit, row.flag, row.reference, row.comment)
            ):
                align = Qt.AlignmentFlag.AlignTop if col != 3 else Qt.AlignmentFlag.AlignVCenter
                self.grid.addWidget(widget, i, col, align)
            self.rows.append(row)
        if self.rows:
            self.rows[0].value.setFocus()

    def row(self, code: str) -> AnalyteRow:
        return next(r for r in self.rows if r.test.code == code)

    def submit(self) -> None:
        self.errors.clear()
        sent = [row for row in self.rows if row.text()]
        if not sent:
            self.errors.show_message("Enter at least one value.")
            return
        results = [row.payload() for row in sent]
        order_id, lab = self.order.id, self.ctx.api.lab
        self.call(
            lambda: lab.enter_results(order_id, results),
            on_error=lambda exc: self._refused(exc, sent),
        )

    def _refused(self, exc: Exception, sent: list[AnalyteRow]) -> None:
        """Put `results: {index: {value|unit: ...}}` errors on the rows they belong to."""
        if not isinstance(exc, ApiError) or "results" not in exc.fields:
            self.errors.show(exc)
            return
        placed, rest = [], []
        for message in exc.fields["results"]:
            match = _ROW_ERROR.match(message)
            if match and int(match.group(1)) < len(sent):
                placed.append((sent[int(match.group(1))], match.group(3)))
            else:
                rest.append(message)
        others = {k: v for k, v in exc.fields.items() if k != "results"}
        if rest:
            others["results"] = rest
        self.errors.show(
            ApiError(
                exc.message,
                status=exc.status,
                code=exc.code,
                fields=others,
                request_id=exc.request_id,
            )
        )
        for row, message in placed:
            row.box.set_error(message)
        if placed:
            placed[0][0].value.setFocus()


class CancelOrderDialog(FormDialog):
    def __init__(self, page: Page, order: LabOrder) -> None:
        super().__init__(page, "Cancel order", f"Cancel {order.test.name} ({order.placer_number})?")
        self.order = order
        note = QLabel("Nothing is deleted: the order stays in the record as cancelled.")
        note.setWordWrap(True)
        self.body.insertWidget(1, note)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setPlaceholderText("e.g. specimen haemolysed; a new order was placed")
        self.reason.setFixedHeight(70)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Cancel order")
        self.save_button.setProperty("primary", False)
        self.save_button.setProperty("danger", True)
        self.cancel_button.setText("Keep it")
        self.finish_layout()

    def submit(self) -> None:
        order_id, reason = self.order.id, self.reason.toPlainText().strip()
        lab = self.ctx.api.lab
        self.call(lambda: lab.cancel(order_id, reason=reason))


class LabOrderPanel(QFrame):
    """The selected order: patient, request, progress, results and the next step."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.heading = QLabel("No order selected")
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        top.addWidget(self.heading, 1)
        self.collect_button = button("Specimen collected", name="collectSpecimen")
        self.start_button = button("Start", name="startAnalysis")
        self.results_button = button("Enter results…", primary=True, name="enterResults")
        self.verify_button = button("Verify", primary=True, name="verifyResults")
        self.cancel_button = button("Cancel order…", danger=True, name="cancelOrder")
        self.actions = (
            self.collect_button,
            self.start_button,
            self.results_button,
            self.verify_button,
            self.cancel_button,
        )
        for widget in self.actions:
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.patient = QLabel()
        self.patient.setWordWrap(True)
        layout.addWidget(self.patient)
        self.request = QLabel()
        self.request.setObjectName("muted")
        self.request.setWordWrap(True)
        layout.addWidget(self.request)
        self.critical = QLabel()
        self.critical.setObjectName("banner")
        self.critical.setProperty("kind", "error")
        self.critical.setWordWrap(True)
        self.critical.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.critical)
        self.results_model = LabResultsModel(parent=self)
        self.results = DataTable()
        self.results.setModel(self.results_model)
        for column, width in {0: 220, 1: 80, 2: 80, 3: 150, 4: 110, 5: 80, 6: 120}.items():
            self.results.setColumnWidth(column, width)
        layout.addWidget(self.results, 1)
        self.progress = QLabel()
        self.progress.setObjectName("muted")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        self.show_order(None)

    def show_order(self, order: LabOrder | None) -> None:
        status = order.status if order else ""
        states = {
            self.collect_button: status == "ordered",
            self.start_button: status == "specimen_collected",
            self.results_button: status in ("specimen_collected", "in_progress", "resulted"),
            self.verify_button: status == "resulted",
            self.cancel_button: status in ("ordered", "specimen_collected", "in_progress"),
        }
        for widget, enabled in states.items():
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.results_button.setText(
            "Correct results…" if status == "resulted" else "Enter results…"
        )
        if order is None:
            self.heading.setText("No order selected")
            self.patient.setText("")
            self.request.setText("")
            self.critical.hide()
            self.results_model.set_rows([])
            self.progress.setText("")
            return
        colour = PRIORITY_COLOURS.get(order.priority, theme.MUTED)
        status_colour = LAB_STATUS_COLOURS.get(order.status, theme.TEXT)
        self.heading.setText(
            f"{order.test.name} <span style='color:{colour}'>· {order.priority_display}</span>"
        )
        self.patient.setText(
            f"<b>{patient_line(order.patient)}</b> · "
            f"<b style='color:{status_colour}'>{order.status_display}</b>"
        )
        doctor = order.ordering_doctor.name if order.ordering_doctor else "—"
        notes = f" · “{order.clinical_notes}”" if order.clinical_notes else ""
        self.request.setText(f"Order {order.placer_number} · ordered by {doctor}{notes}")
        critical = [r for r in order.current_results if r.flag in CRITICAL_LAB_FLAGS]
        if critical:
            values = "; ".join(
                f"{r.test.name} {r.value} {r.unit} ({r.flag_display.lower()})" for r in critical
            )
            self.critical.setText(f"⚠ <b>Critical:</b> {values}. Tell {doctor} now.")
            self.critical.show()
        else:
            self.critical.hide()
        self.results_model.set_rows(order.results)
        steps = [
            ("Ordered", order.ordered_at),
            ("collected", order.collected_at),
            ("started", order.started_at),
            ("resulted", order.resulted_at),
            ("verified", order.verified_at),
        ]
        text = " → ".join(f"{name} {fmt_datetime(when)}" for name, when in steps if when)
        if order.verified_by:
            text += f" by {order.verified_by.name}"
        if order.turnaround_minutes is not None:
            text += f" · turnaround {order.turnaround_minutes} min"
        if order.cancel_reason:
            text += f" · cancelled: {order.cancel_reason}"
        self.progress.setText(fmt_text(text))


class LabWorklistPage(Page):
    title = "Laboratory"
    SEARCH_DELAY_MS = 350

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.model = LabOrdersModel(ctx.runner, page_size=50, parent=self)
        self.dialog: QDialog | None = None
        self.current: LabOrder | None = None

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.search = line_edit("Order number or MRN")
        self.search.setObjectName("labSearch")
        self.search.setMinimumWidth(220)
        self.status_filter = combo(STATUS_FILTERS)
        self.status_filter.setObjectName("labStatus")
        self.status_filter.setMinimumWidth(200)
        self.priority_filter = combo([("", "Any priority"), *LAB_PRIORITIES.items()])
        self.critical_only = QCheckBox("Critical only")
        self.refresh_button = button("Refresh", name="refreshLab")
        for widget in (self.search, self.status_filter, self.priority_filter, self.critical_only):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        self.outer.addLayout(toolbar)
        self.counts = CountStrip(
            [
                ("to_collect", "Waiting for the specimen", theme.MUTED),
                ("in_lab", "In the lab", theme.INFO),
                ("to_verify", "To verify", theme.WARNING),
                ("critical", "Open with critical results", theme.DANGER),
            ]
        )
        self.outer.addWidget(self.counts)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.table_panel = TablePanel(self.model, empty_text="No order matches.")
        self.table_panel.set_column_widths(
            {0: 75, 1: 135, 2: 190, 3: 110, 5: 140, 6: 140, 7: 80}, stretch=LabOrdersModel.TEST
        )
        self.table = self.table_panel.table
        self.details = LabOrderPanel()
        splitter.addWidget(self.table_panel)
        splitter.addWidget(self.details)
        splitter.setSizes([280, 380])
        self.outer.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.priority_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.critical_only.toggled.connect(lambda _c: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.details.collect_button.clicked.connect(lambda: self._act("collect"))
        self.details.start_button.clicked.connect(lambda: self._act("start"))
        self.details.verify_button.clicked.connect(lambda: self._act("verify"))
        self.details.results_button.clicked.connect(self.open_results)
        self.details.cancel_button.clicked.connect(self.open_cancel)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.open_results())
        self.model.modelReset.connect(self._selection_changed)
        self.model.load_failed.connect(self._load_failed)
        self.model.rows_loaded.connect(self._reselect)
        self._select_after_load: str | None = None
        self._loaded = False

    # --- the worklist ---------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        status = self.status_filter.currentData() or ""
        return {
            "open": status == "open",
            "status": status if status not in ("", "open") else None,
            "priority": self.priority_filter.currentData() or None,
            "critical": self.critical_only.isChecked(),
            "q": self.search.text().strip() or None,
        }

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = self.filters()
        lab = self.ctx.api.lab
        self.model.fetch = lambda page, size: lab.worklist(page=page, page_size=size, **filters)
        self.model.reload()
        self.run(
            lambda: {
                "to_collect": lab.count(status="ordered"),
                "in_lab": lab.count(status="specimen_collected,in_progress"),
                "to_verify": lab.count(status="resulted"),
                "critical": lab.count(open=True, critical=True),
            },
            on_done=self.counts.set_counts,
            on_error=lambda _exc: None,
            retry_key="lab-counts",
        )

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        self.current = self.table.selected_row()
        self.details.show_order(self.current)

    def select_order(self, order_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == order_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _reselect(self) -> None:
        if self._select_after_load and self.select_order(self._select_after_load):
            self._select_after_load = None

    def show_order(self, order: LabOrder) -> None:
        """Find one order by its number (any status) and select it."""
        self._select_after_load = order.id
        for widget in (self.search, self.status_filter, self.priority_filter, self.critical_only):
            widget.blockSignals(True)
        self.search.setText(order.placer_number)
        self.status_filter.setCurrentIndex(self.status_filter.findData(""))
        self.priority_filter.setCurrentIndex(0)
        self.critical_only.setChecked(False)
        for widget in (self.search, self.status_filter, self.priority_filter, self.critical_only):
            widget.blockSignals(False)
        self.reload()

    # --- steps ----------------------------------------------------------------------------

    MESSAGES = {
        "collect": "Specimen for {order} recorded as collected.",
        "start": "{order} is in progress.",
        "verify": "{order} verified; the results are released to the ordering doctor.",
    }

    def _act(self, action: str) -> None:
        order = self.current
        if order is None:
            return
        call = getattr(self.ctx.api.lab, action)
        widget = getattr(self.details, f"{action}_button")
        self.banner.hide()
        self.run(
            lambda: call(order.id),
            on_done=lambda done: self._changed(done, self.MESSAGES[action]),
            on_error=self.show_error,
            busy=[widget],
        )

    def _changed(self, order: LabOrder, message: str) -> None:
        self.show_success(message.format(order=f"{order.test.name} ({order.placer_number})"))
        self._updated(order)

    def _updated(self, order: LabOrder) -> None:
        self.model.replace_row(order)
        if self.current is not None and self.current.id == order.id:
            self.current = order
            self.details.show_order(order)
        self._select_after_load = order.id
        self.reload()

    def open_results(self) -> ResultEntryDialog | None:
        if self.current is None or not self.details.results_button.isEnabled():
            return None
        dialog = ResultEntryDialog(self, self.current)
        self._open(dialog, self._resulted)
        return dialog

    def _resulted(self, order: LabOrder) -> None:
        critical = [r for r in order.current_results if r.flag in CRITICAL_LAB_FLAGS]
        saved = len([r for r in order.current_results if r.status == "pending"])
        if critical:
            doctor = order.ordering_doctor.name if order.ordering_doctor else "the doctor"
            values = "; ".join(
                f"{r.test.name} {r.value} {r.unit} ({r.flag_display.lower()})" for r in critical
            )
            self.banner.show_message(
                f"Critical result for {order.patient.name}: {values}. Tell {doctor} now; a "
                "second person verifies to release it.",
                kind="error",
            )
        else:
            self.show_success(
                f"{saved} result(s) saved for {order.patient.name}. A second person verifies "
                "them next."
            )
        self._updated(order)

    def open_cancel(self) -> CancelOrderDialog | None:
        if self.current is None:
            return None
        dialog = CancelOrderDialog(self, self.current)
        self._open(
            dialog, lambda order: self._changed(order, "{order} cancelled; nothing was deleted.")
        )
        return dialog
