"""Billing's dialogs: charges, a new invoice, payments, refunds, insurance claims and their
decisions, voiding. Each saves through the API and hands the page what it saved."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPlainTextEdit

from hms_desktop.api.dto import PAYMENT_METHODS, ClaimSummary, Invoice, Patient, Payment
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_money
from hms_desktop.models.billing import ChargesModel
from hms_desktop.views.dialogs import FormDialog, ReasonDialog
from hms_desktop.widgets.forms import amount_in, combo, line_edit
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.pickers import PatientPicker
from hms_desktop.widgets.table import DataTable


class ChargeDialog(FormDialog):
    """A manual charge from the price list (or, for the rare item without a tariff, free text)."""

    def __init__(self, page: Page, patient: Patient) -> None:
        super().__init__(page, "Add charge", f"Add a charge for {patient.full_name}")
        self.patient = patient
        self.tariff = combo([("", "Loading the price list…")])
        self.tariff.setObjectName("chargeTariff")
        self.tariff.setEnabled(False)
        self.quantity = QDoubleSpinBox()
        self.quantity.setRange(0.01, 10_000)
        self.quantity.setDecimals(2)
        self.quantity.setValue(1)
        self.quantity.textChanged = self.quantity.valueChanged
        self.reason = line_edit("e.g. dressing change at the front desk")
        self.reason.setObjectName("chargeReason")
        self.field("tariff_code", "Item", self.tariff)
        self.field("quantity", "Quantity", self.quantity)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Add charge")
        self.finish_layout()
        billing = self.ctx.api.billing
        self.ctx.runner.run(
            lambda: billing.tariffs(page_size=100, valid_on=None),
            on_done=self._tariffs,
            on_error=self.errors.show,
            busy=[self.save_button],
            owner=self,
        )

    def _tariffs(self, page) -> None:
        self.tariff.clear()
        self.tariff.addItem("Choose an item…", "")
        for tariff in page.results:
            if tariff.valid_until is not None:
                continue
            label = f"{tariff.name} — {fmt_money(tariff.price, tariff.currency)} ({tariff.code})"
            self.tariff.addItem(label, tariff.code)
        self.tariff.setEnabled(True)

    def submit(self) -> None:
        self.errors.clear()
        fields = {
            "patient": self.patient.id,
            "tariff_code": self.tariff.currentData() or None,
            "quantity": f"{self.quantity.value():.2f}",
            "reason": self.reason.text().strip(),
        }
        billing = self.ctx.api.billing
        self.call(lambda: billing.add_charge(**fields))


class NewInvoiceDialog(FormDialog):
    """Pick a patient, tick the unbilled charges to bill, and make a draft invoice."""

    def __init__(self, page: Page, patient: Patient | None = None) -> None:
        super().__init__(page, "New invoice", "New invoice")
        self.setMinimumWidth(940)
        self.patient = PatientPicker(self.ctx)
        self.patient.setObjectName("invoicePatient")
        self.field("patient", "Patient", self.patient)
        self.charges = ChargesModel(self.ctx.runner, page_size=100, parent=self)
        self.table = DataTable()
        self.table.setObjectName("unbilledCharges")
        self.table.setModel(self.charges)
        for column, width in {0: 34, 1: 110, 2: 130, 4: 50, 5: 90, 6: 90}.items():
            self.table.setColumnWidth(column, width)
        self.table.stretch_column(ChargesModel.DESCRIPTION)
        self.table.setMinimumHeight(200)
        self.field("charges", "Unbilled charges", self.table)
        below = QHBoxLayout()
        self.total = QLabel()
        self.total.setObjectName("sectionTitle")
        self.add_charge_button = button("Add a charge…", name="addCharge")
        below.addWidget(self.add_charge_button)
        below.addStretch(1)
        below.addWidget(self.total)
        self.body.addLayout(below)
        self.notes = line_edit("optional, printed on the invoice")
        self.field("notes", "Notes", self.notes)
        self.save_button.setText("Create draft invoice")
        self.finish_layout()
        self.patient.changed.connect(lambda _p: self.load_charges())
        self.charges.rows_loaded.connect(self._update_total)
        self.charges.picked_changed.connect(self._update_total)
        self.add_charge_button.clicked.connect(self.open_charge)
        if patient is not None:
            self.patient.set_patient(patient)
        else:
            self.load_charges()

    def load_charges(self) -> None:
        patient = self.patient.patient
        self.add_charge_button.setEnabled(patient is not None)
        if patient is None:
            self.charges.fetch = None
            self.charges.set_rows([])
            self._update_total()
            return
        billing, patient_id = self.ctx.api.billing, patient.id
        self.charges.fetch = lambda page, size: billing.charges(
            page=page, page_size=size, patient=patient_id, status="unbilled"
        )
        self.charges.reload()

    def _update_total(self, *_args) -> None:
        picked = self.charges.picked()
        amount = sum((c.amount for c in picked), Decimal("0.00"))
        currency = picked[0].currency if picked else ""
        if self.patient.patient is None:
            self.total.setText("")
        elif not self.charges.rows:
            self.total.setText("Nothing unbilled for this patient")
        else:
            self.total.setText(
                f"{len(picked)} charge(s) · {fmt_money(amount, currency)} before tax"
            )

    def open_charge(self) -> ChargeDialog | None:
        if self.patient.patient is None:
            return None
        dialog = ChargeDialog(self.page, self.patient.patient)
        dialog.setParent(self, dialog.windowFlags())
        dialog.saved.connect(lambda _charge: self.load_charges())
        dialog.open()
        self.charge_dialog = dialog
        return dialog

    def submit(self) -> None:
        self.errors.clear()
        patient = self.patient.patient
        if patient is None:
            self.errors.fields["patient"].set_error("Search for the patient and click them.")
            return
        picked = [c.id for c in self.charges.picked()]
        if not picked:
            self.errors.fields["charges"].set_error("Tick at least one charge, or add one.")
            return
        notes, billing = self.notes.text().strip(), self.ctx.api.billing
        self.call(lambda: billing.create_invoice(patient=patient.id, charges=picked, notes=notes))


class PaymentDialog(FormDialog):
    """Take a payment against an issued invoice; the receipt number comes back."""

    def __init__(self, page: Page, invoice: Invoice) -> None:
        super().__init__(
            page, "Take payment", f"Payment for {invoice.number} · {invoice.patient.name}"
        )
        self.invoice = invoice
        note = QLabel(
            f"Total {fmt_money(invoice.total, invoice.currency)} · paid "
            f"{fmt_money(invoice.amount_paid, invoice.currency)} · "
            f"<b>balance {fmt_money(invoice.balance, invoice.currency)}</b>"
        )
        self.body.insertWidget(1, note)
        self.amount = line_edit(text=f"{invoice.balance:.2f}")
        self.amount.setObjectName("paymentAmount")
        self.method = combo(list(PAYMENT_METHODS.items()), current="cash")
        self.method.setObjectName("paymentMethod")
        self.reference = line_edit("card slip, M-Pesa code, transfer reference…")
        self.field("amount", f"Amount ({invoice.currency})", self.amount)
        self.field("method", "Method", self.method)
        self.field("reference", "Reference", self.reference)
        self.save_button.setText("Take payment")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        amount = amount_in(
            self.amount, self.errors.fields["amount"], example="25.00", positive=True
        )
        if amount is None:
            return
        invoice_id, method = self.invoice.id, self.method.currentData()
        reference, billing = self.reference.text().strip(), self.ctx.api.billing
        self.call(
            lambda: billing.pay(
                invoice=invoice_id, amount=amount, method=method, reference=reference
            ),
            on_error=self._refused,
        )

    def _refused(self, exc: Exception) -> None:
        self.errors.show(exc)
        if isinstance(exc, ApiError) and exc.code == "overpayment":
            balance = fmt_money(self.invoice.balance, self.invoice.currency)
            self.errors.fields["amount"].set_error(f"More than the balance of {balance}.")


class RefundDialog(FormDialog):
    """Give back part or all of one payment (accountant), with the reason; never more than is
    left of it. The payment keeps its receipt; the refund is its own record."""

    def __init__(self, page: Page, payment: Payment) -> None:
        super().__init__(page, "Refund", f"Refund from receipt {payment.receipt_number}")
        self.payment = payment
        note = QLabel(
            f"Paid {fmt_money(payment.amount, payment.currency)} "
            f"({payment.method_display.lower()}) · refunded so far "
            f"{fmt_money(payment.refunded_amount, payment.currency)} · "
            f"<b>refundable {fmt_money(payment.refundable, payment.currency)}</b>"
        )
        self.body.insertWidget(1, note)
        self.amount = line_edit(text=f"{payment.refundable:.2f}")
        self.amount.setObjectName("refundAmount")
        self.method = combo(
            [(key, label) for key, label in PAYMENT_METHODS.items() if key != "insurance"],
            current=payment.method if payment.method != "insurance" else "cash",
        )
        self.method.setObjectName("refundMethod")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("refundReason")
        self.reason.setFixedHeight(70)
        self.field("amount", f"Amount ({payment.currency})", self.amount)
        self.field("method", "Paid back by", self.method)
        self.field("reason", "Reason", self.reason)
        self.save_as("Refund", danger=True)
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        amount = amount_in(
            self.amount, self.errors.fields["amount"], example="10.00", positive=True
        )
        if amount is None:
            return
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.errors.fields["reason"].set_error("Say why the money is given back.")
            return
        payment_id, method = self.payment.id, self.method.currentData()
        billing = self.ctx.api.billing
        self.call(
            lambda: billing.refund(payment=payment_id, amount=amount, reason=reason, method=method),
            on_error=self._refused,
        )

    def _refused(self, exc: Exception) -> None:
        self.errors.show(exc)
        if isinstance(exc, ApiError) and exc.code == "refund_exceeds_payment":
            left = fmt_money(self.payment.refundable, self.payment.currency)
            self.errors.fields["amount"].set_error(f"More than the {left} left of this payment.")


class ClaimDialog(FormDialog):
    """Claim an issued invoice from one of the patient's current insurance policies."""

    def __init__(self, page: Page, invoice: Invoice) -> None:
        super().__init__(
            page, "Claim insurance", f"Claim {invoice.number} · {invoice.patient.name}"
        )
        self.invoice = invoice
        self.policy = combo([])
        self.policy.setObjectName("claimPolicy")
        self.policy.setEnabled(False)
        self.copay = QDoubleSpinBox()
        self.copay.setObjectName("claimCopay")
        self.copay.setRange(0, 100)
        self.copay.setDecimals(2)
        self.copay.setSuffix(" %")
        self.field("policy", "Policy", self.policy)
        self.field("copay_percent", "Co-pay (the patient's share)", self.copay)
        self.save_button.setText("Submit claim")
        self.save_button.setEnabled(False)
        self.finish_layout()
        patients = self.ctx.api.patients
        self.ctx.runner.run(
            lambda: patients.insurance(invoice.patient.id),
            on_done=self._policies,
            on_error=self.errors.show,
            owner=self,
        )

    def _policies(self, policies) -> None:
        current = [p for p in policies if p.is_current]
        for policy in current:
            self.policy.addItem(policy.label, policy.id)
        if current:
            self.policy.setEnabled(True)
            self.save_button.setEnabled(True)
        else:
            self.errors.fields["policy"].set_error(
                "This patient has no current insurance policy; add one to their chart first."
            )

    def submit(self) -> None:
        invoice_id, policy_id = self.invoice.id, self.policy.currentData()
        copay = Decimal(str(round(self.copay.value(), 2)))
        billing = self.ctx.api.billing
        self.call(
            lambda: billing.submit_claim(invoice=invoice_id, policy=policy_id, copay_percent=copay)
        )


class ClaimDecisionDialog(FormDialog):
    """The payer's answer to a submitted claim (accountant): approved in full or in part, or
    rejected with the payer's reason. What the payer does not approve falls to the patient."""

    def __init__(self, page: Page, claim: ClaimSummary, currency: str, *, approve: bool) -> None:
        verb = "Approve" if approve else "Reject"
        super().__init__(page, f"{verb} claim", f"{verb} the {claim.payer} claim")
        self.claim, self.approve = claim, approve
        note = QLabel(
            f"Claimed {fmt_money(claim.claimed_amount, currency)} · co-pay "
            f"{fmt_money(claim.copay_amount, currency)} (the patient's)"
        )
        self.body.insertWidget(1, note)
        self.payer_reference = line_edit("the payer's reference")
        if approve:
            self.amount = line_edit(text=f"{claim.claimed_amount:.2f}")
            self.amount.setObjectName("approvedAmount")
            self.field("approved_amount", f"Approved ({currency})", self.amount)
        self.text = QPlainTextEdit()
        self.text.setObjectName("claimDecisionText")
        self.text.setFixedHeight(70)
        self.field("payer_reference", "Payer reference", self.payer_reference)
        self.field("note" if approve else "reason", "Note" if approve else "Reason", self.text)
        self.save_as(verb, danger=not approve)
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        claim_id, billing = self.claim.id, self.ctx.api.billing
        text, reference = self.text.toPlainText().strip(), self.payer_reference.text().strip()
        if not self.approve:
            if not text:
                self.errors.fields["reason"].set_error("Give the payer's reason.")
                return
            self.call(lambda: billing.reject_claim(claim_id, reason=text))
            return
        amount = amount_in(
            self.amount, self.errors.fields["approved_amount"], example="120.00", positive=False
        )
        if amount is None:
            return
        self.call(
            lambda: billing.approve_claim(
                claim_id, approved_amount=amount, payer_reference=reference, note=text
            )
        )


class VoidInvoiceDialog(ReasonDialog):
    def __init__(self, page: Page, invoice: Invoice) -> None:
        billing, invoice_id = page.ctx.api.billing, invoice.id
        super().__init__(
            page,
            "Void invoice",
            f"Void {invoice.label}?",
            action="Void invoice",
            send=lambda reason: billing.void(invoice_id, reason=reason),
            note=(
                "The invoice keeps its number, lines and history, marked void; its charges can "
                "be billed again."
            ),
            name="voidReason",
            keep="",
        )
        self.invoice = invoice
