"""Low stock and expiry alerts: the API and the daily task's notifications."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hms.core.models import Notification
from hms.core.roles import Role
from hms.pharmacy.tasks import notify_stock_alerts
from hms.pharmacy.tests.factories import DrugFactory, add_stock

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def stock(frozen_now):
    today = timezone.localdate()
    low = DrugFactory(generic_name="Lowdrug", reorder_level=100)
    add_stock(low, 20, expiry=today + timedelta(days=365))
    fine = DrugFactory(generic_name="Finedrug", reorder_level=10)
    near = add_stock(fine, 50, expiry=today + timedelta(days=30), lot="NEAR")
    add_stock(fine, 50, expiry=today + timedelta(days=120), lot="FAR")
    gone = add_stock(fine, 5, expiry=today - timedelta(days=2), lot="GONE")
    return {"low": low, "near": near, "gone": gone}


def test_alerts_endpoint(client_for, stock):
    pharmacist = client_for(Role.PHARMACIST)
    body = pharmacist.get("/api/pharmacy/alerts/").json()
    assert body["summary"] == {"low_stock": 1, "expiring": 1, "expired": 1}
    kinds = [(row["kind"], row["drug"]["generic_name"]) for row in body["results"]]
    assert kinds == [("low_stock", "Lowdrug"), ("expired", "Finedrug"), ("expiring", "Finedrug")]
    expiring = body["results"][2]
    assert expiring["batch"]["lot_number"] == "NEAR" and expiring["days_to_expiry"] == 30
    only_low = pharmacist.get("/api/pharmacy/alerts/", {"kind": "low_stock"}).json()
    assert only_low["count"] == 1 and only_low["results"][0]["on_hand"] == 20
    assert client_for(Role.DOCTOR).get("/api/pharmacy/alerts/").status_code == 403


def test_daily_task_notifies_pharmacists_once_a_day(make_user, stock, frozen_now):
    pharmacists = [make_user(Role.PHARMACIST), make_user(Role.PHARMACIST)]
    doctor = make_user(Role.DOCTOR)
    counts = notify_stock_alerts.delay().get()
    assert counts == {"low_stock": 1, "expiring": 1, "expired": 1}
    for pharmacist in pharmacists:
        kinds = sorted(
            Notification.objects.filter(recipient=pharmacist).values_list("kind", flat=True)
        )
        assert kinds == ["pharmacy_expired", "pharmacy_expiring", "pharmacy_low_stock"]
    assert not Notification.objects.filter(recipient=doctor).exists()

    notify_stock_alerts.delay()  # the same day: nothing new
    assert Notification.objects.count() == 6

    frozen_now.shift(timedelta(days=1))
    notify_stock_alerts.delay()
    assert Notification.objects.count() == 12
    low = Notification.objects.filter(kind="pharmacy_low_stock").first()
    assert "Lowdrug" in low.title and low.link == "/api/pharmacy/alerts/"


def test_the_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pharmacy-stock-alerts"]
    assert entry["task"] == "hms.pharmacy.tasks.notify_stock_alerts"
    assert entry["schedule"] == 24 * 60 * 60
