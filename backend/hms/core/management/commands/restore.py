from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hms.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup`: checks every part's checksum before changing "
        "anything, restores the database and uploaded files, then verifies the audit chains "
        "and the stock ledger."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar or .tar.enc archive.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds data, and the files in MEDIA_ROOT.",
        )

    def handle(self, *args, **options):
        try:
            result = backup_restore(
                archive_path=options["archive"],
                force=options["force"],
                progress=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore complete: {result.parts:,} parts, {result.rows:,} rows, "
                f"{result.media_files:,} media files, {result.seconds:.1f} s."
            )
        )
