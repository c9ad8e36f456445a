"""Any report or dashboard result on screen: its figures as cards, then each section as a
chart with a table of the same numbers beside it (below it when the window is narrow).

Nothing here knows a particular report: the server's result says what to draw.
"""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from hms_desktop.api.dto import ReportFigure, ReportResult, ReportSection
from hms_desktop.formatting import EMPTY
from hms_desktop.models.reports import ReportTableModel
from hms_desktop.widgets.cards import Card, StatCard
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.report_chart import ReportChartView
from hms_desktop.widgets.table import DataTable

SIDE_BY_SIDE_WIDTH = 1300  # a section at least this wide shows its table beside the chart
TABLE_ROWS_SHOWN = 8


def figure_text(figure: ReportFigure) -> tuple[str, str]:
    """(value, caption) for a card: "1,234" and its unit; "12.5%"; "—" when undefined."""
    number = figure.number()
    if number is None:
        return (
            (EMPTY, "No data in this period")
            if figure.value is None
            else (
                str(figure.value),
                figure.unit,
            )
        )
    text = f"{int(number):,}" if isinstance(figure.value, int) else f"{number:,}"
    if figure.unit == "%":
        return f"{text}%", ""
    return text, figure.unit


class SectionCard(Card):
    """One section: title, note, chart and table."""

    def __init__(self, section: ReportSection, parent=None) -> None:
        super().__init__(section.title, parent)
        self.setObjectName("card")
        self.section = section
        if section.note:
            note = QLabel(section.note)
            note.setObjectName("cardCaption")
            note.setWordWrap(True)
            self.layout_.addWidget(note)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(12)
        self.layout_.addLayout(self.body)
        self.chart: ReportChartView | None = None
        if section.chart is not None:
            self.chart = ReportChartView()
            self.chart.setObjectName(f"chart-{section.id}")
            self.chart.set_chart(section.chart, section)
            self.body.addWidget(self.chart, 3)
        self.model = ReportTableModel(section, self)
        self.table = DataTable()
        self.table.setObjectName(f"table-{section.id}")
        self.table.setModel(self.model)
        self.table.setAccessibleName(section.title)
        self.table.resizeColumnsToContents()
        shown = max(1, min(len(section.rows), TABLE_ROWS_SHOWN))
        header = self.table.horizontalHeader().sizeHint().height()
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(header + row_height * min(shown, 4) + 4)
        self.table.setMaximumHeight(header + row_height * shown + 6)
        self.body.addWidget(self.table, 2)
        if not section.rows:
            self.empty = QLabel("Nothing in this period.")
            self.empty.setObjectName("cardCaption")
            self.layout_.addWidget(self.empty)

    def resizeEvent(self, event) -> None:
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH and self.chart is not None
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.body.direction() != direction:
            self.body.setDirection(direction)
        super().resizeEvent(event)


class ReportBody(QWidget):
    """The figures (KPI cards) and sections of one result; `set_result` replaces them."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(14)
        self.figure_row = FlowLayout(spacing=14, row_spacing=14)
        self.layout_.addLayout(self.figure_row)
        self.sections_box = QVBoxLayout()
        self.sections_box.setSpacing(14)
        self.layout_.addLayout(self.sections_box)
        self.layout_.addStretch(1)
        self.result: ReportResult | None = None
        self.cards: dict[str, StatCard] = {}
        self.sections: dict[str, SectionCard] = {}  # in the result's order

    def clear(self) -> None:
        for widget in (*self.cards.values(), *self.sections.values()):
            widget.hide()
            widget.deleteLater()
        while self.figure_row.count():
            self.figure_row.takeAt(0)
        self.cards, self.sections = {}, {}
        self.result = None

    def set_result(self, result: ReportResult) -> None:
        self.clear()
        self.result = result
        for figure in result.figures:
            card = StatCard(figure.label)
            card.setObjectName("card")
            value, caption = figure_text(figure)
            card.set_value(value, caption)
            self.cards[figure.key] = card
            self.figure_row.addWidget(card)
        for section in result.sections:
            card = SectionCard(section)
            # A dashboard composes sections of several reports: ids may repeat ("-2", "-3").
            key, n = section.id, 1
            while key in self.sections:
                n += 1
                key = f"{section.id}-{n}"
            self.sections[key] = card
            self.sections_box.addWidget(card)

    def section_cards(self) -> list[SectionCard]:
        return list(self.sections.values())

    def card_text(self, key: str) -> str:
        return self.cards[key].value.text()
