"""How the portal shows laboratory results: rows with their flags, and trends of repeated tests.

Which results a user may see is the laboratory's decision (hms.laboratory.selectors:
`lab_orders_for_user` for the orders, `visible_results` for the verified versions); this module
only arranges what it returns for the page.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from hms.laboratory.models import CRITICAL_FLAGS, ResultFlag
from hms.laboratory.selectors import visible_results
from hms.web.svg_charts import Point, Series, as_float, line_chart

ABNORMAL_FLAGS = frozenset({ResultFlag.LOW, ResultFlag.HIGH, ResultFlag.ABNORMAL})
TRENDS_SHOWN = 6


@dataclass(frozen=True)
class ResultRow:
    name: str
    code: str
    value: str
    unit: str
    flag: str
    flag_label: str
    level: str  # "critical", "abnormal", "normal" or "" (no reference range)
    reference: str
    comment: str
    amended: bool
    numeric: bool = False  # has a number, so a trend over time can be drawn


@dataclass
class OrderResults:
    order: object
    rows: list[ResultRow] = field(default_factory=list)

    @property
    def abnormal(self) -> bool:
        return any(row.level in ("abnormal", "critical") for row in self.rows)

    @property
    def critical(self) -> bool:
        return any(row.level == "critical" for row in self.rows)


def _level(flag: str) -> str:
    if flag in CRITICAL_FLAGS:
        return "critical"
    if flag in ABNORMAL_FLAGS:
        return "abnormal"
    return "normal" if flag == ResultFlag.NORMAL else ""


# A flag badge says the flag's name ("Critically high", "High"); critical ones are also red
# with a warning icon (web/partials/result_flag.html), so the meaning never rests on colour.


def flag_badge(flag: str) -> dict:
    """{"level", "text"} of a result flag's badge ("" level: no badge)."""
    flag = flag or ""
    text = ResultFlag(flag).label if flag in ResultFlag.values else ""
    return {"level": _level(flag), "text": text}


def _number(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _reference(result) -> str:
    if result.reference_text:
        return result.reference_text
    low, high = _number(result.reference_low), _number(result.reference_high)
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"≥ {low}"
    if high:
        return f"≤ {high}"
    return ""


def _current(order, user) -> list:
    """The results this user may see, the amended (superseded) versions left out."""
    return [r for r in visible_results(order, user) if r.superseded_at is None]


def order_results(orders, user) -> list[OrderResults]:
    rows = []
    for order in orders:
        entry = OrderResults(order=order)
        for result in _current(order, user):
            entry.rows.append(
                ResultRow(
                    name=result.test.name,
                    code=result.test.code,
                    value=result.display_value,
                    unit=result.unit,
                    flag=result.flag,
                    flag_label=result.get_flag_display() if result.flag else "",
                    level=_level(result.flag),
                    reference=_reference(result),
                    comment=result.comment,
                    amended=result.amends_id is not None,
                    numeric=result.value_numeric is not None,
                )
            )
        rows.append(entry)
    return rows


def _taken_at(order) -> datetime:
    return order.collected_at or order.ordered_at


def lab_trends(orders, user, *, limit: int = TRENDS_SHOWN) -> list[dict]:
    """A small chart per numeric test the patient had at least twice (verified), oldest point
    first, with the latest reference interval as dashed lines; the most recently measured
    tests first. Each: {"id", "code", "title", "unit", "count", "chart": {"labels", "series"}}.
    """
    points: dict[str, list] = defaultdict(list)
    tests = {}
    for order in orders:
        for result in _current(order, user):
            if result.value_numeric is None:
                continue
            points[result.test.code].append((_taken_at(order), result))
            tests[result.test.code] = result.test
    repeated = [(code, sorted(p, key=lambda pair: pair[0])) for code, p in points.items()]
    repeated = [(code, p) for code, p in repeated if len(p) >= 2]
    repeated.sort(key=lambda item: item[1][-1][0], reverse=True)
    trends = []
    for code, series in repeated[:limit]:
        test = tests[code]
        latest = series[-1][1]
        labels = [timezone.localtime(taken).strftime("%d %b %Y") for taken, _ in series]
        lines = [
            {
                "label": test.name,
                "unit": latest.unit,
                "data": [float(result.value_numeric) for _, result in series],
            }
        ]
        for name, bound in (("Low", latest.reference_low), ("High", latest.reference_high)):
            if bound is not None:
                lines.append(
                    {"label": f"{name} limit", "data": [float(bound)] * len(series), "dash": True}
                )
        trends.append(
            {
                "id": f"trend-{code.lower()}",
                "code": code,
                "title": test.name,
                "unit": latest.unit,
                "count": len(series),
                "chart": {"labels": labels, "series": lines},
            }
        )
    return trends


@dataclass(frozen=True)
class AnalytePoint:
    taken_at: datetime
    value: str
    unit: str
    flag: str
    level: str
    reference: str
    order: object


def analyte_trend(test, results) -> dict:
    """One analyte over time for its page: a small chart of the numeric values (the latest
    reference interval shaded, critical values marked) and the table of every result, newest
    first. `results` oldest first (hms.laboratory.selectors.analyte_history_for_user)."""
    rows = [
        AnalytePoint(
            taken_at=_taken_at(r.order),
            value=r.display_value,
            unit=r.unit,
            flag=r.flag,
            level=_level(r.flag),
            reference=_reference(r),
            order=r.order,
        )
        for r in results
    ]
    numeric = [r for r in results if r.value_numeric is not None]
    chart = None
    if numeric:
        latest = numeric[-1]
        low, high = as_float(latest.reference_low), as_float(latest.reference_high)
        values = [float(r.value_numeric) for r in numeric]
        chart = line_chart(
            id=f"analyte-{test.code.lower()}",
            title=test.name,
            unit=latest.unit,
            series=[
                Series(
                    label=test.name,
                    points=[
                        Point(
                            at=_taken_at(r.order),
                            value=float(r.value_numeric),
                            marked=r.flag in CRITICAL_FLAGS,
                            label=(
                                f"{r.display_value} {r.unit}".strip()
                                + (f", {r.get_flag_display().lower()}" if r.flag else "")
                            ),
                        )
                        for r in numeric
                    ],
                )
            ],
            # A tenth of the reference interval (or of the values) keeps noise small.
            min_span=_min_span(values, low, high),
            band=(low, high) if low is not None or high is not None else None,
            band_label=f"Reference interval {_reference(latest)}",
        )
    return {
        "test": test,
        "chart": chart,
        "rows": list(reversed(rows)),
        "critical_count": sum(1 for r in rows if r.level == "critical"),
        "unit": numeric[-1].unit if numeric else "",
        "reference": _reference(numeric[-1]) if numeric else "",
    }


def _min_span(values: list[float], low: float | None, high: float | None) -> float:
    if low is not None and high is not None and high > low:
        return (high - low) / 2
    scale = max(abs(v) for v in values) or 1.0
    return scale / 10
