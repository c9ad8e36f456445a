"""The list page and detail panel most screens are made of.

`ListPage`: a toolbar (a search box if the page has one, filters, refresh, the page's own
actions; it wraps onto a second row rather than squeeze them), a paginated table with its empty
and error states, and a detail panel beside or under it. It loads once when first shown, reloads
when a filter changes (typing in the search box waits a moment), keeps the selected row's panel
up to date, and can select a row by id after a reload (after a save, say) whatever the filters
were. A page supplies its model, the API's list call (`source`, e.g. `lambda api:
api.lab.worklist`; called off the UI thread with `page`, `page_size` and the filters) and its
filters as keyword arguments for that call (`filters()`).

`DetailPanel`: the panel of the selected row: a heading, optional action buttons beside it,
labelled read-only values, and which actions the user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.errors import ServerUnreachable
from hms_desktop.models.paged import PagedTableModel
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.forms import line_edit
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import TablePanel

Source = Callable[[Any], Callable[..., Any]]  # the Api -> its list call


class ListPage(Page):
    SEARCH_DELAY_MS = 350

    def __init__(
        self,
        ctx,
        model: PagedTableModel,
        source: Source,
        *,
        refresh_name: str,
        empty_text: str,
        search: str | None = None,
        search_name: str = "",
        search_width: int = 240,
        parent=None,
    ) -> None:
        super().__init__(ctx, parent)
        self.model = model
        model.setParent(self)
        self._source = source
        self.dialog: QDialog | None = None
        self.current: Any = None
        self.filter_widgets: list[QWidget] = []
        self._select_after_load: str | None = None
        self._loaded = False

        # The toolbar wraps onto a second row when the window is too narrow for it, so no
        # control is squeezed below its text; the page's actions keep to the right.
        self.toolbar_bar = QWidget()
        self.toolbar_bar.setObjectName("toolbar")
        self.toolbar = FlowLayout(self.toolbar_bar, spacing=8)
        self.toolbar.setContentsMargins(0, 0, 0, 0)
        self.search: QLineEdit | None = None
        if search is not None:
            self.search = line_edit(search)
            self.search.setObjectName(search_name)
            self.search.setMinimumWidth(search_width)
            self.toolbar.addWidget(self.search)
        self.refresh_button = button("Refresh", name=refresh_name)
        self.toolbar.addStretch(1)
        self.toolbar.addWidget(self.refresh_button)
        self.outer.addWidget(self.toolbar_bar)
        self.table_panel = TablePanel(model, empty_text=empty_text)
        self.table = self.table_panel.table

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        if self.search is not None:
            self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.refresh_button.clicked.connect(self.reload)
        self.bind_shortcuts(search=self.search, refresh=self.refresh_button)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        model.modelReset.connect(self._selection_changed)
        model.load_failed.connect(self._load_failed)
        model.rows_loaded.connect(self._reselect)

    # --- building -------------------------------------------------------------------------

    def add_filters(self, *widgets: QWidget) -> None:
        """Filters go after the search box; changing one reloads the list."""
        for widget in widgets:
            first = 0 if self.search is None else 1
            self.toolbar.insertWidget(first + len(self.filter_widgets), widget)
            self.filter_widgets.append(widget)
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i: self.reload())
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(lambda _c: self.reload())

    def add_actions(self, *buttons: QPushButton) -> None:
        """The page's own actions, after Refresh."""
        for widget in buttons:
            self.toolbar.addWidget(widget)

    def set_table(
        self, *, column_widths: dict[int, int] | None = None, stretch: int | None = None
    ) -> None:
        """The table alone, filling the page (a list without a detail panel)."""
        self.table_panel.set_column_widths(column_widths or {}, stretch=stretch)
        self.outer.addWidget(self.table_panel, 1)

    def set_details(
        self,
        details: QWidget,
        *,
        beside: bool = False,
        grow: int = 0,
        sizes: Sequence[int] = (270, 400),
        column_widths: dict[int, int] | None = None,
        stretch: int | None = None,
    ) -> None:
        """The table with the detail panel under it (or `beside` it, the `grow` side taking
        the width left over), filling the page."""
        self.details = details
        self.table_panel.set_column_widths(column_widths or {}, stretch=stretch)
        splitter = QSplitter(Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table_panel)
        splitter.addWidget(details)
        if beside:
            splitter.setStretchFactor(grow, 1)
        splitter.setSizes(list(sizes))
        self.outer.addWidget(splitter, 1)

    # --- what a page supplies -------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        """The API's keyword arguments for the current search and filters."""
        return {}

    def reloaded(self) -> None:
        """Called after each reload starts, for what the page shows beside the list."""

    def row_selected(self, row: Any, previous: Any) -> None:
        """Show the selected row (None when nothing is selected) in the detail panel;
        `previous` was selected before."""

    # --- the list -------------------------------------------------------------------------

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = self.filters()  # read here, on the UI thread, not in the worker
        fetch = self._source(self.ctx.api)
        self.model.fetch = lambda page, size: fetch(page=page, page_size=size, **filters)
        self.model.reload()
        self.reloaded()

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        previous, self.current = self.current, self.table.selected_row()
        self.row_selected(self.current, previous)

    def select_id(self, row_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == row_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _reselect(self) -> None:
        if self._select_after_load and self.select_id(self._select_after_load):
            self._select_after_load = None

    def reload_and_select(self, row_id: str) -> None:
        """Reload with the filters as they are, then select the row `row_id` if it shows."""
        self._select_after_load = row_id
        self.reload()

    def reload_keeping_selection(self) -> None:
        """Reload (after a change to the selected row) and select that row again."""
        if self.current is not None:
            self._select_after_load = self.current.id
        self.reload()

    def run_step(
        self, call: Callable[[str], Any], button: QWidget, on_done: Callable[[Any], None]
    ) -> None:
        """Send one step of the selected row's workflow (`call(row.id)`), its button busy
        until the answer, which goes to `on_done`; an error shows in the banner."""
        row = self.current
        if row is None:
            return
        self.banner.hide()
        self.run(lambda: call(row.id), on_done=on_done, on_error=self.show_error, busy=[button])

    def find(self, row_id: str, search: str = "") -> None:
        """Search for `search` with every filter cleared, and select the row `row_id`."""
        self._select_after_load = row_id
        widgets = [w for w in (self.search, *self.filter_widgets) if w is not None]
        for widget in widgets:
            widget.blockSignals(True)
        if self.search is not None:
            self.search.setText(search)
        self.clear_filters()
        for widget in widgets:
            widget.blockSignals(False)
        self.reload()

    def clear_filters(self) -> None:
        """Every filter at "any" (the choice with no value, else the first)."""
        for widget in self.filter_widgets:
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(""), 0))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(False)
            elif isinstance(widget, QLineEdit):
                widget.clear()


class DetailPanel(QFrame):
    def __init__(
        self,
        heading: str,
        *,
        margins: tuple[int, int] = (18, 14),
        spacing: int = 8,
        min_width: int = 0,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        if min_width:
            self.setMinimumWidth(min_width)
        self.body = QVBoxLayout(self)
        horizontal, vertical = margins
        self.body.setContentsMargins(horizontal, vertical, horizontal, vertical)
        self.body.setSpacing(spacing)
        self.heading = QLabel(heading)
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.values: dict[str, QLabel] = {}
        self.allowed: dict[QWidget, bool] = {}

    def add_heading(self, *actions: QWidget) -> QHBoxLayout:
        """The heading, with `actions` on its right; on a narrow panel the actions wrap onto
        more rows (right-aligned) rather than squeeze their text."""
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        if actions:
            self.heading_actions = QWidget()
            flow = FlowLayout(self.heading_actions, spacing=6, row_spacing=6)
            flow.addStretch(1)
            for widget in actions:
                flow.addWidget(widget)
            top.addWidget(self.heading_actions, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(top)
        return top

    def add_fields(self, fields: Sequence[tuple[str, str]]) -> QGridLayout:
        """A grid of (label, key) rows; `self.values[key]` is the value's label."""
        grid = QGridLayout()
        grid.setVerticalSpacing(6)
        grid.setHorizontalSpacing(12)
        for row, (label, key) in enumerate(fields):
            name = QLabel(label)
            name.setObjectName("muted")
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        return grid

    def allow(self, allowed: dict[QWidget, bool]) -> None:
        """Show only the actions the user may take (the server's capabilities)."""
        self.allowed = allowed
        for widget, shown in allowed.items():
            widget.setVisible(shown)

    def clear_values(self, text: str = "—") -> None:
        for value in self.values.values():
            value.setText(text)
