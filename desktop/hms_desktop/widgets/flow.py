"""A layout that lays widgets out in a row and wraps them onto more rows when the row is too
narrow, so no widget is ever squeezed below the size its text needs.

It keeps the `QHBoxLayout` calls toolbars are built with (`addWidget`, `insertWidget`,
`addStretch`, `addSpacing`): widgets before the stretch sit on the left, widgets after it on the
right. When everything fits, one row looks exactly like a box layout with a stretch in it; when
it does not, the row breaks between widgets and the right-hand group keeps to the right.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QSpacerItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 8, row_spacing: int = 8):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: QSpacerItem | None = None
        self._row_spacing = row_spacing
        self.setSpacing(spacing)
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    # --- the QHBoxLayout calls toolbars use ------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def addWidget(self, widget: QWidget, *_args) -> None:
        """Add `widget` at the end (a box layout's stretch and alignment are not used: every
        widget takes the width it asks for)."""
        super().addWidget(widget)

    def insertWidget(self, index: int, widget: QWidget, *_args) -> None:
        """Put `widget` at `index` (a negative index counts from the end, as in a box)."""
        self.addChildWidget(widget)
        if index < 0:
            index = len(self._items) + 1 + index
        self._items.insert(max(0, min(index, len(self._items))), QWidgetItem(widget))
        self.invalidate()

    def addStretch(self, _stretch: int = 1) -> None:
        """Where the left-hand group ends: what follows keeps to the right."""
        if self._stretch is None:
            self._stretch = QSpacerItem(
                0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
            )
            self.addItem(self._stretch)

    def addSpacing(self, size: int) -> None:
        self.addItem(QSpacerItem(size, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum))

    def setRowSpacing(self, spacing: int) -> None:
        self._row_spacing = spacing
        self.invalidate()

    # --- QLayout ---------------------------------------------------------------------------

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        if item is self._stretch:
            self._stretch = None
        self.invalidate()
        return item

    def indexOf(self, widget) -> int:
        for i, item in enumerate(self._items):
            if item.widget() is widget or item is widget:
                return i
        return -1

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        shown = [item for item in self._items if not item.isEmpty()]
        width = sum(self._width(item) for item in shown)
        width += self.spacing() * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return self._plus_margins(QSize(width, height))

    def minimumSize(self) -> QSize:
        """As narrow as the widest widget, one to a row."""
        shown = [item for item in self._items if not item.isEmpty()]
        width = max((self._width(item) for item in shown), default=0)
        height = max((item.minimumSize().height() for item in shown), default=0)
        return self._plus_margins(QSize(width, height))

    # --- arranging -------------------------------------------------------------------------

    def _plus_margins(self, size: QSize) -> QSize:
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    @staticmethod
    def _width(item: QLayoutItem) -> int:
        """A widget's width: what it asks for, never less than its minimum."""
        return max(item.sizeHint().width(), item.minimumSize().width())

    def _rows(self, width: int) -> list[list[tuple[QLayoutItem, bool]]]:
        """The rows at `width`: (item, keeps to the right) in order, a row breaking before the
        widget that would not fit. The right-hand group stays together on a row of its own
        when it does not fit after the left-hand one but fits a row."""
        rows: list[list[tuple[QLayoutItem, bool]]] = [[]]
        used = 0
        right = False
        for index, item in enumerate(self._items):
            if item is self._stretch:
                right = True
                group = [i for i in self._items[index + 1 :] if not i.isEmpty()]
                needed = sum(self._width(i) for i in group)
                needed += self.spacing() * max(0, len(group) - 1)
                if group and rows[-1] and used + self.spacing() + needed > width >= needed:
                    rows.append([])
                    used = 0
                continue
            if item.isEmpty():
                continue
            needed = self._width(item) + (self.spacing() if rows[-1] else 0)
            if rows[-1] and used + needed > width:
                rows.append([])
                used, needed = 0, self._width(item)
            rows[-1].append((item, right))
            used += needed
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in `rect` (when `place`); the height they take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        y = inner.y()
        rows = self._rows(inner.width())
        for n, row in enumerate(rows):
            height = max(item.sizeHint().height() for item, _ in row)
            if place:
                self._place_row(row, inner, y, height)
            y += height + (self._row_spacing if n < len(rows) - 1 else 0)
        return y - inner.y() + margins.top() + margins.bottom()

    def _place_row(
        self, row: list[tuple[QLayoutItem, bool]], inner: QRect, y: int, height: int
    ) -> None:
        left = [item for item, right in row if not right]
        right = [item for item, right in row if right]
        x = inner.x()
        for item in left:
            x = self._place(item, x, y, height, inner.width()) + self.spacing()
        widths = [min(self._width(item), inner.width()) for item in right]
        x = inner.right() + 1 - sum(widths) - self.spacing() * max(0, len(right) - 1)
        x = max(x, inner.x())
        for item in right:
            x = self._place(item, x, y, height, inner.width()) + self.spacing()

    def _place(self, item: QLayoutItem, x: int, y: int, row_height: int, room: int) -> int:
        """Put `item` at x, centred in the row; returns where it ends."""
        width = min(self._width(item), room)
        wanted = item.sizeHint().height()
        if item.expandingDirections() & Qt.Orientation.Vertical:
            wanted = row_height
        height = min(max(wanted, item.minimumSize().height()), row_height)
        top = y + (row_height - height) // 2
        item.setGeometry(QRect(QPoint(x, top), QSize(width, height)))
        return x + width
