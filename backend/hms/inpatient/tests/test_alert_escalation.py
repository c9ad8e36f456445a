"""A critical NEWS2 alert the attending doctor leaves unacknowledged goes to the ward's nurses
on duty after CRITICAL_ALERT_ESCALATION_MINUTES, once, and says so in the record."""

from datetime import timedelta

import pytest
from django.test import override_settings

from hms.core.models import AuditEvent, Notification
from hms.core.roles import Role
from hms.core.services import notification_escalate_overdue
from hms.inpatient.tests.factories import assign_nurse

pytestmark = pytest.mark.django_db

DETERIORATING = {
    "respiratory_rate": 26,
    "spo2": 90,
    "on_oxygen": True,
    "systolic_bp": 95,
    "diastolic_bp": 60,
    "pulse": 135,
    "consciousness": "A",
    "temperature_c": "38.9",
}


@pytest.fixture
def critical_alert(frozen_now, admitted, ward_nurse, doctor):
    response = ward_nurse.post(
        f"/api/admissions/{admitted['id']}/observations/", DETERIORATING, format="json"
    )
    assert response.status_code == 201, response.json()
    return Notification.objects.get(recipient=doctor, kind="news2_alert")


def test_not_escalated_before_the_time_is_up(frozen_now, critical_alert):
    frozen_now.shift(timedelta(minutes=29))
    assert notification_escalate_overdue() == 0
    assert Notification.objects.count() == 1


def test_escalated_once_to_the_wards_nurses_on_duty(
    frozen_now, critical_alert, ward_nurse, make_user, ward, icu
):
    off_the_ward = make_user(Role.NURSE)
    assign_nurse(off_the_ward, icu)
    frozen_now.shift(timedelta(minutes=31))
    assert notification_escalate_overdue() == 1
    assert notification_escalate_overdue() == 0  # once

    copy = Notification.objects.get(escalation_of=critical_alert)
    assert copy.recipient == ward_nurse.user and copy.severity == "critical"
    assert copy.title.startswith("Escalated: NEWS2")
    assert "within 30 minutes" in copy.body and "a nurse on the patient's ward" in copy.body
    assert not Notification.objects.filter(recipient=off_the_ward).exists()
    critical_alert.refresh_from_db()
    assert critical_alert.escalated_at is not None
    event = AuditEvent.objects.get(resource_type="notification_escalation")
    assert event.detail["escalated_to"] == [ward_nurse.user.username]
    assert event.detail["rule"] == "ward_nurses"
    assert event.object_id == str(critical_alert.public_id)


@override_settings(CRITICAL_ALERT_ESCALATION_MINUTES=5)
def test_the_time_is_a_setting(frozen_now, critical_alert):
    frozen_now.shift(timedelta(minutes=6))
    assert notification_escalate_overdue() == 1


def test_an_acknowledged_alert_is_not_escalated(frozen_now, critical_alert, doctor_client):
    url = f"/api/notifications/{critical_alert.public_id}/acknowledge/"
    assert doctor_client.post(url).status_code == 200
    frozen_now.shift(timedelta(minutes=45))
    assert notification_escalate_overdue() == 0


def test_the_nurse_acknowledging_the_copy_closes_the_doctors_alert(
    frozen_now, critical_alert, ward_nurse, doctor_client
):
    frozen_now.shift(timedelta(minutes=31))
    notification_escalate_overdue()
    copy = Notification.objects.get(escalation_of=critical_alert)
    response = ward_nurse.post(f"/api/notifications/{copy.public_id}/acknowledge/")
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_by"]["id"] == str(ward_nurse.user.public_id)
    inbox = doctor_client.get("/api/notifications/").json()
    assert inbox["attention"] == 0
    original = inbox["results"][0]
    assert original["acknowledged_by"]["id"] == str(ward_nurse.user.public_id)
    assert original["escalated_at"] is not None and original["needs_attention"] is False


def test_no_nurse_on_duty_is_recorded(frozen_now, critical_alert, ward_nurse):
    ward_nurse.user.is_active = False
    ward_nurse.user.save(update_fields=["is_active"])
    frozen_now.shift(timedelta(minutes=31))
    assert notification_escalate_overdue() == 1
    assert not Notification.objects.filter(escalation_of=critical_alert).exists()
    event = AuditEvent.objects.get(resource_type="notification_escalation")
    assert event.detail["escalated_to"] == [] and event.detail["rule"] == "no one to escalate to"
