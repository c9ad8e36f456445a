"""The bar across the top of the main window: page title, server status, user, logout."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from hms_desktop import theme
from hms_desktop.api.dto import User
from hms_desktop.roles import role_label

STATUS_COLOURS = {
    "online": theme.SUCCESS,
    "degraded": theme.WARNING,
    "offline": theme.DANGER,
    "checking": theme.MUTED,
}


class HeaderBar(QFrame):
    logout_clicked = Signal()
    bell_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("headerBar")
        self.setFixedHeight(60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 8, 16, 8)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("headerTitle")
        layout.addWidget(self.title)
        layout.addStretch(1)
        self.server_status = QLabel()
        self.server_status.setObjectName("serverStatus")
        layout.addWidget(self.server_status)
        self.bell = QPushButton()
        self.bell.setObjectName("notificationBell")
        self.bell.setCursor(Qt.CursorShape.PointingHandCursor)
        self.bell.clicked.connect(self.bell_clicked)
        layout.addWidget(self.bell)
        self.unread = self.attention = 0
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setStyleSheet(f"color: {theme.BORDER};")
        layout.addWidget(separator)
        self.user_label = QLabel()
        self.user_label.setObjectName("headerUser")
        layout.addWidget(self.user_label)
        self.role_chip = QLabel()
        self.role_chip.setObjectName("roleChip")
        self.role_chip.setFixedHeight(24)
        layout.addWidget(self.role_chip, 0, Qt.AlignmentFlag.AlignVCenter)
        self.logout_button = QPushButton("Log out")
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.clicked.connect(self.logout_clicked)
        layout.addWidget(self.logout_button)
        self.status = "checking"
        self.set_server_status("checking", "Checking server…")
        self.set_notification_counts(0, 0)

    def set_title(self, title: str) -> None:
        self.title.setText(title)

    def set_user(self, user: User) -> None:
        self.user_label.setText(user.display_name)
        self.user_label.setToolTip(f"Signed in as {user.username}")
        self.role_chip.setText(user.role_display or role_label(user.role))

    def set_server_status(self, status: str, text: str, tooltip: str = "") -> None:
        self.status = status
        colour = STATUS_COLOURS.get(status, theme.MUTED)
        self.server_status.setText(f'<span style="color:{colour}">●</span>&nbsp;{text}')
        self.server_status.setToolTip(tooltip or text)

    def set_notification_counts(self, unread: int, attention: int, *, live: bool = True) -> None:
        """The bell: unread notifications, in red when critical ones wait for acknowledgement."""
        self.unread, self.attention = unread, attention
        # Short, so the page title keeps its room on a small screen; the tooltip says it in full.
        text = f"✉ {unread}" if unread else "✉"
        if attention:
            text += f"  ⚠ {attention}"
        self.bell.setText(text)
        self.bell.setProperty("danger", attention > 0)
        self.bell.style().unpolish(self.bell)
        self.bell.style().polish(self.bell)
        tooltip = f"Notifications: {unread} unread, {attention} need attention"
        if not live:
            tooltip += " (live updates reconnecting)"
        self.bell.setToolTip(tooltip)
        self.bell.setAccessibleName(tooltip)
