"""Billing (receptionist, accountant): invoices from a patient's unbilled charges, manual
charges from the tariff list, issuing, payments with receipts, refunds (accountant), and the
PDFs.

Invoice and receipt numbers are given by the server when an invoice is issued or a payment
taken (no gaps); a payment above the balance is refused (409 `overpayment`) and said so next
to the amount. Nothing is deleted: an accountant voids an invoice with a reason.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
)

from hms_desktop import roles, theme
from hms_desktop.api.capabilities import Capabilities
from hms_desktop.api.dto import (
    INVOICE_STATUSES,
    PAYMENT_METHODS,
    ClaimSummary,
    Invoice,
    Patient,
    Payment,
    Refund,
)
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.formatting import fmt_datetime, fmt_money
from hms_desktop.models.billing import (
    INVOICE_COLOURS,
    ChargesModel,
    ClaimsModel,
    InvoiceLinesModel,
    InvoicesModel,
    PaymentsModel,
)
from hms_desktop.views.base import Page, button
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import amount_in, combo, line_edit
from hms_desktop.widgets.pickers import PatientPicker
from hms_desktop.widgets.table import DataTable, TablePanel
from hms_desktop.workers import is_busy


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
        self.save_button.setText("Refund")
        self.save_button.setProperty("primary", False)
        self.save_button.setProperty("danger", True)
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
        self.save_button.setText(verb)
        if not approve:
            self.save_button.setProperty("primary", False)
            self.save_button.setProperty("danger", True)
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


class VoidInvoiceDialog(FormDialog):
    def __init__(self, page: Page, invoice: Invoice) -> None:
        super().__init__(page, "Void invoice", f"Void {invoice.label}?")
        self.invoice = invoice
        note = QLabel(
            "The invoice keeps its number, lines and history, marked void; its charges can be "
            "billed again."
        )
        note.setWordWrap(True)
        self.body.insertWidget(1, note)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("voidReason")
        self.reason.setFixedHeight(70)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Void invoice")
        self.save_button.setProperty("primary", False)
        self.save_button.setProperty("danger", True)
        self.finish_layout()

    def submit(self) -> None:
        invoice_id, reason = self.invoice.id, self.reason.toPlainText().strip()
        billing = self.ctx.api.billing
        self.call(lambda: billing.void(invoice_id, reason=reason))


class InvoicePanel(QFrame):
    def __init__(self, capabilities: Capabilities, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.heading = QLabel("No invoice selected")
        self.heading.setObjectName("sectionTitle")
        top.addWidget(self.heading, 1)
        self.issue_button = button("Issue", primary=True, name="issueInvoice")
        self.pay_button = button("Take payment…", primary=True, name="takePayment")
        self.pdf_button = button("Invoice PDF…", name="invoicePdf")
        self.receipt_button = button("Receipt PDF…", name="receiptPdf")
        self.refund_button = button("Refund…", danger=True, name="refundPayment")
        self.refund_button.setVisible(capabilities.may("billing_refunds", "create"))
        self.void_button = button("Void…", danger=True, name="voidInvoice")
        self.void_button.setVisible(capabilities.may("billing_invoices", "void"))
        self.claim_button = button("Claim insurance…", name="claimInsurance")
        self.claim_button.setVisible(capabilities.may("billing_claims", "create"))
        self.approve_button = button("Approve…", name="approveClaim")
        self.reject_button = button("Reject…", danger=True, name="rejectClaim")
        self.settle_button = button("Record payment", primary=True, name="settleClaim")
        for widget in (self.approve_button, self.reject_button, self.settle_button):
            widget.setVisible(capabilities.may("billing_claims", "decide"))
        for widget in (
            self.issue_button,
            self.pay_button,
            self.pdf_button,
            self.receipt_button,
            self.refund_button,
            self.void_button,
        ):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.lines_model = InvoiceLinesModel(parent=self)
        self.lines = DataTable()
        self.lines.setModel(self.lines_model)
        for column, width in {0: 140, 2: 50, 3: 100, 4: 90, 5: 80, 6: 100}.items():
            self.lines.setColumnWidth(column, width)
        self.lines.stretch_column(InvoiceLinesModel.DESCRIPTION)
        self.payments_model = PaymentsModel(parent=self)
        self.payments = DataTable()
        self.payments.setModel(self.payments_model)
        for column, width in {0: 140, 1: 140, 2: 120, 3: 100, 4: 90}.items():
            self.payments.setColumnWidth(column, width)
        self.claims_model = ClaimsModel(parent=self)
        self.claims = DataTable()
        self.claims.setModel(self.claims_model)
        self.claims.stretch_column(ClaimsModel.PAYER)
        claims_tab = QFrame()
        claims_layout = QVBoxLayout(claims_tab)
        claims_layout.setContentsMargins(0, 6, 0, 0)
        claim_actions = QHBoxLayout()
        for widget in (
            self.claim_button,
            self.approve_button,
            self.reject_button,
            self.settle_button,
        ):
            claim_actions.addWidget(widget)
        claim_actions.addStretch(1)
        claims_layout.addLayout(claim_actions)
        claims_layout.addWidget(self.claims, 1)
        self.tabs.addTab(self.lines, "Lines")
        self.tabs.addTab(self.payments, "Payments")
        self.tabs.addTab(claims_tab, "Insurance claims")
        layout.addWidget(self.tabs, 1)
        self.totals = QLabel()
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.totals)
        self.payments.selectionModel().selectionChanged.connect(lambda *_: self._payment())
        self.claims.selectionModel().selectionChanged.connect(lambda *_: self._claim())
        self.invoice: Invoice | None = None
        self.show_invoice(None)

    def selected_payment(self) -> Payment | None:
        return self.payments.selected_row()

    def _payment(self) -> None:
        payment = self.selected_payment()
        if not is_busy(self.receipt_button):
            self.receipt_button.setEnabled(payment is not None)
        if not is_busy(self.refund_button):
            self.refund_button.setEnabled(payment is not None and payment.refundable > 0)

    def selected_claim(self) -> ClaimSummary | None:
        return self.claims.selected_row()

    def _claim(self) -> None:
        """Claim buttons follow the invoice and the selected claim: a new claim needs an
        issued, unpaid invoice with no open claim; a decision needs a submitted claim; the
        payer's payment an approved one."""
        invoice, claim = self.invoice, self.selected_claim()
        open_claim = invoice is not None and any(
            c.status in ("submitted", "approved", "partially_approved")
            for c in (invoice.claims or [])
        )
        states = {
            self.claim_button: invoice is not None
            and invoice.status in ("issued", "partially_paid")
            and invoice.claims is not None
            and not open_claim,
            self.approve_button: claim is not None and claim.status == "submitted",
            self.reject_button: claim is not None and claim.status == "submitted",
            self.settle_button: claim is not None
            and claim.status in ("approved", "partially_approved"),
        }
        for widget, enabled in states.items():
            if not is_busy(widget):
                widget.setEnabled(enabled)

    def show_invoice(self, invoice: Invoice | None) -> None:
        self.invoice = invoice
        status = invoice.status if invoice else ""
        states = {
            self.issue_button: status == "draft",
            self.pay_button: status in ("issued", "partially_paid"),
            self.pdf_button: invoice is not None,
            self.void_button: status in ("draft", "issued"),
        }
        for widget, enabled in states.items():
            if not is_busy(widget):
                widget.setEnabled(enabled)
        if invoice is None:
            self.heading.setText("No invoice selected")
            self.summary.setText("")
            self.totals.setText("")
            self.lines_model.set_rows([])
            self.payments_model.set_rows([])
            self.claims_model.set_rows([])
            self._payment()
            self._claim()
            return
        colour = INVOICE_COLOURS.get(invoice.status, theme.TEXT)
        self.heading.setText(
            f"{invoice.label} <span style='color:{colour}'>· {invoice.status_display}</span>"
        )
        parts = [f"<b>{invoice.patient.name}</b> · {invoice.patient.mrn}"]
        if invoice.issued_at:
            parts.append(f"issued {fmt_datetime(invoice.issued_at)}")
        if invoice.due_date:
            parts.append(f"due {invoice.due_date.isoformat()}")
        if invoice.void_reason:
            parts.append(f"void: {invoice.void_reason}")
        if invoice.notes:
            parts.append(f"“{invoice.notes}”")
        self.summary.setText(" · ".join(parts))

        def money(value: Decimal) -> str:
            return fmt_money(value, invoice.currency)

        self.totals.setText(
            f"Subtotal {money(invoice.subtotal)} · discount {money(invoice.discount_total)} · "
            f"tax {money(invoice.tax_total)} · <b>total {money(invoice.total)}</b> · paid "
            f"{money(invoice.amount_paid)} · <b style='color:"
            f"{theme.DANGER if invoice.balance > 0 else theme.SUCCESS}'>balance "
            f"{money(invoice.balance)}</b>"
        )
        if invoice.lines is not None:
            self.lines_model.set_rows(invoice.lines)
        if invoice.payments is not None:
            self.payments_model.set_rows(invoice.payments)
            self.tabs.setTabText(1, f"Payments ({len(invoice.payments)})")
        if invoice.claims is not None:
            self.claims_model.set_rows(invoice.claims)
            self.tabs.setTabText(2, f"Insurance claims ({len(invoice.claims)})")
        self._payment()
        self._claim()


class BillingPage(Page):
    title = "Billing"
    SEARCH_DELAY_MS = 350

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.model = InvoicesModel(ctx.runner, page_size=50, parent=self)
        self.dialog: QDialog | None = None
        self.current: Invoice | None = None

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.search = line_edit("Invoice number, e.g. INV-2026-000012")
        self.search.setObjectName("invoiceSearch")
        self.search.setMinimumWidth(260)
        self.status_filter = combo([("", "Any status"), *INVOICE_STATUSES.items()])
        self.status_filter.setObjectName("invoiceStatus")
        self.outstanding = QCheckBox("Outstanding only")
        self.refresh_button = button("Refresh", name="refreshInvoices")
        self.new_button = button("New invoice…", primary=True, name="newInvoice")
        for widget in (self.search, self.status_filter, self.outstanding):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        toolbar.addWidget(self.new_button)
        self.outer.addLayout(toolbar)
        self.takings = QLabel()
        self.takings.setObjectName("muted")
        self.outer.addWidget(self.takings)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.table_panel = TablePanel(self.model, empty_text="No invoice matches.")
        self.table_panel.set_column_widths(
            {0: 150, 2: 110, 3: 120, 4: 140, 5: 110, 6: 110, 7: 110}, stretch=InvoicesModel.PATIENT
        )
        self.table = self.table_panel.table
        self.details = InvoicePanel(ctx.capabilities)
        splitter.addWidget(self.table_panel)
        splitter.addWidget(self.details)
        splitter.setSizes([270, 400])
        self.outer.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.outstanding.toggled.connect(lambda _c: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.new_button.clicked.connect(lambda: self.open_new_invoice())
        self.details.issue_button.clicked.connect(self.issue)
        self.details.pay_button.clicked.connect(self.open_payment)
        self.details.void_button.clicked.connect(self.open_void)
        self.details.refund_button.clicked.connect(self.open_refund)
        self.details.claim_button.clicked.connect(self.open_claim)
        self.details.approve_button.clicked.connect(lambda: self.open_decision(approve=True))
        self.details.reject_button.clicked.connect(lambda: self.open_decision(approve=False))
        self.details.settle_button.clicked.connect(self.settle_claim)
        self.details.pdf_button.clicked.connect(lambda: self.choose_pdf("invoice"))
        self.details.receipt_button.clicked.connect(lambda: self.choose_pdf("receipt"))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.load_failed.connect(self._load_failed)
        self.model.rows_loaded.connect(self._reselect)
        self._select_after_load: str | None = None
        self._loaded = False

    # --- the list -------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        return {
            "number": self.search.text().strip() or None,
            "status": self.status_filter.currentData() or None,
            "outstanding": self.outstanding.isChecked(),
        }

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = self.filters()
        billing = self.ctx.api.billing
        self.model.fetch = lambda page, size: billing.invoices(page=page, page_size=size, **filters)
        self.model.reload()
        self.run(billing.daily_cash, on_done=self._takings, on_error=lambda _e: None)

    def _takings(self, report: dict[str, Any]) -> None:
        currency = report.get("currency") or ""
        net = Decimal(str(report.get("total_net") or "0"))
        whose = "Your takings" if self.ctx.role == roles.RECEPTIONIST else "Takings"
        self.takings.setText(f"{whose} today: {fmt_money(net, currency)}")

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        invoice: Invoice | None = self.table.selected_row()
        self.current = invoice
        self.details.show_invoice(invoice)
        if invoice is not None:
            self.load_detail(invoice.id)

    def load_detail(self, invoice_id: str) -> None:
        billing = self.ctx.api.billing
        self.run(
            lambda: billing.invoice(invoice_id), on_done=self._detail, on_error=self.show_error
        )

    def _detail(self, invoice: Invoice) -> None:
        if self.current is not None and self.current.id == invoice.id:
            self.current = invoice
            self.details.show_invoice(invoice)

    def select_invoice(self, invoice_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == invoice_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _reselect(self) -> None:
        if self._select_after_load and self.select_invoice(self._select_after_load):
            self._select_after_load = None

    def show_invoice(self, invoice: Invoice) -> None:
        """Select one invoice whatever the filters (after making or changing it)."""
        self._select_after_load = invoice.id
        for widget in (self.search, self.status_filter, self.outstanding):
            widget.blockSignals(True)
        self.search.setText(invoice.number)
        self.status_filter.setCurrentIndex(0)
        self.outstanding.setChecked(False)
        for widget in (self.search, self.status_filter, self.outstanding):
            widget.blockSignals(False)
        self.reload()

    # --- actions --------------------------------------------------------------------------

    def open_new_invoice(self, patient: Patient | None = None) -> NewInvoiceDialog:
        dialog = NewInvoiceDialog(self, patient)
        self._open(dialog, self._created)
        return dialog

    def _created(self, invoice: Invoice) -> None:
        total = fmt_money(invoice.total, invoice.currency)
        self.show_success(
            f"Draft invoice for {invoice.patient.name}: {total}. Issue it to number it and "
            "take payment."
        )
        self.show_invoice(invoice)

    def issue(self) -> None:
        invoice = self.current
        if invoice is None:
            return
        billing = self.ctx.api.billing
        self.banner.hide()
        self.run(
            lambda: billing.issue(invoice.id),
            on_done=self._issued,
            on_error=self.show_error,
            busy=[self.details.issue_button],
        )

    def _issued(self, invoice: Invoice) -> None:
        self.show_success(
            f"Invoice {invoice.number} issued to {invoice.patient.name}: "
            f"{fmt_money(invoice.total, invoice.currency)} due."
        )
        self.show_invoice(invoice)

    def open_payment(self) -> PaymentDialog | None:
        if self.current is None or not self.details.pay_button.isEnabled():
            return None
        dialog = PaymentDialog(self, self.current)
        self._open(dialog, self._paid)
        return dialog

    def _paid(self, payment: Payment) -> None:
        self.show_success(
            f"Payment of {fmt_money(payment.amount, payment.currency)} "
            f"({payment.method_display.lower()}) taken: receipt {payment.receipt_number}."
        )
        if self.current is not None:
            self._select_after_load = self.current.id
        self.reload()

    def open_refund(self) -> RefundDialog | None:
        payment = self.details.selected_payment()
        if payment is None or not self.details.refund_button.isEnabled():
            return None
        dialog = RefundDialog(self, payment)
        self._open(dialog, self._refunded)
        return dialog

    def _refunded(self, refund: Refund) -> None:
        currency = self.current.currency if self.current is not None else ""
        self.show_success(
            f"Refunded {fmt_money(refund.amount, currency)} from receipt {refund.receipt_number}."
        )
        if self.current is not None:
            self._select_after_load = self.current.id
        self.reload()

    def open_claim(self) -> ClaimDialog | None:
        if self.current is None or not self.details.claim_button.isEnabled():
            return None
        dialog = ClaimDialog(self, self.current)
        self._open(dialog, lambda claim: self._claim_changed(claim, "submitted"))
        return dialog

    def open_decision(self, *, approve: bool) -> ClaimDecisionDialog | None:
        claim = self.details.selected_claim()
        button = self.details.approve_button if approve else self.details.reject_button
        if self.current is None or claim is None or not button.isEnabled():
            return None
        dialog = ClaimDecisionDialog(self, claim, self.current.currency, approve=approve)
        self._open(dialog, lambda claim: self._claim_changed(claim, claim.status_display.lower()))
        return dialog

    def settle_claim(self) -> None:
        """The payer has paid what it approved: record it as an insurance payment."""
        claim = self.details.selected_claim()
        if claim is None or not self.details.settle_button.isEnabled():
            return
        billing = self.ctx.api.billing
        self.run(
            lambda: billing.settle_claim(claim.id),
            on_done=lambda settled: self._claim_changed(settled, "paid"),
            on_error=self.show_error,
            busy=[self.details.settle_button],
        )

    def _claim_changed(self, claim: ClaimSummary, what: str) -> None:
        currency = self.current.currency if self.current is not None else ""
        self.show_success(
            f"{claim.payer} claim {what}: claimed {fmt_money(claim.claimed_amount, currency)}, "
            f"approved {fmt_money(claim.approved_amount, currency)}."
        )
        if self.current is not None:
            self._select_after_load = self.current.id
        self.reload()

    def open_void(self) -> VoidInvoiceDialog | None:
        if self.current is None:
            return None
        dialog = VoidInvoiceDialog(self, self.current)
        self._open(dialog, lambda invoice: self._changed(invoice, "voided"))
        return dialog

    def _changed(self, invoice: Invoice, what: str) -> None:
        self.show_success(f"Invoice {invoice.label} {what}.")
        self.show_invoice(invoice)

    # --- PDFs -----------------------------------------------------------------------------

    def choose_pdf(self, kind: str) -> None:
        name = self._pdf_name(kind)
        if name is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, "Save PDF", name, "PDF (*.pdf)")
        if path:
            self.save_pdf(kind, Path(path))

    def _pdf_name(self, kind: str) -> str | None:
        if kind == "receipt":
            payment = self.details.selected_payment()
            return f"{payment.receipt_number}.pdf" if payment else None
        return f"{self.current.label}.pdf" if self.current else None

    def save_pdf(self, kind: str, path: Path) -> None:
        billing = self.ctx.api.billing
        if kind == "receipt":
            payment = self.details.selected_payment()
            if payment is None:
                return
            fetch, widget = (lambda: billing.receipt_pdf(payment.id)), self.details.receipt_button
        else:
            if self.current is None:
                return
            invoice_id = self.current.id
            fetch, widget = (lambda: billing.invoice_pdf(invoice_id)), self.details.pdf_button
        self.run(
            fetch,
            on_done=lambda data: self._pdf_saved(path, data),
            on_error=self.show_error,
            busy=[widget],
        )

    def _pdf_saved(self, path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            self.banner.show_message(f"Could not save {path}: {exc}", kind="error")
            return
        self.last_pdf = path
        self.show_success(f"Saved {path.name} ({len(data) // 1024 + 1} KB) in {path.parent}.")
