"""GET /health/: 200 only when every configured backing service answers; `warm` says whether
this process has loaded its slow reference tables yet (a readiness probe or bench waits for it;
a cold process still answers, only its first analysis or ICD-10 lookup is slower)."""

import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hms.core.warmup import warm_up_status


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as exc:  # a health check reports any failure rather than raising
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_cache():
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager (no broker configured)"}
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"mode": "broker"}


@never_cache
@require_GET
def health(request):
    checks = {
        "database": _timed(_check_database),
        "cache": _timed(_check_cache),
        "broker": _timed(_check_broker),
    }
    healthy = all(check["ok"] for check in checks.values())
    warm_up = warm_up_status()
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "warm": warm_up["warm"],
            "checks": checks,
            "warm_up": warm_up,
        },
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def health_live(request):
    """GET /health/live/: the process answers (a liveness probe restarts it when it does not).
    Checks nothing else, so an outage of the database does not restart every server."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health_ready(request):
    """GET /health/ready/: this server can serve requests now (database and cache answer), for
    load balancers and readiness probes. The broker is left out: without it requests are still
    served, only background work waits (GET /health/ says which dependency failed)."""
    checks = {"database": _timed(_check_database), "cache": _timed(_check_cache)}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
