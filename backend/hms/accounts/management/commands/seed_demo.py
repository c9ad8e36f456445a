from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hms.core.demo import demo_loaders


class Command(BaseCommand):
    help = "Load demo users and demo data for every module. Safe to run again; never in production."

    def handle(self, *args, **options):
        if settings.HMS_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        with transaction.atomic():
            for loader in demo_loaders():
                summary = loader.load()
                self.stdout.write(f"  {loader.name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
