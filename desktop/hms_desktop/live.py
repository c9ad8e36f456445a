"""Live notifications: the server's `ws/notifications/` feed, kept open off the UI thread.

`NotificationFeed` owns a `QWebSocket` that lives on a thread of its own: frames are read
there and reach the UI thread as queued signals, so a slow or dead connection never blocks a
screen. It signs in with the same access token as the API (`Authorization: Bearer ...`).

`NotificationCentre` is what screens use: the bell's counts, a signal for a critical alert,
one for "something changed" (lists re-read themselves), and one for a patient entering or
leaving a teleconsult's waiting room (the appointments queue re-reads itself). It reads the
counts over the API first (which also refreshes an expired token), then opens the feed; when
the feed drops it tries again with a growing pause, and re-reads what it may have missed.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtNetwork import QAbstractSocket, QNetworkRequest
from PySide6.QtWebSockets import QWebSocket

from hms_desktop.api.dto import Notification, NotificationCounts

logger = logging.getLogger(__name__)

FEED_PATH = "/ws/notifications/"
KEEPALIVE_MS = 25_000
FIRST_RETRY_MS = 1_000
MAX_RETRY_MS = 30_000
PUSHED_EVENTS = ("created", "acknowledged", "escalated")
CONSULT_WAITING = "consult_waiting"


def feed_url(base_url: str) -> str:
    """`http://host:8000` → `ws://host:8000/ws/notifications/` (https → wss)."""
    scheme, _, rest = base_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{FEED_PATH}"


class NotificationFeed(QObject):
    """The socket on its own thread. `message(dict)` for every frame, `opened`, `lost(reason)`.

    The feed thread runs only Qt's own code: the socket is made and wired here, on the UI
    thread, then moved there, and is driven through its C++ slots (`open`, `close`, `ping`)
    by queued signals; its signals come back queued to this object. No Python runs on that
    thread. Python there would call into Qt holding the GIL, and Qt takes its signal-slot
    locks inside such calls: when the UI thread, destroying an object, held the same lock
    and waited for the GIL, both stopped for good (seen as a client frozen at sign-in).
    """

    message = Signal(dict)
    opened = Signal()
    lost = Signal(str)
    _open_requested = Signal(QNetworkRequest)
    _close_requested = Signal()
    _ping_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open = False
        self.thread = QThread()
        self.thread.setObjectName("hms-notification-feed")
        self._socket = QWebSocket()
        self._socket.textMessageReceived.connect(self._received)
        self._socket.connected.connect(self._connected)
        self._socket.disconnected.connect(self._disconnected)
        self._socket.errorOccurred.connect(self._failed)
        self._socket.moveToThread(self.thread)
        self._open_requested.connect(self._socket.open)
        self._close_requested.connect(self._socket.close)
        self._ping_requested.connect(self._socket.ping)
        self.thread.finished.connect(self._socket.deleteLater)
        self.thread.start()

    def open(self, url: str, token: str) -> None:
        request = QNetworkRequest(QUrl(url))
        request.setRawHeader(b"Authorization", f"Bearer {token}".encode())
        self._open_requested.emit(request)

    def ping(self) -> None:
        """A WebSocket ping frame (the server answers it): keeps proxies from closing an
        idle connection."""
        if self._open:
            self._ping_requested.emit()

    def shut_down(self) -> None:
        self._close_requested.emit()
        self.thread.quit()
        self.thread.wait(5_000)

    @Slot()
    def _connected(self) -> None:
        self._open = True
        self.opened.emit()

    @Slot()
    def _disconnected(self) -> None:
        self._open = False
        # Not read from the socket: it lives on the other thread (and may be gone by now).
        self.lost.emit("connection closed")

    @Slot(QAbstractSocket.SocketError)
    def _failed(self, error: QAbstractSocket.SocketError) -> None:
        if not self._open:  # a refused handshake: no "disconnected" follows
            self.lost.emit(f"connection failed ({error.name})")

    @Slot(str)
    def _received(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            logger.warning("notification feed: not JSON: %.200s", text)
            return
        if isinstance(message, dict):
            self.message.emit(message)


class NotificationCentre(QObject):
    """The signed-in user's notifications for every screen: counts, alerts, changes."""

    counts_changed = Signal(object)  # NotificationCounts
    alert = Signal(object)  # Notification: a critical one just created or escalated to you
    changed = Signal()  # a notification came, was acknowledged or escalated: re-read lists
    live_changed = Signal(bool)  # the feed is open (True) or being re-established
    # A patient entered or left a teleconsult's waiting room (to its doctor):
    # `{"event": "consult_waiting", "appointment", "patient", "waiting"}`.
    consult_waiting = Signal(dict)
    resumed = Signal()  # the feed is back after a drop: what it carried may have been missed

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.counts = NotificationCounts(unread_count=0, attention=0)
        self.live = False
        self._stopped = False
        self._heard_before = False
        self._retry_ms = FIRST_RETRY_MS
        self.feed = NotificationFeed(self)
        self.feed.message.connect(self._message)
        self.feed.opened.connect(self._opened)
        self.feed.lost.connect(self._lost)
        self.reconnect_timer = QTimer(self)
        self.reconnect_timer.setSingleShot(True)
        self.reconnect_timer.timeout.connect(self.start)
        self.keepalive = QTimer(self)
        self.keepalive.setInterval(KEEPALIVE_MS)
        self.keepalive.timeout.connect(self.feed.ping)

    # --- the connection ------------------------------------------------------------------

    def start(self) -> None:
        """Read the counts over the API, then open the feed."""
        if self._stopped:
            return
        self.ctx.runner.run(
            lambda: self.ctx.api.notifications.list(page_size=1),
            on_done=self._counted_then_connect,
            on_error=lambda exc: self._lost(f"counts: {exc}"),
            on_unreachable=lambda exc: self._lost(f"server unreachable: {exc}"),
            owner=self,
        )

    def stop(self) -> None:
        self._stopped = True
        self.reconnect_timer.stop()
        self.keepalive.stop()
        self.feed.shut_down()

    def _counted_then_connect(self, page) -> None:
        self._set_counts(page.counts)
        token = self.ctx.api.client.access_token
        if token and not self._stopped:
            self.feed.open(feed_url(self.ctx.api.client.base_url), token)

    def _opened(self) -> None:
        self._retry_ms = FIRST_RETRY_MS
        self.keepalive.start()
        self._set_live(True)

    def _lost(self, reason: str) -> None:
        self.keepalive.stop()
        self._set_live(False)
        if self._stopped or self.reconnect_timer.isActive():
            return
        logger.info("notification feed lost (%s); again in %d ms", reason, self._retry_ms)
        self.reconnect_timer.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, MAX_RETRY_MS)

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            self.live_changed.emit(live)

    # --- what arrives --------------------------------------------------------------------

    def _message(self, message: dict) -> None:
        if isinstance(message.get("unread"), int) and isinstance(message.get("attention"), int):
            self._set_counts(
                NotificationCounts(unread_count=message["unread"], attention=message["attention"])
            )
        event = message.get("event")
        if event == "hello":
            if self._heard_before:  # back after a drop: re-read what was missed
                self.changed.emit()
                self.resumed.emit()
            self._heard_before = True
            return
        if event == CONSULT_WAITING:
            if isinstance(message.get("appointment"), str | int):
                self.consult_waiting.emit(message)
            return
        if event not in PUSHED_EVENTS or not isinstance(message.get("notification"), dict):
            return
        notification = Notification.from_json(message["notification"])
        if event in ("created", "escalated") and notification.needs_attention:
            self.alert.emit(notification)
        self.changed.emit()

    def _set_counts(self, counts: NotificationCounts) -> None:
        if counts != self.counts:
            self.counts = counts
            self.counts_changed.emit(counts)

    def acknowledged(self, counts: NotificationCounts) -> None:
        """A screen acknowledged one over the API: the counts it got back are the newest."""
        self._set_counts(counts)
        self.changed.emit()
