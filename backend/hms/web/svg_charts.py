"""Small server-rendered line charts (SVG): one measure per chart, its own y-axis.

Each chart scales its y-axis to its own data (padded and rounded to a readable step), so a
fever falling from 37.9 to 37.0 °C fills the height of its chart instead of being a flat line
at the bottom of a 0-200 axis shared with blood pressure. A shaded band marks a normal or
reference range (clipped to the axis; it does not widen it), and marked points (critical
results) are drawn larger, in red, and named in the chart's text description.

The geometry is computed here; `web/partials/svg_line_chart.html` draws it.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

WIDTH = 320
HEIGHT = 150
LEFT = 40  # room for the y labels
RIGHT = 10
TOP = 10
BOTTOM = 22  # room for the x labels
NICE_STEPS = (1, 2, 2.5, 5, 10)
TARGET_TICKS = 5


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    marked: bool = False  # drawn as a critical point
    label: str = ""  # what the description says of this point ("6.8 mmol/L, critically high")


@dataclass(frozen=True)
class Series:
    label: str
    points: list[Point]
    css: str = "primary"  # hms-svg-line-<css>


@dataclass
class LineChart:
    id: str
    title: str
    unit: str
    y_min: float
    y_max: float
    width: int = WIDTH
    height: int = HEIGHT
    y_ticks: list[dict] = field(default_factory=list)  # {"y", "label"}
    x_ticks: list[dict] = field(default_factory=list)  # {"x", "label", "anchor"}
    lines: list[dict] = field(default_factory=list)  # {"label", "css", "path", "dots"}
    band: dict | None = None  # {"x", "y", "width", "height", "label"}
    description: str = ""
    plot: dict = field(default_factory=dict)  # edges of the plot area, label positions


def _step(span: float) -> float:
    raw = span / TARGET_TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    for nice in NICE_STEPS:
        if raw <= nice * magnitude:
            return nice * magnitude
    return 10 * magnitude


def axis_range(values: list[float], *, min_span: float) -> tuple[float, float, float]:
    """(low, high, step) of a y-axis showing every value: the data's range widened to at least
    `min_span` around its middle, padded by a fifth, then out to whole steps."""
    low, high = min(values), max(values)
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
    pad = (high - low) / 5
    low, high = low - pad, high + pad
    step = _step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _number(value: float, step: float) -> str:
    """`value` with as many decimals as the axis step has (0.5 → one, 0.25 → two)."""
    text = f"{step:.6g}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{value:.{decimals}f}"


def as_float(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, int | float | Decimal) else float(Decimal(value))


def line_chart(
    *,
    id: str,
    title: str,
    unit: str,
    series: list[Series],
    min_span: float,
    band: tuple[float | None, float | None] | None = None,
    band_label: str = "",
) -> LineChart | None:
    """A chart of the series (points in any order), or None when no series has a point."""
    values = [p.value for s in series for p in s.points]
    if not values:
        return None
    low, high, step = axis_range(values, min_span=min_span)
    times = [p.at for s in series for p in s.points]
    first, last = min(times), max(times)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    duration = (last - first).total_seconds()

    def x_of(at: datetime) -> float:
        if duration == 0:
            return LEFT + plot_w / 2
        return round(LEFT + plot_w * (at - first).total_seconds() / duration, 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 1)

    chart = LineChart(
        id=id,
        title=title,
        unit=unit,
        y_min=low,
        y_max=high,
        plot={
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": HEIGHT - BOTTOM,
            "label_x": LEFT - 4,
            "x_label_y": HEIGHT - 6,
        },
    )
    ticks = round((high - low) / step)
    chart.y_ticks = [
        {"y": y_of(low + i * step), "label": _number(low + i * step, step)}
        for i in range(ticks + 1)
    ]
    chart.x_ticks = [
        {
            "x": x_of(first),
            "label": timezone.localtime(first).strftime("%d %b %H:%M"),
            "anchor": "middle" if duration == 0 else "start",
        }
    ]
    if duration:
        chart.x_ticks.append(
            {
                "x": x_of(last),
                "label": timezone.localtime(last).strftime("%d %b %H:%M"),
                "anchor": "end",
            }
        )
    if band is not None and (band[0] is not None or band[1] is not None):
        top_value = min(high, band[1]) if band[1] is not None else high
        bottom_value = max(low, band[0]) if band[0] is not None else low
        if top_value > bottom_value:
            chart.band = {
                "x": LEFT,
                "width": plot_w,
                "y": y_of(top_value),
                "height": round(y_of(bottom_value) - y_of(top_value), 1),
                "label": band_label,
            }
    described = []
    for s in series:
        points = sorted(s.points, key=lambda p: p.at)
        if not points:
            continue
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x_of(p.at)},{y_of(p.value)}" for i, p in enumerate(points)
        )
        chart.lines.append(
            {
                "label": s.label,
                "css": s.css,
                "path": path,
                "dots": [
                    {"x": x_of(p.at), "y": y_of(p.value), "marked": p.marked, "title": p.label}
                    for p in points
                ],
            }
        )
        values_text = ", ".join(p.label or f"{p.value:g}" for p in points)
        described.append(f"{s.label}: {values_text}")
    chart.description = (
        f"{title} from {timezone.localtime(first):%d %b %H:%M} to "
        f"{timezone.localtime(last):%d %b %H:%M}. " + "; ".join(described)
    )
    return chart
