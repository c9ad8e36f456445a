"""The main window: sidebar of the role's modules, header bar, banner, and the current page."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.dto import Health
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.context import AppContext
from hms_desktop.live import NotificationCentre
from hms_desktop.modules import Module, modules_for
from hms_desktop.views.notifications import NotificationsDialog
from hms_desktop.widgets.banner import Banner
from hms_desktop.widgets.header import HeaderBar
from hms_desktop.widgets.page import Page
from hms_desktop.widgets.sidebar import Sidebar

HEALTH_INTERVAL_MS = 15_000


class MainWindow(QMainWindow):
    logout_requested = Signal()
    close_requested = Signal()

    def __init__(self, ctx: AppContext, *, health_interval_ms: int = HEALTH_INTERVAL_MS) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"HMS — {ctx.user.display_name}")
        self.resize(1280, 800)
        self.setMinimumSize(1000, 640)
        self.modules: list[Module] = modules_for(ctx.capabilities)
        self.pages: dict[str, QWidget] = {}
        self._closing_for_real = False
        self._health_in_flight = False
        self.notifications_dialog: NotificationsDialog | None = None
        # Before any page: pages listen to it for live notifications.
        self.notifications = NotificationCentre(ctx, self)
        ctx.notifications = self.notifications

        central = QWidget()
        root = QHBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.sidebar = Sidebar()
        self.sidebar.set_modules(self.modules)
        root.addWidget(self.sidebar)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.header = HeaderBar()
        self.header.set_user(ctx.user)
        self.header.logout_clicked.connect(self.logout_requested)
        self.header.bell_clicked.connect(self.show_notifications)
        self.notifications.counts_changed.connect(self._notification_counts)
        self.notifications.live_changed.connect(lambda _live: self._notification_counts())
        self.notifications.alert.connect(self._critical_alert)
        self.notifications.consult_waiting.connect(self._consult_waiting)
        column.addWidget(self.header)
        banner_holder = QWidget()
        holder = QVBoxLayout(banner_holder)
        holder.setContentsMargins(24, 12, 24, 0)
        self.banner = Banner()
        self.banner.setObjectName("banner")
        self.banner.retry_clicked.connect(self.retry)
        holder.addWidget(self.banner)
        self.banner_holder = banner_holder
        banner_holder.hide()
        self.banner.close_button.clicked.connect(banner_holder.hide)
        column.addWidget(banner_holder)
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)
        root.addWidget(right, 1)
        self.setCentralWidget(central)

        self.sidebar.module_selected.connect(self.open_module)
        runner = ctx.runner
        runner.unreachable.connect(self._server_unreachable)
        runner.reachable.connect(self._server_reachable)
        runner.error.connect(self._unhandled_error)

        self.health_timer = QTimer(self)
        self.health_timer.setInterval(health_interval_ms)
        self.health_timer.timeout.connect(self.check_health)
        self.health_timer.start()
        QTimer.singleShot(0, self.check_health)
        self.notifications.start()
        if self.modules:
            self.sidebar.select(self.modules[0].key)

    # --- navigation ----------------------------------------------------------------------

    def module_keys(self) -> list[str]:
        return self.sidebar.keys()

    def open_module(self, key: str) -> QWidget:
        module = next(m for m in self.modules if m.key == key)
        page = self.pages.get(key)
        if page is None:
            page = module.create(self.ctx)
            self.pages[key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.header.set_title(getattr(page, "title", "") or module.title)
        if self.sidebar.current_key() != key:
            self.sidebar.select(key)
        if isinstance(page, Page):
            page.activated()
        return page

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    # --- notifications -------------------------------------------------------------------

    def show_notifications(self) -> NotificationsDialog:
        if self.notifications_dialog is None:
            dialog = NotificationsDialog(self.ctx, self)
            dialog.open_module.connect(self.open_module)
            self.notifications_dialog = dialog
        self.notifications_dialog.show()
        self.notifications_dialog.raise_()
        self.notifications_dialog.refresh()
        return self.notifications_dialog

    def _notification_counts(self, _counts=None) -> None:
        counts = self.notifications.counts
        self.header.set_notification_counts(
            counts.unread_count, counts.attention, live=self.notifications.live
        )

    def _critical_alert(self, notification) -> None:
        self.banner.show_message(
            f"Critical: {notification.title}. Open the notifications (✉) to acknowledge it.",
            kind="warning",
        )
        self.banner_holder.show()
        QApplication.alert(self)

    def _consult_waiting(self, message: dict) -> None:
        """A patient entered a teleconsult's waiting room (the doctor hears of it anywhere;
        the appointments queue and My consults re-read themselves)."""
        if not message.get("waiting"):
            return
        patient = message.get("patient") or "A patient"
        self.banner.show_message(
            f"{patient} is in the waiting room of their teleconsult: open the consult room "
            "from Appointments or My consults.",
            kind="info",
        )
        self.banner_holder.show()
        QApplication.alert(self)

    # --- server status -------------------------------------------------------------------

    def check_health(self) -> None:
        if self._health_in_flight:
            return
        self._health_in_flight = True
        self.ctx.runner.run(
            self.ctx.api.client.health,
            on_done=self._health,
            on_error=self._health_error,
            on_unreachable=lambda _exc: self._health_ended(),
            owner=self,
            retry_key="health",
        )

    def _health_ended(self) -> None:
        self._health_in_flight = False

    def _health(self, health: Health) -> None:
        self._health_ended()
        if health.ok and not health.warm:
            self.header.set_server_status(
                "online",
                "Server online (warming up)",
                "The server is loading its drug and ICD-10 lists; the first analysis or code "
                "lookup may take a few seconds.",
            )
        elif health.ok:
            self.header.set_server_status("online", "Server online", self.ctx.api.client.base_url)
        else:
            failing = ", ".join(health.failing) or health.status
            self.header.set_server_status(
                "degraded", "Server degraded", f"Not answering on the server: {failing}"
            )

    def _health_error(self, exc: Exception) -> None:
        self._health_ended()
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        self.header.set_server_status("degraded", "Server error", message)

    def _server_unreachable(self, exc: ServerUnreachable) -> None:
        self.header.set_server_status("offline", "Server unreachable", exc.message)
        self.banner.show_message(
            f"{exc.message} Nothing you typed is lost; press Retry when the server is back.",
            kind="error",
            retry=True,
        )
        self.banner_holder.show()

    def _server_reachable(self) -> None:
        if self.header.status in ("offline", "checking"):
            self.header.set_server_status("online", "Server online", self.ctx.api.client.base_url)
        if self.banner.isVisible() and self.banner.property("kind") == "error":
            self.banner.hide()
            self.banner_holder.hide()

    def retry(self) -> None:
        self.banner.retry_button.setEnabled(False)
        self.header.set_server_status("checking", "Reconnecting…")
        self.ctx.runner.retry()
        self.check_health()

    def banner_visible(self) -> bool:
        return self.banner_holder.isVisible() and self.banner.isVisible()

    def _unhandled_error(self, exc: Exception) -> None:
        message = exc.message if isinstance(exc, ApiError) else f"Unexpected error: {exc}"
        self.banner.show_message(message, kind="warning")
        self.banner_holder.show()

    # --- closing -------------------------------------------------------------------------

    def close_for_real(self) -> None:
        self._closing_for_real = True
        self.health_timer.stop()
        self.notifications.stop()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing_for_real:
            event.accept()
            return
        # Closing the window signs out (the refresh token is revoked) and quits.
        event.ignore()
        self.close_requested.emit()
