"""The splash screen shown while the client starts and looks for its server."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPixmap
from PySide6.QtWidgets import QSplashScreen

from hms_desktop import __version__, theme

WIDTH, HEIGHT = 560, 320


def splash_pixmap() -> QPixmap:
    pixmap = QPixmap(WIDTH, HEIGHT)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    gradient = QLinearGradient(0, 0, WIDTH, HEIGHT)
    gradient.setColorAt(0, QColor(theme.PRIMARY_DARK))
    gradient.setColorAt(1, QColor(theme.SIDEBAR))
    painter.fillRect(pixmap.rect(), gradient)
    painter.setPen(QColor("white"))
    font = QFont("DejaVu Sans")
    font.setPixelSize(64)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(40, 70, WIDTH - 80, 80), Qt.AlignmentFlag.AlignLeft, "✚ HMS")
    font.setPixelSize(20)
    font.setBold(False)
    painter.setFont(font)
    painter.drawText(
        QRectF(44, 160, WIDTH - 80, 30), Qt.AlignmentFlag.AlignLeft, "Hospital information system"
    )
    painter.setPen(QColor("#99f6e4"))
    font.setPixelSize(13)
    painter.setFont(font)
    painter.drawText(
        QRectF(44, 192, WIDTH - 80, 24),
        Qt.AlignmentFlag.AlignLeft,
        f"Staff desktop · version {__version__}",
    )
    painter.end()
    return pixmap


class SplashScreen(QSplashScreen):
    def __init__(self) -> None:
        super().__init__(splash_pixmap())

    def say(self, message: str) -> None:
        self.showMessage(
            message,
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
            QColor("#e2e8f0"),
        )
