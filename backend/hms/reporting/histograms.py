"""Percentiles from histograms of whole-number buckets (e.g. minutes waited).

Daily summaries keep a histogram per day instead of the raw values; histograms of several days
add up, and a percentile read from the summed histogram is the same as one read from the raw
values rounded down to the bucket. Percentiles use the nearest-rank rule: the p-th percentile
of n sorted values is the value at rank ceil(p/100 * n) (the median of 1, 2, 3, 4 is 2).
"""

from collections import Counter
from collections.abc import Iterable, Mapping


def histogram_add(total: Counter, buckets: Iterable[tuple[int, int]]) -> Counter:
    """Add (bucket, count) pairs into `total` (in place) and return it."""
    for bucket, count in buckets:
        total[bucket] += count
    return total


def percentile(histogram: Mapping[int, int], p: int) -> int | None:
    """The p-th percentile (0 < p <= 100, whole) by nearest rank; None for an empty histogram."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100))  # ceil(p * n / 100) in integers
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    return max(histogram)
