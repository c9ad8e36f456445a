"""The first prescription analysis and the first ICD-10 lookup of a freshly started server.

    .venv/bin/python bench/first_analysis.py --runs 3
    .venv/bin/python bench/first_analysis.py --runs 3 --cold   # without the start-up warm-up

Each run makes a temporary data directory (an empty SQLite database, migrated), adds one
doctor, and starts the real server as `make run` does (`manage.py runserver --noreload` on a
free loopback port: daphne serving `config.asgi`, development settings with DEBUG off). It
waits until `/health/` answers and then until it reports `warm: true` (the drug dictionary and
the ICD-10 list loaded in the background, hms.core.warmup), signs in over HTTP, and times the
first `POST /api/analyze-prescription/` and the first `GET /api/icd10/?q=...` that process
serves, then a second of each for comparison. With `--cold` the warm-up is switched off
(HMS_WARM_UP_AT_START=0) and the first requests are sent as soon as the server answers: what
a user met before the warm-up existed. Times are wall-clock from the client, over loopback.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = str(REPO / "backend" / "manage.py")
PASSWORD = "bench-first-analysis-1"
PRESCRIPTION = (
    "Amoxicillin 500 mg three times a day for 7 days\n"
    "Paracetamol 1 g every 6 hours when needed for pain, max 4 g/day\n"
    "Metformin 500 mg twice daily with meals"
)
SETUP = f"""
from hms.accounts.models import User
from hms.core.roles import Role
User.objects.create_user(username="bench-doctor", password={PASSWORD!r}, role=Role.DOCTOR,
                         first_name="Bench", last_name="Doctor")
"""


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, *, data: dict | None = None, token: str = "", timeout: float = 120):
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (loopback)
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
        payload = json.loads(response.read() or b"null")
        status = response.status
    return status, payload, (time.perf_counter() - started) * 1000


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


def one_run(*, cold: bool, keep_log: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="hms-first-analysis-") as data_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "HMS_DATA_DIR": data_dir,
            "DEBUG": "false",
            "LOG_LEVEL": "INFO",
            "HMS_WARM_UP_AT_START": "0" if cold else "1",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            env.pop(name, None)
        subprocess.run(
            [PYTHON, MANAGE, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=REPO
        )
        subprocess.run(
            [PYTHON, MANAGE, "shell", "-v", "0", "-c", SETUP], env=env, check=True, cwd=REPO
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = Path(data_dir) / "server.log"
        with log_path.open("w") as log:
            started = time.perf_counter()
            server = subprocess.Popen(
                [PYTHON, MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for(
                    lambda: request(f"{base}/health/", timeout=5)[0] == 200,
                    timeout=120,
                    what="the server to answer /health/",
                )
                answering = time.perf_counter() - started
                warm_after = None
                if not cold:
                    wait_for(
                        lambda: request(f"{base}/health/", timeout=5)[1]["warm"],
                        timeout=180,
                        what="warm: true",
                    )
                    warm_after = time.perf_counter() - started
                _, login, _ = request(
                    f"{base}/api/login/",
                    data={"username": "bench-doctor", "password": PASSWORD},
                )
                token = login["access"]
                timings = {}
                for label in ("first", "second"):
                    status, analysis, analysis_ms = request(
                        f"{base}/api/analyze-prescription/",
                        data={"text": PRESCRIPTION},
                        token=token,
                    )
                    assert status == 201 or status == 200, (status, analysis)
                    assert len(analysis["drugs"]) == 3, analysis["drugs"]
                    status, icd, icd_ms = request(f"{base}/api/icd10/?q=asthma", token=token)
                    assert status == 200 and icd["results"], icd
                    timings[f"{label}_analysis_ms"] = round(analysis_ms, 1)
                    timings[f"{label}_icd10_ms"] = round(icd_ms, 1)
                _, health, _ = request(f"{base}/health/")
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
        if keep_log is not None:
            keep_log.write_text(log_path.read_text())
    return {
        "cold": cold,
        "answering_s": round(answering, 2),
        "warm_s": round(warm_after, 2) if warm_after is not None else None,
        "warm_up": health["warm_up"],
        **timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="switch the start-up warm-up off")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--server-log", help="keep the last run's server log here")
    parser.add_argument("--target-ms", type=float, default=1000.0)
    args = parser.parse_args()

    runs = []
    for index in range(args.runs):
        keep = Path(args.server_log) if args.server_log and index == args.runs - 1 else None
        result = one_run(cold=args.cold, keep_log=keep)
        runs.append(result)
        out(
            f"run {index + 1}: answering {result['answering_s']} s, warm "
            f"{result['warm_s'] if result['warm_s'] is not None else '-'} s; first analysis "
            f"{result['first_analysis_ms']} ms, first ICD-10 {result['first_icd10_ms']} ms; "
            f"second {result['second_analysis_ms']} / {result['second_icd10_ms']} ms"
        )
    summary = {
        key: round(statistics.median(r[key] for r in runs), 1)
        for key in ("first_analysis_ms", "first_icd10_ms", "second_analysis_ms", "second_icd10_ms")
    }
    if not args.cold:
        summary["warm_s"] = round(statistics.median(r["warm_s"] for r in runs), 2)
    out(f"median of {len(runs)}: {summary}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"runs": runs, "median": summary}, indent=2))
    if not args.cold and max(summary["first_analysis_ms"], summary["first_icd10_ms"]) >= (
        args.target_ms
    ):
        out(f"FAILED: a first request took {args.target_ms:.0f} ms or more")
        sys.exit(1)


if __name__ == "__main__":
    main()
