"""Outgoing SMS through a pluggable backend (settings.SMS_BACKEND).

The default console backend writes messages to the log; a deployment plugs in its SMS
gateway by pointing SMS_BACKEND at a class with `send(to, body)`. Tests use the locmem
backend and read `outbox`.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("hms.sms")


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        logger.info("sms", extra={"to": to, "body": body})


class LocmemSmsBackend:
    outbox: list[dict] = []

    def send(self, *, to: str, body: str) -> None:
        type(self).outbox.append({"to": to, "body": body})


def send_sms(*, to: str, body: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(to=to, body=body)
