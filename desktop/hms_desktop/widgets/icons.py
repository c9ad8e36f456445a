"""Icons drawn from font glyphs, so the client ships no image files and stays crisp."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap


@cache
def glyph_icon(glyph: str, color: str = "#cbd5e1", size: int = 20) -> QIcon:
    icon = QIcon()
    for mode, tint in ((QIcon.Mode.Normal, color), (QIcon.Mode.Selected, "#ffffff")):
        pixmap = QPixmap(size * 2, size * 2)  # drawn at 2x for high-dpi screens
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        font = QFont("DejaVu Sans")
        font.setPixelSize(int(size * 1.5))
        painter.setFont(font)
        painter.setPen(QColor(tint))
        painter.drawText(QRectF(0, 0, size * 2, size * 2), Qt.AlignmentFlag.AlignCenter, glyph)
        painter.end()
        pixmap.setDevicePixelRatio(2.0)
        icon.addPixmap(pixmap, mode)
    return icon
