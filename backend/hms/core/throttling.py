"""Rate limits that hold across processes: N attempts per period, counted exactly.

A count lives in the default cache, which every process shares (Redis, or the database cache
of hms.core.cache without it), under a key per scope and client. The window opens with the
key's first attempt and lasts one period: `add` opens it, `incr` counts, both atomic in every
cache HMS configures, so workers counting at the same moment cannot let an attempt slip past.
(DRF's own throttles keep a list of timestamps with a read and then a write: two workers that
read the same list both let their request through.)
"""

import math
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


def attempt_in_window(key: str, *, limit: int, seconds: int) -> int | None:
    """Count one attempt for `key` in its window of `seconds`: None while the window has seen
    at most `limit` attempts, else the whole seconds until it closes."""
    now = time.time()
    if cache.add(key, 0, timeout=seconds):
        cache.set(f"{key}:closes", now + seconds, timeout=seconds)
    try:
        attempts = cache.incr(key)
    except ValueError:  # the window closed between add and incr: this attempt opens one
        cache.set(key, 1, timeout=seconds)
        cache.set(f"{key}:closes", now + seconds, timeout=seconds)
        attempts = 1
    if attempts <= limit:
        return None
    closes = cache.get(f"{key}:closes") or now + seconds
    return max(1, math.ceil(closes - now))


class SharedScopedRateThrottle(ScopedRateThrottle):
    """DRF's ScopedRateThrottle (the view's `throttle_scope`, its rate from
    DEFAULT_THROTTLE_RATES, one count per client address), counted by `attempt_in_window`."""

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # as now, not at import
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self._wait = attempt_in_window(self.key, limit=self.num_requests, seconds=self.duration)
        return self._wait is None

    def wait(self):
        return self._wait
