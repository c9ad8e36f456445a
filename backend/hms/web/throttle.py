"""Sign-up attempts per client address, at the API's `register` rate.

The API throttles POST /api/auth/register/ with hms.core.throttling.SharedScopedRateThrottle
(scope "register", REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["register"], THROTTLE_REGISTER in
the environment).
The web sign-up form creates the same accounts, so it gets the same budget per client address
(hms.core.middleware.client_ip: X-Forwarded-For trusted only for NUM_PROXIES hops).

The count lives in the cache every app server and worker shares, kept exactly
(hms.core.throttling.attempt_in_window): the API's throttle counts the same way.
"""

from dataclasses import dataclass

from django.conf import settings

from hms.core.middleware import client_ip
from hms.core.throttling import attempt_in_window

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
    key = f"web:signup:{client_ip(request) or 'unknown'}"
    return attempt_in_window(key, limit=rate.requests, seconds=rate.seconds)
