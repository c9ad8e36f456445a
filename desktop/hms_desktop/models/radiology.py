"""The radiologist's worklist as a paged table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import ImagingOrder
from hms_desktop.formatting import EMPTY, fmt_datetime
from hms_desktop.models.lab import PRIORITY_COLOURS
from hms_desktop.models.paged import Column, PagedTableModel

IMAGING_STATUS_COLOURS = {
    "ordered": theme.MUTED,
    "scheduled": theme.INFO,
    "in_progress": theme.INFO,
    "acquired": theme.WARNING,
    "reported": theme.SUCCESS,
    "cancelled": theme.MUTED,
}
REPORT_LABELS = {"draft": "Draft", "final": "Final"}


def _report(order: ImagingOrder) -> str:
    return REPORT_LABELS.get(order.report_status or "", EMPTY)


class ImagingOrdersModel(PagedTableModel[ImagingOrder]):
    PRIORITY, ACCESSION, PATIENT, MRN, PROCEDURE, STATUS, SCHEDULED, IMAGES, REPORT = range(9)
    columns = (
        Column("priority", "Priority", lambda o: o.priority_display),
        Column("accession", "Accession", lambda o: o.accession_number),
        Column("patient", "Patient", lambda o: o.patient.name),
        Column("mrn", "MRN", lambda o: o.patient.mrn),
        Column("procedure", "Procedure", lambda o: o.procedure.name),
        Column("status", "Status", lambda o: o.status_display),
        Column("scheduled", "Scheduled", lambda o: o.scheduled_at, display=fmt_datetime),
        Column(
            "images",
            "Images",
            lambda o: o.image_count,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        ),
        Column("report", "Report", _report),
    )

    def row_data(self, row: ImagingOrder, column: Column[ImagingOrder], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.key == "priority":
                return QColor(PRIORITY_COLOURS.get(row.priority, theme.TEXT))
            if column.key == "status":
                return QColor(IMAGING_STATUS_COLOURS.get(row.status, theme.TEXT))
        if role == Qt.ItemDataRole.FontRole and column.key == "priority":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "procedure":
            return f"{row.procedure.name} — {row.clinical_indication}"
        return None
