"""The patient timeline: every clinical event of one patient, newest first, from many sources.

Each module registers a *timeline source* instead of this module importing it:

    from hms.clinical.timeline import TimelineEntry, register_timeline_source

    def lab_results(patient, user, since, until):
        for result in LabResult.objects.filter(order__patient=patient, ...):
            yield TimelineEntry(type="lab_result", id=result.public_id, ...)

    register_timeline_source("lab_results", lab_results, types={"lab_result"})

(call it from the app's `AppConfig.ready()`). A source receives the patient (already resolved
through the access module, so the chart read is checked and audited once), the requesting user
(to apply any finer rule of its own, e.g. a section the user may not see: return nothing),
and the `since`/`until` bounds (aware datetimes or None; `since <= occurred_at < until`). It
returns an iterable of TimelineEntry, voided records included with `voided=True`: the
timeline hides them unless the client asks for `include_voided`. A source should cost a
constant number of queries, whatever the number of events (select_related what it shows).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TimelineSourceFn = Callable[[Any, Any, datetime | None, datetime | None], Iterable["TimelineEntry"]]


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime  # when it happened clinically (measured, diagnosed, started)
    type: str  # "encounter", "visit_note", "vitals", "diagnosis", "problem", "lab_result", ...
    id: str  # the record's public id
    title: str  # one line for the list: "Outpatient visit", "J45.9 Asthma, unspecified"
    summary: str = ""  # a short second line
    actor: str = ""  # who recorded it (display name)
    voided: bool = False
    void_reason: str = ""
    detail: dict = field(default_factory=dict)  # type-specific JSON-safe data
    source: str = ""  # filled in with the registered source name


@dataclass(frozen=True)
class TimelineSource:
    name: str
    fn: TimelineSourceFn
    types: frozenset[str]


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(
    name: str, fn: TimelineSourceFn, *, types: Iterable[str] | None = None
) -> None:
    """Add (or replace, by name) a source. `types`: the entry types it yields (default {name}),
    so a timeline filtered by type skips sources that cannot contribute."""
    _SOURCES[name] = TimelineSource(name=name, fn=fn, types=frozenset(types or {name}))


def unregister_timeline_source(name: str) -> None:
    _SOURCES.pop(name, None)


def timeline_sources() -> dict[str, TimelineSource]:
    return dict(_SOURCES)


def timeline_types() -> frozenset[str]:
    return frozenset().union(*(source.types for source in _SOURCES.values()))


def timeline_collect(
    *,
    patient,
    user,
    since: datetime | None = None,
    until: datetime | None = None,
    types: Iterable[str] | None = None,
    include_voided: bool = False,
) -> list[TimelineEntry]:
    """Every entry of every (matching) source, newest first.

    Entries at the same instant keep a stable order (by type, then id), so pages never shuffle.
    """
    wanted = frozenset(types) if types else None
    entries: list[TimelineEntry] = []
    for source in list(_SOURCES.values()):
        if wanted is not None and not (source.types & wanted):
            continue
        for entry in source.fn(patient, user, since, until):
            if wanted is not None and entry.type not in wanted:
                continue
            if entry.voided and not include_voided:
                continue
            if since is not None and entry.occurred_at < since:
                continue
            if until is not None and entry.occurred_at >= until:
                continue
            if not entry.source:
                entry = TimelineEntry(**{**entry.__dict__, "source": source.name})
            entries.append(entry)
    entries.sort(key=lambda entry: (entry.type, str(entry.id)))
    entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries
