"""Prometheus metrics at GET /metrics: HTTP requests, latency and SQL statements per route,
WebSocket connections, Celery queue depth and task outcomes, audit events written, sign-in
failures and lockouts.

Counters that live in a process (requests, sockets, sign-ins, tasks) are prometheus-client
metrics. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR to an empty directory
shared by the workers (gunicorn.conf.py clears a dead worker's files); every worker then
answers for all of them. Figures the database or broker already holds (audit events written,
queue depth) are read when scraped, so they are exact across every server.

Only a scraper may read it: a request from METRICS_ALLOWED_NETWORKS (default the loopback) or
one bearing `Authorization: Bearer <METRICS_TOKEN>`.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from hms.core.errors import error_response
from hms.core.request_context import current_request_context

HTTP_REQUESTS = Counter(
    "hms_http_requests", "HTTP requests answered, by route pattern, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "hms_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
DB_QUERIES = Histogram(
    "hms_http_request_db_queries", "SQL statements run to answer one HTTP request, by route.",
    ["route", "method"],
    buckets=(0, 1, 2, 4, 6, 8, 12, 16, 25, 50, 100),
)  # fmt: skip
WEBSOCKETS = Gauge(
    "hms_websocket_connections", "WebSocket connections open now, by kind.", ["kind"],
    multiprocess_mode="livesum",
)  # fmt: skip
LOGIN_FAILURES = Counter(
    "hms_login_failures", "Failed sign-ins, by reason (bad credentials, inactive, locked).",
    ["reason"],
)  # fmt: skip
LOCKOUTS = Counter("hms_login_lockouts", "Accounts locked after too many failed sign-ins.")
CELERY_TASKS = Counter(
    "hms_celery_tasks", "Celery tasks finished in this process, by task and outcome.",
    ["task", "outcome"],
)  # fmt: skip


def route_of(request) -> str:
    """The URL pattern that served the request (bounded label values), not the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unmatched")


class MetricsMiddleware:
    """Counts every request by route and status, its latency and its SQL statements."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        statements = 0

        def count(execute, sql, params, many, context):
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        route, method = route_of(request), request.method or ""
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)
        DB_QUERIES.labels(route, method).observe(statements)
        return response


def websocket_opened(kind: str) -> None:
    WEBSOCKETS.labels(kind).inc()


def websocket_closed(kind: str) -> None:
    WEBSOCKETS.labels(kind).dec()


def login_failed(reason: str, *, locked_now: bool = False) -> None:
    LOGIN_FAILURES.labels(reason).inc()
    if locked_now:
        LOCKOUTS.inc()


def celery_task_finished(task_name: str, outcome: str) -> None:
    CELERY_TASKS.labels(task_name, outcome).inc()


class StoredFiguresCollector(Collector):
    """Figures read at scrape time from where they are kept: the audit chains' heads (events
    written, across every server) and the broker's queue lengths."""

    def describe(self) -> Iterator:
        # Registering asks for the names; without this it would call collect(), a query.
        yield CounterMetricFamily("hms_audit_events", "Audit events written (all servers).")
        yield GaugeMetricFamily("hms_celery_broker_up", "1 when the broker answered.")
        yield GaugeMetricFamily(
            "hms_celery_queue_depth", "Tasks waiting in the broker, by queue.", labels=["queue"]
        )

    def collect(self) -> Iterator:
        from hms.core.models import AuditChainHead

        written = AuditChainHead.objects.aggregate(total=Sum("last_sequence"))["total"] or 0
        audit = CounterMetricFamily("hms_audit_events", "Audit events written (all servers).")
        audit.add_metric([], written)
        yield audit
        broker_up = GaugeMetricFamily("hms_celery_broker_up", "1 when the broker answered.")
        depth = GaugeMetricFamily(
            "hms_celery_queue_depth", "Tasks waiting in the broker, by queue.", labels=["queue"]
        )
        try:
            depths = celery_queue_depths()
        except Exception:  # a broker outage is itself a figure, not a failed scrape
            broker_up.add_metric([], 0)
        else:
            broker_up.add_metric([], 1)
            for queue, waiting in depths.items():
                depth.add_metric([queue], waiting)
        yield broker_up
        yield depth


def celery_queue_depths() -> dict[str, int]:
    """Waiting tasks per queue: 0 when tasks run inline, LLEN on a Redis broker, a passive
    declare on AMQP (RabbitMQ)."""
    from celery import current_app

    queue = current_app.conf.task_default_queue or "celery"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {queue: 0}
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        if conn.transport_cls in ("redis", "rediss"):
            return {queue: int(channel.client.llen(queue))}
        declared = channel.queue_declare(queue=queue, passive=True)
        return {queue: int(declared.message_count)}


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StoredFiguresCollector())
        return registry
    return REGISTRY


_STORED_FIGURES = StoredFiguresCollector()
REGISTRY.register(_STORED_FIGURES)


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    # The client's address as the request context has it (NUM_PROXIES honoured): behind nginx
    # REMOTE_ADDR is nginx's own loopback address, which would let anyone through.
    try:
        address = ipaddress.ip_address(current_request_context().ip or "")
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return error_response(
            403,
            "metrics_forbidden",
            "Metrics are for the monitoring system: send its bearer token or scrape from an "
            "allowed network.",
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
