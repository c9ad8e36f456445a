"""Acknowledging an alert: who and when, audited; the "needs attention" strip and its count."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent, Notification
from hms.core.roles import Role
from hms.core.services import notification_create

pytestmark = pytest.mark.django_db


def _critical(user, title="Potassium 6.8 mmol/L", **kwargs):
    return notification_create(
        recipient=user,
        kind="lab_critical_result",
        title=title,
        severity="critical",
        patient_id="p-1",
        **kwargs,
    )


def test_acknowledge_records_who_and_when_and_leaves_the_strip(client_for):
    client = client_for(Role.DOCTOR)
    alert = _critical(client.user)
    notification_create(recipient=client.user, kind="info", title="Clinic moved")

    listing = client.get("/api/notifications/").json()
    assert (listing["unread"], listing["attention"]) == (2, 1)
    strip = client.get("/api/notifications/", {"attention": True}).json()
    assert [row["title"] for row in strip["results"]] == ["Potassium 6.8 mmol/L"]
    assert strip["results"][0]["needs_attention"] is True

    response = client.post(f"/api/notifications/{alert.public_id}/acknowledge/")
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"]["id"] == str(client.user.public_id)
    assert body["acknowledged_at"] and body["read_at"]
    assert body["needs_attention"] is False
    assert (body["unread"], body["attention"]) == (1, 0)
    assert client.get("/api/notifications/", {"attention": True}).json()["count"] == 0

    event = AuditEvent.objects.get(resource_type="notification_acknowledgement")
    assert event.actor_id == client.user.pk
    assert event.object_id == str(alert.public_id)
    assert event.patient_id == "p-1"
    assert event.detail["title"] == "Potassium 6.8 mmol/L"


def test_acknowledging_again_changes_nothing(client_for):
    client = client_for(Role.NURSE)
    alert = _critical(client.user)
    first = client.post(f"/api/notifications/{alert.public_id}/acknowledge/").json()
    second = client.post(f"/api/notifications/{alert.public_id}/acknowledge/").json()
    assert second["acknowledged_at"] == first["acknowledged_at"]
    assert AuditEvent.objects.filter(resource_type="notification_acknowledgement").count() == 1


def test_someone_elses_or_unknown_notification_is_404_and_unchanged(client_for, make_user):
    client = client_for(Role.DOCTOR)
    other = make_user(Role.DOCTOR)
    theirs = _critical(other)
    for public_id in (theirs.public_id, uuid.uuid4()):
        response = client.post(f"/api/notifications/{public_id}/acknowledge/")
        assert response.status_code == 404
        assert response.json()["code"] == "notification_not_found"
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    assert not AuditEvent.objects.filter(resource_type="notification_acknowledgement").exists()


def test_a_malformed_id_is_404_not_500(client_for):
    response = client_for(Role.DOCTOR).post("/api/notifications/not-a-uuid/acknowledge/")
    assert response.status_code == 404


def test_acknowledging_an_escalated_copy_closes_the_original_and_every_copy(make_user, client_for):
    doctor = make_user(Role.DOCTOR)
    nurse_client = client_for(Role.NURSE)
    original = _critical(doctor)
    copy = _critical(
        nurse_client.user, title="Escalated: Potassium 6.8 mmol/L", escalation_of=original
    )
    response = nurse_client.post(f"/api/notifications/{copy.public_id}/acknowledge/")
    assert response.status_code == 200
    original.refresh_from_db()
    assert original.acknowledged_by == nurse_client.user and not original.needs_attention
    assert Notification.objects.filter(acknowledged_at__isnull=True).count() == 0


def test_anonymous_cannot_acknowledge(api_client, make_user):
    alert = _critical(make_user(Role.DOCTOR))
    response = api_client.post(f"/api/notifications/{alert.public_id}/acknowledge/")
    assert response.status_code == 401


def test_list_query_count_is_flat_with_acknowledged_and_escalated_rows(client_for, make_user):
    client = client_for(Role.DOCTOR)
    colleague = make_user(Role.DOCTOR)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/notifications/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    _critical(client.user)
    one = count()
    for i in range(20):
        original = _critical(colleague, title=f"K {i}")
        copy = _critical(client.user, title=f"Escalated: K {i}", escalation_of=original)
        client.post(f"/api/notifications/{copy.public_id}/acknowledge/")
    # COUNT, the page (acknowledged_by and escalation_of joined), the bell's counts.
    assert count() == one == 3
