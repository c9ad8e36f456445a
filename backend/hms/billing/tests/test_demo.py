"""The demo loader: tariffs, a paid invoice with a receipt and a partly paid one; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from hms.billing.models import Invoice, InvoiceStatus, Payment, Tariff

pytestmark = pytest.mark.django_db


def test_demo_billing_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = (Tariff.objects.count(), Invoice.objects.count(), Payment.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Tariff.objects.count(), Invoice.objects.count(), Payment.objects.count()) == counts
    demo = Invoice.objects.filter(patient__user__username="patient", notes__startswith="Demo")
    assert sorted(demo.values_list("status", flat=True)) == [
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIALLY_PAID,
    ]
    assert Tariff.objects.filter(code="CONSULT-GENERAL").count() == 2  # two price versions
    assert Payment.objects.filter(invoice__in=demo).count() == 2
