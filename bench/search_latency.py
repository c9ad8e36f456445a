"""Server-side latency of patient search (GET /api/patients/?q=) on the current database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hms_bench \\
        .venv/bin/python bench/search_latency.py --queries 500

Requests go through the whole Django stack in-process (middleware, authentication, the
permission table, the selector, pagination with its COUNT, serialisation and the audit event
every search writes), timed from the first middleware to the response; the network is left
out. Queries are built from patients picked at random in the database, as people type them
(original case and accents): a last-name prefix of 2, 3 and 5 letters, a first-name prefix of 4,
"First Las" and "Last, Fi". Reported: p50/p95/p99 of the request time and of the time spent in
the database, per kind and overall.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.core.roles import Role
from hms.patients.models import Patient

KINDS = {
    "last_name_2": lambda p: p.last_name[:2],
    "last_name_3": lambda p: p.last_name[:3],
    "last_name_5": lambda p: p.last_name[:5],
    "first_name_4": lambda p: p.first_name[:4],
    "first_last": lambda p: f"{p.first_name} {p.last_name[:3]}",
    "last_comma_first": lambda p: f"{p.last_name}, {p.first_name[:2]}",
}


def out(line: str) -> None:
    sys.stdout.write(line + "\n")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@contextmanager
def db_timer(box: list[float]):
    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            box[0] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        yield


def random_patients(rng: random.Random, count: int) -> list[Patient]:
    bounds = Patient.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        sys.exit("No patients: run `manage.py generate_patients N` first.")
    picked = []
    while len(picked) < count:
        patient = Patient.objects.filter(pk__gte=rng.randint(low, high)).order_by("pk").first()
        if patient is not None:
            picked.append(patient)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=500, help="measured queries (all kinds)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    user, _ = User.objects.get_or_create(
        username="bench-receptionist", defaults={"role": Role.RECEPTIONIST}
    )
    client = APIClient()
    client.force_authenticate(user)
    kinds = list(KINDS)
    patients = random_patients(rng, args.queries + args.warmup)
    plan = [(kinds[i % len(kinds)], p) for i, p in enumerate(patients)]

    results: dict[str, dict[str, list[float]]] = {
        k: {"ms": [], "db_ms": [], "n": []} for k in kinds
    }
    misses: list[tuple[str, str]] = []
    for index, (kind, patient) in enumerate(plan):
        q = KINDS[kind](patient)
        box = [0.0]
        with db_timer(box):
            started = time.perf_counter()
            response = client.get("/api/patients/", {"q": q})
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        ids = [row["id"] for row in response.data["results"]]
        if response.data["count"] <= len(ids) and str(patient.public_id) not in ids:
            misses.append((kind, q))  # the patient the query was made from must be found
        if index < args.warmup:
            continue
        results[kind]["ms"].append(elapsed * 1000)
        results[kind]["db_ms"].append(box[0] * 1000)
        results[kind]["n"].append(response.data["count"])

    total = Patient.objects.count()
    report = {"patients": total, "vendor": connection.vendor, "kinds": {}}
    every_ms = [v for r in results.values() for v in r["ms"]]
    every_db = [v for r in results.values() for v in r["db_ms"]]
    out(f"patients: {total:,}  database: {connection.vendor}  queries: {len(every_ms)}")
    out(f"{'kind':<18}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'db p95':>9}{'matches':>10}")
    for kind, r in results.items():
        row = {
            "p50_ms": round(percentile(r["ms"], 50), 2),
            "p95_ms": round(percentile(r["ms"], 95), 2),
            "p99_ms": round(percentile(r["ms"], 99), 2),
            "db_p95_ms": round(percentile(r["db_ms"], 95), 2),
            "median_matches": statistics.median(r["n"]),
        }
        report["kinds"][kind] = row
        out(
            f"{kind:<18}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}"
            f"{row['db_p95_ms']:>9}{row['median_matches']:>10}"
        )
    report["all"] = {
        "p50_ms": round(percentile(every_ms, 50), 2),
        "p95_ms": round(percentile(every_ms, 95), 2),
        "p99_ms": round(percentile(every_ms, 99), 2),
        "db_p50_ms": round(percentile(every_db, 50), 2),
        "db_p95_ms": round(percentile(every_db, 95), 2),
    }
    a = report["all"]
    out(f"{'all':<18}{a['p50_ms']:>9}{a['p95_ms']:>9}{a['p99_ms']:>9}{a['db_p95_ms']:>9}")
    report["misses"] = misses
    if misses:
        out(f"MISSES (source patient not found): {misses[:10]}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    if misses:
        sys.exit(1)


if __name__ == "__main__":
    main()
