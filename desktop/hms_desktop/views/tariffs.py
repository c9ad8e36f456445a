"""Tariffs (admin, accountant): the price list. A new price for a code opens a new version
from a date (the current one ends the day before); old prices stay for the invoices that used
them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDoubleSpinBox, QLabel

from hms_desktop.api.dto import TARIFF_CATEGORIES, Tariff
from hms_desktop.formatting import fmt_money
from hms_desktop.models.billing import TariffsModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import amount_in, combo, line_edit
from hms_desktop.widgets.list_page import ListPage
from hms_desktop.widgets.page import Page, button


def date_edit(value: QDate, name: str) -> QDateEdit:
    edit = QDateEdit(value)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.textChanged = edit.dateChanged
    return edit


def iso(edit: QDateEdit) -> str:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day()).isoformat()


class TariffDialog(FormDialog):
    """A price: new, or a new version of an existing code (from a date)."""

    def __init__(self, page: Page, tariff: Tariff | None = None) -> None:
        title = f"New price for {tariff.code}" if tariff else "New price"
        super().__init__(page, title, title)
        self.code = line_edit("e.g. LAB-K", text=tariff.code if tariff else "")
        self.code.setObjectName("tariffCode")
        self.code.setReadOnly(tariff is not None)
        self.category = combo(
            list(TARIFF_CATEGORIES.items()), current=tariff.category if tariff else "other"
        )
        self.name = line_edit("as printed on invoices", text=tariff.name if tariff else "")
        self.name.setObjectName("tariffName")
        self.price = line_edit("e.g. 12.50", text=f"{tariff.price:.2f}" if tariff else "")
        self.price.setObjectName("tariffPrice")
        self.tax_rate = QDoubleSpinBox()
        self.tax_rate.setRange(0, 100)
        self.tax_rate.setDecimals(2)
        self.tax_rate.setSuffix(" %")
        self.tax_rate.setValue(float(tariff.tax_rate) if tariff else 0)
        self.tax_rate.textChanged = self.tax_rate.valueChanged
        self.valid_from = date_edit(QDate.currentDate(), "tariffFrom")
        for name, label, editor, hint in (
            ("code", "Code", self.code, "Letters, digits, dots and dashes."),
            ("category", "Category", self.category, ""),
            ("name", "Name", self.name, ""),
            ("price", "Price", self.price, ""),
            ("tax_rate", "Tax", self.tax_rate, ""),
            (
                "valid_from",
                "Valid from",
                self.valid_from,
                "The previous price ends the day before.",
            ),
        ):
            self.field(name, label, editor, hint)
        self.save_button.setText("Save price")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        price = amount_in(
            self.price, self.errors.fields["price"], example="12.50", what="a price", positive=False
        )
        if price is None:
            return
        fields: dict[str, Any] = {
            "code": self.code.text().strip(),
            "category": self.category.currentData(),
            "name": self.name.text().strip(),
            "price": price,
            "tax_rate": Decimal(f"{self.tax_rate.value():.2f}"),
            "valid_from": iso(self.valid_from),
        }
        billing = self.ctx.api.billing
        self.call(lambda: billing.create_tariff(**fields))


class EndTariffDialog(FormDialog):
    def __init__(self, page: Page, tariff: Tariff) -> None:
        super().__init__(page, "End price", f"Stop charging {tariff.code}?")
        self.tariff = tariff
        note = QLabel(
            f"{tariff.name}: {fmt_money(tariff.price, tariff.currency)}. After the last "
            "day, nothing is charged for it until a new price is set."
        )
        self.add_note(note)
        self.valid_until = date_edit(QDate.currentDate(), "tariffUntil")
        self.field("valid_until", "Last day", self.valid_until)
        self.save_button.setText("End price")
        self.finish_layout()

    def submit(self) -> None:
        chosen = self.valid_until.date()
        until = date(chosen.year(), chosen.month(), chosen.day())
        tariff_id, billing = self.tariff.id, self.ctx.api.billing
        self.call(lambda: billing.end_tariff(tariff_id, valid_until=until))


class TariffsPage(ListPage):
    title = "Tariffs"
    intro = (
        "What each service costs. Charges are priced by the version valid on the day the care "
        "was given; nothing here changes an invoice already made."
    )
    SEARCH_DELAY_MS = 300

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            TariffsModel(ctx.runner, page_size=100),
            lambda api: api.billing.tariffs,
            search="Search code or name",
            search_name="tariffSearch",
            refresh_name="refreshTariffs",
            empty_text="No price matches.",
            search_width=200,
            parent=parent,
        )
        self.category = combo([("", "All categories"), *TARIFF_CATEGORIES.items()])
        self.current_only = QCheckBox("Today's prices only")
        self.current_only.setChecked(True)
        self.add_filters(self.category, self.current_only)
        self.new_version_button = button("New price for it…", name="newTariffVersion")
        self.end_button = button("End…", name="endTariff")
        self.new_button = button("New price…", primary=True, name="newTariff")
        self.add_actions(self.end_button, self.new_version_button, self.new_button)
        self.bind_shortcuts(new=self.new_button)
        self.set_table(
            column_widths={0: 170, 1: 150, 3: 120, 4: 70, 5: 110, 6: 110},
            stretch=TariffsModel.NAME,
        )

        self.new_button.clicked.connect(lambda: self.open_new())
        self.new_version_button.clicked.connect(lambda: self.open_new(self.selected()))
        self.end_button.clicked.connect(self.open_end)
        self._selection_changed()

    def filters(self) -> dict[str, Any]:
        return {
            "q": self.search.text().strip() or None,
            "category": self.category.currentData() or None,
            "valid_on": date.today().isoformat() if self.current_only.isChecked() else None,
        }

    def selected(self) -> Tariff | None:
        return self.table.selected_row()

    def row_selected(self, tariff: Tariff | None, _previous: Tariff | None) -> None:
        self.new_version_button.setEnabled(tariff is not None)
        self.end_button.setEnabled(tariff is not None and tariff.valid_until is None)

    def open_new(self, tariff: Tariff | None = None) -> TariffDialog:
        return self._open(TariffDialog(self, tariff), self._saved)

    def _saved(self, tariff: Tariff) -> None:
        self.show_success(
            f"{tariff.code}: {fmt_money(tariff.price, tariff.currency)} from "
            f"{tariff.valid_from.isoformat() if tariff.valid_from else 'today'}."
        )
        self.search.blockSignals(True)
        self.search.setText(tariff.code)
        self.search.blockSignals(False)
        self.reload_and_select(tariff.id)

    def open_end(self) -> EndTariffDialog | None:
        tariff = self.selected()
        if tariff is None:
            return None
        return self._open(EndTariffDialog(self, tariff), self._ended)

    def _ended(self, tariff: Tariff) -> None:
        last = tariff.valid_until.isoformat() if tariff.valid_until else ""
        self.show_success(f"{tariff.code} is charged until {last}.")
        self.reload()
