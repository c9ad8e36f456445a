import pytest
from django.db import NotSupportedError, connection
from django.db.models import signals
from django.db.utils import IntegrityError

from hms.accounts.tests.factories import UserFactory
from hms.core.insert_unless_conflicting import (
    database_can_insert_unless_conflicting,
    insert_unless_conflicting,
)
from hms.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def _postgresql_only():
    if not database_can_insert_unless_conflicting("default"):
        pytest.skip(
            f"ON CONFLICT DO NOTHING is used on PostgreSQL; this run is {connection.vendor}"
        )


def notification(recipient, **fields):
    return Notification(recipient=recipient, kind="test", title="Hello", **fields)


@pytest.mark.usefixtures("_postgresql_only")
def test_a_new_row_is_inserted_like_save_with_its_signals():
    # Given a listener on the save signals
    sent = []

    def listen(signal_name):
        def receiver(sender, instance, **kwargs):
            sent.append((signal_name, kwargs.get("created")))

        return receiver

    pre, post = listen("pre_save"), listen("post_save")
    signals.pre_save.connect(pre, sender=Notification)
    signals.post_save.connect(post, sender=Notification)
    try:
        # When a new notification is inserted
        row = notification(UserFactory(), dedupe_key="a")
        assert insert_unless_conflicting(row) is True
    finally:
        signals.pre_save.disconnect(pre, sender=Notification)
        signals.post_save.disconnect(post, sender=Notification)
    # Then it is saved as save() would have: key, state, timestamps and both signals
    assert row.pk is not None and not row._state.adding and row._state.db == "default"
    stored = Notification.objects.get(pk=row.pk)
    assert stored.public_id == row.public_id and stored.created_at is not None
    assert sent == [("pre_save", None), ("post_save", True)]


@pytest.mark.usefixtures("_postgresql_only")
def test_a_row_a_unique_constraint_refuses_is_skipped_without_an_error():
    recipient = UserFactory()
    assert insert_unless_conflicting(notification(recipient, dedupe_key="same"))
    second = notification(recipient, dedupe_key="same")
    # The transaction stays usable: no error, nothing written, and a query still works.
    assert insert_unless_conflicting(second) is False
    assert second.pk is None and second._state.adding
    assert Notification.objects.filter(recipient=recipient).count() == 1


@pytest.mark.usefixtures("_postgresql_only")
def test_other_errors_still_raise():
    row = notification(UserFactory())
    row.title = None  # NOT NULL is not a conflict
    with pytest.raises(IntegrityError):
        insert_unless_conflicting(row)


@pytest.mark.usefixtures("_postgresql_only")
def test_only_new_instances():
    row = notification(UserFactory())
    row.save()
    with pytest.raises(ValueError, match="new"):
        insert_unless_conflicting(row)


def test_other_databases_are_told_it_is_not_supported():
    if database_can_insert_unless_conflicting("default"):
        pytest.skip("this run is on PostgreSQL, where it is supported")
    with pytest.raises(NotSupportedError, match="PostgreSQL only"):
        insert_unless_conflicting(notification(UserFactory()))
    assert not Notification.objects.exists()
