"""Precomputed daily facts: each summary rewrites one local day's fact rows at a time.

    @summary("inpatient_daily", first_day=first_admission_day)
    def build_inpatient_daily(day: date) -> None: ...   # delete and rewrite that day's rows

A report over a date range asks `plan(name, date_from, date_to)` which days it may read from
the fact rows (`RangePlan.summary`) and which it must compute from the live rows
(`RangePlan.live`). Fact rows serve only days up to the summary's `complete_through`, never
today, and never from the first day a later change marked dirty (`mark_dirty`) onwards, so a
report is exact whether or not the summaries are fresh; they only make it fast. Each report
computes the summary part and the live part with the same grouping, and its tests check that
both paths give the same numbers.

`refresh()` rebuilds, per summary: every day after `complete_through` up to yesterday (from
the summary's `first_day()` the first time), the days marked dirty, and a safety window of the
last `SAFETY_WINDOW_DAYS` days (changes no event announces, such as an admission recorded
late). Domain events mark days dirty and queue a refresh (hms.reporting.subscribers); Celery
beat refreshes nightly (hms.reporting.tasks); `manage.py refresh_report_summaries` does it by
hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hms.reporting.measures import days_between
from hms.reporting.models import SummaryDirtyDay, SummaryState

SAFETY_WINDOW_DAYS = 7

BuildFn = Callable[[date], None]
# progress(name, done, total, day): called after each day a refresh builds.
ProgressFn = Callable[[str, int, int, date], None]


@dataclass(frozen=True)
class Summary:
    name: str
    build: BuildFn
    # The first local day with any data (None when there is none); a first refresh starts there.
    first_day: Callable[[], date | None] | None = None


_SUMMARIES: dict[str, Summary] = {}


def summary(name: str, *, first_day: Callable[[], date | None] | None = None):
    """Register the decorated `build(day)` as the summary `name`."""

    def register(build: BuildFn) -> BuildFn:
        if name in _SUMMARIES:
            raise ValueError(f"Summary {name!r} is registered twice.")
        _SUMMARIES[name] = Summary(name, build, first_day)
        return build

    return register


def summary_get(name: str) -> Summary:
    try:
        return _SUMMARIES[name]
    except KeyError:
        raise ValueError(f"Unknown summary {name!r}.") from None


def summary_names() -> list[str]:
    return sorted(_SUMMARIES)


def mark_dirty(name: str, day: date) -> None:
    """A later change touched `day`: serve it from live rows until a refresh rebuilds it."""
    summary_get(name)
    SummaryDirtyDay.objects.bulk_create(
        [SummaryDirtyDay(name=name, day=day)], ignore_conflicts=True
    )


def mark_dirty_range(name: str, date_from: date, date_to: date) -> None:
    """Mark every day of date_from..date_to (inclusive) dirty."""
    summary_get(name)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    SummaryDirtyDay.objects.bulk_create(
        [SummaryDirtyDay(name=name, day=day) for day in days], ignore_conflicts=True
    )


@dataclass(frozen=True)
class RangePlan:
    """How to compute date_from..date_to: `summary` days (from, to) come from fact rows,
    `live` days (from, to) from the live rows; either may be None. `as_of` is when the fact
    rows were built (the request time when only live rows are used)."""

    summary: tuple[date, date] | None
    live: tuple[date, date] | None
    as_of: datetime


def served_through(name: str, *, today: date | None = None) -> tuple[date | None, datetime | None]:
    """The last day the fact rows of `name` may serve, and when they were refreshed."""
    today = today or timezone.localdate()
    state = SummaryState.objects.filter(name=name).first()
    if state is None or state.complete_through is None:
        return None, None
    last = min(state.complete_through, today - timedelta(days=1))
    first_dirty = (
        SummaryDirtyDay.objects.filter(name=name, day__lte=last)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    if first_dirty is not None:
        last = first_dirty - timedelta(days=1)
    return last, state.refreshed_at


def plan(name: str, date_from: date, date_to: date) -> RangePlan:
    summary_get(name)
    last, refreshed_at = served_through(name)
    now = timezone.now()
    if last is None or last < date_from:
        return RangePlan(summary=None, live=(date_from, date_to), as_of=now)
    summary_to = min(date_to, last)
    live = (summary_to + timedelta(days=1), date_to) if summary_to < date_to else None
    return RangePlan(summary=(date_from, summary_to), live=live, as_of=refreshed_at or now)


@dataclass
class RefreshStats:
    days_built: dict[str, int] = field(default_factory=dict)  # per summary name
    complete_through: dict[str, date | None] = field(default_factory=dict)

    @property
    def total_days(self) -> int:
        return sum(self.days_built.values())


def _build_day(summary_: Summary, day: date) -> None:
    with transaction.atomic():
        # One refresh of a summary at a time rewrites its rows (PostgreSQL row lock).
        SummaryState.objects.select_for_update().get(name=summary_.name)
        summary_.build(day)


def _continues(summary_: Summary, complete_through: date | None, start: date) -> bool:
    """Whether every day before `start` is built (so building on from it extends the run)."""
    if complete_through is not None:
        return start <= complete_through + timedelta(days=1)
    if summary_.first_day is None:
        return False
    first = summary_.first_day()
    return first is None or start <= first


def refresh(
    names: Iterable[str] | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    progress: ProgressFn | None = None,
    only_dirty: bool = False,
) -> RefreshStats:
    """Rebuild the summaries' fact rows (all summaries unless `names`). With `date_from` /
    `date_to`, exactly those days (never today or later); with `only_dirty`, the dirty days up
    to yesterday; otherwise what is missing since `complete_through`, the dirty days and the
    safety window, up to yesterday."""
    stats = RefreshStats()
    yesterday = timezone.localdate() - timedelta(days=1)
    for name in list(names) if names is not None else summary_names():
        summary_ = summary_get(name)
        state, _ = SummaryState.objects.get_or_create(name=name)
        dirty = list(
            SummaryDirtyDay.objects.filter(name=name, day__lte=yesterday).values_list("id", "day")
        )
        explicit = date_from is not None or date_to is not None
        if only_dirty:
            days = {day for _, day in dirty}
        elif explicit:
            first = summary_.first_day() if summary_.first_day else None
            start = date_from or first or yesterday
            end = min(date_to or yesterday, yesterday)
            days = set(days_between(start, end)) if start <= end else set()
            dirty = [(pk, day) for pk, day in dirty if day in days]
        else:
            if state.complete_through is None:
                first = summary_.first_day() if summary_.first_day else None
                start = min(first or yesterday, yesterday - timedelta(days=SAFETY_WINDOW_DAYS - 1))
            else:
                start = min(
                    state.complete_through + timedelta(days=1),
                    yesterday - timedelta(days=SAFETY_WINDOW_DAYS - 1),
                )
            days = set(days_between(start, yesterday)) | {day for _, day in dirty}
        ordered = sorted(days)
        for done, day in enumerate(ordered, start=1):
            _build_day(summary_, day)
            if progress is not None:
                progress(name, done, len(ordered), day)
        # Only the marks seen before building are cleared: a day marked while it was being
        # built stays dirty for the next refresh.
        SummaryDirtyDay.objects.filter(pk__in=[pk for pk, _ in dirty]).delete()
        # Rebuilding dirty days leaves the run of complete days as it was.
        if not only_dirty and not explicit:
            state.complete_through = yesterday
        elif (
            not only_dirty and ordered and _continues(summary_, state.complete_through, ordered[0])
        ):
            state.complete_through = max(ordered[-1], state.complete_through or ordered[-1])
        state.refreshed_at = timezone.now()
        state.save(update_fields=["complete_through", "refreshed_at"])
        stats.days_built[name] = len(ordered)
        stats.complete_through[name] = state.complete_through
    return stats
