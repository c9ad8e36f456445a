"""Appointments as a paged table: the day's queue in slot order, with the day's counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import Appointment, AppointmentStatus
from hms_desktop.formatting import EMPTY
from hms_desktop.models.paged import Column, SummaryTableModel

STATUS_COLOURS = {
    AppointmentStatus.BOOKED: theme.PRIMARY_DARK,
    AppointmentStatus.CHECKED_IN: theme.WARNING,
    AppointmentStatus.IN_PROGRESS: theme.INFO,
    AppointmentStatus.COMPLETED: theme.SUCCESS,
    AppointmentStatus.NO_SHOW: theme.DANGER,
    AppointmentStatus.CANCELLED: theme.MUTED,
}
# The order the front desk reads a day in (and the summary strip shows).
STATUS_ORDER = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.CANCELLED,
)


def _time(value) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%H:%M")


class AppointmentsModel(SummaryTableModel[Appointment]):
    TIME, PATIENT, MRN, DOCTOR, REASON, STATUS, ARRIVED = range(7)
    columns = (
        Column("slot", "Time", lambda a: a.slot_text),
        Column("patient", "Patient", lambda a: a.patient.name),
        Column("mrn", "MRN", lambda a: a.patient.mrn),
        Column("doctor", "Doctor", lambda a: a.doctor.name),
        Column("reason", "Reason", lambda a: a.reason),
        Column("status", "Status", lambda a: a.status_display),
        Column("arrived", "Arrived", lambda a: a.checked_in_at, display=_time),
    )

    def row_data(self, row: Appointment, column: Column[Appointment], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.key == "status":
                return QColor(STATUS_COLOURS.get(row.status, theme.TEXT))
            if row.status in (AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED):
                return QColor(theme.MUTED)
        if role == Qt.ItemDataRole.FontRole and column.key in ("slot", "status"):
            font = QFont()
            font.setBold(True)
            return font
        return None
