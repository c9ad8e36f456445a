"""Slot arithmetic: which local times a doctor works on a date, and the slot grid.

Pure functions over plain values so they are easy to test, including on the days a clock
change skips or repeats an hour.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class TimeRange:
    start: time
    end: time

    def overlaps(self, other: "TimeRange") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Slot:
    date: date
    start: time
    end: time
    start_at: datetime  # aware
    end_at: datetime


def hospital_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_instant(day: date, at: time, tz: ZoneInfo | None = None) -> datetime | None:
    """The aware instant of a local wall-clock time, or None if the clock skips it (DST)."""
    tz = tz or hospital_tz()
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    return aware if round_trip == naive else None


def working_ranges(
    *,
    weekly_blocks: Iterable[TimeRange],
    removals: Iterable[TimeRange | None],
    extra_sessions: Iterable[TimeRange],
) -> list[TimeRange]:
    """The working time of one date: weekly blocks minus leave/holidays, plus extra sessions.

    A removal of None means the whole day. Extra sessions are explicit and always count.
    """
    removals = list(removals)
    if any(removal is None for removal in removals):
        ranges: list[TimeRange] = []
    else:
        ranges = list(weekly_blocks)
        for removal in removals:
            ranges = [piece for block in ranges for piece in _subtract(block, removal)]
    return sorted([*ranges, *extra_sessions], key=lambda r: (r.start, r.end))


def _subtract(block: TimeRange, removal: TimeRange) -> list[TimeRange]:
    if not block.overlaps(removal):
        return [block]
    pieces = []
    if block.start < removal.start:
        pieces.append(TimeRange(block.start, removal.start))
    if removal.end < block.end:
        pieces.append(TimeRange(removal.end, block.end))
    return pieces


def slot_grid(
    *, day: date, ranges: Iterable[TimeRange], slot_minutes: int, tz: ZoneInfo | None = None
) -> list[Slot]:
    """Every slot that fits in the ranges, anchored at each range's start.

    Slots whose local start or end does not exist on this date (a clock change skips it) are
    left out; on a day the clock repeats an hour, the first occurrence is used.
    """
    tz = tz or hospital_tz()
    step = timedelta(minutes=slot_minutes)
    slots: dict[time, Slot] = {}
    for time_range in ranges:
        cursor = datetime.combine(day, time_range.start)
        range_end = datetime.combine(day, time_range.end)
        while cursor + step <= range_end:
            start_local, end_local = cursor.time(), (cursor + step).time()
            start_at = local_instant(day, start_local, tz)
            end_at = local_instant(day, end_local, tz)
            if start_at is not None and end_at is not None and end_at > start_at:
                slots.setdefault(start_local, Slot(day, start_local, end_local, start_at, end_at))
            cursor += step
    return [slots[key] for key in sorted(slots)]


def slot_at(
    *,
    day: date,
    start: time,
    ranges: Iterable[TimeRange],
    slot_minutes: int,
    tz: ZoneInfo | None = None,
) -> Slot | None:
    """The grid slot starting at `start`, or None if no slot starts there.

    The same answer as looking `start` up in slot_grid(...), without building the whole day.
    """
    step = timedelta(minutes=slot_minutes)
    begin = datetime.combine(day, start)
    for time_range in ranges:
        range_start = datetime.combine(day, time_range.start)
        if not range_start <= begin or begin + step > datetime.combine(day, time_range.end):
            continue
        if (begin - range_start) % step:
            continue
        end_local = (begin + step).time()
        start_at = local_instant(day, start, tz)
        end_at = local_instant(day, end_local, tz)
        if start_at is not None and end_at is not None and end_at > start_at:
            return Slot(day, start, end_local, start_at, end_at)
    return None
