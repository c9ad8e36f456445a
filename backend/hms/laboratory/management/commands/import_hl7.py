"""Import HL7 v2 ORU^R01 result messages from a file (one message, or several one after
another, optionally in an FHS/BHS batch), printing each message's ACK.

    manage.py import_hl7 results.hl7 [--user lab_technician] [--quiet]

Each message is imported on its own: a rejected one (AE/AR) stores nothing and does not stop
the others. The exit status is 0 when every message was accepted (AA), 1 otherwise.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hms.accounts.models import User
from hms.core.roles import Role
from hms.laboratory.hl7_oru import hl7_oru_import, split_messages


class Command(BaseCommand):
    help = "Import HL7 v2 ORU^R01 lab result messages from a file and print the ACKs."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The message file ('-' for stdin)")
        parser.add_argument(
            "--user",
            help="Record the results as entered by this lab technician (default: the "
            "interface, named by the message's sending application)",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only a summary")

    def handle(self, *args, file: Path, user: str | None, quiet: bool, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or actor.role != Role.LAB_TECHNICIAN:
                raise CommandError(f"{user} is not an active lab technician account.")
        if str(file) == "-":
            text = sys.stdin.read()
        else:
            if not file.is_file():
                raise CommandError(f"No such file: {file}")
            text = file.read_bytes().decode("utf-8", errors="replace")
        messages = split_messages(text)
        if not messages:
            raise CommandError(f"No HL7 message (MSH segment) in {file}.")
        accepted = 0
        for number, raw in enumerate(messages, 1):
            outcome = hl7_oru_import(raw=raw, actor=actor)
            accepted += outcome.accepted
            if not quiet:
                self.stdout.write(outcome.ack.replace("\r", "\n").rstrip("\n"))
                self.stdout.write("")
            style = self.style.SUCCESS if outcome.accepted else self.style.ERROR
            self.stderr.write(
                style(
                    f"message {number} ({outcome.control_id or '?'}): {outcome.ack_code} "
                    f"{outcome.text}"
                )
            )
        summary = f"{accepted} of {len(messages)} message(s) accepted."
        if accepted != len(messages):
            raise CommandError(summary)
        self.stderr.write(summary)
