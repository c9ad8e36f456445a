"""A table model over a paginated API list that loads the next page as the view scrolls.

Subclasses declare their `columns`; the model owns the rows (DTOs), the total count and the
next page number. `reload()` fetches page 1 (replacing the rows inside a model reset), and Qt
calls `canFetchMore()` / `fetchMore()` when the view nears the bottom, which appends the next
page with `beginInsertRows`. Every fetch runs on the TaskRunner's pool; a response that arrives
after the filters changed (an older "generation") is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from hms_desktop.api.dto import Page
from hms_desktop.formatting import EMPTY
from hms_desktop.workers import TaskRunner

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the DTO behind a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # the raw value of a cell
FetchPage = Callable[[int, int], Page[Any]]  # (page, page_size) -> Page


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    title: str
    value: Callable[[T], Any]
    display: Callable[[Any], str] = lambda v: EMPTY if v in (None, "") else str(v)
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    width: int | None = None


class PagedTableModel(QAbstractTableModel, Generic[T]):
    columns: ClassVar[Sequence[Column[Any]]] = ()

    loading_changed = Signal(bool)
    total_changed = Signal(int)
    rows_loaded = Signal()
    load_failed = Signal(object)

    def __init__(
        self,
        runner: TaskRunner | None = None,
        fetch: FetchPage | None = None,
        *,
        page_size: int = 50,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.fetch = fetch
        self.page_size = page_size
        self._rows: list[T] = []
        self._total = 0
        self._next_page: int | None = None
        self._loading = False
        self._generation = 0
        self.last_error: Exception | None = None

    # --- data ----------------------------------------------------------------------------

    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._next_page is not None

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_rows(self, rows: Sequence[T], *, total: int | None = None, next_page=None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._next_page = next_page
        self.endResetModel()
        self._set_total(len(self._rows) if total is None else total)

    def replace_row(self, item: T, key: str = "id") -> bool:
        """Swap in an updated DTO (after an edit) without reloading the list."""
        for i, row in enumerate(self._rows):
            if getattr(row, key) == getattr(item, key):
                self._rows[i] = item
                self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                return True
        return False

    def _set_total(self, total: int) -> None:
        if total != self._total:
            self._total = total
            self.total_changed.emit(total)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch page 1 again (for new filters, or after a change)."""
        self._generation += 1
        self._load(1, self._generation, replace=True)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt idiom
        return not parent.isValid() and self._next_page is not None and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load(self._next_page, self._generation, replace=False)

    def _load(self, page: int, generation: int, *, replace: bool) -> None:
        if self.fetch is None:
            return
        self._set_loading(True)
        fetch, size = self.fetch, self.page_size

        def done(result: Page[T]) -> None:
            if generation != self._generation:
                return  # filters changed while this page was on its way
            self._set_loading(False)
            self.last_error = None
            self.page_loaded(result)
            if replace:
                self.set_rows(result.results, total=result.count, next_page=result.next_page)
            else:
                self._append(result)
            self.rows_loaded.emit()

        def failed(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._set_loading(False)
            self.last_error = exc
            self.load_failed.emit(exc)

        if self.runner is None:  # synchronous (scripts and model tests)
            try:
                result = fetch(page, size)
            except Exception as exc:
                failed(exc)
            else:
                done(result)
            return
        self.runner.run(
            lambda: fetch(page, size),
            on_done=done,
            on_error=failed,
            on_unreachable=failed,
            owner=self,
            retry_key=f"model-{id(self)}",
        )

    def _append(self, page: Page[T]) -> None:
        if page.results:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.results) - 1)
            self._rows.extend(page.results)
            self.endInsertRows()
        self._next_page = page.next_page
        self._set_total(page.count)

    # --- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(column.value(row))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.row_data(row, column, role)  # a subclass may explain the cell
            return tip if tip is not None else column.display(column.value(row))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.value(row)
        return self.row_data(row, column, role)

    def row_data(self, row: T, column: Column[T], role: int) -> Any:
        """Hook for subclasses: colours, fonts, icons per row or cell."""
        return None

    def page_loaded(self, page: Page[T]) -> None:
        """Hook for subclasses: what a page carries besides its rows (e.g. a day's counts)."""

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class SummaryTableModel(PagedTableModel[T]):
    """A worklist whose first page also carries counts for the whole list (`summary`)."""

    summary_changed = Signal(dict)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.summary: dict[str, int] = {}

    def page_loaded(self, page: Page[T]) -> None:
        summary = getattr(page, "summary", None)
        if summary is not None and page.page == 1:
            self.summary = dict(summary)
            self.summary_changed.emit(self.summary)
