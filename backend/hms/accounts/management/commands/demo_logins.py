from django.core.management.base import BaseCommand

from hms.accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo logins and where to find the server."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, **options):
        url = options["url"]
        lines = [
            "",
            f"HMS demo at {url}",
            f"  API docs : {url}/api/docs/",
            f"  Login API: POST {url}/api/login/",
            f"  Health   : {url}/health/",
            "",
            f"Demo logins (password for all: {DEMO_PASSWORD}):",
            *(f"  {username:<15} {role.label}" for username, role, _, _ in DEMO_USERS),
            "",
        ]
        self.stdout.write("\n".join(lines))
