"""Daily facts: what a report adds up, whether read from summaries or computed from live rows.

A `DayFacts` maps `(day, *dimensions)` to counts (and, where waits are measured, a histogram
of whole minutes). A family's `*_day_facts(date_from, date_to)` function computes them from
the live rows. `daily_fact_summary(...)` registers a summary that stores that function's
facts of one day in a fact table; `facts_for_range` then reads the days the summary serves
(`hms.reporting.summaries.plan`) and computes only the rest, so both paths add up the very same
facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Sum

from hms.reporting.registry import ReportFilters
from hms.reporting.summaries import plan, summary


@dataclass
class DayFacts:
    counts: tuple[str, ...]
    rows: dict[tuple, dict[str, Any]] = field(default_factory=dict)

    def empty(self) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(self.counts, 0)
        values["minutes"] = Counter()
        return values

    def add(self, key: tuple, *, minutes: int | None = None, **counts: int) -> None:
        values = self.rows.get(key)
        if values is None:
            values = self.rows[key] = self.empty()
        for name, count in counts.items():
            values[name] += count
        if minutes is not None:
            values["minutes"][minutes] += 1

    def add_values(self, key: tuple, values: dict[str, Any]) -> None:
        """Add one stored fact row (counts and a histogram with string or int keys)."""
        target = self.rows.get(key)
        if target is None:
            target = self.rows[key] = self.empty()
        for name in self.counts:
            target[name] += values.get(name, 0)
        for minutes, count in (values.get("minutes") or {}).items():
            target["minutes"][int(minutes)] += int(count)

    def merge(self, other: DayFacts) -> DayFacts:
        for key, values in other.rows.items():
            self.add_values(key, values)
        return self

    def only(self, keep: Callable[[tuple], bool]) -> DayFacts:
        """The facts whose key passes `keep` (e.g. one doctor's)."""
        return DayFacts(self.counts, {k: v for k, v in self.rows.items() if keep(k)})

    def totals_by(self, group: Callable[[tuple], Hashable]) -> dict[Hashable, dict[str, Any]]:
        totals: dict[Hashable, dict[str, Any]] = {}
        for key, values in self.rows.items():
            name = group(key)
            target = totals.get(name)
            if target is None:
                target = totals[name] = self.empty()
            for count in self.counts:
                target[count] += values[count]
            target["minutes"].update(values["minutes"])
        return totals

    def totals_by_dimension(self) -> dict[Hashable, dict[str, Any]]:
        """Totals per first dimension over every day."""
        return self.totals_by(lambda key: key[1])

    def grand_total(self) -> dict[str, Any]:
        return self.totals_by(lambda key: None).get(None) or self.empty()

    def totals_by_day(self, date_from: date, date_to: date) -> dict[date, dict[str, Any]]:
        """Totals per day, every day of the range present (zero when nothing happened)."""
        by_day = self.totals_by(lambda key: key[0])
        days = {}
        day = date_from
        while day <= date_to:
            days[day] = by_day.get(day) or self.empty()
            day += timedelta(days=1)
        return days


LiveFacts = Callable[[date, date], DayFacts]


@dataclass(frozen=True)
class FactTable:
    """Where a summary keeps its facts: one row per (day, *dimensions)."""

    model: type[models.Model]
    dimensions: tuple[str, ...]  # column names (attnames: "test_id") after "day"
    counts: tuple[str, ...]
    minutes: bool  # whether the rows carry a `minutes` histogram (JSON)


_TABLES: dict[str, FactTable] = {}


def daily_fact_summary(
    name: str,
    *,
    table: FactTable,
    live: LiveFacts,
    first_day: Callable[[], date | None],
) -> None:
    """Register the summary `name`: building a day stores `live(day, day)` in `table`."""
    _TABLES[name] = table

    @summary(name, first_day=first_day)
    def build(day: date) -> None:
        table.model.objects.filter(day=day).delete()
        facts = live(day, day)
        rows = []
        for key, values in facts.rows.items():
            row = {"day": key[0], **dict(zip(table.dimensions, key[1:], strict=True))}
            row.update({count: values[count] for count in table.counts})
            if table.minutes:
                row["minutes"] = {str(m): c for m, c in sorted(values["minutes"].items())}
            rows.append(table.model(**row))
        table.model.objects.bulk_create(rows, batch_size=1000)


def stored_facts(name: str, date_from: date, date_to: date, *, by_day: bool = True) -> DayFacts:
    """The facts the summary `name` holds for date_from..date_to. With `by_day=False` the
    database adds the days up (keys then carry None for the day): far fewer rows to read for
    a report that shows no day (a table with minute histograms is always read per day)."""
    table = _TABLES[name]
    facts = DayFacts(counts=table.counts)
    rows = table.model.objects.filter(day__gte=date_from, day__lte=date_to).order_by()
    if by_day or table.minutes:
        fields = ["day", *table.dimensions, *table.counts] + (["minutes"] if table.minutes else [])
        rows = rows.values(*fields)
    else:
        rows = rows.values(*table.dimensions).annotate(**{c: Sum(c) for c in table.counts})
    for row in rows.iterator():
        day = row["day"] if by_day else None
        facts.add_values((day, *(row[d] for d in table.dimensions)), row)
    return facts


def facts_for_range(
    name: str, live: LiveFacts, filters: ReportFilters, *, by_day: bool = True
) -> tuple[DayFacts, datetime]:
    """The facts of the filters' days and the time they are valid at (`as_of`): the days the
    summary serves from its fact rows, the others computed by `live`. With `by_day=False`
    every key's day is None (totals over the range only)."""
    table = _TABLES[name]
    range_plan = plan(name, filters.date_from, filters.date_to)
    facts = DayFacts(counts=table.counts)
    if range_plan.summary is not None:
        facts.merge(stored_facts(name, *range_plan.summary, by_day=by_day))
    if range_plan.live is not None:
        computed = live(*range_plan.live)
        if by_day:
            facts.merge(computed)
        else:
            for key, values in computed.rows.items():
                facts.add_values((None, *key[1:]), values)
    return facts, range_plan.as_of
