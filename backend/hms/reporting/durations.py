"""Durations in whole minutes, kept as histograms so that percentiles add up across days.

A median cannot be summed, but a histogram can: each day's fact row keeps how many waits took
each whole number of minutes (`{minutes: count}`), the days of a range are merged, and the
median and 90th percentile are read from the merged histogram. Reports computed from live rows
build the same histograms, so both paths give the same numbers.

Percentiles interpolate linearly between the closest ranks (the "inclusive" method of
spreadsheets and numpy's default): of 10, 20, 30 and 40 minutes the median is 25 and the 90th
percentile 37.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

MinuteHistogram = Counter  # whole minutes -> how many


def whole_minutes(span: timedelta) -> int:
    """A wait in whole minutes (rounded down; a clock skew never makes it negative)."""
    return max(int(span.total_seconds() // 60), 0)


def minutes_between(start: datetime, end: datetime) -> int:
    return whole_minutes(end - start)


def histogram_merge(histograms: Iterable[Mapping]) -> MinuteHistogram:
    """One histogram of several (keys may be strings, as stored in JSON)."""
    total: MinuteHistogram = Counter()
    for histogram in histograms:
        for minutes, count in histogram.items():
            total[int(minutes)] += int(count)
    return total


def histogram_json(histogram: Mapping[int, int]) -> dict[str, int]:
    """The histogram as stored in a JSON column (string keys, in order, no empty buckets)."""
    return {str(minutes): count for minutes, count in sorted(histogram.items()) if count}


def histogram_percentile(histogram: Mapping[int, int], fraction: float) -> Decimal | None:
    """The `fraction` (0..1) percentile in minutes, to one decimal; None for no values."""
    items = sorted((int(m), int(c)) for m, c in histogram.items() if int(c) > 0)
    n = sum(count for _, count in items)
    if n == 0:
        return None
    position = Decimal(n - 1) * Decimal(str(fraction))
    low_rank = int(position)  # 0-based ranks of the values around the position
    high_rank = min(low_rank + 1, n - 1)
    low = high = None
    seen = 0
    for minutes, count in items:
        if low is None and low_rank < seen + count:
            low = minutes
        if high_rank < seen + count:
            high = minutes
            break
        seen += count
    value = Decimal(low) + (Decimal(high) - Decimal(low)) * (position - low_rank)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
