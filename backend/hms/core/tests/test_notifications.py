import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import Notification
from hms.core.roles import Role
from hms.core.services import notification_create, notification_create_for_role

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
