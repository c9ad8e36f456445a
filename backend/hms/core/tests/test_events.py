"""Domain events: subscribers run in order, inside the publisher's transaction."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from hms.core.events import publish, subscribe, subscribers, unsubscribe
from hms.core.models import Notification


@dataclass(frozen=True)
class ThingHappened:
    name: str


@dataclass(frozen=True)
class NobodyListens:
    name: str


@pytest.fixture
def subscribed():
    """Subscribe handlers to ThingHappened for one test only."""
    added = []

    def add(handler):
        added.append(subscribe(ThingHappened, handler))

    yield add
    for handler in added:
        unsubscribe(ThingHappened, handler)


def test_subscribers_run_in_the_order_they_subscribed_and_return_their_results(subscribed):
    calls = []
    subscribed(lambda event: calls.append(("first", event.name)) or 1)
    subscribed(lambda event: calls.append(("second", event.name)) or 2)

    assert publish(ThingHappened("x")) == [1, 2]
    assert calls == [("first", "x"), ("second", "x")]


def test_subscribing_the_same_handler_twice_calls_it_once(subscribed):
    calls = []

    def handler(event):
        calls.append(event)

    subscribed(handler)
    subscribed(handler)
    publish(ThingHappened("x"))

    assert calls == [ThingHappened("x")]
    assert subscribers(ThingHappened) == [handler]


def test_an_event_without_subscribers_is_a_no_op(subscribed):
    subscribed(lambda event: pytest.fail("only ThingHappened's subscribers run"))

    assert publish(NobodyListens("x")) == []


@pytest.mark.django_db
def test_a_subscriber_writes_in_the_publishers_transaction_and_its_error_rolls_it_back(
    subscribed, make_user
):
    recipient = make_user()

    def failing_subscriber(event):
        Notification.objects.create(recipient=recipient, kind="test", title="subscriber")
        raise RuntimeError("subscriber failed")

    subscribed(failing_subscriber)

    with pytest.raises(RuntimeError, match="subscriber failed"), transaction.atomic():
        Notification.objects.create(recipient=recipient, kind="test", title="publisher")
        publish(ThingHappened("x"))

    assert not Notification.objects.filter(recipient=recipient).exists()
