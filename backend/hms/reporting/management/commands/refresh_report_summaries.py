"""Rebuild the reports' daily summaries: `manage.py refresh_report_summaries [--from D --to D]
[--summary NAME ...]`. Without dates: what is missing up to yesterday, the dirty days and the
safety window (what the nightly task does)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hms.reporting import summaries


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not an ISO date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild the reports' daily summaries, printing progress."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=_date, help="first day (ISO)")
        parser.add_argument("--to", dest="date_to", type=_date, help="last day (ISO)")
        parser.add_argument(
            "--summary",
            dest="names",
            action="append",
            choices=summaries.summary_names(),
            help="only this summary (repeatable); default all",
        )

    def handle(self, *args, date_from=None, date_to=None, names=None, **options):
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to must not be before --from.")
        every = 1 if options["verbosity"] >= 2 else 30  # a line per day, or per 30 days

        def progress(name: str, done: int, total: int, day: date) -> None:
            if done == total or done % every == 0:
                self.stdout.write(f"{name}: {done}/{total} days ({day.isoformat()})")

        stats = summaries.refresh(names, date_from=date_from, date_to=date_to, progress=progress)
        for name, built in stats.days_built.items():
            through = stats.complete_through[name]
            self.stdout.write(
                self.style.SUCCESS(
                    f"{name}: {built} days rebuilt; complete through "
                    f"{through.isoformat() if through else 'nothing yet'}."
                )
            )
