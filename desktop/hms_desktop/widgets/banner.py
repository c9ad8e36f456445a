"""A strip across the top of a window: what went wrong and, when it helps, a Retry button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from hms_desktop.theme import repolish

ICONS = {"error": "⚠", "warning": "⚠", "info": "\u2139", "success": "✓"}


class Banner(QFrame):
    retry_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "error")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(10)
        self.icon = QLabel(ICONS["error"])
        self.icon.setObjectName("bannerText")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setObjectName("bannerRetry")
        self.retry_button.clicked.connect(self.retry_clicked)
        self.close_button = QPushButton("✕")
        self.close_button.setProperty("flat", True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setFixedWidth(32)
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, message: str, *, kind: str = "error", retry: bool = False) -> None:
        self.setProperty("kind", kind)
        self.icon.setText(ICONS.get(kind, ""))
        self.text.setText(message)
        self.retry_button.setVisible(retry)
        self.retry_button.setEnabled(True)
        repolish(self)
        self.show()

    @property
    def message(self) -> str:
        return self.text.text()
