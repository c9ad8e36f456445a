from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hms.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from hms.accounts.models import User


class Command(BaseCommand):
    help = "Load demo users (one per role) and demo data. Safe to run again; never in production."

    def handle(self, *args, **options):
        if settings.HMS_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        created = 0
        with transaction.atomic():
            for username, role, first_name, last_name in DEMO_USERS:
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "role": role,
                        "first_name": first_name,
                        "last_name": last_name,
                        "email": f"{username}@demo.hms.local",
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} user(s) created, "
                f"{len(DEMO_USERS) - created} already present."
            )
        )
