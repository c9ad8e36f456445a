"""Appointments as a paged table: the day's queue in slot order, with the day's counts, and
each visit's type (a teleconsult as a pill, "In the waiting room" while its patient waits)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hms_desktop import theme
from hms_desktop.api.dto import Appointment, AppointmentStatus
from hms_desktop.formatting import EMPTY
from hms_desktop.models.paged import ROW_ROLE, Column, SummaryTableModel

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


WAITING_ROOM = "In the waiting room"
# (text, background) of a visit's pill; an in-person visit shows as plain text.
TELECONSULT_PILL = (theme.INFO, theme.INFO_LIGHT)
WAITING_PILL = (theme.WARNING, theme.WARNING_LIGHT)


def visit_text(appointment: Appointment) -> str:
    """ "Teleconsult", "In the waiting room" (a teleconsult whose patient waits) or "In person"."""
    if appointment.is_teleconsult and appointment.waiting_room:
        return WAITING_ROOM
    return appointment.visit_type_display


def visit_pill(appointment: Appointment) -> tuple[str, str] | None:
    """The pill's colours (text, background), or None for an in-person visit."""
    if not appointment.is_teleconsult:
        return None
    return WAITING_PILL if appointment.waiting_room else TELECONSULT_PILL


def _time(value) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%H:%M")


class AppointmentsModel(SummaryTableModel[Appointment]):
    TIME, PATIENT, VISIT, MRN, DOCTOR, REASON, STATUS, ARRIVED = range(8)
    columns = (
        Column("slot", "Time", lambda a: a.slot_text),
        Column("patient", "Patient", lambda a: a.patient.name),
        Column("visit", "Visit", visit_text),
        Column("mrn", "MRN", lambda a: a.patient.mrn),
        Column("doctor", "Doctor", lambda a: a.doctor.name),
        Column("reason", "Reason", lambda a: a.reason),
        Column("status", "Status", lambda a: a.status_display),
        Column("arrived", "Arrived", lambda a: a.checked_in_at, display=_time),
    )

    def row_data(self, row: Appointment, column: Column[Appointment], role: int) -> Any:
        if column.key == "visit":
            if role == Qt.ItemDataRole.ToolTipRole and row.is_teleconsult:
                return (
                    "Teleconsult: the patient is in the waiting room"
                    if row.waiting_room
                    else "Teleconsult: a video visit in the consult room"
                )
            if role == Qt.ItemDataRole.ForegroundRole:
                pill = visit_pill(row)
                return QColor(pill[0] if pill else theme.MUTED)
            return None
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


class VisitPillDelegate(QStyledItemDelegate):
    """The Visit column: a teleconsult as a rounded pill (amber while its patient waits in the
    room); an in-person visit as the plain text."""

    PAD_X, PAD_Y = 8, 3

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width() + 2 * self.PAD_X, base.height() + 2 * self.PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        appointment: Appointment | None = index.data(ROW_ROLE)
        pill = visit_pill(appointment) if appointment is not None else None
        if pill is None:
            super().paint(painter, option, index)
            return
        text = visit_text(appointment)
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        painter.save()
        if style is not None:  # the cell's background and selection, without the text
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        cell = QRectF(option.rect).adjusted(4, 0, -4, 0)
        text_width = metrics.horizontalAdvance(text) + 2  # the advance is rounded down
        width = min(text_width + 2 * self.PAD_X, cell.width())
        height = min(metrics.height() + 2 * self.PAD_Y, cell.height() - 2)
        rect = QRectF(cell.left(), cell.center().y() - height / 2, width, height)
        foreground, background = pill
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor(foreground))
        room = int(width - 2 * self.PAD_X)
        shown = (
            text
            if room >= text_width
            else metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        )
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, shown)
        painter.restore()
