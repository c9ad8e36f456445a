"""Load or reload the lab test catalog from its CSV files (the shipped ones by default)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hms.laboratory.catalog import RANGES_FILE, TESTS_FILE, CatalogError, load_catalog
from hms.laboratory.models import LabTest, PanelComponent, ReferenceRange


class Command(BaseCommand):
    help = "Load (or update) the laboratory test catalog and reference ranges from CSV files."

    def add_arguments(self, parser):
        parser.add_argument("--tests", type=Path, default=TESTS_FILE)
        parser.add_argument("--ranges", type=Path, default=RANGES_FILE)

    def handle(self, *args, tests: Path, ranges: Path, **options):
        for path in (tests, ranges):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        try:
            with transaction.atomic():
                summary = load_catalog(
                    lab_test_model=LabTest,
                    panel_component_model=PanelComponent,
                    reference_range_model=ReferenceRange,
                    tests_path=tests,
                    ranges_path=ranges,
                )
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Lab catalog loaded: {summary}."))
