"""Notifications on the desktop: the inbox (opened from the header's bell) and the "needs
attention" strip on the dashboard. Both re-read themselves when the live feed says something
changed (hms_desktop.live.NotificationCentre)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop import theme
from hms_desktop.api.dto import Notification, NotificationCounts
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_datetime
from hms_desktop.widgets.page import button

# Which module shows what a notification is about, by the start of its kind.
MODULE_FOR_KIND = (
    ("lab_", "lab"),
    ("radiology_", "radiology"),
    ("news2", "beds"),
    ("low_stock", "stock_alerts"),
    ("expiring", "stock_alerts"),
    ("prescription", "dispensing"),
    ("billing", "billing"),
    ("invoice", "billing"),
)
FILTERS = (("all", "All"), ("unread", "Unread"), ("attention", "Needs attention"))
STRIP_SIZE = 5


def module_for(notification: Notification) -> str | None:
    for prefix, key in MODULE_FOR_KIND:
        if notification.kind.startswith(prefix):
            return key
    return None


def status_text(notification: Notification) -> str:
    if notification.acknowledged_at is not None:
        who = notification.acknowledged_by.name if notification.acknowledged_by else "someone"
        return f"Acknowledged by {who}, {fmt_datetime(notification.acknowledged_at)}"
    if notification.needs_attention:
        return "Needs attention" + (" (escalated)" if notification.escalated_at else "")
    return "Read" if notification.read_at else "New"


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, ApiError) else str(exc)


def after_acknowledgement(ctx, result, *, otherwise) -> None:
    """Tell the centre the counts the server sent back (every screen then re-reads); without
    a centre, `otherwise` re-reads this screen."""
    centre = getattr(ctx, "notifications", None)
    if centre is None:
        otherwise()
        return
    centre.acknowledged(
        NotificationCounts(unread_count=result.unread_count, attention=result.attention)
    )


class NotificationsDialog(QDialog):
    """The inbox: every notification, newest first; acknowledge, open, mark all read."""

    open_module = Signal(str)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("notificationsDialog")
        self.setWindowTitle("Notifications")
        self.resize(860, 520)
        self.rows: list[Notification] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        self.filter = QComboBox()
        for key, label in FILTERS:
            self.filter.addItem(label, key)
        self.filter.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.filter)
        top.addStretch(1)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("muted")
        top.addWidget(self.counts_label)
        layout.addLayout(top)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["When", "Notification", "Status"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        layout.addWidget(self.table, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("notificationDetail")
        layout.addWidget(self.detail)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.hide()
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        self.mark_all_button = button("Mark all read", name="markAllRead")
        self.mark_all_button.clicked.connect(self.mark_all_read)
        buttons.addWidget(self.mark_all_button)
        buttons.addStretch(1)
        self.open_button = button("Open", name="openNotification")
        self.open_button.clicked.connect(self.open_selected)
        buttons.addWidget(self.open_button)
        self.acknowledge_button = button("Acknowledge", primary=True, name="acknowledge")
        self.acknowledge_button.clicked.connect(self.acknowledge_selected)
        buttons.addWidget(self.acknowledge_button)
        close = button("Close")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._selection_changed()
        centre = getattr(ctx, "notifications", None)
        if centre is not None:
            centre.changed.connect(self.refresh)

    def refresh(self) -> None:
        key = self.filter.currentData()
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.list(
                page_size=100, unread=key == "unread", attention=key == "attention"
            ),
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    def _show(self, page) -> None:
        self.error.hide()
        selected = self.selected()
        self.rows = list(page.results)
        self.table.setRowCount(len(self.rows))
        for row, notification in enumerate(self.rows):
            title = QTableWidgetItem(
                ("CRITICAL · " if notification.critical else "") + notification.title
            )
            title.setToolTip(notification.body)
            if notification.needs_attention:
                title.setForeground(Qt.GlobalColor.darkRed)
            if notification.read_at is None:
                font = title.font()
                font.setBold(True)
                title.setFont(font)
            self.table.setItem(row, 0, QTableWidgetItem(fmt_datetime(notification.created_at)))
            self.table.setItem(row, 1, title)
            self.table.setItem(row, 2, QTableWidgetItem(status_text(notification)))
        self.table.resizeRowsToContents()
        counts = page.counts
        self.counts_label.setText(
            f"{counts.unread_count} unread · {counts.attention} need attention"
        )
        if selected is not None:
            for row, notification in enumerate(self.rows):
                if notification.id == selected.id:
                    self.table.selectRow(row)
        self._selection_changed()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(_message(exc))
        self.error.show()

    def selected(self) -> Notification | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _selection_changed(self) -> None:
        notification = self.selected()
        self.acknowledge_button.setEnabled(bool(notification and notification.needs_attention))
        self.open_button.setEnabled(bool(notification and self._module(notification)))
        self.detail.setText(notification.body if notification else "")

    def _module(self, notification: Notification) -> str | None:
        key = module_for(notification)
        window = self.parent().window() if self.parent() else None
        keys = window.module_keys() if window is not None and hasattr(window, "module_keys") else []
        return key if key in keys else None

    def acknowledge_selected(self) -> None:
        notification = self.selected()
        if notification is None or not notification.needs_attention:
            return
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.acknowledge(notification.id),
            on_done=self._acknowledged,
            on_error=self._failed,
            busy=[self.acknowledge_button],
            owner=self,
        )

    def _acknowledged(self, result) -> None:
        after_acknowledgement(self.ctx, result, otherwise=self.refresh)

    def open_selected(self) -> None:
        notification = self.selected()
        key = notification and self._module(notification)
        if not key:
            return
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.mark_read([notification.id]),
            on_done=lambda _marked: self.refresh(),
            owner=self,
        )
        self.open_module.emit(key)

    def mark_all_read(self) -> None:
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.mark_read(),
            on_done=lambda _marked: self._after_mark_all(),
            on_error=self._failed,
            busy=[self.mark_all_button],
            owner=self,
        )

    def _after_mark_all(self) -> None:
        centre = getattr(self.ctx, "notifications", None)
        if centre is not None:
            centre.start()  # re-read the counts
        self.refresh()


class AttentionStrip(QFrame):
    """The dashboard's "needs attention" strip: critical alerts not yet acknowledged, each with
    Acknowledge. Hidden when there are none."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("attentionStrip")
        self.setStyleSheet(
            f"#attentionStrip {{ background: {theme.DANGER_LIGHT}; border: 1px solid #fca5a5;"
            " border-radius: 8px; }"
        )
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(14, 10, 14, 10)
        self.heading = QLabel()
        self.heading.setObjectName("attentionHeading")
        self.heading.setStyleSheet(f"color: {theme.DANGER}; font-weight: 700;")
        self.layout_.addWidget(self.heading)
        self.rows_box = QVBoxLayout()
        self.layout_.addLayout(self.rows_box)
        self.items: list[Notification] = []
        self.acknowledge_buttons: list[QPushButton] = []
        self.hide()
        centre = getattr(ctx, "notifications", None)
        if centre is not None:
            centre.changed.connect(self.refresh)

    def refresh(self) -> None:
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.list(page_size=STRIP_SIZE, attention=True),
            on_done=self._show,
            on_error=lambda _exc: None,  # the bell and inbox still show them
            owner=self,
        )

    def _show(self, page: Any) -> None:
        while self.rows_box.count():
            item = self.rows_box.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.items = list(page.results)
        self.acknowledge_buttons = []
        attention = page.counts.attention
        more = f" (showing {len(self.items)})" if attention > len(self.items) else ""
        self.heading.setText(f"⚠  Needs attention: {attention}{more}")
        for notification in self.items:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 2, 0, 2)
            text = QLabel(
                f"<b>{escape(notification.title)}</b>"
                f"<br><span style='color:{theme.MUTED}'>"
                f"{fmt_datetime(notification.created_at)}"
                f"{' · escalated to you' if notification.escalation_of else ''}</span>"
            )
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setWordWrap(True)
            text.setToolTip(notification.body)
            line.addWidget(text, 1)
            acknowledge = button("Acknowledge", danger=True)
            acknowledge.setObjectName("acknowledgeAlert")
            acknowledge.clicked.connect(
                lambda _=False, n=notification, b=acknowledge: self._acknowledge(n, b)
            )
            self.acknowledge_buttons.append(acknowledge)
            line.addWidget(acknowledge, 0, Qt.AlignmentFlag.AlignTop)
            self.rows_box.addWidget(row)
        self.setVisible(bool(self.items))

    def _acknowledge(self, notification: Notification, acknowledge: QPushButton) -> None:
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.acknowledge(notification.id),
            on_done=self._acknowledged,
            busy=[acknowledge],
            owner=self,
        )

    def _acknowledged(self, result) -> None:
        after_acknowledgement(self.ctx, result, otherwise=self.refresh)
