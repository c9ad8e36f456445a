"""Dashboard cards: a number with a caption, or a small bar chart (QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from hms_desktop import theme


class Card(QFrame):
    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 14, 16, 14)
        self.layout_.setSpacing(4)
        self.title = QLabel(title.upper())
        self.title.setObjectName("cardTitle")
        self.layout_.addWidget(self.title)

    def set_failed(self, message: str) -> None:
        """Say under the title why the card has nothing to show (cards with their own message
        area override this)."""
        failure = QLabel(message)
        failure.setObjectName("cardFailure")
        failure.setWordWrap(True)
        self.layout_.addWidget(failure)


class StatCard(Card):
    MIN_WIDTH = 200

    def __init__(self, title: str, caption: str = "", parent=None) -> None:
        super().__init__(title, parent)
        self.value = QLabel("…")
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardCaption")
        self.caption.setWordWrap(True)
        self.layout_.addWidget(self.value)
        self.layout_.addWidget(self.caption)
        self.layout_.addStretch(1)
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def minimumSizeHint(self) -> QSize:
        """At least 200 px wide, and wide enough for the whole title on one line."""
        hint = super().minimumSizeHint()
        return QSize(max(self.MIN_WIDTH, hint.width()), hint.height())

    def set_value(self, value: object, caption: str | None = None) -> None:
        self.value.setText(str(value))
        self.value.setStyleSheet("")
        if caption is not None:
            self.caption.setText(caption)

    def set_failed(self, message: str) -> None:
        self.value.setText("—")
        self.caption.setText(message)


class BarChartCard(Card):
    def __init__(self, title: str, parent=None) -> None:
        super().__init__(title, parent)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setBackgroundVisible(False)
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(240)
        self.view.setStyleSheet("background: transparent;")
        self.layout_.addWidget(self.view, 1)
        self.message = QLabel()
        self.message.setObjectName("cardCaption")
        self.message.hide()
        self.layout_.addWidget(self.message)
        self.values: dict[str, float] = {}

    def set_data(self, data: Sequence[tuple[str, float]]) -> None:
        self.values = dict(data)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        bars = QBarSet("")
        bars.setColor(QColor(theme.PRIMARY))
        bars.setBorderColor(QColor(theme.PRIMARY))
        bars.append([float(v) for _, v in data])
        bars.setLabelColor(QColor(theme.TEXT))
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(series)
        font = QFont()
        font.setPointSize(8)
        categories = QBarCategoryAxis()
        categories.append([label for label, _ in data])
        categories.setLabelsFont(font)
        categories.setGridLineVisible(False)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        top = max([v for _, v in data] or [0])
        values = QValueAxis()
        values.setRange(0, max(1, top * 1.25))
        values.setLabelFormat("%d")
        values.setTickCount(min(6, int(max(1, top * 1.25)) + 1))
        values.setLabelsFont(font)
        values.setGridLineColor(QColor(theme.BORDER))
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)
        self.message.hide()

    def set_failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()


class CountStrip(QFrame):
    """A row of small counters (e.g. a day's appointments per status), each with its colour."""

    def __init__(self, items: Sequence[tuple[str, str, str]], parent=None) -> None:
        """`items`: (key, label, colour) in display order."""
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.values: dict[str, QLabel] = {}
        for key, label, colour in items:
            chip = QFrame()
            chip.setObjectName("countChip")
            chip.setStyleSheet(f"#countChip {{ border-left: 4px solid {colour}; }}")
            inner = QVBoxLayout(chip)
            inner.setContentsMargins(12, 6, 12, 6)
            inner.setSpacing(0)
            value = QLabel("…")
            value.setObjectName("countValue")
            value.setStyleSheet(f"color: {colour};")
            caption = QLabel(label.upper())
            caption.setObjectName("countLabel")
            inner.addWidget(value)
            inner.addWidget(caption)
            layout.addWidget(chip, 1)
            self.values[key] = value

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, label in self.values.items():
            label.setText(f"{counts.get(key, 0):,}")

    def count(self, key: str) -> str:
        return self.values[key].text()
