"""Report latency over HTTP and the time the summary refresh takes, on a database at scale.

    .venv/bin/python bench/report_latency.py [--runs 5] [--workers 2] [--json PATH]

What it does, on the database in BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hms_bench_reports), which must already hold the data
(`generate_patients` and `generate_activity`, see README.md; it is not recreated):

1. migrates it and makes a bench admin (`bench_admin`) if missing;
2. times `manage.py refresh_report_summaries` three ways: the whole range of the data (every
   summary rebuilt from its first day: the worst case), the nightly refresh (no arguments:
   yesterday, the dirty days and the safety window) and one day (`--from`/`--to` yesterday);
3. serves HMS with gunicorn on a free loopback port, signs in over HTTP, reads the catalogue
   (`GET /api/reports/`, every page), and requests every report (and the management
   dashboard) for the last 7, 30 and 365 days, without filters and with each filter the
   report takes (the busiest ward, department and doctor), `--runs` times each, one request
   at a time, after one warm-up request per report;
4. prints p50/p95/p99 per report and the slowest variant, and exits 1 when any report's p95
   is 1 s or more (or a request failed).

Only loopback traffic; the run is bounded by --runs.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from benchlib import cpu_seconds, free_port

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "backend"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hms_bench_reports"
PASSWORD = "bench-pass-12345"
TARGET_SECONDS = 1.0

SETUP = f"""
import json
from django.db.models import Count, Min
from django.utils import timezone
from hms.accounts.models import User
from hms.clinical.models import Encounter
from hms.inpatient.models import Admission
if not User.objects.filter(username="bench_admin").exists():
    User.objects.create_user("bench_admin", password="{PASSWORD}", role="admin")
first = Encounter.objects.aggregate(m=Min("started_at"))["m"]
ward = (Admission.objects.values("ward__public_id").annotate(n=Count("id")).order_by("-n")
        .first())
doctor = (Encounter.objects.filter(type="outpatient").values("attending_doctor")
          .annotate(n=Count("id")).order_by("-n").first())
doctor_user = User.objects.select_related("doctor_profile").get(id=doctor["attending_doctor"])
print(json.dumps({{
    "first_day": timezone.localtime(first).date().isoformat(),
    "today": timezone.localdate().isoformat(),
    "ward": str(ward["ward__public_id"]),
    "doctor": str(doctor_user.public_id),
    "department": doctor_user.doctor_profile.department,
}}))
"""

REFRESH_FALLBACK = """
import sys, time
from datetime import date
from hms.reporting.summaries import refresh
args = sys.argv[1:]
kwargs = {}
if args:
    kwargs = {"date_from": date.fromisoformat(args[0]), "date_to": date.fromisoformat(args[1])}
stats = refresh(**kwargs)
print(f"{stats.total_days} summary days built")
"""


def manage(env: dict, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BACKEND,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def has_refresh_command(env: dict) -> bool:
    out = manage(env, "help", "--commands", capture=True).stdout.split()
    return "refresh_report_summaries" in out


def timed_refresh(env: dict, label: str, date_from: str | None, date_to: str | None) -> float:
    args = ["--from", date_from, "--to", date_to] if date_from else []
    started = time.perf_counter()
    if has_refresh_command(env):
        manage(env, "refresh_report_summaries", *args)
    else:  # the summaries' own entry point, the one the command wraps
        code = REFRESH_FALLBACK.replace("sys.argv[1:]", repr([date_from, date_to] if args else []))
        manage(env, "shell", "-c", code)
    elapsed = time.perf_counter() - started
    print(f"refresh ({label}): {elapsed:.1f} s", flush=True)
    return elapsed


def request(port: int, path: str, token: str | None = None, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(
        "POST" if body is not None else "GET",
        path,
        body=json.dumps(body) if body is not None else None,
        headers=headers,
    )
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per variant")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--ranges", default="7,30,365", help="days ending today")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument(
        "--refresh-from",
        default=None,
        help="first day of the timed range refresh (default: the data's first day)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args()

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "THROTTLE_LOGIN": "10000/min",
        "HMS_WARM_UP_AT_START": "0",
    }
    print(f"database: {db_url}", flush=True)
    with open(os.devnull, "w") as devnull:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BACKEND,
            env=env,
            check=True,
            stdout=devnull,
        )
    facts = json.loads(manage(env, "shell", "-c", SETUP, capture=True).stdout.splitlines()[-1])
    today = date.fromisoformat(facts["today"])
    yesterday = (today - timedelta(days=1)).isoformat()
    print(f"data from {facts['first_day']}; today {today}", flush=True)

    results: dict = {"database": db_url, "today": today.isoformat(), "load_before": _load()}
    if not args.skip_refresh:
        results["refresh_seconds"] = {
            "whole_range": timed_refresh(
                env, "range", args.refresh_from or facts["first_day"], yesterday
            ),
            "nightly": timed_refresh(env, "nightly", None, None),
            "one_day": timed_refresh(env, "one day", yesterday, yesterday),
        }

    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=BACKEND,
        env=env,
    )
    failures: list[str] = []
    try:
        for _ in range(150):
            try:
                if request(port, "/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, body = request(
            port, "/api/login/", body={"username": "bench_admin", "password": PASSWORD}
        )
        assert status == 200, body
        token = json.loads(body)["access"]

        catalogue = []
        path = "/api/reports/"
        while path:
            status, body = request(port, path, token)
            assert status == 200, body
            page = json.loads(body)
            catalogue += page["results"]
            path = page.get("next")
            if path:
                path = path.split("127.0.0.1", 1)[-1].split(str(port), 1)[-1]
        targets = [(item["slug"], item["url"], item["accepted_filters"]) for item in catalogue]
        targets.append(
            (
                "management-dashboard",
                "/api/reports/dashboards/management/",
                ["date_from", "date_to", "ward", "department", "doctor"],
            )
        )
        variants = []
        for slug, url, accepted in targets:
            for days in [int(d) for d in args.ranges.split(",")]:
                base = {
                    "date_from": (today - timedelta(days=days - 1)).isoformat(),
                    "date_to": today.isoformat(),
                }
                variants.append((slug, url, f"{days}d", base))
                for name in ("ward", "department", "doctor"):
                    if name in accepted:
                        variants.append((slug, url, f"{days}d {name}", {**base, name: facts[name]}))

        def query(params: dict) -> str:
            from urllib.parse import urlencode

            return "?" + urlencode(params)

        # Warm-up: one request per report (first-request caches, connections).
        skipped = set()
        for slug, url, _, params in variants:
            if slug in skipped:
                continue
            status, body = request(port, url + query(params), token)
            if status == 404 and slug == "management-dashboard":
                skipped.add(slug)
                print("management dashboard: not served (404), skipped", flush=True)
            elif status != 200:
                failures.append(f"{slug} {params}: HTTP {status} {body[:200]!r}")
                skipped.add(slug)
        variants = [v for v in variants if v[0] not in skipped]
        print(
            f"{len(variants)} variants of {len(targets) - len(skipped)} reports, "
            f"{args.runs} runs each",
            flush=True,
        )

        times: dict[tuple[str, str], list[float]] = {}
        server_pids = [server.pid, *_children(server.pid)]
        cpu_before = cpu_seconds(server_pids)
        started = time.perf_counter()
        for _ in range(args.runs):
            for slug, url, label, params in variants:
                t0 = time.perf_counter()
                status, body = request(port, url + query(params), token)
                elapsed = time.perf_counter() - t0
                if status != 200:
                    failures.append(f"{slug} {label}: HTTP {status} {body[:200]!r}")
                    continue
                times.setdefault((slug, label), []).append(elapsed)
        wall = time.perf_counter() - started
        cpu = cpu_seconds(server_pids) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)

    per_report = {}
    for (slug, label), values in times.items():
        entry = per_report.setdefault(slug, {"all": [], "variants": {}})
        entry["all"] += values
        entry["variants"][label] = {
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
    print()
    print(f"{'report':<40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  slowest variant")
    slow = []
    summary = {}
    for slug, entry in sorted(per_report.items()):
        values = entry["all"]
        p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        worst_label, worst = max(entry["variants"].items(), key=lambda kv: kv[1]["p95_ms"])
        print(
            f"{slug:<40} {len(values):>5} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} "
            f"{p99 * 1000:>8.1f}  {worst_label} (p95 {worst['p95_ms']:.0f} ms)"
        )
        summary[slug] = {
            "n": len(values),
            "p50_ms": round(p50 * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "p99_ms": round(p99 * 1000, 1),
            "variants": entry["variants"],
        }
        if p95 >= TARGET_SECONDS:
            slow.append(slug)
    results.update(
        reports=summary,
        runs=args.runs,
        workers=args.workers,
        requests=sum(len(v) for v in times.values()),
        wall_seconds=round(wall, 1),
        server_cpu_seconds=round(cpu, 1),
        failures=failures,
        slow=slow,
        load_after=_load(),
    )
    if "refresh_seconds" in results:
        r = results["refresh_seconds"]
        print(
            f"\nrefresh: whole range {r['whole_range']:.1f} s, nightly {r['nightly']:.1f} s, "
            f"one day {r['one_day']:.1f} s"
        )
    print(f"load average before/after: {results['load_before']} / {results['load_after']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    for failure in failures:
        print(f"FAILED: {failure}")
    if slow:
        print(f"p95 of 1 s or more: {', '.join(slow)}")
    return 1 if slow or failures else 0


def _load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


if __name__ == "__main__":
    sys.exit(main())
