"""A user's teleconsults as a paged table (their conversations of kind consult)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from hms_desktop.api.dto import Conversation
from hms_desktop.models.paged import Column, PagedTableModel


def _unread(count: int) -> str:
    return str(count) if count else ""


class ConsultsModel(PagedTableModel[Conversation]):
    PATIENT, DOCTOR, MRN, UNREAD, LAST_MESSAGE = range(5)
    columns = (
        Column("patient", "Patient", lambda c: c.patient.name),
        Column("doctor", "Doctor", lambda c: c.doctor.name),
        Column("mrn", "MRN", lambda c: c.patient.mrn),
        Column(
            "unread",
            "Unread",
            lambda c: c.unread_count,
            display=_unread,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        ),
        Column("last_message", "Last message", lambda c: c.last_message_text),
    )

    def row_data(self, row: Conversation, column: Column[Conversation], role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and (
            column.key == "patient" or (column.key == "unread" and row.unread_count)
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None
