"""Billing and tariffs against the live server: an invoice from unbilled charges, issuing,
payments (an overpayment refused), receipts and PDFs; the price list with versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from hms_desktop.views.billing import (
    BillingPage,
    ClaimDecisionDialog,
    ClaimDialog,
    NewInvoiceDialog,
    PaymentDialog,
    RefundDialog,
)
from hms_desktop.views.tariffs import TariffDialog, TariffsPage

from .conftest import hospital_today, make_patient, sign_in, snap, unique, wait_idle
from .test_appointments_view import pick_patient


@pytest.fixture
def charged(api_as):
    """A patient with two unbilled charges at known prices (25.00 and 40.00, no tax)."""
    accountant = api_as("accountant")
    codes = []
    for price, name in (("25.00", "Dressing change"), ("40.00", "Nebulisation")):
        code = unique("TST").upper().replace("_", "-")
        accountant.billing.create_tariff(code=code, category="procedure", name=name, price=price)
        codes.append(code)
    desk = api_as("receptionist")
    patient = make_patient(desk)
    for code in codes:
        desk.billing.add_charge(patient=patient.id, tariff_code=code, reason="Front desk")
    return patient


def open_billing(qtbot, hms, role: str = "receptionist"):
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module("billing")
    assert isinstance(page, BillingPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def test_invoice_payment_and_receipt(qtbot, hms, charged, tmp_path):
    patient = charged
    window, page = open_billing(qtbot, hms)
    dialog = page.open_new_invoice()
    assert isinstance(dialog, NewInvoiceDialog)
    pick_patient(qtbot, dialog, patient)
    qtbot.waitUntil(lambda: dialog.charges.rowCount() == 2, timeout=10_000)
    assert "65.00" in dialog.total.text()
    nebulisation = [c.description for c in dialog.charges.rows].index("Nebulisation")
    index = dialog.charges.index(nebulisation, 0)
    dialog.charges.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert "1 charge(s)" in dialog.total.text() and "25.00" in dialog.total.text()
    snap(dialog, "billing_new_invoice")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    draft = dialog.result_value
    assert (draft.status, draft.total) == ("draft", Decimal("25.00"))
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == draft.id, timeout=10_000
    )

    page.details.issue_button.click()
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.status == "issued", timeout=10_000
    )
    number = page.current.number
    assert number.startswith("INV-")
    assert number in page.banner.message

    pay = page.open_payment()
    assert isinstance(pay, PaymentDialog)
    assert pay.amount.text() == "25.00"
    pay.amount.setText("30.00")
    pay.save_button.click()
    qtbot.waitUntil(lambda: bool(pay.errors.fields["amount"].error_text), timeout=10_000)
    assert "balance" in pay.errors.fields["amount"].error_text
    pay.amount.setText("10.00")
    pay.method.setCurrentIndex(pay.method.findData("mobile_money"))
    pay.reference.setText("QX12345")
    with qtbot.waitSignal(pay.saved, timeout=10_000):
        pay.save_button.click()
    receipt = pay.result_value.receipt_number
    assert receipt.startswith("RCT-")
    qtbot.waitUntil(
        lambda: (
            page.current is not None
            and page.current.status == "partially_paid"
            and page.current.payments is not None
            and len(page.current.payments) == 1
        ),
        timeout=10_000,
    )
    assert page.current.balance == Decimal("15.00")
    page.details.tabs.setCurrentIndex(1)
    page.details.payments.selectRow(0)
    assert page.details.receipt_button.isEnabled()
    wait_idle(qtbot, hms)
    snap(window, "billing")

    page.save_pdf("receipt", tmp_path / f"{receipt}.pdf")
    qtbot.waitUntil(lambda: (tmp_path / f"{receipt}.pdf").exists(), timeout=10_000)
    assert (tmp_path / f"{receipt}.pdf").read_bytes().startswith(b"%PDF")
    page.save_pdf("invoice", tmp_path / "invoice.pdf")
    qtbot.waitUntil(lambda: (tmp_path / "invoice.pdf").exists(), timeout=10_000)
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")

    rest = page.open_payment()
    assert rest.amount.text() == "15.00"
    with qtbot.waitSignal(rest.saved, timeout=10_000):
        rest.save_button.click()
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.status == "paid", timeout=10_000
    )
    assert not page.details.pay_button.isEnabled()

    report = page.ctx.api.billing.daily_cash()
    assert report.total_net >= Decimal("25.00")
    mobile = [row for row in report.rows if row.method == "mobile_money"]
    assert mobile and mobile[0].cashier.name and mobile[0].received >= Decimal("10.00")
    page.reloaded()
    qtbot.waitUntil(lambda: "today:" in page.takings.text(), timeout=10_000)


def test_receptionist_cannot_void_but_an_accountant_can(qtbot, hms, api_as, charged):
    draft = api_as("receptionist").billing.create_invoice(patient=charged.id)
    _window, page = open_billing(qtbot, hms, role="accountant")
    page.show_invoice(draft)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == draft.id, timeout=10_000
    )
    assert page.details.void_button.isVisible()
    dialog = page.open_void()
    dialog.reason.setPlainText("Raised for the wrong patient")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.status == "void"
    # The charges can be billed again.
    unbilled = api_as("receptionist").billing.charges(patient=charged.id, status="unbilled")
    assert unbilled.count == 2


def test_accountant_keeps_the_price_list(qtbot, hms):
    window = sign_in(qtbot, hms, "accountant")
    window.resize(1280, 800)
    page = window.open_module("tariffs")
    assert isinstance(page, TariffsPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    code = unique("XR").upper().replace("_", "-")
    dialog = page.open_new()
    assert isinstance(dialog, TariffDialog)
    dialog.code.setText(code)
    dialog.category.setCurrentIndex(dialog.category.findData("radiology"))
    dialog.name.setText("Chest X-ray, two views")
    dialog.price.setText("35")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=10_000)
    assert page.selected().code == code
    assert page.selected().price == Decimal("35.00")
    again = page.open_new(page.selected())
    assert again.code.isReadOnly()
    again.price.setText("abc")
    again.save_button.click()
    assert again.errors.fields["price"].error_text
    again.reject()
    wait_idle(qtbot, hms)
    snap(window, "tariffs")


def test_accountant_refunds_part_of_a_payment(qtbot, hms, api_as, charged):
    desk = api_as("receptionist")
    invoice = desk.billing.issue(desk.billing.create_invoice(patient=charged.id).id)
    payment = desk.billing.pay(invoice=invoice.id, amount=Decimal("65.00"), method="cash")

    window, page = open_billing(qtbot, hms, role="accountant")
    assert not page.details.refund_button.isHidden()
    page.show_invoice(invoice)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.payments is not None, timeout=10_000
    )
    assert not page.details.refund_button.isEnabled()  # no payment selected yet
    page.details.tabs.setCurrentIndex(1)
    page.details.payments.selectRow(0)
    assert page.details.refund_button.isEnabled()
    dialog = page.open_refund()
    assert isinstance(dialog, RefundDialog)
    assert dialog.amount.text() == "65.00"
    dialog.amount.setText("70.00")
    dialog.reason.setPlainText("Nebulisation not given")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["amount"].error_text), timeout=10_000)
    assert "65.00" in dialog.errors.fields["amount"].error_text
    dialog.amount.setText("40.00")
    dialog.reason.setPlainText("")
    dialog.save_button.click()
    assert dialog.errors.fields["reason"].error_text  # refused before asking the server
    dialog.reason.setPlainText("Nebulisation not given")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    refund = dialog.result_value
    assert (refund.amount, refund.receipt_number) == (Decimal("40.00"), payment.receipt_number)
    assert payment.receipt_number in page.banner.message
    payments = page.details.payments_model
    qtbot.waitUntil(
        lambda: payments.rowCount() == 1 and payments.row_at(0).refunded_amount == Decimal("40.00"),
        timeout=10_000,
    )
    page.details.tabs.setCurrentIndex(1)
    page.details.payments.selectRow(0)
    again = page.open_refund()
    assert again.amount.text() == "25.00"  # what is left
    again.reject()
    wait_idle(qtbot, hms)
    snap(window, "billing_refund")


def test_the_front_desk_sees_no_refund_button(qtbot, hms):
    _window, page = open_billing(qtbot, hms)
    assert page.details.refund_button.isHidden()
    assert page.details.void_button.isHidden()


def test_insurance_claim_from_the_desk_to_the_payers_payment(qtbot, hms, api_as, charged):
    from datetime import timedelta

    desk = api_as("receptionist")
    desk.client.post(
        f"/api/patients/{charged.id}/insurance/",
        {
            "payer": "Acme Health",
            "plan_name": "Gold",
            "policy_number": unique("POL").upper(),
            "valid_from": (hospital_today() - timedelta(days=30)).isoformat(),
            "is_primary": True,
        },
    )
    invoice = desk.billing.issue(desk.billing.create_invoice(patient=charged.id).id)  # 65.00

    # The front desk submits the claim with a 20 % co-pay.
    _window, page = open_billing(qtbot, hms)
    page.show_invoice(invoice)
    qtbot.waitUntil(lambda: page.details.claim_button.isEnabled(), timeout=10_000)
    assert page.details.approve_button.isHidden()  # the payer's answer is the accountant's
    dialog = page.open_claim()
    assert isinstance(dialog, ClaimDialog)
    qtbot.waitUntil(lambda: dialog.policy.count() == 1, timeout=10_000)
    assert "Acme Health" in dialog.policy.currentText()
    dialog.copay.setValue(20)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    claim = dialog.result_value
    assert (claim.status, claim.claimed_amount, claim.copay_amount) == (
        "submitted",
        Decimal("52.00"),
        Decimal("13.00"),
    )
    qtbot.waitUntil(lambda: page.details.claims_model.rowCount() == 1, timeout=10_000)
    assert not page.details.claim_button.isEnabled()  # one open claim at a time

    # The accountant records the payer's partial approval, then its payment.
    window, page = open_billing(qtbot, hms, role="accountant")
    page.show_invoice(invoice)
    claims = page.details.claims_model
    qtbot.waitUntil(lambda: claims.rowCount() == 1, timeout=10_000)
    page.details.tabs.setCurrentIndex(2)
    page.details.claims.selectRow(0)
    assert page.details.approve_button.isEnabled() and not page.details.settle_button.isEnabled()
    decision = page.open_decision(approve=True)
    assert isinstance(decision, ClaimDecisionDialog)
    assert decision.amount.text() == "52.00"
    decision.amount.setText("40.00")
    decision.payer_reference.setText("ACME-778")
    with qtbot.waitSignal(decision.saved, timeout=10_000):
        decision.save_button.click()
    assert decision.result_value.status == "partially_approved"
    qtbot.waitUntil(
        lambda: claims.rowCount() == 1 and claims.row_at(0).status == "partially_approved",
        timeout=10_000,
    )
    page.details.tabs.setCurrentIndex(2)
    page.details.claims.selectRow(0)
    assert page.details.settle_button.isEnabled()
    page.settle_claim()
    qtbot.waitUntil(
        lambda: claims.rowCount() == 1 and claims.row_at(0).status == "paid", timeout=10_000
    )
    assert claims.row_at(0).paid_amount == Decimal("40.00")
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.balance == Decimal("25.00"),
        timeout=10_000,
    )  # the patient owes the co-pay and what the payer did not approve
    wait_idle(qtbot, hms)
    snap(window, "billing_claims")
