"""The report catalogue: what each report is, who may read it and how it is computed.

Every report answers the same shape (`ReportResult`): a few headline figures, then sections,
each a table (the accessible view of the numbers) with an optional chart drawn from that
table's columns. The API, the web pages, the desktop client and the CSV/XLSX/PDF exports all
render any report from this shape, so a new report needs no client code.

A report registers itself with `@report(...)` in its family's module under
`hms.reporting.reports`. Its `family` is also its action in the permission table (resource
"reports"), so who may read it is declared in one place, `hms.core.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

ColumnType = Literal["text", "int", "decimal", "money", "percent", "minutes", "days", "date"]
ChartKind = Literal["bar", "stacked_bar", "line", "pie"]
FilterName = Literal["date_from", "date_to", "ward", "department", "doctor", "payer"]

FAMILIES: dict[str, str] = {
    "inpatient": "Inpatient",
    "outpatient": "Outpatient",
    "diagnostics": "Laboratory and radiology",
    "clinical": "Clinical",
    "pharmacy": "Pharmacy",
    "finance": "Finance",
    "governance": "Governance",
}


@dataclass(frozen=True)
class ReportFilters:
    """The validated filters of one request. Dates are local days, both ends included."""

    date_from: date
    date_to: date
    ward: Any | None = None  # hms.inpatient.models.Ward
    department: str | None = None  # a doctor's department (User.department)
    doctor: Any | None = None  # hms.accounts.models.User with role doctor
    payer: Any | None = None  # hms.patients insurance payer, where the report has one

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: ColumnType = "int"
    unit: str = ""  # e.g. "minutes", "%", "beds", the currency code for money


@dataclass(frozen=True)
class Series:
    key: str  # a column key of the section's table
    label: str


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    x: str  # the column key on the category/time axis
    series: tuple[Series, ...]
    y_label: str  # the value axis's title, with its unit, e.g. "Beds occupied (%)"
    # Counts, money and rates start at zero; only a chart of values far from zero says no.
    y_starts_at_zero: bool = True


@dataclass
class Section:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    note: str = ""  # e.g. how a figure is computed


@dataclass
class Figure:
    """A headline number shown above the sections (and as a dashboard card)."""

    key: str
    label: str
    value: int | Decimal | float | None
    unit: str = ""


@dataclass
class ReportResult:
    slug: str
    title: str
    filters: ReportFilters
    as_of: datetime  # the summaries' refresh time the numbers include (live rows are newer)
    figures: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


ComputeFn = Callable[[ReportFilters, Any], ReportResult]


@dataclass(frozen=True)
class Report:
    slug: str  # URL segment: /api/reports/<slug>/
    title: str
    family: str  # a key of FAMILIES, and the permission action
    description: str
    filters: tuple[FilterName, ...]  # the filters it accepts besides nothing
    compute: ComputeFn  # compute(filters, user) -> ReportResult
    # Rows an export streams: yields (section_id, row dict) over the whole range without
    # holding it in memory. Defaults to the computed sections' rows.
    stream_rows: Callable[[ReportFilters, Any], Iterator[tuple[str, dict]]] | None = None


_REPORTS: dict[str, Report] = {}


def report(
    *,
    slug: str,
    title: str,
    family: str,
    description: str,
    filters: tuple[FilterName, ...] = ("date_from", "date_to"),
) -> Callable[[ComputeFn], ComputeFn]:
    """Register the decorated `compute(filters, user) -> ReportResult` as a report."""
    if family not in FAMILIES:
        raise ValueError(f"Unknown report family {family!r}.")

    def register(compute: ComputeFn) -> ComputeFn:
        if slug in _REPORTS:
            raise ValueError(f"Report {slug!r} is registered twice.")
        _REPORTS[slug] = Report(slug, title, family, description, filters, compute)
        return compute

    return register


def report_get(slug: str) -> Report | None:
    return _REPORTS.get(slug)


def report_list() -> list[Report]:
    """Every registered report, by family (in FAMILIES order) then title."""
    order = list(FAMILIES)
    return sorted(_REPORTS.values(), key=lambda r: (order.index(r.family), r.title))
