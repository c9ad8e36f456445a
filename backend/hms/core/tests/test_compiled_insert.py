import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import UserFactory
from hms.core.compiled_insert import CompiledInsert
from hms.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _returning_only():
    if not CompiledInsert.available("default"):
        pytest.skip(f"{connection.vendor} has no INSERT ... RETURNING")


def notification(**fields):
    return Notification(recipient=UserFactory(), kind="test", title="Hello", **fields)


def test_rows_read_back_as_the_orm_saves_them():
    compiled = CompiledInsert(Notification)
    by_orm = notification(body="same", dedupe_key="k1")
    by_orm.save()
    by_compiled = notification(body="same", dedupe_key="k2")
    with CaptureQueriesContext(connection) as ctx:
        assert compiled.insert(by_compiled, using="default") is True
    assert len(ctx.captured_queries) == 1
    assert by_compiled.pk is not None and not by_compiled._state.adding
    stored = Notification.objects.get(pk=by_compiled.pk)
    for field in ("kind", "title", "body", "severity", "link", "patient_id", "read_at"):
        assert getattr(stored, field) == getattr(by_orm, field), field
    assert stored.public_id == by_compiled.public_id
    assert stored.created_at == by_compiled.created_at  # auto_now_add set on the instance


def test_the_statement_is_compiled_once_and_reused():
    compiled = CompiledInsert(Notification)
    first, second = notification(), notification()
    with CaptureQueriesContext(connection) as ctx:
        compiled.insert(first, using="default")
        compiled.insert(second, using="default")
    assert (
        ctx.captured_queries[0]["sql"].split("VALUES")[0]
        == (ctx.captured_queries[1]["sql"].split("VALUES")[0])
    )
    assert len(compiled._sql) == 1
    assert Notification.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_an_expression_value_is_compiled_for_its_own_row():
    compiled = CompiledInsert(Notification)
    row = notification()
    row.title = Value("From an expression")
    assert compiled.insert(row, using="default") is True
    assert Notification.objects.get(pk=row.pk).title == "From an expression"
    assert compiled._sql == {}  # the shared statement was not built from this row


def test_a_conflict_is_skipped_only_when_asked():
    from django.db import IntegrityError, transaction

    # A second row with the first one's public id: unique on every database.
    first = notification()
    first.save()
    duplicate = notification(public_id=first.public_id)
    if connection.vendor == "postgresql":
        skipping = CompiledInsert(Notification, skip_conflicts=True)
        assert skipping.insert(duplicate, using="default") is False
        assert duplicate.pk is None
    with pytest.raises(IntegrityError), transaction.atomic():
        CompiledInsert(Notification).insert(duplicate, using="default")
