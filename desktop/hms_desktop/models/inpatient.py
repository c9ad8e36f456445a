"""Inpatient models: bed tiles for the board, the ICU list, an admission's observations, the
admitted patients of the medication round and their doses."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hms_desktop import theme
from hms_desktop.api.dto import (
    CONSCIOUSNESS_LEVELS,
    NEWS2_RISKS,
    Admission,
    Bed,
    MarDose,
    Observation,
)
from hms_desktop.formatting import EMPTY, fmt_datetime
from hms_desktop.models.paged import ROW_ROLE, Column, PagedTableModel

BED_COLOURS = {
    "available": theme.SUCCESS,
    "occupied": theme.PRIMARY,
    "cleaning": theme.WARNING,
    "maintenance": theme.MUTED,
    "reserved": theme.INFO,
}
NEWS2_COLOURS = {
    "low": theme.SUCCESS,
    "low_medium": theme.WARNING,
    "medium": "#c2410c",
    "high": theme.DANGER,
}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def news2_risk_of(score: int | None, single_three: bool = False) -> str:
    if score is None:
        return ""
    if score >= 7:
        return "high"
    if score >= 5:
        return "medium"
    return "low_medium" if single_three else "low"


class BedsModel(PagedTableModel[Bed]):
    """One ward's beds, shown as tiles (see BedTileDelegate)."""

    columns = (Column("label", "Bed", lambda b: f"Bed {b.label}"),)

    def row_data(self, row: Bed, column: Column[Bed], role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.occupant is not None:
                doctor = row.occupant.attending_doctor
                return (
                    f"{row.place}: {row.occupant.patient.name} ({row.occupant.patient.mrn}), "
                    f"day {row.occupant.days_admitted}" + (f", {doctor.name}" if doctor else "")
                )
            note = f" — {row.status_note}" if row.status_note else ""
            return f"{row.place}: {row.status_display}{note}"
        return None


class BedTileDelegate(QStyledItemDelegate):
    """A bed as a card: status stripe, bed and room, and the occupant or the status."""

    SIZE = QSize(196, 82)

    def sizeHint(self, option, index) -> QSize:
        return self.SIZE

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        bed: Bed | None = index.data(ROW_ROLE)
        if bed is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(5, 5, -5, -5)
        colour = QColor(BED_COLOURS.get(bed.status, theme.MUTED))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        background = QColor(theme.PRIMARY_LIGHT if selected else theme.SURFACE)
        painter.setPen(
            QPen(QColor(theme.PRIMARY if selected else theme.BORDER), 2 if selected else 1)
        )
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 7, 7)
        stripe = QRectF(rect.left(), rect.top(), 6, rect.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(stripe, 3, 3)
        text = rect.adjusted(16, 8, -8, -6)
        bold = QFont(option.font)
        bold.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))
        painter.setFont(bold)
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(
            text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, f"Bed {bed.label}"
        )
        painter.setFont(small)
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, bed.room)
        line2 = text.adjusted(0, 22, 0, 0)
        line3 = text.adjusted(0, 42, 0, 0)
        metrics = painter.fontMetrics()
        if bed.occupant is not None:
            painter.setFont(option.font)
            painter.setPen(QColor(theme.TEXT))
            name = metrics.elidedText(
                bed.occupant.patient.name, Qt.TextElideMode.ElideRight, int(text.width())
            )
            painter.drawText(line2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, name)
            painter.setFont(small)
            painter.setPen(QColor(theme.MUTED))
            doctor = bed.occupant.attending_doctor.name if bed.occupant.attending_doctor else ""
            days = bed.occupant.days_admitted
            detail = (f"Day {days}" if days else "Admitted today") + (
                f" · {doctor}" if doctor else ""
            )
            painter.drawText(
                line3,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                metrics.elidedText(detail, Qt.TextElideMode.ElideRight, int(text.width())),
            )
        else:
            painter.setFont(bold)
            painter.setPen(colour)
            painter.drawText(
                line2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, bed.status_display
            )
            if bed.status_note:
                painter.setFont(small)
                painter.setPen(QColor(theme.MUTED))
                painter.drawText(
                    line3,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                    metrics.elidedText(
                        bed.status_note, Qt.TextElideMode.ElideRight, int(text.width())
                    ),
                )
        painter.restore()


def _days(value: Any) -> str:
    return EMPTY if value is None else f"{value}"


class IcuModel(PagedTableModel[Admission]):
    BED, PATIENT, MRN, DOCTOR, SINCE, NEWS2, GCS = range(7)
    columns = (
        Column("bed", "Bed", lambda a: f"{a.bed_label} · {a.room}"),
        Column("patient", "Patient", lambda a: a.patient.name),
        Column("mrn", "MRN", lambda a: a.patient.mrn),
        Column(
            "doctor", "Attending", lambda a: a.attending_doctor.name if a.attending_doctor else ""
        ),
        Column("since", "In ICU since", lambda a: a.in_icu_since, display=fmt_datetime),
        Column("news2", "NEWS2", lambda a: a.latest_news2, _days, RIGHT),
        Column("gcs", "GCS", lambda a: a.latest_gcs, _days, RIGHT),
    )

    def row_data(self, row: Admission, column: Column[Admission], role: int) -> Any:
        if column.key == "news2" and row.latest_news2 is not None:
            level = news2_risk_of(row.latest_news2)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(NEWS2_COLOURS.get(level, theme.TEXT))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"NEWS2 {row.latest_news2} at {fmt_datetime(row.latest_news2_at)}"
        if column.key == "gcs" and role == Qt.ItemDataRole.ToolTipRole and row.latest_gcs_at:
            return f"GCS {row.latest_gcs} at {fmt_datetime(row.latest_gcs_at)}"
        return None


def _temperature(value: Any) -> str:
    return EMPTY if value is None else f"{value:.1f}"


class ObservationsModel(PagedTableModel[Observation]):
    WHEN, RR, SPO2, O2, BP, PULSE, ACVPU, TEMP, NEWS2 = range(9)
    columns = (
        Column("measured_at", "Time", lambda o: o.measured_at, display=fmt_datetime),
        Column("rr", "Resp.", lambda o: o.respiratory_rate, align=RIGHT),
        Column("spo2", "SpO₂ %", lambda o: o.spo2, align=RIGHT),
        Column("o2", "O₂", lambda o: "Oxygen" if o.on_oxygen else "Air"),
        Column("bp", "BP", lambda o: f"{o.systolic_bp}/{o.diastolic_bp}", align=RIGHT),
        Column("pulse", "Pulse", lambda o: o.pulse, align=RIGHT),
        Column("acvpu", "ACVPU", lambda o: o.consciousness),
        Column("temp", "Temp °C", lambda o: o.temperature_c, _temperature, RIGHT),
        Column("news2", "NEWS2", lambda o: o.news2_score, align=RIGHT),
    )
    COMPONENT_OF = {
        "rr": "respiratory_rate",
        "spo2": "spo2",
        "o2": "air_or_oxygen",
        "bp": "systolic_bp",
        "pulse": "pulse",
        "acvpu": "consciousness",
        "temp": "temperature",
    }

    def row_data(self, row: Observation, column: Column[Observation], role: int) -> Any:
        if column.key == "news2":
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(NEWS2_COLOURS.get(row.news2_risk, theme.TEXT))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Risk: {NEWS2_RISKS.get(row.news2_risk, row.news2_risk)}" + (
                    "; the attending doctor was alerted" if row.alert_sent else ""
                )
        points = row.news2_components.get(self.COMPONENT_OF.get(column.key, ""), 0)
        if points and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(theme.DANGER if points == 3 else theme.WARNING)
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "acvpu":
            return CONSCIOUSNESS_LEVELS.get(row.consciousness, row.consciousness)
        if role == Qt.ItemDataRole.ToolTipRole and points:
            return f"{points} NEWS2 point(s)"
        return None


DOSE_COLOURS = {
    "given": theme.SUCCESS,
    "held": theme.WARNING,
    "refused": theme.WARNING,
    "due": theme.PRIMARY,
    "overdue": theme.DANGER,
    "upcoming": theme.MUTED,
}


def _clock(value: Any) -> str:
    return EMPTY if value is None else value.astimezone().strftime("%H:%M")


class InpatientsModel(PagedTableModel[Admission]):
    """Patients admitted now: the medication round's list."""

    BED, PATIENT, MRN, WARD, DOCTOR = range(5)
    columns = (
        Column("bed", "Bed", lambda a: f"{a.bed_label} · {a.room}"),
        Column("patient", "Patient", lambda a: a.patient.name),
        Column("mrn", "MRN", lambda a: a.patient.mrn),
        Column("ward", "Ward", lambda a: a.ward.name),
        Column(
            "doctor", "Attending", lambda a: a.attending_doctor.name if a.attending_doctor else ""
        ),
    )


class MarDosesModel(PagedTableModel[MarDose]):
    TIME, DRUG, DOSE, ROUTE, STATE, BY, NOTE = range(7)
    columns = (
        Column("time", "Time", lambda d: d.scheduled_at, display=_clock),
        Column("drug", "Medicine", lambda d: d.drug),
        Column("dose", "Dose", lambda d: d.dose),
        Column("route", "Route", lambda d: d.route),
        Column("state", "State", lambda d: d.state_display),
        Column("by", "Recorded by", lambda d: d.recorded_by.name if d.recorded_by else ""),
        Column("reason", "Reason", lambda d: d.reason),
    )

    def row_data(self, row: MarDose, column: Column[MarDose], role: int) -> Any:
        if column.key == "state":
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(DOSE_COLOURS.get(row.state, theme.TEXT))
            if role == Qt.ItemDataRole.FontRole and row.state in ("due", "overdue"):
                font = QFont()
                font.setBold(True)
                return font
        return None
