"""Tariffs, charges, invoices, payments and receipts, insurance claims, the day's takings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hms_desktop.api.dto import (
    Charge,
    ClaimSummary,
    DailyCash,
    Invoice,
    Payment,
    Refund,
    Tariff,
)
from hms_desktop.api.resources.base import ONE_PAGE, Resource, action, decimals, listing


class BillingApi(Resource):
    """Tariffs, charges, invoices, payments and receipts (money is Decimal, one currency)."""

    # --- tariffs and charges ---

    # `category`, `code`, `q`, `valid_on` (a date: the prices of that day).
    tariffs = listing(Tariff, "/api/billing/tariffs/")

    def create_tariff(self, **fields: Any) -> Tariff:
        """A new price version for `code` (the current one ends the day before)."""
        return self._post(Tariff, "/api/billing/tariffs/", decimals(fields))

    def end_tariff(self, tariff_id: str, *, valid_until: date) -> Tariff:
        body = {"valid_until": valid_until.isoformat()}
        return self._post(Tariff, f"/api/billing/tariffs/{tariff_id}/end/", body)

    charges = listing(Charge, "/api/billing/charges/", page_size=ONE_PAGE)

    def add_charge(self, **fields: Any) -> Charge:
        """A manual charge: `patient`, `reason`, `tariff_code` (or `description` and
        `unit_price`), `quantity`."""
        return self._post(Charge, "/api/billing/charges/", decimals(fields))

    # --- invoices ---

    invoices = listing(Invoice, "/api/billing/invoices/", booleans=True)

    def invoice(self, invoice_id: str) -> Invoice:
        """With its lines and payments."""
        return self._get(Invoice, f"/api/billing/invoices/{invoice_id}/")

    def create_invoice(
        self, *, patient: str, charges: list[str] | None = None, notes: str = ""
    ) -> Invoice:
        """A draft from the patient's unbilled charges (409 `nothing_to_invoice`)."""
        body: dict[str, Any] = {"patient": patient, "notes": notes}
        if charges is not None:
            body["charges"] = charges
        return self._post(Invoice, "/api/billing/invoices/", body)

    # Numbers the invoice (no gaps).
    issue = action(Invoice, "/api/billing/invoices/{}/issue/")

    def void(self, invoice_id: str, *, reason: str) -> Invoice:
        return self._post(Invoice, f"/api/billing/invoices/{invoice_id}/void/", {"reason": reason})

    # --- payments and refunds ---

    def pay(self, *, invoice: str, amount: Decimal, method: str, reference: str = "") -> Payment:
        """409 `overpayment` when more than the balance."""
        body = {"invoice": invoice, "amount": str(amount), "method": method, "reference": reference}
        return self._post(Payment, "/api/billing/payments/", body)

    def refund(
        self, *, payment: str, amount: Decimal, reason: str, method: str | None = None
    ) -> Refund:
        """Give back part or all of a payment (accountant). 409 `refund_exceeds_payment` when
        more than is left of it, `insurance_payment` for an insurer's settlement."""
        body = {"payment": payment, "amount": str(amount), "reason": reason}
        if method:
            body["method"] = method
        return self._post(Refund, "/api/billing/refunds/", body)

    # --- insurance claims ---

    def submit_claim(
        self, *, invoice: str, policy: str, copay_percent: Decimal | None = None
    ) -> ClaimSummary:
        """Claim an issued invoice from one of the patient's current policies; each line is
        split into the co-pay (the patient's) and the amount claimed."""
        body: dict[str, Any] = {"invoice": invoice, "policy": policy}
        if copay_percent is not None:
            body["copay_percent"] = str(copay_percent)
        return self._post(ClaimSummary, "/api/billing/claims/", body)

    def approve_claim(
        self, claim_id: str, *, approved_amount: Decimal, payer_reference: str = "", note: str = ""
    ) -> ClaimSummary:
        body = {"approved_amount": str(approved_amount), "payer_reference": payer_reference}
        body["note"] = note
        return self._post(ClaimSummary, f"/api/billing/claims/{claim_id}/approve/", body)

    def reject_claim(self, claim_id: str, *, reason: str) -> ClaimSummary:
        path = f"/api/billing/claims/{claim_id}/reject/"
        return self._post(ClaimSummary, path, {"reason": reason})

    def settle_claim(self, claim_id: str, *, reference: str = "") -> ClaimSummary:
        """Posts the approved amount as an insurance payment, with its receipt."""
        path = f"/api/billing/claims/{claim_id}/settle/"
        return self._post(ClaimSummary, path, {"reference": reference})

    # --- documents and reports ---

    def invoice_pdf(self, invoice_id: str) -> bytes:
        return self._client.get_bytes(f"/api/billing/invoices/{invoice_id}/pdf/")

    def receipt_pdf(self, payment_id: str) -> bytes:
        return self._client.get_bytes(f"/api/billing/payments/{payment_id}/receipt/")

    def daily_cash(self, day: date | None = None) -> DailyCash:
        """The day's takings (a receptionist: their own)."""
        params = {"date": day.isoformat() if day else None}
        return self._get(DailyCash, "/api/billing/reports/daily-cash/", params)
