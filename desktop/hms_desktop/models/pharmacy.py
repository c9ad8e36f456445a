"""Pharmacy tables: the prescription worklist, a prescription's items, the formulary with
stock on hand, batches, the stock ledger and stock alerts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import (
    Drug,
    Prescription,
    PrescriptionItem,
    StockAlert,
    StockBatch,
    StockMovement,
)
from hms_desktop.formatting import EMPTY, fmt_datetime
from hms_desktop.models.paged import Column, PagedTableModel, SummaryTableModel

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
PRESCRIPTION_COLOURS = {
    "active": theme.PRIMARY_DARK,
    "partially_dispensed": theme.WARNING,
    "dispensed": theme.SUCCESS,
    "cancelled": theme.MUTED,
}
SEVERITY_COLOURS = {"critical": theme.DANGER, "warning": theme.WARNING, "info": theme.INFO}
SEVERITY_LABELS = {"critical": "Critical", "warning": "Warning", "info": "Notice"}
ALERT_KINDS = {"low_stock": "Low stock", "expiring": "Expiring", "expired": "Expired"}


def _date(value) -> str:
    return value.isoformat() if value else EMPTY


def _number(value) -> str:
    return EMPTY if value is None else f"{value:,}"


def _short_time(value) -> str:
    """`23 Nov 12:38` in local time (a ledger's rows are recent)."""
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%d %b %H:%M")


def _signed(value) -> str:
    return f"{value:+,}"


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class PrescriptionsModel(SummaryTableModel[Prescription]):
    PRESCRIBED, PATIENT, MRN, PRESCRIBER, DRUGS, LEFT, STATUS = range(7)
    columns = (
        Column("prescribed_at", "Prescribed", lambda p: p.prescribed_at, display=fmt_datetime),
        Column("patient", "Patient", lambda p: p.patient.name),
        Column("mrn", "MRN", lambda p: p.patient.mrn),
        Column("prescriber", "Prescriber", lambda p: p.prescriber.name if p.prescriber else ""),
        Column("drugs", "Medicines", lambda p: p.drugs),
        Column("remaining", "Units left", lambda p: p.remaining, _number, RIGHT),
        Column("status", "Status", lambda p: p.status_display),
    )

    def row_data(self, row: Prescription, column: Column[Prescription], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "status":
            return QColor(PRESCRIPTION_COLOURS.get(row.status, theme.TEXT))
        if role == Qt.ItemDataRole.FontRole and column.key == "status":
            return _bold()
        return None


class PrescriptionItemsModel(PagedTableModel[PrescriptionItem]):
    """A prescription's lines; `In stock` turns red when it cannot cover what is left."""

    DRUG, DIRECTIONS, QUANTITY, GIVEN, LEFT, STOCK = range(6)
    columns = (
        Column("drug", "Medicine", lambda i: i.drug.label),
        Column(
            "directions",
            "Directions",
            lambda i: f"STOPPED — {i.directions}" if i.stopped else i.directions,
        ),
        Column("quantity", "Prescribed", lambda i: i.quantity, _number, RIGHT),
        Column("dispensed", "Given", lambda i: i.quantity_dispensed, _number, RIGHT),
        Column("remaining", "Left", lambda i: i.remaining, _number, RIGHT),
        Column("on_hand", "In stock", lambda i: i.on_hand, _number, RIGHT),
    )

    def row_data(self, row: PrescriptionItem, column: Column[PrescriptionItem], role: int) -> Any:
        if column.key == "on_hand" and row.remaining and row.short_of_stock:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(theme.DANGER)
            if role == Qt.ItemDataRole.FontRole:
                return _bold()
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Only {row.on_hand} in stock for {row.remaining} still to give."
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "directions":
            if row.stopped:
                return f"Stopped {fmt_datetime(row.stopped_at)}: {row.stop_reason}"
            return row.instructions or row.directions
        return None


class DrugsModel(PagedTableModel[Drug]):
    NAME, FORM, STRENGTH, ON_HAND, REORDER, STATUS = range(6)
    columns = (
        Column("name", "Medicine", lambda d: d.generic_name),
        Column("form", "Form", lambda d: d.form.capitalize()),
        Column("strength", "Strength", lambda d: d.strength),
        Column("on_hand", "In stock", lambda d: d.on_hand, _number, RIGHT),
        Column("reorder_level", "Reorder at", lambda d: d.reorder_level, _number, RIGHT),
        Column("status", "Stock", lambda d: _stock_status(d)),
    )

    def row_data(self, row: Drug, column: Column[Drug], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.active:
                return QColor(theme.MUTED)
            if column.key in ("status", "on_hand"):
                if row.on_hand == 0:
                    return QColor(theme.DANGER)
                if row.low_stock:
                    return QColor(theme.WARNING)
                return QColor(theme.SUCCESS) if column.key == "status" else None
        if role == Qt.ItemDataRole.FontRole and column.key == "name":
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "name" and row.brand_name:
            return f"{row.generic_name} ({row.brand_name})"
        return None


def _stock_status(drug: Drug) -> str:
    if not drug.active:
        return "Withdrawn"
    if drug.on_hand == 0:
        return "Out of stock"
    if drug.low_stock:
        return "Low"
    return "OK"


class BatchesModel(PagedTableModel[StockBatch]):
    LOT, EXPIRY, LOCATION, QUANTITY, SUPPLIER = range(5)
    columns = (
        Column("lot", "Lot", lambda b: b.lot_number),
        Column("expiry", "Expiry", lambda b: b.expiry_date, display=_date),
        Column("location", "Location", lambda b: b.location),
        Column("quantity", "Units", lambda b: b.quantity, _number, RIGHT),
        Column("supplier", "Supplier", lambda b: b.supplier),
    )

    def row_data(self, row: StockBatch, column: Column[StockBatch], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "expiry":
            days = row.days_to_expiry()
            if days is not None and days <= 0:
                return QColor(theme.DANGER)
            if days is not None and days <= 90:
                return QColor(theme.WARNING)
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "expiry":
            days = row.days_to_expiry()
            if days is not None:
                return "Expired" if days <= 0 else f"Expires in {days} days"
        return None


class LedgerModel(PagedTableModel[StockMovement]):
    WHEN, KIND, DRUG, LOT, QUANTITY, BALANCE, REASON, ACTOR = range(8)
    columns = (
        Column("occurred_at", "When", lambda m: m.occurred_at, display=_short_time),
        Column("kind", "Movement", lambda m: m.kind_display),
        Column("drug", "Medicine", lambda m: m.drug_name),
        Column("lot", "Lot", lambda m: m.lot_number),
        Column("quantity", "Units", lambda m: m.quantity, _signed, RIGHT),
        Column("balance", "Balance", lambda m: m.balance_after, _number, RIGHT),
        Column("reason", "Reason / reference", lambda m: m.reason or m.reference),
        Column("actor", "By", lambda m: m.actor.name if m.actor else ""),
    )

    def row_data(self, row: StockMovement, column: Column[StockMovement], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "quantity":
            return QColor(theme.SUCCESS if row.quantity > 0 else theme.DANGER)
        if role == Qt.ItemDataRole.ToolTipRole:
            who = row.actor.name if row.actor else "the system"
            detail = f": {row.reason or row.reference}" if (row.reason or row.reference) else ""
            return f"{row.kind_display} of {row.quantity:+,} by {who}{detail}"
        return None


class AlertsModel(SummaryTableModel[StockAlert]):
    SEVERITY, KIND, DRUG, DETAIL, ON_HAND = range(5)
    columns = (
        Column("severity", "Severity", lambda a: SEVERITY_LABELS.get(a.severity, a.severity)),
        Column("kind", "Alert", lambda a: ALERT_KINDS.get(a.kind, a.kind)),
        Column("drug", "Medicine", lambda a: a.drug.label),
        Column("detail", "Detail", lambda a: a.message),
        Column("on_hand", "Units", lambda a: a.on_hand, _number, RIGHT),
    )

    def row_data(self, row: StockAlert, column: Column[StockAlert], role: int) -> Any:
        if column.key == "severity":
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(SEVERITY_COLOURS.get(row.severity, theme.TEXT))
            if role == Qt.ItemDataRole.FontRole:
                return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title
        return None
