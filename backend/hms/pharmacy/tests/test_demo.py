"""The demo loader: a formulary with stock, one batch near expiry, one drug below its reorder
level, prescriptions for demo patients; idempotent; the ledger balances."""

from io import StringIO

import pytest
from django.core.management import call_command

from hms.pharmacy.models import Drug, Prescription, StockBatch
from hms.pharmacy.selectors import stock_alerts

pytestmark = pytest.mark.django_db


def test_demo_pharmacy_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = (Drug.objects.count(), StockBatch.objects.count(), Prescription.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Drug.objects.count(), StockBatch.objects.count(), Prescription.objects.count()) == (
        counts
    )
    assert counts[0] >= 30 and counts[2] == 2
    kinds = {(alert["kind"], alert["drug"].generic_name) for alert in stock_alerts()}
    assert ("low_stock", "Salbutamol") in kinds
    assert ("expiring", "Amoxicillin") in kinds
    assert set(Prescription.objects.values_list("status", flat=True)) == {"active", "dispensed"}
    call_command("verify_stock", stdout=StringIO())
