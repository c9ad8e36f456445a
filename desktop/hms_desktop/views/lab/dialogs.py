"""The laboratory's dialogs: result entry with live flagging, and cancelling an order; and the
helpers the page shares with them (the patient line, flag chips).

While a value is typed, its flag is worked out here from the reference range for the patient's
sex and age (lab_flags, by the rules the server sends); once saved, the server's flag is the
one recorded and shown.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from hms_desktop import theme
from hms_desktop.api.dto import (
    CRITICAL_LAB_FLAGS,
    LAB_FLAGS,
    LabOrder,
    LabPatient,
    LabResult,
    LabTest,
)
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_datetime
from hms_desktop.lab_flags import Applied, preview_flag, select_range
from hms_desktop.models.lab import FLAG_COLOURS, FLAG_SYMBOLS
from hms_desktop.models.patients import SEX_LABELS
from hms_desktop.views.dialogs import FormDialog, ReasonDialog
from hms_desktop.widgets.forms import FieldBox
from hms_desktop.widgets.page import Page

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
VALUE_PADDING = 28  # a line edit's frame and padding around its text
REFERENCE_LINE = 28  # characters on one line of a list of allowed values


def _lines(lead: str, values: list[str]) -> list[str]:
    """`lead` and `values`, comma-separated, broken between values into short lines."""
    lines = [lead]
    for value in values:
        joined = f"{lines[-1]} {value}" if lines[-1] == lead else f"{lines[-1]}, {value}"
        if len(joined) > REFERENCE_LINE and lines[-1] != lead:
            lines[-1] += ","
            lines.append(value)
        else:
            lines[-1] = joined
    return lines


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
            # Room for the placeholder (and so any value typed) plus the box's padding.
            needed = self.value.fontMetrics().horizontalAdvance(self.value.placeholderText())
            self.value.setMinimumWidth(needed + VALUE_PADDING)
            self.value.setMaximumWidth(max(150, needed + VALUE_PADDING))
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
        # The range on one line and its critical limits on the next, never wrapped inside a
        # number: the column is as wide as its longest line.
        self.reference = QLabel(self.reference_text())
        self.reference.setObjectName("muted")
        self.reference.setWordWrap(False)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("optional")
        self.comment.setMinimumWidth(140)
        if current is not None:
            self.set_text(current.value)
            index = self.unit.findData(current.unit)
            if index >= 0:
                self.unit.setCurrentIndex(index)
            self.comment.setText(current.comment)
        self.update_flag()

    def reference_text(self) -> str:
        if self.test.allowed_values:
            normal = list(self.test.normal_values)
            if normal:
                return "\n".join(_lines("Normal:", normal))
            return "\n".join(_lines("One of:", list(self.test.allowed_values)))
        if self.applied is None or not self.applied.text:
            return "No reference range\nfor this patient"
        text = f"{self.applied.text} {self.test.unit}".strip()
        limits = []
        if self.applied.critical_low is not None:
            limits.append(f"< {format(self.applied.critical_low.normalize(), 'f')}")
        if self.applied.critical_high is not None:
            limits.append(f"> {format(self.applied.critical_high.normalize(), 'f')}")
        if limits:
            text += f"\ncritical {' or '.join(limits)}"
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
        self.add_note(who)
        hint = QLabel(
            "The flag is worked out as you type, from the reference range for this patient's "
            "sex and age; the server checks the value and unit and records its own flag."
        )
        self.add_note(hint, muted=True, at=2)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setContentsMargins(0, 4, 0, 4)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        for col, title in enumerate(("Analyte", "Value", "Unit", "Flag", "Reference", "Comment")):
            label = QLabel(title)
            label.setObjectName("fieldLabel")
            self.grid.addWidget(label, 0, col)
        self.grid.setColumnStretch(5, 1)  # the comment takes what is left over
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


class CancelOrderDialog(ReasonDialog):
    def __init__(self, page: Page, order: LabOrder) -> None:
        lab, order_id = page.ctx.api.lab, order.id
        super().__init__(
            page,
            "Cancel order",
            f"Cancel {order.test.name} ({order.placer_number})?",
            action="Cancel order",
            send=lambda reason: lab.cancel(order_id, reason=reason),
            note="Nothing is deleted: the order stays in the record as cancelled.",
            placeholder="e.g. specimen haemolysed; a new order was placed",
        )
        self.order = order
