"""Sign-up attempts per client address, at the API's `register` rate.

The API throttles POST /api/auth/register/ with DRF's ScopedRateThrottle (scope "register",
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["register"], THROTTLE_REGISTER in the environment).
The web sign-up form creates the same accounts, so it gets the same budget per client address
(hms.core.middleware.client_ip: X-Forwarded-For trusted only for NUM_PROXIES hops).

The count lives in Django's cache (Redis in production, so every app server shares it) in a
fixed window: `add` then `incr`, both atomic in Redis, so concurrent attempts cannot slip past.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from hms.core.middleware import client_ip

SCOPE = "register"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def signup_rate() -> Rate | None:
    """The API's register rate ("10/min" -> Rate(10, 60)); None when it is switched off."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    rate = rates.get(SCOPE)
    if not rate:
        return None
    count, period = rate.split("/")
    return Rate(requests=int(count), seconds=_PERIODS[period.strip()[0]])


def signup_attempt(request) -> int | None:
    """Count one sign-up attempt from this request's address. None when it may go ahead, or
    the seconds to wait before the next attempt is accepted."""
    rate = signup_rate()
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    key = f"web:signup:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds + 1)
        attempts = 1
    if attempts <= rate.requests:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))
