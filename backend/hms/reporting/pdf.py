"""Any report (a dashboard first of all) as a PDF in the house style (hms.core.documents):
the hospital header, the title, filters and as-of, the headline figures, then each section's
chart, drawn with ReportLab's own charts (titled axes with their units; the value axis from
zero when the chart says so), followed by its table.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from hms.core.documents import GRID, build_pdf, escape, hospital_header, styles
from hms.reporting.exports import as_of_text, figure_text, filter_lines, text_value
from hms.reporting.registry import Chart, ReportResult, Section

PALETTE = [
    colors.HexColor("#1f77b4"),
    colors.HexColor("#ff7f0e"),
    colors.HexColor("#2ca02c"),
    colors.HexColor("#d62728"),
    colors.HexColor("#9467bd"),
    colors.HexColor("#8c564b"),
]
WIDTH = 178 * mm  # A4 less the house margins
HEIGHT = 80 * mm
MAX_CATEGORY_LABELS = 12


def _number(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def _category_text(value) -> str:
    text = text_value(value)
    return text if len(text) <= 18 else text[:17] + "…"


def _column_label(section: Section, key: str) -> str:
    for column in section.columns:
        if column.key == key:
            return f"{column.label} ({column.unit})" if column.unit else column.label
    return key


def chart_drawing(section: Section) -> Drawing | None:
    """The section's chart as a Drawing, or None when it has no chart or no rows."""
    chart: Chart | None = section.chart
    if chart is None or not section.rows:
        return None
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(
        String(
            WIDTH / 2,
            HEIGHT - 10,
            chart.title,
            fontName="Helvetica-Bold",
            fontSize=10,
            textAnchor="middle",
        )
    )
    categories = [_category_text(row.get(chart.x)) for row in section.rows]
    data = [tuple(_number(row.get(s.key)) for row in section.rows) for s in chart.series]
    if chart.kind == "pie":
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 30, 15, HEIGHT - 45, HEIGHT - 45
        pie.data = list(data[0]) if any(data[0]) else [1]
        pie.labels = categories if any(data[0]) else ["No data"]
        for i in range(len(pie.data)):
            pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        drawing.add(pie)
        return drawing

    left, bottom = 52, 42
    if chart.kind == "line":
        plot = HorizontalLineChart()
        for i in range(len(chart.series)):
            plot.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            plot.lines[i].strokeWidth = 1.2
    else:
        plot = VerticalBarChart()
        plot.barSpacing = 1
        for i in range(len(chart.series)):
            plot.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        if chart.kind == "stacked_bar":
            plot.categoryAxis.style = "stacked"
    plot.x, plot.y = left, bottom
    plot.width = WIDTH - left - (110 if len(chart.series) > 1 else 15)
    plot.height = HEIGHT - bottom - 22
    plot.data = data
    # Every n-th category named so that long series (days) stay legible.
    step = max(1, -(-len(categories) // MAX_CATEGORY_LABELS))
    plot.categoryAxis.categoryNames = [c if i % step == 0 else "" for i, c in enumerate(categories)]
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30 if len(categories) > 6 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 6 else "n"
    plot.valueAxis.labels.fontSize = 7
    values = [v for series in data for v in series]
    if chart.kind == "stacked_bar":
        values = [sum(column) for column in zip(*data, strict=True)] or values
    low, high = min(values, default=0.0), max(values, default=0.0)
    floor = min(0.0, low) if chart.y_starts_at_zero else low
    if chart.y_starts_at_zero:
        plot.valueAxis.valueMin = floor
    if high <= floor:  # nothing above the floor: give the axis a unit range
        plot.valueAxis.valueMin, plot.valueAxis.valueMax = floor, floor + 1
    drawing.add(plot)
    # Axis titles: the value axis's (with its unit) up the left edge, the category axis's below.
    drawing.add(
        String(
            10, bottom + plot.height / 2, chart.y_label, fontSize=8, textAnchor="middle", angle=90
        )
    )
    drawing.add(
        String(
            left + plot.width / 2,
            2,
            _column_label(section, chart.x),
            fontSize=8,
            textAnchor="middle",
        )
    )
    if len(chart.series) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 100, HEIGHT - 30
        legend.fontSize = 7
        legend.alignment = "right"
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], s.label) for i, s in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing


def section_table(section: Section) -> Table:
    style = styles()
    rows = [
        [
            Paragraph(f"<b>{escape(_column_label(section, c.key))}</b>", style.small)
            for c in section.columns
        ]
    ]
    for row in section.rows:
        rows.append([text_value(row.get(c.key), c.type) for c in section.columns])
    if len(rows) == 1:
        rows.append(["No rows"] + [""] * (len(section.columns) - 1))
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def report_pdf(result: ReportResult) -> bytes:
    style = styles()
    story = hospital_header(result.title)
    meta = " | ".join(f"{label}: {escape(text)}" for label, text in filter_lines(result.filters))
    story += [
        Paragraph(meta, style.normal),
        Paragraph(f"As of {escape(as_of_text(result.as_of))}", style.small),
        Spacer(1, 4 * mm),
    ]
    if result.figures:
        cells = [
            Paragraph(
                f"{escape(f.label)}<br/><b>{escape(figure_text(f.value, f.unit) or '-')}"
                f"</b> {escape(f.unit)}",
                style.normal,
            )
            for f in result.figures
        ]
        per_row = 4
        grid = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
        grid[-1] += [""] * (per_row - len(grid[-1]))
        story += [
            Table(grid, colWidths=[WIDTH / per_row] * per_row, hAlign="LEFT"),
            Spacer(1, 4 * mm),
        ]
    for section in result.sections:
        head = [Paragraph(escape(section.title), style.heading)]
        if section.note:
            head.append(Paragraph(escape(section.note), style.small))
        drawing = chart_drawing(section)
        if drawing is not None:
            head += [Spacer(1, 2 * mm), drawing]
        story += [KeepTogether(head), Spacer(1, 2 * mm), section_table(section), Spacer(1, 6 * mm)]
    return build_pdf(story, title=result.title)
