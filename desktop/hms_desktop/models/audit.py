"""Audit events as a paged table, newest first (the server's order)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hms_desktop import theme
from hms_desktop.api.dto import AuditEvent
from hms_desktop.api.resources import AUDIT_ACTIONS
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.paged import Column, PagedTableModel
from hms_desktop.roles import role_label

ACTION_LABELS = dict(AUDIT_ACTIONS)
OUTCOME_COLOURS = {"failure": theme.DANGER, "denied": theme.WARNING, "success": theme.SUCCESS}


def _seconds(value) -> str:
    return fmt_datetime(value, seconds=True)


class AuditModel(PagedTableModel[AuditEvent]):
    columns = (
        Column("occurred_at", "Time", lambda e: e.occurred_at, display=_seconds),
        Column("actor", "User", lambda e: e.actor_username or "(anonymous)"),
        Column("role", "Role", lambda e: role_label(e.actor_role) if e.actor_role else ""),
        Column("action", "Action", lambda e: ACTION_LABELS.get(e.action, e.action)),
        Column("resource", "Resource", lambda e: e.resource_type),
        Column("object", "Object", lambda e: e.object_id),
        Column("patient", "Patient", lambda e: e.patient_id),
        Column("outcome", "Outcome", lambda e: e.outcome.capitalize()),
        Column("ip", "Address", lambda e: e.ip),
    )

    def row_data(self, row: AuditEvent, column: Column[AuditEvent], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "outcome":
            colour = OUTCOME_COLOURS.get(row.outcome)
            return QColor(colour) if colour else None
        return None
