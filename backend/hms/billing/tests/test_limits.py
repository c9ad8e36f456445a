"""Amounts that would overflow their columns are a 400 naming the field: nothing is written
and later invoices keep working."""

from decimal import Decimal

import pytest

from hms.billing import services
from hms.billing.models import Charge, Invoice, InvoiceLine
from hms.billing.money import fits
from hms.core.errors import ApplicationError
from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LARGEST = "99999999.99"  # the largest quantity and, here, unit price each column takes


def manual_charge(client, patient, *, price, quantity="1", tax_rate="0"):
    return client.post(
        "/api/billing/charges/",
        {
            "patient": str(patient.public_id),
            "reason": "Dressing",
            "description": "Dressing",
            "unit_price": price,
            "quantity": quantity,
            "tax_rate": tax_rate,
        },
        format="json",
    )


class TestChargeAmounts:
    def test_a_product_beyond_the_money_column_is_refused(self, client_for, accountant, patient):
        client = client_for(Role.ACCOUNTANT, user=accountant)
        response = manual_charge(client, patient, price=LARGEST, quantity=LARGEST)
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["code"] == "amount_too_large" and "quantity" in body["fields"]
        assert not Charge.objects.exists()

    def test_the_tax_can_push_a_line_over_too(self, client_for, accountant, patient):
        client = client_for(Role.ACCOUNTANT, user=accountant)
        response = manual_charge(client, patient, price="999999999999.99", tax_rate="10")
        assert response.status_code == 400, response.content
        assert not Charge.objects.exists()

    def test_later_invoices_of_the_patient_still_work(self, client_for, accountant, patient):
        client = client_for(Role.ACCOUNTANT, user=accountant)
        manual_charge(client, patient, price=LARGEST, quantity=LARGEST)
        assert manual_charge(client, patient, price="25.00").status_code == 201
        response = client.post(
            "/api/billing/invoices/", {"patient": str(patient.public_id)}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["total"] == "25.00"

    def test_the_largest_line_that_fits_is_accepted(self, client_for, accountant, patient):
        client = client_for(Role.ACCOUNTANT, user=accountant)
        response = manual_charge(client, patient, price="999999999999.99")
        assert response.status_code == 201, response.content


class TestInvoiceTotals:
    def test_an_invoice_whose_total_would_not_fit_is_refused(self, accountant, patient, post):
        post(patient, "999999999999.99")
        post(patient, "1.00")
        with pytest.raises(ApplicationError) as refused:
            services.invoice_create(actor=accountant, patient=patient)
        assert refused.value.code == "amount_too_large" and "charges" in refused.value.fields
        assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()

    def test_over_the_api_it_is_a_400_and_fewer_charges_can_be_invoiced(
        self, client_for, accountant, patient, post
    ):
        big, small = post(patient, "999999999999.99"), post(patient, "1.00")
        client = client_for(Role.ACCOUNTANT, user=accountant)
        response = client.post(
            "/api/billing/invoices/", {"patient": str(patient.public_id)}, format="json"
        )
        assert response.status_code == 400, response.content
        assert "charges" in response.json()["fields"]
        for charge in (big, small):
            response = client.post(
                "/api/billing/invoices/",
                {"patient": str(patient.public_id), "charges": [str(charge.public_id)]},
                format="json",
            )
            assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("value", "max_digits", "expected"),
    [
        ("999999999999.99", 14, True),
        ("1000000000000.00", 14, False),
        ("999999999999.995", 14, False),  # rounds up to 13 integer digits
        ("-999999999999.99", 14, True),
        ("99999999.99", 10, True),
        ("100000000", 10, False),
        ("1E+40", 14, False),
        ("NaN", 14, False),
        ("Infinity", 14, False),
    ],
)
def test_fits(value, max_digits, expected):
    assert fits(Decimal(value), max_digits=max_digits) is expected
