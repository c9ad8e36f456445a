"""Dispensing (pharmacist): the worklist of prescriptions to fill, oldest first, and dispensing
first-expiry-first-out. Short stock gives a partial dispense that says what is missing."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSpinBox,
)

from hms_desktop.api.dto import DispenseResult, Prescription, PrescriptionItem
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.pharmacy import (
    PRESCRIPTION_COLOURS,
    PrescriptionItemsModel,
    PrescriptionsModel,
)
from hms_desktop.theme import repolish
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy

WORKLIST_FILTERS = [
    ("", "Everything to fill"),
    ("active", "Not started"),
    ("partially_dispensed", "Partially dispensed"),
]


def dispense_summary(result: DispenseResult) -> str:
    """`amoxicillin 21 (lot A1, exp 2027-01-31)`, one per line given out."""
    parts = []
    for line in result.dispense.lines:
        expiry = line.expiry_date.isoformat() if line.expiry_date else "?"
        parts.append(f"{line.drug} {line.quantity} (lot {line.lot_number}, exp {expiry})")
    return "; ".join(parts)


class DispenseDialog(FormDialog):
    """How many units of each item to give now (default: what is left, as far as stock goes)."""

    def __init__(self, page: Page, prescription: Prescription) -> None:
        super().__init__(
            page,
            "Dispense",
            f"Dispense to {prescription.patient.name} ({prescription.patient.mrn})",
        )
        self.setMinimumWidth(600)
        self.prescription = prescription
        note = QLabel(
            "Units come from the pharmacy's non-expired stock, earliest expiry first. "
            "Giving less than what is left keeps the prescription open."
        )
        self.add_note(note, muted=True)
        self.quantities: dict[str, QSpinBox] = {}
        for item in prescription.items:
            if item.remaining <= 0 or item.stopped:  # a stopped medicine is not dispensed
                continue
            spin = QSpinBox()
            spin.setRange(0, item.remaining)
            spin.setSuffix(f"  of {item.remaining} left")
            spin.setValue(_default_quantity(item))
            spin.setObjectName(f"dispense-{item.id}")
            stock = "unknown" if item.on_hand is None else f"{item.on_hand:,}"
            hint = f"{item.directions} · in stock: {stock}"
            box = self.field(item.id, item.drug.label, spin, hint)
            if item.short_of_stock:
                box.hint.setText(f"{hint} — not enough for everything left")
                box.hint.setStyleSheet("color: #b45309;")
            self.quantities[item.id] = spin
        self.errors.alias("items", next(iter(self.quantities), "note"))
        self.note = line_edit("e.g. counselled on taking with food")
        self.note.setObjectName("dispenseNote")
        self.field("note", "Note", self.note)
        self.save_button.setText("Dispense")
        self.finish_layout()

    def chosen(self) -> dict[str, int]:
        return {item_id: spin.value() for item_id, spin in self.quantities.items()}

    def submit(self) -> None:
        self.errors.clear()
        quantities = self.chosen()
        if not any(quantities.values()):
            self.errors.show_message("Nothing to dispense: enter how many units to give.")
            return
        prescription_id, note = self.prescription.id, self.note.text().strip()
        pharmacy = self.ctx.api.pharmacy
        self.call(lambda: pharmacy.dispense(prescription_id, quantities=quantities, note=note))


def _default_quantity(item: PrescriptionItem) -> int:
    if item.on_hand is None:
        return item.remaining
    return max(0, min(item.remaining, item.on_hand))


class PrescriptionPanel(DetailPanel):
    """The selected prescription: who, what, safety warnings, stock, and what was given."""

    def __init__(self, can_dispense: bool, can_print: bool = False, parent=None) -> None:
        super().__init__("No prescription selected", margins=(18, 16), spacing=10, parent=parent)
        layout = self.body
        self.dispense_button = button("Dispense…", primary=True, name="dispenseButton")
        self.dispense_button.setVisible(can_dispense)
        self.pdf_button = button("Prescription PDF…", name="prescriptionPdf")
        self.pdf_button.setVisible(can_print)
        self.add_heading(self.dispense_button, self.pdf_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        for i, (label, key) in enumerate(
            (("Prescriber", "prescriber"), ("Prescribed", "prescribed_at"), ("Status", "status"))
        ):
            name = QLabel(label)
            name.setObjectName("muted")
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, 0, i * 2)
            grid.addWidget(value, 0, i * 2 + 1)
            self.values[key] = value
        grid.setColumnStretch(5, 1)
        layout.addLayout(grid)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.warnings = QLabel()
        self.warnings.setObjectName("banner")
        self.warnings.setProperty("kind", "warning")
        self.warnings.setWordWrap(True)
        self.warnings.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.warnings)
        self.items_model = PrescriptionItemsModel(parent=self)
        self.items = DataTable()
        self.items.setModel(self.items_model)
        self.items.setSelectionMode(DataTable.SelectionMode.NoSelection)
        for column, width in {0: 300, 2: 90, 3: 70, 4: 70, 5: 80}.items():
            self.items.setColumnWidth(column, width)
        self.items.stretch_column(PrescriptionItemsModel.DIRECTIONS)
        self.items.setMinimumHeight(130)
        layout.addWidget(self.items, 1)
        history_title = QLabel("Dispensed so far")
        history_title.setObjectName("fieldLabel")
        layout.addWidget(history_title)
        self.history = QLabel("—")
        self.history.setWordWrap(True)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.history)
        self.show_prescription(None)

    def show_prescription(self, prescription: Prescription | None) -> None:
        open_ = prescription is not None and prescription.status in (
            "active",
            "partially_dispensed",
        )
        if not is_busy(self.dispense_button):
            self.dispense_button.setEnabled(open_ and bool(prescription.remaining))
        if not is_busy(self.pdf_button):
            self.pdf_button.setEnabled(prescription is not None)
        if prescription is None:
            self.heading.setText("No prescription selected")
            self.clear_values()
            self.note.hide()
            self.warnings.hide()
            self.items_model.set_rows([])
            self.history.setText("—")
            return
        self.heading.setText(f"{prescription.patient.name} · {prescription.patient.mrn}")
        colour = PRESCRIPTION_COLOURS.get(prescription.status)
        self.values["prescriber"].setText(
            fmt_text(prescription.prescriber.name if prescription.prescriber else "")
        )
        self.values["prescribed_at"].setText(fmt_datetime(prescription.prescribed_at))
        self.values["status"].setText(
            f'<b style="color:{colour}">{escape(prescription.status_display)}</b>'
        )
        self.note.setText(f"<i>“{escape(prescription.note)}”</i>" if prescription.note else "")
        self.note.setVisible(bool(prescription.note))
        if prescription.safety_warnings:
            lines = [
                f"• <b>{escape(w.severity.capitalize())}</b>: {escape(w.message)}"
                for w in prescription.safety_warnings
            ]
            if prescription.override_reason:
                lines.append(f"Prescribed despite this: “{escape(prescription.override_reason)}”")
            self.warnings.setText("<b>⚠ Safety checks at prescribing</b><br>" + "<br>".join(lines))
            repolish(self.warnings)
            self.warnings.show()
        else:
            self.warnings.hide()
        self.items_model.set_rows(prescription.items)
        if prescription.dispenses is None:
            self.history.setText("…")
        elif not prescription.dispenses:
            self.history.setText("Nothing yet.")
        else:
            rows = []
            for dispense in prescription.dispenses:
                who = dispense.dispensed_by.name if dispense.dispensed_by else ""
                given = ", ".join(
                    f"{escape(line.drug)} {line.quantity} (lot {escape(line.lot_number)}, exp "
                    f"{line.expiry_date.isoformat() if line.expiry_date else '?'})"
                    for line in dispense.lines
                )
                rows.append(f"{fmt_datetime(dispense.dispensed_at)} · {escape(who)}: {given}")
            self.history.setText("<br>".join(rows))


class DispensingPage(ListPage):
    title = "Dispensing"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            PrescriptionsModel(ctx.runner, page_size=50),
            lambda api: api.pharmacy.worklist,
            refresh_name="refreshWorklist",
            empty_text="No prescription waits. All filled.",
            parent=parent,
        )
        self.can_dispense = ctx.may("prescriptions", "dispense")
        self.status_filter = combo(WORKLIST_FILTERS)
        self.status_filter.setObjectName("worklistStatus")
        self.status_filter.setMinimumWidth(220)
        self.add_filters(self.status_filter)
        self.counts = CountStrip(
            [
                ("active", "Waiting to be filled", PRESCRIPTION_COLOURS["active"]),
                (
                    "partially_dispensed",
                    "Partially dispensed",
                    PRESCRIPTION_COLOURS["partially_dispensed"],
                ),
            ]
        )
        self.outer.addWidget(self.counts)
        self.set_details(
            PrescriptionPanel(self.can_dispense, ctx.may("prescriptions", "pdf")),
            sizes=(300, 360),
            column_widths={0: 140, 1: 190, 2: 110, 3: 160, 5: 90, 6: 150},
            stretch=PrescriptionsModel.DRUGS,
        )

        self.details.dispense_button.clicked.connect(self.open_dispense)
        self.details.pdf_button.clicked.connect(self.choose_print_pdf)
        self.table.doubleClicked.connect(lambda _i: self.open_dispense())
        self.model.summary_changed.connect(self.counts.set_counts)

    def filters(self) -> dict[str, Any]:
        return {"status": self.status_filter.currentData() or None}

    def row_selected(
        self, prescription: Prescription | None, _previous: Prescription | None
    ) -> None:
        self.details.show_prescription(prescription)
        if prescription is None:
            return
        prescription_id = prescription.id
        self.run(
            lambda: self.ctx.api.pharmacy.prescription(prescription_id),
            on_done=self._detail_loaded,
            on_error=self.show_error,
        )

    def _detail_loaded(self, prescription: Prescription) -> None:
        if self.current is not None and self.current.id == prescription.id:
            self.current = prescription
            self.details.show_prescription(prescription)

    def open_dispense(self) -> DispenseDialog | None:
        if self.current is None or not self.details.dispense_button.isEnabled():
            return None
        dialog = DispenseDialog(self, self.current)
        self._open(dialog, self._dispensed)
        return dialog

    def _dispensed(self, result: DispenseResult) -> None:
        patient = result.prescription.patient.name
        given = dispense_summary(result)
        if result.shortfalls:
            missing = ", ".join(f"{s['drug']} {s['missing']}" for s in result.shortfalls)
            self.banner.show_message(
                f"Partially dispensed to {patient}: {given}. Not in stock: {missing}. "
                "The prescription stays on the worklist.",
                kind="warning",
            )
        elif result.prescription.remaining:
            self.show_success(
                f"Dispensed to {patient}: {given}. {result.prescription.remaining} unit(s) are "
                "still to give; the prescription stays on the worklist."
            )
        else:
            self.show_success(f"Dispensed to {patient}: {given}.")
        self.reload_and_select(result.prescription.id)

    def print_source(self):
        if self.current is None:
            return None
        prescription = self.current
        return (
            f"prescription-{prescription.patient.mrn}-{prescription.id[:8]}.pdf",
            lambda: self.ctx.api.pharmacy.prescription_pdf(prescription.id),
            self.details.pdf_button,
        )
