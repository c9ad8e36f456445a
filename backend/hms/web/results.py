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


# What a flag badge says: critical ones read "Critical high/low" (red, with a warning icon),
# abnormal ones their direction, so the meaning never rests on colour alone.
FLAG_BADGE_TEXT = {
    ResultFlag.CRITICAL_HIGH: "Critical high",
    ResultFlag.CRITICAL_LOW: "Critical low",
    ResultFlag.HIGH: "High",
    ResultFlag.LOW: "Low",
    ResultFlag.ABNORMAL: "Abnormal",
    ResultFlag.NORMAL: "Normal",
}


def flag_badge(flag: str) -> dict:
    """{"level", "text"} of a result flag's badge ("" level: no badge)."""
    return {"level": _level(flag or ""), "text": FLAG_BADGE_TEXT.get(flag, "")}


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
    tests first. Each: {"id", "title", "unit", "count", "chart": {"labels", "series"}}."""
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
                "title": test.name,
                "unit": latest.unit,
                "count": len(series),
                "chart": {"labels": labels, "series": lines},
            }
        )
    return trends
