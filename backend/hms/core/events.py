"""Domain events: an app says what happened; the apps above it react, without being imported.

An app declares its events as frozen dataclasses named for what happened, in its own
`events.py` (e.g. `hms.laboratory.events.LabOrderVerified`), and publishes them from its
services, inside the service's own transaction:

    from hms.core.events import publish
    from hms.laboratory.events import LabOrderVerified

    publish(LabOrderVerified(actor=actor, order=order, verified_at=now))

An app that reacts subscribes from its `AppConfig.ready()` (as timeline sources and care
relationships register there):

    subscribe(LabOrderVerified, bill_verified_lab_order)

`publish` calls every subscriber of that event type at once, in the order they subscribed, in
the caller's thread and database transaction: what a subscriber writes commits or rolls back
with the clinical write, and an exception a subscriber raises reaches the caller unchanged (so
the caller's `@transaction.atomic` rolls everything back). An event nobody subscribed to is a
no-op. This is how billing charges for clinical work, and what reporting, notifications and
FHIR subscriptions will listen to, without any app below them importing them.
"""

from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], Any]

_SUBSCRIBERS: dict[type, list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[E], Any]) -> Callable[[E], Any]:
    """Call `handler(event)` for every published `event_type` (subscribing the same handler
    twice keeps one). Call it from AppConfig.ready(). Returns the handler."""
    handlers = _SUBSCRIBERS.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler


def unsubscribe(event_type: type, handler: Handler) -> None:
    handlers = _SUBSCRIBERS.get(event_type, [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(event_type: type) -> list[Handler]:
    return list(_SUBSCRIBERS.get(event_type, []))


def publish(event: object) -> list[Any]:
    """Call the subscribers of `type(event)` in order; returns what each returned. Exceptions
    propagate: publish from inside the transaction the event belongs to."""
    return [handler(event) for handler in subscribers(type(event))]
