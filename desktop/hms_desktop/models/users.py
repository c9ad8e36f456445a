"""Staff accounts as a paged table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from hms_desktop import theme
from hms_desktop.api.dto import User
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.paged import Column, PagedTableModel


class UsersModel(PagedTableModel[User]):
    USERNAME, NAME, ROLE, EMAIL, PHONE, STATUS, LAST_LOGIN = range(7)
    columns = (
        Column("username", "Username", lambda u: u.username),
        Column("name", "Name", lambda u: u.full_name),
        Column("role", "Role", lambda u: u.role_display),
        Column("email", "Email", lambda u: u.email),
        Column("phone", "Phone", lambda u: u.phone),
        Column("status", "Status", lambda u: "Active" if u.is_active else "Deactivated"),
        Column("last_login", "Last sign-in", lambda u: u.last_login, display=fmt_datetime),
    )

    def row_data(self, row: User, column: Column[User], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.is_active:
                return QColor(theme.MUTED)
            if column.key == "status":
                return QColor(theme.SUCCESS)
        if role == Qt.ItemDataRole.FontRole and column.key == "username":
            font = QFont()
            font.setBold(True)
            return font
        return None
