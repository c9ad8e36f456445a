"""Laboratory tables: the technician's worklist and an order's results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import CRITICAL_LAB_FLAGS, LabOrder, LabResult
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.paged import Column, PagedTableModel

PRIORITY_COLOURS = {"stat": theme.DANGER, "urgent": theme.WARNING, "routine": theme.MUTED}
LAB_STATUS_COLOURS = {
    "ordered": theme.MUTED,
    "specimen_collected": theme.INFO,
    "in_progress": theme.INFO,
    "resulted": theme.WARNING,
    "verified": theme.SUCCESS,
    "cancelled": theme.MUTED,
}
FLAG_COLOURS = {
    "normal": theme.SUCCESS,
    "low": theme.WARNING,
    "high": theme.WARNING,
    "abnormal": theme.WARNING,
    "critical_low": theme.DANGER,
    "critical_high": theme.DANGER,
    "": theme.MUTED,
}
FLAG_SYMBOLS = {"low": "↓", "high": "↑", "critical_low": "⇊", "critical_high": "⇈"}


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class LabOrdersModel(PagedTableModel[LabOrder]):
    PRIORITY, NUMBER, PATIENT, MRN, TEST, STATUS, ORDERED, CRITICAL = range(8)
    columns = (
        Column("priority", "Priority", lambda o: o.priority_display),
        Column("placer", "Order no.", lambda o: o.placer_number),
        Column("patient", "Patient", lambda o: o.patient.name),
        Column("mrn", "MRN", lambda o: o.patient.mrn),
        Column("test", "Test", lambda o: o.test.name),
        Column("status", "Status", lambda o: o.status_display),
        Column("ordered_at", "Ordered", lambda o: o.ordered_at, display=fmt_datetime),
        Column("critical", "", lambda o: "Critical" if o.has_critical else ""),
    )

    def row_data(self, row: LabOrder, column: Column[LabOrder], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.key == "priority":
                return QColor(PRIORITY_COLOURS.get(row.priority, theme.TEXT))
            if column.key == "status":
                return QColor(LAB_STATUS_COLOURS.get(row.status, theme.TEXT))
            if column.key == "critical":
                return QColor(theme.DANGER)
        if role == Qt.ItemDataRole.FontRole and column.key in ("priority", "critical"):
            return _bold()
        if role == Qt.ItemDataRole.BackgroundRole and row.has_critical:
            return QColor(theme.DANGER_LIGHT)
        return None


def _flag_text(result: LabResult) -> str:
    symbol = FLAG_SYMBOLS.get(result.flag, "")
    return f"{symbol} {result.flag_display}".strip() if result.flag else "—"


class LabResultsModel(PagedTableModel[LabResult]):
    ANALYTE, VALUE, UNIT, FLAG, RANGE, STATUS, ENTERED, VERIFIED = range(8)
    columns = (
        Column("analyte", "Analyte", lambda r: r.test.name),
        Column("value", "Value", lambda r: r.value),
        Column("unit", "Unit", lambda r: r.unit),
        Column("flag", "Flag", _flag_text),
        Column("range", "Reference", lambda r: r.reference_range),
        Column("status", "Status", lambda r: r.status.capitalize()),
        Column("entered", "Entered by", lambda r: r.entered_by.name if r.entered_by else ""),
        Column("verified", "Verified by", lambda r: r.verified_by.name if r.verified_by else ""),
    )

    def row_data(self, row: LabResult, column: Column[LabResult], role: int) -> Any:
        critical = row.flag in CRITICAL_LAB_FLAGS
        coloured = column.key == "flag" or (
            column.key == "value" and row.flag not in ("normal", "")
        )
        if role == Qt.ItemDataRole.ForegroundRole and coloured:
            return QColor(FLAG_COLOURS.get(row.flag, theme.TEXT))
        if role == Qt.ItemDataRole.FontRole and column.key in ("value", "flag") and critical:
            return _bold()
        if role == Qt.ItemDataRole.BackgroundRole and critical:
            return QColor(theme.DANGER_LIGHT)
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "range" and row.range_basis:
            return f"{row.reference_range} ({row.range_basis})"
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "entered" and row.entered_at:
            return f"Entered {fmt_datetime(row.entered_at)}"
        return None
