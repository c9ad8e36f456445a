"""The demo loader: orders in every state, a verified critical result that notified the demo
doctor after two earlier potassium results (a trend), verified results the portal patient can
read; idempotent."""

import pytest

from hms.accounts.demo import load_demo_users
from hms.accounts.models import User
from hms.core.models import Notification
from hms.laboratory.demo import load_demo_laboratory
from hms.laboratory.models import LabOrder, LabResult
from hms.patients.demo import load_demo_patients

pytestmark = pytest.mark.django_db


def test_demo_laboratory(as_user):
    load_demo_users()
    load_demo_patients()
    assert load_demo_laboratory() == "8 lab order(s) created"
    assert load_demo_laboratory() == "already present"
    statuses = set(LabOrder.objects.values_list("status", flat=True))
    assert statuses == {"ordered", "specimen_collected", "resulted", "verified"}
    critical = LabResult.objects.get(flag="critical_high", verified_at__isnull=False)
    assert critical.test.code == "K" and critical.order.patient.last_name == "Yusuf"
    potassium = LabResult.objects.filter(
        test__code="K", order__patient__last_name="Yusuf", verified_at__isnull=False
    ).order_by("order__collected_at")
    assert [f"{r.value_numeric.normalize():f}" for r in potassium] == ["4.1", "5.2", "6.8"]
    doctor = User.objects.get(username="doctor")
    assert Notification.objects.filter(recipient=doctor, kind="lab_critical_result").count() == 1
    verified = LabOrder.objects.filter(status="verified")
    assert all(o.turnaround.total_seconds() >= 2 * 3600 for o in verified)

    portal = as_user(User.objects.get(username="patient")).get("/api/lab/orders/").json()
    released = [o for o in portal["results"] if o["results_released"]]
    assert [o["test"]["code"] for o in released] == ["LIPID"]
    assert len(released[0]["results"]) == 4
