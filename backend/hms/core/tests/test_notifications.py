import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import Notification
from hms.core.roles import Role
from hms.core.services import notification_create, notification_create_for_role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked
from hms.core.tests.threads import run_at_once

pytestmark = pytest.mark.django_db


def test_user_lists_and_reads_own_notifications(client_for, make_user):
    client = client_for(Role.DOCTOR)
    other = make_user(Role.DOCTOR)
    first = notification_create(
        recipient=client.user,
        kind="lab_critical_result",
        title="Potassium 6.8 mmol/L",
        severity="critical",
        patient_id="p-1",
    )
    notification_create(recipient=client.user, kind="info", title="Second")
    notification_create(recipient=other, kind="info", title="Not yours")
    body = client.get("/api/notifications/").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert body["results"][1]["title"] == "Potassium 6.8 mmol/L"
    response = client.post(
        "/api/notifications/read/", {"ids": [str(first.public_id)]}, format="json"
    )
    assert response.json() == {"marked": 1}
    assert client.get("/api/notifications/", {"unread": True}).json()["count"] == 1
    assert client.post("/api/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert Notification.objects.get(recipient=other).read_at is None


def test_dedupe_key_makes_one_notification(make_user):
    user = make_user(Role.PHARMACIST)
    a = notification_create(recipient=user, kind="low_stock", title="x", dedupe_key="d1:2027")
    b = notification_create(recipient=user, kind="low_stock", title="x", dedupe_key="d1:2027")
    assert a.pk == b.pk and Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_row_locks")
def test_six_callers_with_one_dedupe_key_at_once_make_one_notification(make_user):
    """Real threads (PostgreSQL, MySQL/MariaDB): every caller gets the one notification, none
    an error. On PostgreSQL a late INSERT the dedupe constraint refuses fails inside a
    savepoint, so the caller's transaction (e.g. the verification of a critical lab result)
    goes on; on MySQL/MariaDB the service checks under the recipient's lock."""
    user = make_user(Role.PHARMACIST)

    def notify(_):
        return notification_create(
            recipient=user, kind="low_stock", title="x", dedupe_key="race"
        ).pk

    results = run_at_once(6, notify)
    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == 1
    assert Notification.objects.filter(recipient=user, dedupe_key="race").count() == 1


@pytest.mark.usefixtures("without_partial_indexes")
def test_dedupe_without_partial_indexes_locks_the_recipient_and_finds_the_first(make_user):
    """MySQL/MariaDB hold no dedupe constraint: same-key callers queue on the recipient's row
    and the second finds the first's notification."""
    user = make_user(Role.PHARMACIST)
    first = notification_create(recipient=user, kind="low_stock", title="x", dedupe_key="d2")
    with CaptureQueriesContext(connection) as ctx:
        again = notification_create(recipient=user, kind="low_stock", title="x", dedupe_key="d2")
    assert again.pk == first.pk and Notification.objects.count() == 1
    assert_no_insert(ctx, "core_notification")
    assert_row_locked(ctx, "accounts_user")
    # Without a key nothing is locked: plain notifications never queue.
    with CaptureQueriesContext(connection) as ctx:
        notification_create(recipient=user, kind="info", title="y")
    assert not [q for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]


def test_notify_a_role(make_user):
    make_user(Role.PHARMACIST)
    make_user(Role.PHARMACIST)
    make_user(Role.PHARMACIST, is_active=False)
    assert notification_create_for_role(role=Role.PHARMACIST, kind="k", title="t") == 2


def test_bad_ids_are_400(client_for):
    response = client_for(Role.NURSE).post(
        "/api/notifications/read/", {"ids": ["nope"]}, format="json"
    )
    assert response.status_code == 400


def test_query_count_is_flat(client_for):
    client = client_for(Role.NURSE)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/notifications/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    notification_create(recipient=client.user, kind="k", title="t")
    one = count()
    for i in range(49):
        notification_create(recipient=client.user, kind="k", title=f"t{i}")
    # COUNT, page, unread COUNT.
    assert count() == one == 3
