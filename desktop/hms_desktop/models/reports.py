"""A report section's table: its columns as the server declares them, its rows as sent.

Cells show the value as staff read it (counts with thousands separators, decimals with the
server's fixed places, dates as ISO days, `—` when a value is undefined); the unit is in the
column header ("Stay (days)"), not repeated in every cell. `SORT_ROLE` gives the raw value
(a Decimal for numbers) and `ROW_ROLE` the row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from hms_desktop.api.dto import ReportColumn, ReportSection
from hms_desktop.api.dto.reports import as_decimal
from hms_desktop.formatting import EMPTY
from hms_desktop.models.paged import ROW_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def format_value(column: ReportColumn, value: Any) -> str:
    """One cell as shown (the unit is in the header)."""
    if value is None or value == "":
        return EMPTY
    if column.numeric:
        number = as_decimal(value)
        if number is None:
            return str(value)
        if column.type == "int":
            return f"{int(number):,}"
        return f"{number:,}"  # keeps the server's decimal places: "1,234.50"
    return str(value)


class ReportTableModel(QAbstractTableModel):
    """The rows of one `ReportSection`, read-only."""

    def __init__(self, section: ReportSection | None = None, parent=None) -> None:
        super().__init__(parent)
        self._columns: list[ReportColumn] = []
        self._rows: list[dict[str, Any]] = []
        if section is not None:
            self.set_section(section)

    def set_section(self, section: ReportSection) -> None:
        self.set_rows(section.columns, section.rows)

    def set_rows(self, columns: list[ReportColumn], rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = list(rows)
        self.endResetModel()

    @property
    def columns(self) -> list[ReportColumn]:
        return list(self._columns)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def column_index(self, key: str) -> int:
        for i, column in enumerate(self._columns):
            if column.key == key:
                return i
        raise KeyError(key)

    def text(self, row: int, key: str) -> str:
        """The cell of `row` in the column `key`, as shown."""
        return self.index(row, self.column_index(key)).data()

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self._columns)):
            return None
        column = self._columns[col]
        value = self._rows[row].get(column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(column, value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        if role == SORT_ROLE:
            return as_decimal(value) if column.numeric else value
        if role == ROW_ROLE:
            return self._rows[row]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
