"""Booking throughput on PostgreSQL with concurrent HTTP clients, and a double-booking check.

    .venv/bin/python bench/booking_throughput.py [--clients 16] [--bookings 3000] [--workers 4]

What it does: creates (or reuses) the database in BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hms_bench_booking), migrates it, loads doctors with
all-day schedules, patients and a receptionist; serves HMS with gunicorn on 127.0.0.1;
then N client threads book through `POST /api/appointments/` as fast as they can. One job
in five deliberately targets a slot another job also targets, so the server has to refuse
races. At the end it counts the rows: every 201 must be exactly one row and no slot may hold
two active appointments.

Only loopback traffic; the run is bounded by --bookings.
"""

import argparse
import http.client
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

from benchlib import cpu_seconds, ensure_database, free_port

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "backend"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hms_bench_booking"
PASSWORD = "bench-pass-12345"


def seed(env: dict, doctors: int, patients: int) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BACKEND,
        env=env,
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "generate_patients", str(patients)],
        cwd=BACKEND,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    code = f"""
from datetime import time
from hms.accounts.models import DoctorProfile, User
from hms.appointments.models import DoctorSchedule, ScheduleBlock
User.objects.create_user("bench_reception", password="{PASSWORD}", role="receptionist")
for i in range({doctors}):
    doctor = User.objects.create_user(f"bench_dr{{i}}", password="{PASSWORD}", role="doctor",
                                      first_name="Bench", last_name=f"Doctor{{i}}")
    DoctorProfile.objects.create(user=doctor, specialization="General practice")
    schedule = DoctorSchedule.objects.create(doctor=doctor, slot_minutes=5)
    ScheduleBlock.objects.bulk_create(
        ScheduleBlock(schedule=schedule, weekday=w, start_time=time(0), end_time=time(23, 55))
        for w in range(7)
    )
"""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BACKEND,
        env=env,
        check=True,
    )


def ids(env: dict) -> tuple[list[str], list[str]]:
    code = (
        "import json; from hms.accounts.models import User; from hms.patients.models import "
        "Patient; print(json.dumps([[str(u) for u in User.objects.filter(role='doctor')"
        ".values_list('public_id', flat=True)], [str(p) for p in Patient.objects"
        ".values_list('public_id', flat=True)]]))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BACKEND,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    doctor_ids, patient_ids = json.loads(out.strip().splitlines()[-1])
    return doctor_ids, patient_ids


def processes_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(
        method,
        path,
        body=json.dumps(body) if body is not None else None,
        headers=headers,
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--bookings", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker; above 1 gunicorn runs gthread workers, which keep connections "
        "alive (sync workers close every connection after one response)",
    )
    parser.add_argument("--doctors", type=int, default=20)
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
        # Bookings use neither the drug dictionary nor the ICD-10 list: no background loading
        # in the workers while they are measured.
        "HMS_WARM_UP_AT_START": "0",
    }
    print(f"database: {db_url}")
    ensure_database(db_url)
    seed(env, doctors=args.doctors, patients=args.bookings + 100)
    doctor_ids, patient_ids = ids(env)

    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            *(
                ["--worker-class", "gthread", "--threads", str(args.threads)]
                if args.threads > 1
                else []
            ),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BACKEND,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if request(conn, "GET", "/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, body = request(
            conn,
            "POST",
            "/api/login/",
            {"username": "bench_reception", "password": PASSWORD},
        )
        assert status == 200, body
        token = body["access"]
        # Warm up every worker (database connection, first-request caches) before timing.
        warm_up = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(8)]
        for _ in range(4):
            for warm_conn in warm_up:
                request(warm_conn, "GET", "/api/appointments/?page_size=1", token=token)

        # Jobs: distinct (doctor, slot) pairs, each with its own patient; every fifth job
        # repeats an earlier pair with another patient, to force races on the same slot.
        from datetime import date

        day = (date.today() + timedelta(days=3)).isoformat()
        pairs = [
            (d, dtime(h, m))
            for h in range(24)
            for m in range(0, 60, 5)
            for d in doctor_ids
            if (h, m) != (23, 55)
        ]
        random.seed(7)
        random.shuffle(pairs)
        jobs = []
        for i in range(args.bookings):
            if i % 5 == 4 and jobs:
                doctor, slot = random.choice(jobs[-50:])[1:3]
            else:
                doctor, slot = pairs[i]
            jobs.append((patient_ids[i], doctor, slot))
        work: queue.Queue = queue.Queue()
        for job in jobs:
            work.put(job)
        counts = {"201": 0, "409": 0, "other": 0}
        lock = threading.Lock()

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                try:
                    patient, doctor, slot = work.get_nowait()
                except queue.Empty:
                    return
                status, body = request(
                    conn,
                    "POST",
                    "/api/appointments/",
                    {
                        "patient": patient,
                        "doctor": doctor,
                        "date": day,
                        "slot": slot.strftime("%H:%M"),
                    },
                    token,
                )
                with lock:
                    key = str(status) if status in (201, 409) else "other"
                    counts[key] += 1
                    if key == "other" and counts["other"] < 5:
                        print("unexpected:", status, body)

        # Where the machine's CPU goes: HMS (gunicorn workers), PostgreSQL, the load client.
        server_pids = [server.pid, *children_of(server.pid)]
        database_pids = processes_named("postgres")
        cpu_before = (
            cpu_seconds(server_pids),
            cpu_seconds(database_pids),
            time.process_time(),
        )
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        # Database backends started during the run (new connections) count from zero.
        database_pids = sorted(set(database_pids) | set(processes_named("postgres")))
        cpu_after = (cpu_seconds(server_pids), cpu_seconds(database_pids), time.process_time())
        cpu_used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM appointments_appointment WHERE status <> 'cancelled'"
        ).fetchone()[0]
        doubles = conn.execute(
            "SELECT count(*) FROM (SELECT doctor_id, date, slot FROM appointments_appointment "
            "WHERE status <> 'cancelled' GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        ).fetchone()[0]
    result = {
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "threads_per_worker": args.threads,
        "requests": len(jobs),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(jobs) / elapsed, 1),
        "bookings_per_second": round(counts["201"] / elapsed, 1),
        "created": counts["201"],
        "refused_409": counts["409"],
        "other_status": counts["other"],
        "rows": rows,
        "double_booked_slots": doubles,
        "cpu_ms_per_request": {
            name: round(seconds * 1000 / len(jobs), 2)
            for name, seconds in zip(("hms", "postgresql", "client"), cpu_used, strict=True)
        },
    }
    print(json.dumps(result, indent=2))
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "booking_throughput.json").write_text(json.dumps(result, indent=2))
    if doubles or rows != counts["201"] or counts["other"]:
        sys.exit("FAILED: double bookings or lost/unexpected results")


if __name__ == "__main__":
    main()
