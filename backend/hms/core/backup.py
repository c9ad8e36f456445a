"""Backup and restore of a whole HMS installation: the database, the uploaded files and a
manifest that proves both are complete.

An archive is a tar stream (optionally encrypted with `hms.core.stream_crypto`, key outside
the database) holding:
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite, the
  online backup API: a consistent copy while the server keeps running);
- `media/...`, every uploaded document and image;
- `manifest.json`, written last: the SHA-256 and size of every part, the row count of every
  table, the audit chains' heads and the migrations applied.

Restore extracts into a scratch directory, checks every part against the manifest before it
touches anything, refuses a database that already holds data unless told otherwise, then
restores the database and the files and verifies the audit chains (and that their heads are the
manifest's) and the stock ledger. MySQL/MariaDB databases are backed up with their own tools
(`mariadb-dump --single-transaction`); see docs/operations.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from hms.core import stream_crypto
from hms.core.models import AuditChainHead

ARCHIVE_FORMAT = "hms-backup/1"
MANIFEST = "manifest.json"
PG_DUMP_PART = "database.dump"
SQLITE_PART = "database.sqlite3"
MEDIA_PREFIX = "media/"
_READ_BYTES = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    bytes: int
    parts: int
    rows: int
    seconds: float
    encrypted: bool


@dataclass
class RestoreResult:
    parts: int
    rows: int
    media_files: int
    seconds: float
    checks: list[str] = field(default_factory=list)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def backup_key() -> bytes | None:
    """The archive key from BACKUP_ENCRYPTION_KEY (or _FILE), or None when unset."""
    text = getattr(settings, "BACKUP_ENCRYPTION_KEY", "") or ""
    return stream_crypto.parse_key(text) if text else None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(
            f"`backup` handles PostgreSQL and SQLite; this database is {connection.vendor}. "
            "Use mariadb-dump --single-transaction and copy MEDIA_ROOT (docs/operations.md)."
        )
    return connection.vendor


def _pg_command_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore from the Django settings."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from exc
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[-1000:]}")


def table_row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_heads() -> list[dict]:
    return [
        {"chain": head.id, "sequence": head.last_sequence, "hash": head.last_hash}
        for head in AuditChainHead.objects.order_by("id")
    ]


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in (
        MigrationRecorder(connection)
        .migration_qs.order_by("app", "name")
        .values_list("app", "name")
    ):
        latest[app] = name
    return latest


def _dump_database(scratch: Path, progress: Progress | None) -> Path:
    vendor = _vendor()
    if vendor == "postgresql":
        target = scratch / PG_DUMP_PART
        args, env = _pg_command_env()
        _say(progress, "Dumping the PostgreSQL database (pg_dump, custom format)…")
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)
        return target
    target = scratch / SQLITE_PART
    _say(progress, "Copying the SQLite database (online backup)…")
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    return target


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def backup_create(
    *, output_dir: Path, encrypt: bool = True, progress: Progress | None = None
) -> BackupResult:
    """Write one archive into `output_dir` and return what it holds. Encrypted when
    BACKUP_ENCRYPTION_KEY is set (unless `encrypt` is False)."""
    started = time.monotonic()
    key = backup_key() if encrypt else None
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = ".tar.enc" if key else ".tar"
    final_path = output_dir / f"hms-backup-{stamp}{suffix}"
    partial_path = final_path.with_name(final_path.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="hms-backup-") as scratch_name:
        scratch = Path(scratch_name)
        # Counts and heads first, the dump after: the dump then holds at least these rows.
        rows = table_row_counts()
        heads = audit_heads()
        dump = _dump_database(scratch, progress)
        parts = [{"path": dump.name, "sha256": _sha256_file(dump), "bytes": dump.stat().st_size}]
        media = _media_files(media_root)
        _say(progress, f"Database: {parts[0]['bytes']:,} bytes; {len(media):,} media files.")
        with partial_path.open("wb") as sink:
            writer = stream_crypto.EncryptingWriter(sink, key) if key else sink
            with tarfile.open(fileobj=writer, mode="w|") as archive:
                archive.add(dump, arcname=dump.name)
                for index, path in enumerate(media, start=1):
                    name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                    parts.append(
                        {"path": name, "sha256": _sha256_file(path), "bytes": path.stat().st_size}
                    )
                    archive.add(path, arcname=name)
                    if index % 1000 == 0:
                        _say(progress, f"  media: {index:,} of {len(media):,} files")
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "database": {"vendor": connection.vendor, "part": dump.name},
                    "parts": parts,
                    "row_counts": rows,
                    "audit_chain_heads": heads,
                    "migrations": _applied_migrations(),
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(time.time())
                archive.addfile(info, io.BytesIO(data))
            if key:
                writer.close()
        partial_path.replace(final_path)
    result = BackupResult(
        path=final_path,
        bytes=final_path.stat().st_size,
        parts=len(parts),
        rows=sum(rows.values()),
        seconds=time.monotonic() - started,
        encrypted=key is not None,
    )
    _say(progress, f"Wrote {final_path} ({result.bytes:,} bytes) in {result.seconds:.1f} s.")
    return result


def _extract(archive_path: Path, scratch: Path, progress: Progress | None) -> None:
    with archive_path.open("rb") as source:
        encrypted = stream_crypto.is_encrypted(source.read(len(stream_crypto.MAGIC)))
        source.seek(0)
        if encrypted:
            key = backup_key()
            if key is None:
                raise BackupError(
                    "This archive is encrypted: set BACKUP_ENCRYPTION_KEY (or "
                    "BACKUP_ENCRYPTION_KEY_FILE) to the key it was written with."
                )
            stream = stream_crypto.DecryptingReader(source, key)
        else:
            stream = source
        _say(progress, f"Reading {archive_path.name} ({'encrypted' if encrypted else 'plain'})…")
        try:
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                archive.extractall(scratch, filter="data")
        except stream_crypto.StreamCryptoError as exc:
            raise BackupError(f"The archive is damaged or the key is wrong: {exc}") from exc
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"The archive is damaged: {exc}") from exc


def _verified_manifest(scratch: Path) -> dict:
    manifest_path = scratch / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("The archive has no manifest (it is incomplete or not an HMS backup).")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as exc:
        raise BackupError(f"The manifest is not valid JSON: {exc}") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    listed = {part["path"] for part in manifest["parts"]}
    present = {
        path.relative_to(scratch).as_posix()
        for path in scratch.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if missing := sorted(listed - present):
        raise BackupError(f"The archive lacks {len(missing)} part(s), first {missing[0]}.")
    if extra := sorted(present - listed):
        raise BackupError(f"The archive holds {len(extra)} unlisted file(s), first {extra[0]}.")
    for part in manifest["parts"]:
        path = scratch / part["path"]
        if path.stat().st_size != part["bytes"] or _sha256_file(path) != part["sha256"]:
            raise BackupError(f"Checksum mismatch in {part['path']}: the archive is corrupted.")
    return manifest


def database_holds_data() -> bool:
    """True when the database has any user account (every installation in use has one)."""
    with connection.cursor() as cursor:
        if "accounts_user" not in connection.introspection.table_names(cursor):
            return False
        cursor.execute("SELECT 1 FROM accounts_user LIMIT 1")
        return cursor.fetchone() is not None


def _restore_database(scratch: Path, manifest: dict, progress: Progress | None) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(
            f"The archive holds a {vendor} database; this server uses {connection.vendor}."
        )
    part = scratch / manifest["database"]["part"]
    if vendor == "postgresql":
        args, env = _pg_command_env()
        connections.close_all()
        _say(progress, "Restoring the PostgreSQL database (pg_restore, one transaction)…")
        _run(
            [
                "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", *args, str(part),
            ],
            env,
        )  # fmt: skip
        return
    _say(progress, "Restoring the SQLite database (online backup API)…")
    connection.ensure_connection()
    source = sqlite3.connect(part)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(scratch: Path, media_root: Path, progress: Progress | None) -> int:
    source_root = scratch / MEDIA_PREFIX.rstrip("/")
    if media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    count = 0
    if source_root.is_dir():
        for path in sorted(source_root.rglob("*")):
            if path.is_file():
                target = media_root / path.relative_to(source_root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                count += 1
    _say(progress, f"Restored {count:,} media files into {media_root}.")
    return count


def backup_restore(
    *, archive_path: Path, force: bool = False, progress: Progress | None = None
) -> RestoreResult:
    """Restore `archive_path` over this installation (see the module docstring)."""
    started = time.monotonic()
    if not archive_path.is_file():
        raise BackupError(f"No such archive: {archive_path}")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="hms-restore-") as scratch_name:
        scratch = Path(scratch_name)
        _extract(archive_path, scratch, progress)
        manifest = _verified_manifest(scratch)
        _say(progress, f"All {len(manifest['parts']):,} parts match the manifest's checksums.")
        if not force and database_holds_data():
            raise BackupError(
                "The database already holds data (user accounts). Restore into an empty "
                "database, or pass --force to replace everything in it."
            )
        if not force and _media_files(media_root):
            raise BackupError(
                f"{media_root} already holds files. Empty it, or pass --force to replace them."
            )
        _restore_database(scratch, manifest, progress)
        media_count = _restore_media(scratch, media_root, progress)
    checks = _verify_restored(manifest, progress)
    return RestoreResult(
        parts=len(manifest["parts"]),
        rows=sum(manifest["row_counts"].values()),
        media_files=media_count,
        seconds=time.monotonic() - started,
        checks=checks,
    )


def _verify_restored(manifest: dict, progress: Progress | None) -> list[str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
        call_command("verify_stock", stdout=out)
    except Exception as exc:  # a CommandError from either check, reported as the restore's
        raise BackupError(f"The restored data failed verification: {exc}") from exc
    if audit_heads() != manifest["audit_chain_heads"]:
        raise BackupError("The restored audit chain heads differ from the manifest's.")
    counts = table_row_counts()
    short = [t for t, n in manifest["row_counts"].items() if counts.get(t, 0) < n]
    if short:
        raise BackupError(
            f"{len(short)} table(s) hold fewer rows than backed up, first {short[0]}."
        )
    checks = [line for line in out.getvalue().splitlines() if line.strip()]
    checks.append("Audit chain heads match the manifest.")
    for line in checks:
        _say(progress, line)
    return checks
