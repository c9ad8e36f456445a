"""Rate limits that hold across processes: N attempts per period, counted exactly.

A count is a row of RateLimitWindow per scope and client, in the database every worker and
app server shares. The window opens with the key's first attempt and lasts one period. Each
attempt is one short transaction of plain UPDATEs: an UPDATE holds the row's write lock until
commit, so workers counting the same key queue behind each other and no attempt is lost or
counted twice (DRF's own throttles keep a list of timestamps in the cache with a read and then
a write: two workers that read the same list both let their request through).
"""

import math
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from hms.core.models import RateLimitWindow
from hms.core.transactions import service_transaction


def attempt_in_window(key: str, *, limit: int, seconds: int) -> int | None:
    """Count one attempt for `key` in its window of `seconds`: None while the window has seen
    at most `limit` attempts, else the whole seconds until it closes."""
    now = timezone.now()
    period = timedelta(seconds=seconds)
    attempts, opened_at = _count_attempt(key, now=now, period=period)
    if attempts <= limit:
        return None
    return max(1, math.ceil((opened_at + period - now).total_seconds()))


# On MySQL/MariaDB, workers creating the same key's row at once can deadlock (each holds the
# shared lock a duplicate-key error leaves, then asks for the exclusive one); the database
# ends one, and its second run finds the row and only updates it.
@service_transaction
def _count_attempt(key: str, *, now, period: timedelta):
    windows = RateLimitWindow.objects.filter(key=key)
    RateLimitWindow.objects.get_or_create(key=key, defaults={"opened_at": now})
    # A window that has closed opens anew with this attempt; of two workers doing this at
    # once, the second sees the first's new opening time and leaves it.
    windows.filter(opened_at__lte=now - period).update(opened_at=now, attempts=0)
    windows.update(attempts=F("attempts") + 1)
    return windows.values_list("attempts", "opened_at").get()


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
