"""Stock (pharmacist; admins read): the formulary with units on hand, each medicine's batches
and its append-only ledger; receive deliveries, adjust a batch with a reason, write off
expired stock, add a medicine to the formulary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.dto import Drug, StockBatch, StockMovement
from hms_desktop.formatting import fmt_money
from hms_desktop.models.pharmacy import BatchesModel, DrugsModel, LedgerModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import TablePanel
from hms_desktop.workers import is_busy

DRUG_FORMS = [
    ("tablet", "Tablet"),
    ("capsule", "Capsule"),
    ("syrup", "Syrup"),
    ("suspension", "Suspension"),
    ("solution", "Oral solution"),
    ("injection", "Injection"),
    ("infusion", "Infusion"),
    ("cream", "Cream"),
    ("ointment", "Ointment"),
    ("drops", "Drops"),
    ("inhaler", "Inhaler"),
    ("patch", "Patch"),
]
ROUTES = [
    ("oral", "By mouth"),
    ("sublingual", "Under the tongue"),
    ("iv", "Intravenous"),
    ("im", "Intramuscular"),
    ("sc", "Subcutaneous"),
    ("topical", "On the skin"),
    ("inhaled", "Inhaled"),
    ("rectal", "Rectal"),
    ("ophthalmic", "In the eye"),
    ("otic", "In the ear"),
    ("nasal", "In the nose"),
    ("transdermal", "Skin patch"),
]


def _decimal_or_error(dialog: FormDialog, name: str, text: str) -> str | bool | None:
    """The text if it is a number (or empty: None); False after flagging the field."""
    if not text:
        return None
    try:
        Decimal(text)
    except InvalidOperation:
        dialog.errors.fields[name].set_error("Enter a number, e.g. 12.50")
        return False
    return text


class DrugFormDialog(FormDialog):
    """Add a medicine to the formulary."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "New medicine", "Add a medicine to the formulary")
        self.generic_name = line_edit("e.g. Amoxicillin")
        self.generic_name.setObjectName("genericName")
        self.brand_name = line_edit("optional, e.g. Amoxil")
        self.drug_form = combo(DRUG_FORMS, current="tablet")
        self.strength = line_edit("e.g. 500 mg")
        self.strength.setObjectName("drugStrength")
        self.route = combo(ROUTES, current="oral")
        self.unit = line_edit("what is counted out, e.g. capsule (default: the form)")
        self.drug_class = line_edit("e.g. Penicillins")
        self.atc_code = line_edit("e.g. J01CA04")
        self.reorder_level = QSpinBox()
        self.reorder_level.setRange(0, 10_000_000)
        self.reorder_level.setValue(50)
        self.price = line_edit("per unit, e.g. 0.25")
        for name, label, editor, hint in (
            ("generic_name", "Generic name", self.generic_name, ""),
            ("brand_name", "Brand", self.brand_name, ""),
            ("form", "Form", self.drug_form, ""),
            ("strength", "Strength", self.strength, ""),
            ("route", "Route", self.route, ""),
            ("unit", "Unit", self.unit, ""),
            ("drug_class", "Class", self.drug_class, "Used for allergy and duplicate checks."),
            ("atc_code", "ATC code", self.atc_code, ""),
            ("reorder_level", "Reorder level", self.reorder_level, "Alert below this many."),
            ("price", "Price", self.price, ""),
        ):
            self.field(name, label, editor, hint)
        self.save_button.setText("Add medicine")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        price = _decimal_or_error(self, "price", self.price.text().strip())
        if price is False:
            return
        fields: dict[str, Any] = {
            "generic_name": self.generic_name.text().strip(),
            "brand_name": self.brand_name.text().strip(),
            "form": self.drug_form.currentData(),
            "strength": self.strength.text().strip(),
            "route": self.route.currentData(),
            "unit": self.unit.text().strip(),
            "drug_class": self.drug_class.text().strip(),
            "atc_code": self.atc_code.text().strip().upper(),
            "reorder_level": self.reorder_level.value(),
            "price": price,
        }
        payload = {k: v for k, v in fields.items() if v not in (None, "")}
        pharmacy = self.ctx.api.pharmacy
        self.call(lambda: pharmacy.create_drug(**payload))


class ReceiveDialog(FormDialog):
    """A delivery of one medicine: a new lot (or more of a lot already held)."""

    def __init__(self, page: Page, drug: Drug) -> None:
        super().__init__(page, "Receive stock", f"Receive {drug.label}")
        self.drug = drug
        self.lot_number = line_edit("as printed on the pack")
        self.lot_number.setObjectName("lotNumber")
        self.expiry_date = QDateEdit(QDate.currentDate().addYears(1))
        self.expiry_date.setObjectName("expiryDate")
        self.expiry_date.setCalendarPopup(True)
        self.expiry_date.setDisplayFormat("yyyy-MM-dd")
        self.expiry_date.textChanged = self.expiry_date.dateChanged
        self.quantity = QSpinBox()
        self.quantity.setObjectName("receiveQuantity")
        self.quantity.setRange(0, 10_000_000)
        self.quantity.setSuffix(f"  {drug.unit or 'unit'}(s)")
        self.unit_cost = line_edit("optional, e.g. 0.12")
        self.supplier = line_edit("e.g. MedSupply Ltd")
        self.location = line_edit(text="pharmacy")
        for name, label, editor, hint in (
            ("lot_number", "Lot number", self.lot_number, ""),
            ("expiry_date", "Expiry date", self.expiry_date, ""),
            ("quantity", "Quantity", self.quantity, ""),
            ("unit_cost", "Unit cost", self.unit_cost, ""),
            ("supplier", "Supplier", self.supplier, ""),
            ("location", "Location", self.location, "“pharmacy” is the dispensing counter."),
        ):
            self.field(name, label, editor, hint)
        self.save_button.setText("Receive")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        cost = _decimal_or_error(self, "unit_cost", self.unit_cost.text().strip())
        if cost is False:
            return
        if self.quantity.value() <= 0:
            self.errors.fields["quantity"].set_error("How many units arrived?")
            return
        expiry = self.expiry_date.date()
        fields: dict[str, Any] = {
            "drug": self.drug.id,
            "lot_number": self.lot_number.text().strip(),
            "expiry_date": date(expiry.year(), expiry.month(), expiry.day()).isoformat(),
            "quantity": self.quantity.value(),
            "unit_cost": cost,
            "supplier": self.supplier.text().strip(),
            "location": self.location.text().strip(),
        }
        payload = {k: v for k, v in fields.items() if v not in (None, "")}
        pharmacy = self.ctx.api.pharmacy
        self.call(lambda: pharmacy.receive(**payload))


class AdjustDialog(FormDialog):
    """A signed correction of one batch (stock-take, breakage, loss), always with a reason."""

    def __init__(self, page: Page, batch: StockBatch) -> None:
        super().__init__(page, "Adjust stock", f"Adjust lot {batch.lot_number}")
        self.batch = batch
        note = QLabel(
            f"{batch.drug.label} · {batch.quantity:,} unit(s) at {batch.location}. The change "
            "is added to the ledger; nothing is overwritten."
        )
        self.add_note(note)
        self.change = QSpinBox()
        self.change.setObjectName("adjustChange")
        self.change.setRange(-batch.quantity, 10_000_000)
        self.change.setPrefix("")
        self.change.setSuffix(" unit(s)")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("adjustReason")
        self.reason.setPlaceholderText("e.g. stock-take 23 Nov: 2 packs found damaged")
        self.reason.setFixedHeight(70)
        self.field("quantity", "Change", self.change, "Negative to remove, positive to add.")
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Record adjustment")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        if self.change.value() == 0:
            self.errors.fields["quantity"].set_error("Enter the change, e.g. -2.")
            return
        batch_id, change = self.batch.id, self.change.value()
        reason = self.reason.toPlainText().strip()
        pharmacy = self.ctx.api.pharmacy
        self.call(lambda: pharmacy.adjust(batch_id, quantity=change, reason=reason))


class WriteOffDialog(FormDialog):
    def __init__(self, page: Page, batch: StockBatch) -> None:
        super().__init__(page, "Write off", f"Write off expired lot {batch.lot_number}?")
        self.batch = batch
        note = QLabel(
            f"{batch.quantity:,} unit(s) of {batch.drug.label} expired on "
            f"{batch.expiry_date.isoformat() if batch.expiry_date else '?'} leave the stock. "
            "The ledger keeps the record."
        )
        self.add_note(note)
        self.reason = line_edit("e.g. sent for destruction")
        self.field("reason", "Note", self.reason)
        self.save_as("Write off", danger=True)
        self.finish_layout()

    def submit(self) -> None:
        batch_id, reason = self.batch.id, self.reason.text().strip()
        pharmacy = self.ctx.api.pharmacy
        self.call(lambda: pharmacy.write_off(batch_id, reason=reason))


class DrugPanel(DetailPanel):
    """The selected medicine: its numbers, batches and ledger."""

    def __init__(self, ctx, can_write: bool, parent=None) -> None:
        super().__init__("Select a medicine", margins=(16, 14), parent=parent)
        layout = self.body
        layout.addWidget(self.heading)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.batches_model = BatchesModel(ctx.runner, page_size=50, parent=self)
        self.ledger_model = LedgerModel(ctx.runner, page_size=50, parent=self)
        batches = QWidget()
        batches_layout = QVBoxLayout(batches)
        batches_layout.setContentsMargins(8, 8, 8, 8)
        self.batches_panel = TablePanel(self.batches_model, empty_text="No stock of it.")
        self.batches_panel.set_column_widths(
            {0: 130, 1: 100, 2: 100, 3: 70}, stretch=BatchesModel.SUPPLIER
        )
        batches_layout.addWidget(self.batches_panel, 1)
        actions = QHBoxLayout()
        self.adjust_button = button("Adjust…", name="adjustBatch")
        self.write_off_button = button("Write off expired…", danger=True, name="writeOffBatch")
        for widget in (self.adjust_button, self.write_off_button):
            widget.setVisible(can_write)
            actions.addWidget(widget)
        actions.addStretch(1)
        batches_layout.addLayout(actions)
        self.tabs.addTab(batches, "Batches")
        ledger = QWidget()
        ledger_layout = QVBoxLayout(ledger)
        ledger_layout.setContentsMargins(8, 8, 8, 8)
        self.ledger_panel = TablePanel(self.ledger_model, empty_text="No movement yet.")
        self.ledger_panel.set_column_widths(
            {0: 112, 1: 100, 3: 95, 4: 60, 5: 75}, stretch=LedgerModel.REASON
        )
        # One medicine's ledger: its name is the heading; who acted is in each row's tooltip.
        self.ledger_panel.table.setColumnHidden(LedgerModel.DRUG, True)
        self.ledger_panel.table.setColumnHidden(LedgerModel.ACTOR, True)
        ledger_layout.addWidget(self.ledger_panel)
        self.tabs.addTab(ledger, "Ledger")
        layout.addWidget(self.tabs, 1)
        self.batches_table = self.batches_panel.table
        self.batches_table.selectionModel().selectionChanged.connect(self._batch_changed)
        self.batches_model.modelReset.connect(self._batch_changed)
        self._batch_changed()

    def selected_batch(self) -> StockBatch | None:
        return self.batches_table.selected_row()

    def _batch_changed(self, *_args) -> None:
        batch = self.selected_batch()
        days = batch.days_to_expiry() if batch else None
        if not is_busy(self.adjust_button):
            self.adjust_button.setEnabled(batch is not None)
        if not is_busy(self.write_off_button):
            self.write_off_button.setEnabled(batch is not None and days is not None and days <= 0)

    def show_drug(self, drug: Drug | None) -> None:
        if drug is None:
            self.heading.setText("Select a medicine")
            self.summary.setText("")
            self.batches_model.fetch = None
            self.batches_model.set_rows([])
            self.ledger_model.fetch = None
            self.ledger_model.set_rows([])
            return
        self.heading.setText(drug.label)
        parts = [
            f"<b>{drug.on_hand or 0:,}</b> {drug.unit or 'unit'}(s) in stock",
            f"{drug.on_hand_pharmacy or 0:,} at the counter",
            f"reorder at {drug.reorder_level:,}",
        ]
        if drug.price is not None:
            parts.append(f"{fmt_money(drug.price, drug.currency)} each")
        if drug.drug_class:
            parts.append(drug.drug_class)
        self.summary.setText(" · ".join(parts))

    def load(self, pharmacy, drug_id: str) -> None:
        self.batches_model.fetch = lambda page, size: pharmacy.batches(
            page=page, page_size=size, drug=drug_id
        )
        self.batches_model.reload()
        self.ledger_model.fetch = lambda page, size: pharmacy.ledger(
            page=page, page_size=size, drug=drug_id
        )
        self.ledger_model.reload()


class StockPage(ListPage):
    title = "Stock"
    SEARCH_DELAY_MS = 300

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            DrugsModel(ctx.runner, page_size=50),
            lambda api: api.pharmacy.drugs,
            search="Search medicines by name, brand or class",
            search_name="drugSearch",
            refresh_name="refreshStock",
            empty_text="No medicine matches.",
            search_width=300,
            parent=parent,
        )
        self.can_write = ctx.may("pharmacy_stock", "receive")
        self.can_add_drugs = ctx.may("pharmacy_drugs", "create")
        self.low_only = QCheckBox("Low stock only")
        self.low_only.setObjectName("lowStockOnly")
        self.add_filters(self.low_only)
        self.new_drug_button = button("New medicine…", name="newDrug")
        self.new_drug_button.setVisible(self.can_add_drugs)
        self.receive_button = button("Receive stock…", primary=True, name="receiveStock")
        self.receive_button.setVisible(self.can_write)
        self.add_actions(self.new_drug_button, self.receive_button)
        self.bind_shortcuts(new=self.new_drug_button)
        # The strength says enough here; the reorder level is in the medicine's summary.
        self.table.setColumnHidden(DrugsModel.FORM, True)
        self.table.setColumnHidden(DrugsModel.REORDER, True)
        self.set_details(
            DrugPanel(ctx, self.can_write),
            beside=True,
            grow=1,
            sizes=(440, 580),
            column_widths={2: 85, 3: 80, 5: 100},
            stretch=DrugsModel.NAME,
        )

        self.new_drug_button.clicked.connect(self.open_new_drug)
        self.receive_button.clicked.connect(self.open_receive)
        self.details.adjust_button.clicked.connect(self.open_adjust)
        self.details.write_off_button.clicked.connect(self.open_write_off)
        self._selection_changed()

    def filters(self) -> dict[str, Any]:
        return {"q": self.search.text().strip() or None, "low_stock": self.low_only.isChecked()}

    def row_selected(self, drug: Drug | None, previous: Drug | None) -> None:
        self.details.show_drug(drug)
        if not is_busy(self.receive_button):
            self.receive_button.setEnabled(drug is not None and drug.active)
        if drug is not None and (previous is None or previous.id != drug.id):
            self.details.load(self.ctx.api.pharmacy, drug.id)

    def show_drug(self, drug_id: str, name: str) -> None:
        """Find one medicine (e.g. from an alert) and select it."""
        self.find(drug_id, name)

    def refresh_current(self) -> None:
        """After a stock movement: the medicine's totals, its batches and its ledger."""
        if self.current is not None:
            self._select_after_load = self.current.id  # reselected → batches and ledger reload
        self.model.reload()

    # --- dialogs --------------------------------------------------------------------------

    def open_new_drug(self) -> QDialog:
        return self._open(DrugFormDialog(self), self._drug_added)

    def _drug_added(self, drug: Drug) -> None:
        self.show_success(f"{drug.label} was added to the formulary. Receive stock for it next.")
        self.show_drug(drug.id, drug.generic_name)

    def open_receive(self) -> QDialog | None:
        if self.current is None:
            return None
        return self._open(ReceiveDialog(self, self.current), self._moved)

    def open_adjust(self) -> QDialog | None:
        batch = self.details.selected_batch()
        if batch is None:
            return None
        return self._open(AdjustDialog(self, batch), self._moved)

    def open_write_off(self) -> QDialog | None:
        batch = self.details.selected_batch()
        if batch is None:
            return None
        return self._open(WriteOffDialog(self, batch), self._moved)

    def _moved(self, movement: StockMovement) -> None:
        self.show_success(
            f"{movement.kind_display} recorded: {movement.quantity:+,} of {movement.drug_name} "
            f"lot {movement.lot_number}; the lot now holds {movement.balance_after:,}."
        )
        self.refresh_current()
