"""A table over a PagedTableModel, with a footer telling how much is loaded."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.errors import ApiError
from hms_desktop.models.paged import ROW_ROLE, PagedTableModel


class DataTable(QTableView):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(34)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)

    def stretch_column(self, column: int) -> None:
        """This column takes the width left over (instead of the last one)."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def selected_row(self):
        indexes = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not indexes:
            return None
        return indexes[0].data(ROW_ROLE)


class TablePanel(QWidget):
    """Table + footer ("Showing 50 of 130", "Loading…", or the error)."""

    def __init__(
        self, model: PagedTableModel, *, empty_text: str = "Nothing here yet.", parent=None
    ):
        super().__init__(parent)
        self.model = model
        self.empty_text = empty_text
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.table = DataTable()
        self.table.setModel(model)
        layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        self.footer = QLabel()
        self.footer.setObjectName("tableFooter")
        footer.addWidget(self.footer)
        footer.addStretch(1)
        layout.addLayout(footer)
        model.loading_changed.connect(self._update_footer)
        model.total_changed.connect(self._update_footer)
        model.rows_loaded.connect(self._update_footer)
        model.rowsInserted.connect(self._update_footer)
        model.modelReset.connect(self._update_footer)
        model.load_failed.connect(self._failed)
        self._update_footer()

    def set_column_widths(self, widths: dict[int, int], *, stretch: int | None = None) -> None:
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        if stretch is not None:
            self.table.stretch_column(stretch)

    def _update_footer(self, *_args) -> None:
        model = self.model
        if model.loading and not model.rowCount():
            text = "Loading…"
        elif not model.rowCount():
            text = self.empty_text
        else:
            text = f"Showing {model.rowCount()} of {model.total}"
            if model.loading:
                text += " · loading more…"
            elif model.has_more:
                text += " · scroll down for more"
        self.footer.setText(text)

    def _failed(self, exc: Exception) -> None:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        self.footer.setText(f"Could not load: {message}")


def tile_grid(view: QListView, name: str, cell: QSize) -> QListView:
    """Make a list view a grid of same-sized tiles, filled left to right and wrapped to the
    view's width, one selectable at a time (bed tiles, appointment slots)."""
    view.setObjectName(name)
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setGridSize(cell)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view
