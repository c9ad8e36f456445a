from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hms.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into one archive with a checksummed "
        "manifest (encrypted when BACKUP_ENCRYPTION_KEY is set)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Where to write the archive (default: BACKUP_DIR, HMS_DATA_DIR/backups).",
        )
        parser.add_argument(
            "--no-encrypt",
            action="store_true",
            help="Write a plain archive even though BACKUP_ENCRYPTION_KEY is set.",
        )

    def handle(self, *args, **options):
        output_dir = options["output_dir"] or Path(settings.BACKUP_DIR)
        try:
            result = backup_create(
                output_dir=output_dir,
                encrypt=not options["no_encrypt"],
                progress=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.encrypted:
            self.stderr.write(
                "The archive is not encrypted: set BACKUP_ENCRYPTION_KEY to encrypt backups."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup complete: {result.path} — {result.parts:,} parts, {result.rows:,} rows, "
                f"{result.bytes:,} bytes, {result.seconds:.1f} s."
            )
        )
