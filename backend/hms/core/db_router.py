"""Read replicas: read-only work goes to a PostgreSQL streaming replica, everything else to
the primary.

With DATABASE_REPLICA_URL set there is a second connection, "replica". Reads are sent to it
only inside `replica_reads()` (a context manager and decorator put on read-only selectors and
views: reports, searches, FHIR reads), and even there they stay on the primary when
- the request is not a safe one (POST, PUT, PATCH, DELETE: it writes, and reads what it wrote),
- the same user wrote something in the last REPLICA_PIN_SECONDS (replication lags a little;
  a user who just saved a record must see it on the next page),
- the connection is inside a transaction on the primary (atomic blocks read their own writes),
- the replica did not answer the last check (it is re-checked every REPLICA_RETRY_SECONDS), so
  a stopped replica costs one failed connection attempt, then reads fall back to the primary.
Writes always go to the primary; migrations run only there.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

REPLICA_ALIAS = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_wanted", default=False
)
# The request being served (ReplicaRoutingMiddleware). Its user is read when a query is routed,
# not when the request arrives: API clients are authenticated by DRF inside the view.
_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "replica_request", default=None
)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


@contextmanager
def _wanted() -> Iterator[None]:
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def replica_reads(function: F | None = None):
    """`with replica_reads():` or `@replica_reads`: the reads inside may go to the replica."""
    if function is None:
        return _wanted()

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _wanted():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _ReplicaHealth:
    """Whether the replica answered its last check; checked at most every retry interval."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0

    def usable(self) -> bool:
        if time.monotonic() < self._down_until:
            return False
        try:
            self.probe()
        except OperationalError:
            self.mark_down()
            return False
        return True

    @staticmethod
    def probe() -> None:
        """Opens the replica connection if it is not open (kept open between requests)."""
        connections[REPLICA_ALIAS].ensure_connection()

    def mark_down(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        if REPLICA_ALIAS in settings.DATABASES:
            connections[REPLICA_ALIAS].close()  # the next try opens a fresh connection


replica_health = _ReplicaHealth()


def _pinned_to_primary(request) -> bool:
    if request.method not in SAFE_METHODS:
        return True
    pinned = getattr(request, "_hms_pinned_to_primary", None)
    if pinned is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        pinned = cache.get(_pin_key(user.pk)) is not None
        request._hms_pinned_to_primary = pinned
    return pinned


def _use_replica() -> bool:
    if not (replica_configured() and _replica_wanted.get()):
        return False
    request = _current_request.get()
    if request is not None and _pinned_to_primary(request):
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    return replica_health.usable()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA_ALIAS if _use_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pin_key(user_pk: Any) -> str:
    return f"db:pinned-to-primary:{user_pk}"


class ReplicaRoutingMiddleware:
    """Keeps a writing request, and its user's next requests for a few seconds, on the
    primary. Costs nothing without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        user = getattr(request, "user", None)  # set by the view for API clients
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            cache.set(_pin_key(user.pk), 1, timeout=settings.REPLICA_PIN_SECONDS)
        return response
