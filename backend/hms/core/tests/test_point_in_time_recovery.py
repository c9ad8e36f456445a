"""Point-in-time recovery, tried as docs/operations.md describes it: WAL archived to a
directory, a base backup, then a recovery to a moment between two commits. Runs on a scratch
PostgreSQL cluster of its own (the server binaries, run as the postgres user)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)

pytestmark = pytest.mark.skipif(
    PG_BIN is None or os.geteuid() != 0 or shutil.which("runuser") is None,
    reason="needs the PostgreSQL server binaries and root (to run them as postgres)",
)


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                           autocommit=True)  # fmt: skip


def test_recovery_to_a_timestamp_keeps_what_came_before_and_drops_what_came_after():
    root = Path(tempfile.mkdtemp(prefix="hms-pitr-"))
    shutil.chown(root, "postgres")
    primary, base, recovered, wal = (root / n for n in ("primary", "base", "recovered", "wal"))
    wal.mkdir()
    shutil.chown(wal, "postgres")
    port, recovered_port = _free_port(), _free_port()
    started: list[Path] = []
    try:
        _as_postgres(f"{PG_BIN}/initdb", "-D", str(primary), "-A", "trust", "-U", "postgres")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port={port}\nlisten_addresses='127.0.0.1'\nunix_socket_directories='{root}'\n"
                "wal_level=replica\narchive_mode=on\n"
                f"archive_command='test ! -f {wal}/%f && cp %p {wal}/%f'\n"
            )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(primary), "-l", str(root / "p.log"), "-w",
                     "start")  # fmt: skip
        started.append(primary)
        with _connect(port) as db:
            db.execute("CREATE TABLE visit (note text)")
            db.execute("INSERT INTO visit VALUES ('before the base backup')")
        _as_postgres(f"{PG_BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(port), "-U",
                     "postgres", "-D", str(base), "-X", "stream", "-c", "fast")  # fmt: skip
        with _connect(port) as db:
            db.execute("INSERT INTO visit VALUES ('after the base backup')")
            target = db.execute("SELECT now()").fetchone()[0]
            time.sleep(1.5)
            db.execute("INSERT INTO visit VALUES ('after the recovery target')")
            last_wal = db.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
            db.execute("SELECT pg_switch_wal()")
            for _ in range(100):
                if (wal / last_wal).exists():
                    break
                time.sleep(0.1)
            assert (wal / last_wal).exists(), "the WAL segment was not archived"
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(primary), "-w", "stop", "-m", "fast")
        started.remove(primary)

        # Recover: the base backup, the archived WAL, and a target time.
        shutil.copytree(base, recovered)
        with (recovered / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port={recovered_port}\narchive_mode=off\n"
                f"restore_command='cp {wal}/%f %p'\n"
                f"recovery_target_time='{target.isoformat()}'\n"
                "recovery_target_action='promote'\n"
            )
        (recovered / "recovery.signal").touch()
        subprocess.run(["chown", "-R", "postgres:postgres", str(recovered)], check=True)
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(recovered), "-l", str(root / "r.log"), "-w",
                     "start")  # fmt: skip
        started.append(recovered)
        with _connect(recovered_port) as db:
            for _ in range(100):
                if not db.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    break
                time.sleep(0.1)
            notes = [row[0] for row in db.execute("SELECT note FROM visit ORDER BY note")]
        assert notes == ["after the base backup", "before the base backup"]
    finally:
        for cluster in started:
            subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D",
                            str(cluster), "-w", "stop", "-m", "immediate"], check=False,
                           capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
