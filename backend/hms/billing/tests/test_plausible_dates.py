"""Billing dates within what is possible: a tariff version starts and ends within a sane window
(ten years back, two years ahead by default), a hand-entered charge has happened, an invoice
falls due within a year. Each refusal is a 400 naming the field and writes nothing.

Now is Wednesday 10 March 2027, 10:00 UTC (conftest), hospital time zone UTC.
"""

from decimal import Decimal

import pytest

from hms.billing import services
from hms.billing.models import Charge, Tariff
from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

CARDIOLOGY = {
    "code": "CONSULT-CARDIOLOGY",
    "category": "consultation",
    "name": "Cardiology",
    "price": "45.00",
}


@pytest.fixture
def books(client_for, accountant):
    return client_for(Role.ACCOUNTANT, user=accountant)


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["fields"], body
    return body["fields"][field][0]


class TestTariffWindow:
    def test_a_version_starting_9999_12_31_is_refused(self, books):
        response = books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "9999-12-31"}, format="json"
        )
        assert "2029-03-10" in refused(response, "valid_from")
        assert not Tariff.objects.exists()

    def test_the_price_can_still_change_after_a_refused_far_future_version(self, books):
        books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "2027-01-01"}, format="json"
        )
        books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "9999-12-31"}, format="json"
        )
        response = books.post(
            "/api/billing/tariffs/",
            {**CARDIOLOGY, "price": "50.00", "valid_from": "2027-07-01"},
            format="json",
        )
        assert response.status_code == 201, response.json()

    def test_a_version_starting_before_the_window_is_refused(self, books):
        response = books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "1900-01-01"}, format="json"
        )
        refused(response, "valid_from")

    def test_next_years_price_is_accepted(self, books):
        response = books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "2028-01-01"}, format="json"
        )
        assert response.status_code == 201, response.json()

    def test_a_version_cannot_end_in_9999(self, books):
        created = books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "2027-01-01"}, format="json"
        ).json()
        response = books.post(
            f"/api/billing/tariffs/{created['id']}/end/",
            {"valid_until": "9999-12-30"},
            format="json",
        )
        refused(response, "valid_until")
        assert Tariff.objects.get().valid_until is None

    def test_the_window_is_a_setting(self, settings, books):
        settings.TARIFF_DATE_YEARS_AHEAD = 0
        response = books.post(
            "/api/billing/tariffs/", {**CARDIOLOGY, "valid_from": "2028-01-01"}, format="json"
        )
        refused(response, "valid_from")


class TestChargesAndInvoices:
    def test_a_manual_charge_in_9999_is_refused(self, books, patient):
        response = books.post(
            "/api/billing/charges/",
            {
                "patient": str(patient.public_id),
                "reason": "Dressing of a wound",
                "description": "Dressing",
                "unit_price": "12.50",
                "occurred_at": "9999-12-31T00:00:00Z",
            },
            format="json",
        )
        assert "future" in refused(response, "occurred_at")
        assert not Charge.objects.exists()

    def test_a_manual_charge_in_year_1_is_refused(self, books, patient):
        response = books.post(
            "/api/billing/charges/",
            {
                "patient": str(patient.public_id),
                "reason": "Dressing of a wound",
                "description": "Dressing",
                "unit_price": "12.50",
                "occurred_at": "0001-01-01T00:00:00Z",
            },
            format="json",
        )
        refused(response, "occurred_at")

    def test_an_invoice_due_in_9999_is_refused(self, books, accountant, patient, post):
        charge = post(patient, "12.50")
        invoice = services.invoice_create(
            actor=accountant, patient=patient, charge_ids=[charge.public_id]
        )
        response = books.post(
            f"/api/billing/invoices/{invoice.public_id}/issue/",
            {"due_date": "9999-12-31"},
            format="json",
        )
        refused(response, "due_date")
        invoice.refresh_from_db()
        assert invoice.status == "draft" and invoice.number in ("", None)
        assert invoice.total == Decimal("12.50")
