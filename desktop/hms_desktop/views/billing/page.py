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

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
)

from hms_desktop import roles, theme
from hms_desktop.api.dto import (
    INVOICE_STATUSES,
    Capabilities,
    ClaimSummary,
    DailyCash,
    Invoice,
    Patient,
    Payment,
    Refund,
)
from hms_desktop.formatting import fmt_datetime, fmt_money
from hms_desktop.models.billing import (
    INVOICE_COLOURS,
    ClaimsModel,
    InvoiceLinesModel,
    InvoicesModel,
    PaymentsModel,
)
from hms_desktop.views.billing.dialogs import (
    ClaimDecisionDialog,
    ClaimDialog,
    NewInvoiceDialog,
    PaymentDialog,
    RefundDialog,
    VoidInvoiceDialog,
)
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy


class InvoicePanel(DetailPanel):
    def __init__(self, capabilities: Capabilities, parent=None) -> None:
        super().__init__("No invoice selected", parent=parent)
        self.heading.setWordWrap(False)
        layout = self.body
        self.issue_button = button("Issue", primary=True, name="issueInvoice")
        self.pay_button = button("Take payment…", primary=True, name="takePayment")
        self.pdf_button = button("Invoice PDF…", name="invoicePdf")
        self.receipt_button = button("Receipt PDF…", name="receiptPdf")
        self.refund_button = button("Refund…", danger=True, name="refundPayment")
        self.void_button = button("Void…", danger=True, name="voidInvoice")
        self.claim_button = button("Claim insurance…", name="claimInsurance")
        self.approve_button = button("Approve…", name="approveClaim")
        self.reject_button = button("Reject…", danger=True, name="rejectClaim")
        self.settle_button = button("Record payment", primary=True, name="settleClaim")
        may_decide = capabilities.may("billing_claims", "decide")
        self.allow(
            {
                self.refund_button: capabilities.may("billing_refunds", "create"),
                self.void_button: capabilities.may("billing_invoices", "void"),
                self.claim_button: capabilities.may("billing_claims", "create"),
                self.approve_button: may_decide,
                self.reject_button: may_decide,
                self.settle_button: may_decide,
            }
        )
        self.add_heading(
            self.issue_button,
            self.pay_button,
            self.pdf_button,
            self.receipt_button,
            self.refund_button,
            self.void_button,
        )
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


class BillingPage(ListPage):
    title = "Billing"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            InvoicesModel(ctx.runner, page_size=50),
            lambda api: api.billing.invoices,
            search="Invoice number, e.g. INV-2026-000012",
            search_name="invoiceSearch",
            refresh_name="refreshInvoices",
            empty_text="No invoice matches.",
            search_width=260,
            parent=parent,
        )
        self.status_filter = combo([("", "Any status"), *INVOICE_STATUSES.items()])
        self.status_filter.setObjectName("invoiceStatus")
        self.outstanding = QCheckBox("Outstanding only")
        self.add_filters(self.status_filter, self.outstanding)
        self.new_button = button("New invoice…", primary=True, name="newInvoice")
        self.add_actions(self.new_button)
        self.takings = QLabel()
        self.takings.setObjectName("muted")
        self.outer.addWidget(self.takings)
        self.set_details(
            InvoicePanel(ctx.capabilities),
            column_widths={0: 150, 2: 110, 3: 120, 4: 140, 5: 110, 6: 110, 7: 110},
            stretch=InvoicesModel.PATIENT,
        )

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
        self.bind_shortcuts(new=self.new_button, print=self.details.pdf_button)

    # --- the list -------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        return {
            "number": self.search.text().strip() or None,
            "status": self.status_filter.currentData() or None,
            "outstanding": self.outstanding.isChecked(),
        }

    def reloaded(self) -> None:
        self.run(self.ctx.api.billing.daily_cash, on_done=self._takings, on_error=lambda _e: None)

    def _takings(self, report: DailyCash) -> None:
        whose = "Your takings" if self.ctx.role == roles.RECEPTIONIST else "Takings"
        self.takings.setText(f"{whose} today: {fmt_money(report.total_net, report.currency)}")

    def row_selected(self, invoice: Invoice | None, _previous: Invoice | None) -> None:
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

    def show_invoice(self, invoice: Invoice) -> None:
        """Select one invoice whatever the filters (after making or changing it)."""
        self.find(invoice.id, invoice.number)

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
        self.reload_keeping_selection()

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
        self.reload_keeping_selection()

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
        self.reload_keeping_selection()

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
        name, fetch, widget = self._pdf_source(kind)
        if fetch is not None:
            self.choose_and_save_pdf(fetch, name, busy=[widget])

    def _pdf_source(self, kind: str):
        """(file name, fetch, button) of the invoice's or the selected payment's PDF."""
        billing = self.ctx.api.billing
        if kind == "receipt":
            payment = self.details.selected_payment()
            if payment is None:
                return "", None, None
            return (
                f"{payment.receipt_number}.pdf",
                lambda: billing.receipt_pdf(payment.id),
                self.details.receipt_button,
            )
        if self.current is None:
            return "", None, None
        invoice_id = self.current.id
        return (
            f"{self.current.label}.pdf",
            lambda: billing.invoice_pdf(invoice_id),
            self.details.pdf_button,
        )

    def save_pdf(self, kind: str, path: Path) -> None:
        _name, fetch, widget = self._pdf_source(kind)
        if fetch is not None:
            self.save_pdf_to(fetch, path, busy=[widget])
