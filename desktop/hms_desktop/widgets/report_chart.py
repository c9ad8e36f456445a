"""A report section's chart (QtCharts), drawn from the section's own table.

The chart spec says the kind (bar, stacked bar, line, pie), the column on the category axis
(`x`), the series (columns of the table) and the value axis's title with its unit. Counts,
money and rates start at zero unless the spec says otherwise. A line over days uses a time
axis; everything else a category axis, its labels turned when there are many.
"""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt, QTime
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from hms_desktop import theme
from hms_desktop.api.dto import ReportChart, ReportColumn, ReportSection
from hms_desktop.api.dto.reports import as_decimal

PALETTE = ("#0f766e", "#0369a1", "#b45309", "#7c3aed", "#be123c", "#4d7c0f", "#64748b")
MANY_CATEGORIES = 8  # more than this and the category labels are turned
MANY_POINTS = 40  # more than this on a line and its points are not marked


def category_label(column: ReportColumn | None, value: object) -> str:
    if value is None or value == "":
        return "—"
    if column is not None and column.type == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%d %b")
        except ValueError:
            return str(value)
    return str(value)


def nice_top(value: float) -> float:
    """A round number at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


class ReportChartView(QChartView):
    def __init__(self, parent=None) -> None:
        self._chart = QChart()
        super().__init__(self._chart, parent)
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.setBackgroundVisible(False)
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(280)
        self.setStyleSheet("background: transparent;")
        self.spec: ReportChart | None = None
        self.x_axis: QAbstractAxis | None = None
        self.y_axis: QValueAxis | None = None

    # --- what tests and the table read -----------------------------------------------------

    def series_names(self) -> list[str]:
        names: list[str] = []
        for series in self._chart.series():
            if isinstance(series, (QBarSeries, QStackedBarSeries)):
                names += [bar_set.label() for bar_set in series.barSets()]
            else:
                names.append(series.name())
        return names

    def axis_titles(self) -> tuple[str, str]:
        """(category axis title, value axis title); empty for a pie."""
        x = self.x_axis.titleText() if self.x_axis is not None else ""
        y = self.y_axis.titleText() if self.y_axis is not None else ""
        return x, y

    # --- drawing ---------------------------------------------------------------------------

    def set_chart(self, spec: ReportChart, section: ReportSection) -> None:
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.spec, self.x_axis, self.y_axis = spec, None, None
        chart.setTitle(spec.title)
        title_font = QFont()
        title_font.setPointSize(10)
        title_font.setBold(True)
        chart.setTitleFont(title_font)
        x_column = section.column(spec.x)
        rows = section.rows
        values = {
            s.key: [as_decimal(row.get(s.key)) for row in rows] for s in spec.series
        }  # None where the server has no value
        legend = chart.legend()
        legend.setVisible(len(spec.series) > 1 or spec.kind == "pie")
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        if spec.kind == "pie":
            self._pie(spec, section, x_column, values)
            legend.setAlignment(Qt.AlignmentFlag.AlignRight)
            return
        if spec.kind == "line" and x_column is not None and x_column.type == "date":
            self._line_over_days(spec, rows, values)
        elif spec.kind == "line":
            self._line_over_categories(spec, section, x_column, values)
        else:
            self._bars(spec, section, x_column, values)
        if self.x_axis is not None:
            self.x_axis.setTitleText(x_column.title if x_column is not None else "")
        counts = all(
            (column := section.column(s.key)) is not None and column.type == "int"
            for s in spec.series
        )
        self._value_axis(spec, values, counts=counts)

    def _small_font(self) -> QFont:
        font = QFont()
        font.setPointSize(8)
        return font

    def _categories(
        self, spec: ReportChart, section: ReportSection, x_column: ReportColumn | None
    ) -> list[str]:
        labels = [category_label(x_column, row.get(spec.x)) for row in section.rows]
        axis = QBarCategoryAxis()
        axis.append(labels)
        axis.setLabelsFont(self._small_font())
        axis.setGridLineVisible(False)
        if len(labels) > MANY_CATEGORIES:
            axis.setLabelsAngle(-60)
        self._chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        self.x_axis = axis
        return labels

    def _bars(self, spec, section, x_column, values) -> None:
        series = QStackedBarSeries() if spec.kind == "stacked_bar" else QBarSeries()
        for i, s in enumerate(spec.series):
            bar_set = QBarSet(s.label)
            colour = QColor(PALETTE[i % len(PALETTE)])
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)
            bar_set.append([float(v) if v is not None else 0.0 for v in values[s.key]])
            series.append(bar_set)
        self._chart.addSeries(series)
        self._categories(spec, section, x_column)
        series.attachAxis(self.x_axis)

    def _line_over_categories(self, spec, section, x_column, values) -> None:
        self._categories(spec, section, x_column)
        for i, s in enumerate(spec.series):
            line = self._line(s.label, i)
            for x, v in enumerate(values[s.key]):
                if v is not None:
                    line.append(float(x), float(v))
            line.setPointsVisible(line.count() <= MANY_POINTS)
            self._chart.addSeries(line)
            line.attachAxis(self.x_axis)

    def _line_over_days(self, spec, rows, values) -> None:
        axis = QDateTimeAxis()
        axis.setFormat("dd MMM")
        axis.setLabelsFont(self._small_font())
        axis.setGridLineColor(QColor(theme.BORDER))
        days = []
        for row in rows:
            try:
                day = date.fromisoformat(str(row.get(spec.x)))
            except ValueError:
                day = None
            days.append(day)
        moments = [QDateTime(day, QTime(0, 0)).toMSecsSinceEpoch() if day else None for day in days]
        self._chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        self.x_axis = axis
        for i, s in enumerate(spec.series):
            line = self._line(s.label, i)
            for when, v in zip(moments, values[s.key], strict=True):
                if when is not None and v is not None:
                    line.append(float(when), float(v))
            line.setPointsVisible(line.count() <= MANY_POINTS)
            self._chart.addSeries(line)
            line.attachAxis(axis)
        known = [m for m in moments if m is not None]
        if known:
            first, last = min(known), max(known)
            if first == last:
                last = first + 86_400_000
            axis.setRange(QDateTime.fromMSecsSinceEpoch(first), QDateTime.fromMSecsSinceEpoch(last))
            axis.setTickCount(max(2, min(8, len(known))))

    def _line(self, label: str, i: int) -> QLineSeries:
        line = QLineSeries()
        line.setName(label)
        pen = QPen(QColor(PALETTE[i % len(PALETTE)]))
        pen.setWidth(2)
        line.setPen(pen)
        return line

    def _value_axis(self, spec: ReportChart, values: dict, *, counts: bool = False) -> None:
        """`counts`: every series counts things, so the ticks are whole numbers (at least
        0 to 5, in steps of a fifth of a round top)."""
        numbers = [float(v) for column in values.values() for v in column if v is not None]
        if spec.kind == "stacked_bar":
            sums = [
                sum(float(column[i] or 0) for column in values.values())
                for i in range(len(next(iter(values.values()), [])))
            ]
            numbers = sums or numbers
        top = max(numbers, default=0.0)
        bottom = min(numbers, default=0.0)
        axis = QValueAxis()
        axis.setTitleText(spec.y_label)
        axis.setLabelsFont(self._small_font())
        axis.setGridLineColor(QColor(theme.BORDER))
        if spec.y_starts_at_zero or bottom >= top:
            low = min(0.0, bottom)
        else:
            low = bottom - (top - bottom) * 0.1
        high = nice_top(top) if top > 0 else 1.0
        if counts:
            high = max(5.0, high)
        axis.setRange(low, high)
        whole = all(float(v).is_integer() for v in numbers)
        axis.setLabelFormat("%d" if counts or high >= 10 or (whole and high >= 5) else "%.1f")
        axis.setTickCount(6)
        self._chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        for series in self._chart.series():
            series.attachAxis(axis)
        self.y_axis = axis

    def _pie(self, spec, section, x_column, values) -> None:
        pie = QPieSeries()
        first = spec.series[0] if spec.series else None
        if first is not None:
            pie.setName(first.label)
            for i, (row, v) in enumerate(zip(section.rows, values[first.key], strict=True)):
                if v is None or v <= 0:
                    continue
                label = category_label(x_column, row.get(spec.x))
                piece = pie.append(f"{label}: {v:,}", float(v))
                piece.setColor(QColor(PALETTE[i % len(PALETTE)]))
        self._chart.addSeries(pie)

    def pie_labels(self) -> list[str]:
        labels: list[str] = []
        for series in self._chart.series():
            if isinstance(series, QPieSeries):
                labels += [piece.label() for piece in series.slices()]
        return labels
