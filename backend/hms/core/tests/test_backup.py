"""Backup and restore: the streamed encryption, and the drill — data in every module, back up,
wipe, restore, and every table and file is as it was; a damaged archive changes nothing."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hms.core import stream_crypto
from hms.core.backup import BackupError, backup_create, backup_restore

# --- stream encryption ---------------------------------------------------------------------


def _encrypt(data: bytes, key: bytes) -> bytes:
    sink = io.BytesIO()
    with stream_crypto.EncryptingWriter(sink, key) as writer:
        for start in range(0, len(data), 100_000):
            writer.write(data[start : start + 100_000])
    return sink.getvalue()


def _decrypt(blob: bytes, key: bytes) -> bytes:
    return b"".join(stream_crypto.decrypt_chunks(io.BytesIO(blob), key))


class TestStreamCrypto:
    key = stream_crypto.parse_key(stream_crypto.new_key())

    @pytest.mark.parametrize("size", [0, 1, stream_crypto.CHUNK_BYTES, 2_500_000])
    def test_round_trip(self, size):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        assert _decrypt(_encrypt(data, self.key), self.key) == data

    def test_a_flipped_byte_is_detected(self):
        blob = bytearray(_encrypt(b"a" * 3_000_000, self.key))
        blob[len(blob) // 2] ^= 0x01
        with pytest.raises(stream_crypto.StreamCryptoError, match="does not authenticate"):
            _decrypt(bytes(blob), self.key)

    def test_a_stream_cut_at_a_chunk_boundary_is_detected(self):
        blob = _encrypt(b"a" * 3_000_000, self.key)
        # Header, then the first sealed chunk: everything after it is dropped.
        header = len(stream_crypto.MAGIC) + 7
        first_chunk = 4 + stream_crypto.CHUNK_BYTES + 16
        with pytest.raises(stream_crypto.StreamCryptoError, match="cut short"):
            _decrypt(blob[: header + first_chunk], self.key)

    def test_the_wrong_key_is_refused(self):
        other = stream_crypto.parse_key(stream_crypto.new_key())
        with pytest.raises(stream_crypto.StreamCryptoError):
            _decrypt(_encrypt(b"secret", self.key), other)

    def test_keys_must_be_32_bytes(self):
        with pytest.raises(stream_crypto.StreamCryptoError, match="32 bytes"):
            stream_crypto.parse_key("c2hvcnQ=")


# --- the drill -----------------------------------------------------------------------------


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows in primary-key order."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            pk = connection.introspection.get_primary_key_column(cursor, table)
            order = connection.ops.quote_name(pk) if pk else "1"
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                count += 1
            result[table] = (count, digest.hexdigest())
    return result


def media_fingerprints(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def wipe_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            return
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
        cursor.execute("PRAGMA foreign_keys = ON")


def reload_migration_catalogues() -> None:
    """The catalogues data migrations load (lab tests, imaging procedures): an earlier
    transactional test in this process may have emptied every table."""
    from importlib import import_module

    from django.apps import apps

    for module in (
        "hms.laboratory.migrations.0002_load_starter_catalog",
        "hms.radiology.migrations.0002_procedure_catalogue",
    ):
        import_module(module).load(apps, None)


@pytest.fixture
def hospital_data(settings, tmp_path):
    """Demo data across every module, plus uploaded files in a media folder of the test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_ENCRYPTION_KEY = stream_crypto.new_key()
    reload_migration_catalogues()
    call_command("seed_demo", stdout=io.StringIO())
    (settings.MEDIA_ROOT / "documents" / "2026").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "documents" / "2026" / "scan.pdf").write_bytes(b"%PDF-1.4 " * 5000)
    (settings.MEDIA_ROOT / "dicom").mkdir(exist_ok=True)
    (settings.MEDIA_ROOT / "dicom" / "ct.dcm").write_bytes(bytes(range(256)) * 4000)
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_backup_drill(hospital_data, tmp_path):
    """One data set (loading it is the slow part) for the whole drill: a damaged archive and a
    non-empty database are refused with nothing changed; then wipe, restore, compare."""
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip("backup handles PostgreSQL and SQLite; MySQL uses mariadb-dump")
    media_root = hospital_data
    tables_before = table_fingerprints()
    files_before = media_fingerprints(media_root)
    assert tables_before["accounts_user"][0] > 0 and tables_before["core_auditevent"][0] > 0
    assert len(files_before) >= 2

    result = backup_create(output_dir=tmp_path / "backups")
    assert result.encrypted and result.path.name.endswith(".tar.enc")
    assert result.rows == sum(count for count, _ in tables_before.values())
    # The archive does not hold the files' bytes in the clear.
    assert b"%PDF-1.4 %PDF-1.4" not in result.path.read_bytes()

    # Refused, nothing changed: a flipped byte in the middle of the encrypted archive...
    damaged = tmp_path / "damaged.tar.enc"
    blob = bytearray(result.path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    damaged.write_bytes(bytes(blob))
    with pytest.raises(CommandError, match="damaged or the key is wrong"):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
    # ...a plain archive whose media file was altered after the manifest was written...
    plain = backup_create(output_dir=tmp_path / "plain", encrypt=False).path
    data = bytearray(plain.read_bytes())
    at = data.find(bytes(range(256)) * 4)
    assert at > 0
    data[at] ^= 0xFF
    plain.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"Checksum mismatch in media/dicom/ct\.dcm"):
        backup_restore(archive_path=plain, force=True)
    # ...and a good archive over a database that holds data, without --force.
    with pytest.raises(BackupError, match="already holds data"):
        backup_restore(archive_path=result.path)
    assert table_fingerprints() == tables_before
    assert media_fingerprints(media_root) == files_before

    wipe_database()
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()
    assert media_fingerprints(media_root) == {}

    restored = backup_restore(archive_path=result.path)

    assert table_fingerprints() == tables_before
    assert media_fingerprints(media_root) == files_before
    assert restored.media_files == len(files_before)
    assert any("Audit chain intact" in line for line in restored.checks)
    assert any("Stock OK" in line for line in restored.checks)


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_reports_progress_and_the_archive(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_ENCRYPTION_KEY = ""
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", "--output-dir", str(tmp_path), stdout=out, stderr=err)
    assert "Backup complete:" in out.getvalue()
    assert "not encrypted" in err.getvalue()
    assert len(list(tmp_path.glob("hms-backup-*.tar"))) == 1
