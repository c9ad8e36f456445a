"""Reports and dashboards: the catalogue, and one result shape every report answers.

A result (`GET /api/reports/<slug>/`, and the dashboards) is a few headline figures, then
sections, each a table with an optional chart drawn from the table's own columns. Values keep
the server's JSON types: counts are numbers; decimals, money, percentages, minutes and days are
text with fixed decimals (null when undefined); dates are ISO text. `ReportColumn.number()`
reads any of them as a Decimal for charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hms_desktop.api.dto.convert import Dto

# The filters a report may take, in the order the filter bar shows them.
REPORT_FILTERS = ("date_from", "date_to", "ward", "department", "doctor", "payer")
EXPORT_FORMATS: dict[str, str] = {"csv": "CSV", "xlsx": "Excel (XLSX)"}
NUMERIC_TYPES = frozenset({"int", "decimal", "money", "percent", "minutes", "days"})
CHART_KINDS = ("bar", "stacked_bar", "line", "pie")


def as_decimal(value: Any) -> Decimal | None:
    """A cell's value as a number (counts are JSON numbers, the rest fixed-decimal text)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class CatalogueItem(Dto):
    """One report this user may read (`GET /api/reports/`)."""

    slug: str
    title: str
    family: str
    family_display: str
    description: str
    accepted_filters: list[str]
    url: str
    export_formats: list[str] = field(default_factory=list)

    def accepts(self, name: str) -> bool:
        return name in self.accepted_filters


@dataclass(frozen=True)
class ReportFilterValues(Dto):
    """The filters the server applied (defaults filled in), echoed with the result."""

    date_from: date | None = None
    date_to: date | None = None
    ward: Any = None
    department: Any = None
    doctor: Any = None
    payer: Any = None


@dataclass(frozen=True)
class ReportFigure(Dto):
    """A headline number (a KPI card on a dashboard)."""

    key: str
    label: str
    value: Any
    unit: str = ""

    def number(self) -> Decimal | None:
        return as_decimal(self.value)


@dataclass(frozen=True)
class ReportColumn(Dto):
    key: str
    label: str
    type: str = "int"  # text, int, decimal, money, percent, minutes, days, date
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def title(self) -> str:
        """The header, with the unit when the values do not carry it ("Stay (days)")."""
        if not self.unit or self.unit.lower() in self.label.lower():
            return self.label
        return f"{self.label} ({self.unit})"


@dataclass(frozen=True)
class ReportSeries(Dto):
    key: str  # a column key of the section's table
    label: str


@dataclass(frozen=True)
class ReportChart(Dto):
    kind: str  # bar, stacked_bar, line, pie
    title: str
    x: str  # the column on the category (or time) axis
    series: list[ReportSeries]
    y_label: str = ""
    y_starts_at_zero: bool = True


@dataclass(frozen=True)
class ReportSection(Dto):
    id: str
    title: str
    columns: list[ReportColumn]
    rows: list[dict[str, Any]]
    chart: ReportChart | None = None
    note: str = ""

    def column(self, key: str) -> ReportColumn | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class ReportResult(Dto):
    """A computed report or dashboard."""

    slug: str
    title: str
    family: str
    family_display: str
    description: str
    as_of: datetime | None
    filters: ReportFilterValues
    accepted_filters: list[str]
    figures: list[ReportFigure]
    sections: list[ReportSection]

    def section(self, section_id: str) -> ReportSection:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def figure(self, key: str) -> ReportFigure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)
