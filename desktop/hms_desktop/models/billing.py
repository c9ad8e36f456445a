"""Billing tables: invoices, an invoice's lines, payments and claims, unbilled charges, tariffs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import Charge, ClaimSummary, Invoice, InvoiceLine, Payment, Tariff
from hms_desktop.formatting import EMPTY, fmt_datetime, fmt_decimal, fmt_money
from hms_desktop.models.paged import Column, PagedTableModel

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
INVOICE_COLOURS = {
    "draft": theme.MUTED,
    "issued": theme.INFO,
    "partially_paid": theme.WARNING,
    "paid": theme.SUCCESS,
    "void": theme.MUTED,
}


def _money(value) -> str:
    return fmt_money(value)


def _short_time(value) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%d %b %H:%M")


def _date(value) -> str:
    return value.isoformat() if value else EMPTY


class InvoicesModel(PagedTableModel[Invoice]):
    NUMBER, PATIENT, MRN, STATUS, ISSUED, TOTAL, PAID, BALANCE = range(8)
    columns = (
        Column("number", "Invoice", lambda i: i.label),
        Column("patient", "Patient", lambda i: i.patient.name),
        Column("mrn", "MRN", lambda i: i.patient.mrn),
        Column("status", "Status", lambda i: i.status_display),
        Column("issued", "Issued", lambda i: i.issued_at, display=fmt_datetime),
        Column("total", "Total", lambda i: i.total, _money, RIGHT),
        Column("paid", "Paid", lambda i: i.amount_paid, _money, RIGHT),
        Column("balance", "Balance", lambda i: i.balance, _money, RIGHT),
    )

    def row_data(self, row: Invoice, column: Column[Invoice], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.key == "status":
                return QColor(INVOICE_COLOURS.get(row.status, theme.TEXT))
            if column.key == "balance" and row.balance > 0 and row.status != "void":
                return QColor(theme.DANGER)
            if row.status == "void":
                return QColor(theme.MUTED)
        if role == Qt.ItemDataRole.FontRole and column.key in ("number", "balance"):
            font = QFont()
            font.setBold(True)
            return font
        return None


class InvoiceLinesModel(PagedTableModel[InvoiceLine]):
    CODE, DESCRIPTION, QUANTITY, PRICE, DISCOUNT, TAX, TOTAL = range(7)
    columns = (
        Column("code", "Code", lambda x: x.code),
        Column("description", "Description", lambda x: x.description),
        Column("quantity", "Qty", lambda x: fmt_decimal(x.quantity), align=RIGHT),
        Column("unit_price", "Unit price", lambda x: x.unit_price, _money, RIGHT),
        Column("discount", "Discount", lambda x: x.discount_amount, _money, RIGHT),
        Column("tax", "Tax", lambda x: x.tax_amount, _money, RIGHT),
        Column("total", "Total", lambda x: x.total, _money, RIGHT),
    )

    def row_data(self, row: InvoiceLine, column: Column[InvoiceLine], role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "discount" and row.discount_reason:
            return f"Discount: {row.discount_reason}"
        return None


class PaymentsModel(PagedTableModel[Payment]):
    RECEIPT, RECEIVED, METHOD, AMOUNT, REFUNDED, BY = range(6)
    columns = (
        Column("receipt", "Receipt", lambda p: p.receipt_number),
        Column("received_at", "Received", lambda p: p.received_at, display=fmt_datetime),
        Column("method", "Method", lambda p: p.method_display),
        Column("amount", "Amount", lambda p: p.amount, _money, RIGHT),
        Column("refunded", "Refunded", lambda p: p.refunded_amount, _money, RIGHT),
        Column("by", "Taken by", lambda p: p.received_by.name if p.received_by else ""),
    )


class ClaimsModel(PagedTableModel[ClaimSummary]):
    PAYER, STATUS, SUBMITTED, CLAIMED, COPAY, APPROVED, PAID = range(7)
    columns = (
        Column("payer", "Payer", lambda c: c.payer),
        Column("status", "Status", lambda c: c.status_display),
        Column("submitted_at", "Submitted", lambda c: c.submitted_at, display=fmt_datetime),
        Column("claimed", "Claimed", lambda c: c.claimed_amount, _money, RIGHT),
        Column("copay", "Co-pay", lambda c: c.copay_amount, _money, RIGHT),
        Column("approved", "Approved", lambda c: c.approved_amount, _money, RIGHT),
        Column("paid", "Paid", lambda c: c.paid_amount, _money, RIGHT),
    )


class ChargesModel(PagedTableModel[Charge]):
    """Unbilled charges, each with a tick box: which go on the invoice."""

    PICK, OCCURRED, CODE, DESCRIPTION, QUANTITY, PRICE, AMOUNT = range(7)
    columns = (
        Column("pick", "", lambda c: "", display=lambda _v: ""),
        Column("occurred_at", "When", lambda c: c.occurred_at, display=_short_time),
        Column("code", "Code", lambda c: c.code),
        Column("description", "Description", lambda c: c.description),
        Column("quantity", "Qty", lambda c: fmt_decimal(c.quantity), align=RIGHT),
        Column("unit_price", "Unit price", lambda c: c.unit_price, _money, RIGHT),
        Column("amount", "Amount", lambda c: c.amount, _money, RIGHT),
    )

    picked_changed = Signal()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unpicked: set[str] = set()

    def picked(self) -> list[Charge]:
        return [c for c in self.rows if c.id not in self.unpicked]

    def row_data(self, row: Charge, column: Column[Charge], role: int) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and column.key == "pick":
            picked = row.id not in self.unpicked
            return Qt.CheckState.Checked if picked else Qt.CheckState.Unchecked
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.PICK:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != self.PICK:
            return False
        charge = self.row_at(index.row())
        if charge is None:
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.unpicked.discard(charge.id)
        else:
            self.unpicked.add(charge.id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.picked_changed.emit()
        return True


class TariffsModel(PagedTableModel[Tariff]):
    CODE, CATEGORY, NAME, PRICE, TAX, FROM, UNTIL = range(7)
    columns = (
        Column("code", "Code", lambda t: t.code),
        Column("category", "Category", lambda t: t.category_display),
        Column("name", "Name", lambda t: t.name),
        Column("price", "Price", lambda t: fmt_money(t.price, t.currency), align=RIGHT),
        Column("tax", "Tax %", lambda t: fmt_decimal(t.tax_rate), align=RIGHT),
        Column("valid_from", "Valid from", lambda t: t.valid_from, display=_date),
        Column("valid_until", "Valid until", lambda t: t.valid_until, display=_date),
    )

    def row_data(self, row: Tariff, column: Column[Tariff], role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column.key == "code":
            font = QFont()
            font.setBold(True)
            return font
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column.key == "valid_until"
            and row.valid_until
        ):
            return QColor(theme.WARNING)
        return None
