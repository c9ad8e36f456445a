"""Real threads (PostgreSQL, MySQL/MariaDB): many pharmacists dispensing the last units at
once. Stock never goes below zero, nothing is dispensed twice, and the ledger still balances."""

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.patients.tests.factories import PatientFactory
from hms.pharmacy.models import Prescription, PrescriptionItem, StockBatch, StockMovement
from hms.pharmacy.tests.factories import DrugFactory, add_stock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def prescriptions(drug, count, quantity):
    doctor = UserFactory(role=Role.DOCTOR)
    made = []
    for _ in range(count):
        rx = Prescription.objects.create(
            patient=PatientFactory(), prescriber=doctor, prescribed_at=timezone.now()
        )
        PrescriptionItem.objects.create(
            prescription=rx,
            drug=drug,
            dose=1,
            dose_unit="tablet",
            route="oral",
            frequency="od",
            quantity=quantity,
            start_date=timezone.localdate(),
        )
        made.append(rx)
    return made


def dispense_all(rxs, pharmacists):
    def dispense(index):
        client = APIClient()
        client.force_authenticate(pharmacists[index % len(pharmacists)])
        response = client.post(
            f"/api/pharmacy/prescriptions/{rxs[index].public_id}/dispense/", {}, format="json"
        )
        body = response.json()
        units = (
            sum(line["quantity"] for line in body["dispense"]["lines"]) if "dispense" in body else 0
        )
        return response.status_code, body.get("code"), units

    return run_at_once(len(rxs), dispense)


def assert_ledger_balances():
    for batch in StockBatch.objects.all():
        total = StockMovement.objects.filter(batch=batch).aggregate(s=Sum("quantity"))["s"] or 0
        assert batch.quantity == total >= 0
    call_command("verify_stock")


def test_twenty_dispenses_of_the_last_five_units():
    drug = DrugFactory()
    add_stock(drug, 3, lot="A")
    add_stock(drug, 2, lot="B")
    pharmacists = [UserFactory(role=Role.PHARMACIST) for _ in range(4)]
    rxs = prescriptions(drug, 20, quantity=1)

    results = dispense_all(rxs, pharmacists)

    statuses = [status for status, _, _ in results]
    assert statuses.count(201) == 5, results
    assert statuses.count(409) == 15, results
    assert {code for status, code, _ in results if status == 409} == {"out_of_stock"}
    assert sum(units for _, _, units in results) == 5
    assert sum(StockBatch.objects.values_list("quantity", flat=True)) == 0
    assert StockMovement.objects.filter(kind="dispense").aggregate(s=Sum("quantity"))["s"] == -5
    assert_ledger_balances()


def test_partial_dispenses_racing_for_the_last_units():
    drug = DrugFactory()
    for lot in ("A", "B", "C"):
        add_stock(drug, 4, lot=lot)
    pharmacists = [UserFactory(role=Role.PHARMACIST) for _ in range(3)]
    rxs = prescriptions(drug, 10, quantity=3)

    results = dispense_all(rxs, pharmacists)

    assert all(status in (201, 409) for status, _, _ in results), results
    assert sum(units for _, _, units in results) == 12  # every unit, and no more
    dispensed = PrescriptionItem.objects.aggregate(s=Sum("quantity_dispensed"))["s"]
    assert dispensed == 12
    assert sum(StockBatch.objects.values_list("quantity", flat=True)) == 0
    assert_ledger_balances()
