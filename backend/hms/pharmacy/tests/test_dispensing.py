"""Dispensing: first-expiry-first-out, expired batches skipped, partial when short, the ledger
written in the same transaction, returns."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.pharmacy.models import DispenseLine, StockBatch, StockMovement
from hms.pharmacy.tests.conftest import item
from hms.pharmacy.tests.factories import add_stock

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def rx(prescribe, amoxicillin):
    """A prescription for 21 capsules of amoxicillin."""
    response = prescribe(item(amoxicillin, dose="500", frequency="tds", duration_days=7))
    assert response.status_code == 201, response.json()
    return response.json()


def dispense(client, rx_id, **body):
    return client.post(f"/api/pharmacy/prescriptions/{rx_id}/dispense/", body, format="json")


def test_first_expiry_first_out(pharmacist_client, rx, amoxicillin):
    late = add_stock(amoxicillin, 50, expiry=days(300), lot="LATE")
    early = add_stock(amoxicillin, 15, expiry=days(40), lot="EARLY")
    response = dispense(pharmacist_client, rx["id"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(line["lot_number"], line["quantity"]) for line in body["dispense"]["lines"]] == [
        ("EARLY", 15),
        ("LATE", 6),
    ]
    assert body["prescription"]["status"] == "dispensed"
    assert body["shortfalls"] == []
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.quantity, late.quantity) == (0, 44)


def test_expired_batch_is_skipped(pharmacist_client, rx, amoxicillin):
    expired = add_stock(amoxicillin, 100, expiry=days(-1), lot="OLD")
    today = add_stock(amoxicillin, 100, expiry=days(0), lot="TODAY")
    good = add_stock(amoxicillin, 100, expiry=days(200), lot="GOOD")
    body = dispense(pharmacist_client, rx["id"]).json()
    assert {line["lot_number"] for line in body["dispense"]["lines"]} == {"GOOD"}
    for batch, quantity in ((expired, 100), (today, 100), (good, 79)):
        batch.refresh_from_db()
        assert batch.quantity == quantity


def test_partial_dispense_when_stock_is_short(pharmacist_client, rx, amoxicillin):
    add_stock(amoxicillin, 8, expiry=days(100))
    first = dispense(pharmacist_client, rx["id"])
    assert first.status_code == 201
    body = first.json()
    assert body["prescription"]["status"] == "partially_dispensed"
    assert body["shortfalls"][0]["missing"] == 13 and body["shortfalls"][0]["dispensed"] == 8
    assert body["prescription"]["items"][0]["remaining"] == 13

    worklist = pharmacist_client.get("/api/pharmacy/", {"status": "partially_dispensed"}).json()
    assert [row["id"] for row in worklist["results"]] == [rx["id"]]

    add_stock(amoxicillin, 30, expiry=days(200))
    second = dispense(pharmacist_client, rx["id"]).json()
    assert second["prescription"]["status"] == "dispensed"
    assert sum(line["quantity"] for line in second["dispense"]["lines"]) == 13
    detail = pharmacist_client.get(f"/api/pharmacy/prescriptions/{rx['id']}/").json()
    assert len(detail["dispenses"]) == 2
    again = dispense(pharmacist_client, rx["id"])
    assert again.status_code == 409 and again.json()["code"] == "not_dispensable"


def test_dispensing_part_of_an_item(pharmacist_client, rx, amoxicillin):
    add_stock(amoxicillin, 100)
    item_id = rx["items"][0]["id"]
    response = dispense(pharmacist_client, rx["id"], items=[{"item": item_id, "quantity": 7}])
    assert response.status_code == 201
    assert response.json()["prescription"]["status"] == "partially_dispensed"
    too_many = dispense(pharmacist_client, rx["id"], items=[{"item": item_id, "quantity": 15}])
    assert too_many.status_code == 400 and too_many.json()["code"] == "over_dispense"
    foreign = dispense(
        pharmacist_client,
        rx["id"],
        items=[{"item": "00000000-0000-0000-0000-000000000009", "quantity": 1}],
    )
    assert foreign.status_code == 400


def test_no_stock_at_all_changes_nothing(pharmacist_client, rx, amoxicillin):
    add_stock(amoxicillin, 10, expiry=days(-5))
    response = dispense(pharmacist_client, rx["id"])
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert not DispenseLine.objects.exists()
    assert StockMovement.objects.filter(kind="dispense").count() == 0


def test_ledger_balances_after_dispensing(pharmacist_client, rx, amoxicillin, capsys):
    add_stock(amoxicillin, 10, expiry=days(30))
    add_stock(amoxicillin, 10, expiry=days(60))
    body = dispense(pharmacist_client, rx["id"]).json()
    movements = StockMovement.objects.filter(kind="dispense")
    assert sorted(m.quantity for m in movements) == [-10, -10]
    assert {str(m.dispense.public_id) for m in movements} == {body["dispense"]["id"]}
    assert all(m.balance_after == 0 for m in movements)
    call_command("verify_stock")
    assert "Stock OK" in capsys.readouterr().out
    event = AuditEvent.objects.get(resource_type="dispense")
    assert event.detail["units"] == 20 and event.detail["shortfalls"][0]["missing"] == 1


def test_only_pharmacists_dispense(client_for, doctor_client, rx, amoxicillin):
    add_stock(amoxicillin, 100)
    assert dispense(doctor_client, rx["id"]).status_code == 403
    assert dispense(client_for(Role.NURSE), rx["id"]).status_code == 403


def test_cancelled_prescription_cannot_be_dispensed(
    pharmacist_client, doctor_client, rx, amoxicillin
):
    add_stock(amoxicillin, 100)
    doctor_client.post(
        f"/api/pharmacy/prescriptions/{rx['id']}/cancel/", {"reason": "Changed my mind"}
    )
    assert dispense(pharmacist_client, rx["id"]).status_code == 409


def test_return_puts_units_back_and_reopens_the_item(pharmacist_client, rx, amoxicillin):
    batch = add_stock(amoxicillin, 30)
    body = dispense(pharmacist_client, rx["id"]).json()
    line_id = body["dispense"]["lines"][0]["id"]
    response = pharmacist_client.post(
        f"/api/pharmacy/dispense-lines/{line_id}/return/",
        {"quantity": 5, "reason": "Unopened, patient switched drug"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "return" and response.json()["quantity"] == 5
    batch.refresh_from_db()
    assert batch.quantity == 30 - 21 + 5
    detail = pharmacist_client.get(f"/api/pharmacy/prescriptions/{rx['id']}/").json()
    assert detail["status"] == "partially_dispensed"
    assert detail["items"][0]["remaining"] == 5
    too_many = pharmacist_client.post(
        f"/api/pharmacy/dispense-lines/{line_id}/return/",
        {"quantity": 17, "reason": "Unopened box"},
        format="json",
    )
    assert too_many.status_code == 409
    call_command("verify_stock")


def test_other_locations_are_not_dispensed_from(pharmacist_client, rx, amoxicillin):
    add_stock(amoxicillin, 100, location="ward-3")
    assert dispense(pharmacist_client, rx["id"]).json()["code"] == "out_of_stock"
    assert StockBatch.objects.get(location="ward-3").quantity == 100
