"""Durations in whole minutes, kept as histograms so that percentiles add up across days.

A median cannot be summed, but a histogram can: each day's fact row keeps how many waits took
each whole number of minutes (`{minutes: count}`), the days of a range are merged, and the
median and 90th percentile are read from the merged histogram. Reports computed from live rows
build the same histograms, so both paths give the same numbers.

Percentiles follow the nearest-rank rule of every report (`hms.reporting.histograms`): of 10,
20, 30 and 40 minutes the median is 20 and the 90th percentile 40.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from hms.reporting.histograms import percentile

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
    """The `fraction` (0..1) percentile in minutes by nearest rank (hms.reporting.histograms,
    the rule of every report), as a Decimal; None for no values."""
    value = percentile(
        {int(m): int(c) for m, c in histogram.items() if int(c) > 0}, round(fraction * 100)
    )
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))
