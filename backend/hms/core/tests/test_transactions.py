"""service_transaction: a transaction the database ended to break a deadlock runs once more."""

import pytest
from django.db import OperationalError, connection, transaction

from hms.core.models import Notification
from hms.core.transactions import is_transaction_conflict, service_transaction

pytestmark = pytest.mark.django_db(transaction=True)


class _DatabaseError(Exception):
    def __init__(self, message, sqlstate=None, *args):
        super().__init__(message, *args)
        self.sqlstate = sqlstate


def _conflict(sqlstate="40P01") -> OperationalError:
    """What Django raises for a deadlock: its OperationalError caused by the driver's error."""
    error = OperationalError("deadlock detected")
    error.__cause__ = _DatabaseError("deadlock detected", sqlstate)
    return error


@pytest.fixture
def recipient(make_user):
    return make_user()


def _service(recipient, failures: list):
    """A service writing one notification, then failing with each of `failures` in turn."""
    calls = []

    @service_transaction
    def notify():
        calls.append(connection.in_atomic_block)
        Notification.objects.create(recipient=recipient, kind="test", title=f"try {len(calls)}")
        if failures:
            raise failures.pop(0)
        return len(calls)

    return notify, calls


def _mysql_deadlock() -> OperationalError:
    error = OperationalError(1213, "Deadlock found when trying to get lock")
    error.__cause__ = _DatabaseError("Deadlock found when trying to get lock")
    error.__cause__.args = (1213, "Deadlock found when trying to get lock")
    return error


def test_a_transaction_ended_by_a_conflict_runs_again_and_writes_once(recipient):
    for conflict in [_conflict("40P01"), _conflict("40001"), _mysql_deadlock()]:
        Notification.objects.all().delete()
        notify, calls = _service(recipient, [conflict])
        assert notify() == 2
        assert calls == [True, True]  # each run inside its own transaction
        assert list(Notification.objects.values_list("title", flat=True)) == ["try 2"]


def test_only_once_and_only_for_conflicts(recipient):
    notify, calls = _service(recipient, [_conflict(), _conflict()])
    with pytest.raises(OperationalError):
        notify()
    assert len(calls) == 2

    lost = OperationalError("server closed the connection unexpectedly")
    lost.__cause__ = _DatabaseError("server closed the connection unexpectedly", "08006")
    assert not is_transaction_conflict(lost)
    notify, calls = _service(recipient, [lost])
    with pytest.raises(OperationalError):
        notify()
    assert len(calls) == 1
    assert not Notification.objects.exists()


def test_inside_another_transaction_only_the_outermost_service_runs_again(recipient):
    notify, calls = _service(recipient, [_conflict()])
    with pytest.raises(OperationalError), transaction.atomic():  # not a service: no rerun
        notify()
    assert len(calls) == 1

    notify, calls = _service(recipient, [_conflict()])
    outer_runs = []

    @service_transaction
    def outer_service():
        outer_runs.append(1)
        return notify()

    assert outer_service() == 2
    assert len(outer_runs) == 2 and len(calls) == 2
    assert Notification.objects.count() == 1
