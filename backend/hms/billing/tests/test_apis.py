"""The billing API: personas (may / may not / another patient), PDFs, query counts."""

from datetime import UTC, date, datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from hms.billing import services
from hms.billing.models import Invoice, InvoiceStatus
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import InsurancePolicyFactory, PatientFactory

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


@pytest.fixture
def desk(client_for, receptionist):
    return client_for(Role.RECEPTIONIST, user=receptionist)


@pytest.fixture
def books(client_for, accountant):
    return client_for(Role.ACCOUNTANT, user=accountant)


@pytest.fixture
def me(client_for, portal_patient):
    return client_for(Role.PATIENT, user=portal_patient.user)


class TestTariffs:
    def test_accountant_sets_prices_everyone_reads_them(self, books, client_for):
        body = {
            "code": "consult-cardiology",
            "category": "consultation",
            "name": "Cardiology",
            "price": "45.00",
            "valid_from": "2027-01-01",
        }
        response = books.post("/api/billing/tariffs/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["code"] == "CONSULT-CARDIOLOGY"
        assert client_for(Role.RECEPTIONIST).post("/api/billing/tariffs/", body).status_code == 403
        listing = client_for(Role.PATIENT).get("/api/billing/tariffs/", {"valid_on": "2027-02-01"})
        assert listing.json()["count"] == 1
        assert (
            client_for(Role.PATIENT)
            .get("/api/billing/tariffs/", {"valid_on": "2026-02-01"})
            .json()["count"]
            == 0
        )

    def test_end_a_version(self, books):
        created = books.post(
            "/api/billing/tariffs/",
            {
                "code": "BED-GENERAL",
                "category": "bed_day",
                "name": "General ward bed-day",
                "price": "30.00",
                "valid_from": "2027-01-01",
            },
            format="json",
        ).json()
        ended = books.post(
            f"/api/billing/tariffs/{created['id']}/end/",
            {"valid_until": "2027-06-30"},
            format="json",
        )
        assert ended.status_code == 200 and ended.json()["valid_until"] == "2027-06-30"


class TestFlow:
    def test_desk_bills_and_takes_payment(self, desk, books, patient):
        charge = desk.post(
            "/api/billing/charges/",
            {
                "patient": str(patient.public_id),
                "reason": "Dressing of a wound",
                "description": "Dressing",
                "unit_price": "12.50",
                "quantity": "2",
            },
            format="json",
        )
        assert charge.status_code == 201, charge.json()
        created = desk.post(
            "/api/billing/invoices/", {"patient": str(patient.public_id)}, format="json"
        )
        assert created.status_code == 201, created.json()
        invoice = created.json()
        assert invoice["status"] == "draft" and invoice["total"] == "25.00"
        line = invoice["lines"][0]["id"]
        discounted = desk.post(
            f"/api/billing/invoices/{invoice['id']}/lines/{line}/discount/",
            {"discount_amount": "5.00", "reason": "Loyal patient"},
            format="json",
        )
        assert discounted.json()["total"] == "20.00"
        issued = desk.post(
            f"/api/billing/invoices/{invoice['id']}/issue/", {}, format="json"
        ).json()
        assert issued["status"] == "issued" and issued["number"].startswith("INV-")
        too_much = desk.post(
            "/api/billing/payments/",
            {"invoice": invoice["id"], "amount": "20.01", "method": "cash"},
            format="json",
        )
        assert too_much.status_code == 409 and too_much.json()["code"] == "overpayment"
        paid = desk.post(
            "/api/billing/payments/",
            {"invoice": invoice["id"], "amount": "15.00", "method": "cash"},
            format="json",
        )
        assert paid.status_code == 201 and paid.json()["receipt_number"].startswith("RCT-")
        detail = desk.get(f"/api/billing/invoices/{invoice['id']}/").json()
        assert detail["status"] == "partially_paid" and detail["balance"] == "5.00"
        # Only an accountant refunds or voids.
        refund = {"payment": paid.json()["id"], "amount": "15.00", "reason": "Changed mind"}
        assert desk.post("/api/billing/refunds/", refund, format="json").status_code == 403
        assert books.post("/api/billing/refunds/", refund, format="json").status_code == 201
        void = {"reason": "Billed by mistake"}
        assert desk.post(f"/api/billing/invoices/{invoice['id']}/void/", void).status_code == 403
        voided = books.post(f"/api/billing/invoices/{invoice['id']}/void/", void, format="json")
        assert voided.status_code == 200 and voided.json()["status"] == "void"
        assert len(voided.json()["lines"]) == 1  # kept

    def test_bad_input_is_400_not_500(self, desk, patient):
        assert (
            desk.post("/api/billing/invoices/", {"patient": "nope"}, format="json").status_code
            == 400
        )
        assert (
            desk.post(
                "/api/billing/payments/",
                {"invoice": str(patient.public_id), "amount": "-1", "method": "cash"},
                format="json",
            ).status_code
            == 400
        )
        response = desk.post(
            "/api/billing/charges/",
            {"patient": str(patient.public_id), "reason": "x y z"},
            format="json",
        )
        assert response.status_code == 400 and response.json()["code"] == "price_required"

    def test_claim_via_api(self, books, patient, issued_invoice):
        invoice = issued_invoice("200.00")
        policy = InsurancePolicyFactory(patient=patient, valid_from=date(2020, 1, 1))
        claim = books.post(
            "/api/billing/claims/",
            {
                "invoice": str(invoice.public_id),
                "policy": str(policy.public_id),
                "copay_percent": "10",
            },
            format="json",
        )
        assert claim.status_code == 201, claim.json()
        claim_id = claim.json()["id"]
        assert claim.json()["claimed_amount"] == "180.00"
        approved = books.post(
            f"/api/billing/claims/{claim_id}/approve/", {"approved_amount": "180.00"}, format="json"
        )
        assert approved.json()["status"] == "approved"
        settled = books.post(f"/api/billing/claims/{claim_id}/settle/", {}, format="json")
        assert settled.json()["status"] == "paid"
        assert books.get(f"/api/billing/invoices/{invoice.public_id}/").json()["balance"] == "20.00"


class TestPatientSeesOnlyOwn:
    def test_own_invoices_only_and_no_drafts(
        self, me, portal_patient, patient, issued_invoice, accountant, post
    ):
        own = issued_invoice("80.00", who=portal_patient)
        other = issued_invoice("99.00", who=patient)
        post(portal_patient, "5")
        services.invoice_create(actor=accountant, patient=portal_patient)  # a draft
        listing = me.get("/api/billing/invoices/").json()
        assert [row["id"] for row in listing["results"]] == [str(own.public_id)]
        assert me.get(f"/api/billing/invoices/{other.public_id}/").status_code == 404
        assert me.get(f"/api/billing/invoices/{other.public_id}/pdf/").status_code == 404
        assert me.get(f"/api/billing/invoices/{own.public_id}/").status_code == 200

    def test_patient_downloads_own_invoice_and_receipt_pdf(
        self, me, portal_patient, accountant, issued_invoice, settings
    ):
        settings.HOSPITAL_NAME = "St Luke Mission Hospital"
        invoice = issued_invoice("80.00", "20.00", who=portal_patient)
        payment = services.payment_record(
            actor=accountant,
            invoice=invoice,
            amount=D("30.00"),
            method="mobile_money",
            reference="MPX42",
        )
        text = pdf_text(me.get(f"/api/billing/invoices/{invoice.public_id}/pdf/"))
        assert "St Luke Mission Hospital" in text
        assert invoice.number in text
        assert portal_patient.mrn in text and "Pat Portal" in text
        assert "Dressing" in text
        assert "100.00 USD" in text  # total
        assert "70.00 USD" in text  # balance
        assert payment.receipt_number in text
        receipt = pdf_text(me.get(f"/api/billing/payments/{payment.public_id}/receipt/"))
        assert payment.receipt_number in receipt and "30.00 USD" in receipt
        assert "Mobile money" in receipt and "MPX42" in receipt

    def test_receipt_of_another_patient_is_404(self, me, patient, accountant, issued_invoice):
        invoice = issued_invoice(who=patient)
        payment = services.payment_record(
            actor=accountant, invoice=invoice, amount=D(1), method="cash"
        )
        assert me.get(f"/api/billing/payments/{payment.public_id}/receipt/").status_code == 404
        assert me.get("/api/billing/payments/").json()["count"] == 0

    def test_other_roles_are_refused(self, client_for, issued_invoice):
        invoice = issued_invoice()
        for role in (Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.LAB_TECHNICIAN):
            client = client_for(role)
            assert client.get("/api/billing/invoices/").status_code == 403
            assert client.get(f"/api/billing/invoices/{invoice.public_id}/pdf/").status_code == 403


class TestQueryCounts:
    def _count(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 100})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    def test_invoice_list_is_flat(self, books, accountant, post):
        def add(n):
            for _ in range(n):
                patient = PatientFactory()
                post(patient, "10")
                invoice = services.invoice_create(actor=accountant, patient=patient)
                services.invoice_issue(actor=accountant, invoice=invoice)

        add(1)
        self._count(books, "/api/billing/invoices/")  # warm up the audit chain head
        one = self._count(books, "/api/billing/invoices/")
        add(49)
        # COUNT, the page (patient joined), then the page's audit event (savepoint, lock the
        # chain head, insert, update head, release).
        assert self._count(books, "/api/billing/invoices/") == one

    def test_payment_charge_claim_and_refund_lists_are_flat(self, books, accountant, post):
        def add(n):
            for _ in range(n):
                patient = PatientFactory()
                post(patient, "10")
                post(patient, "20")
                invoice = services.invoice_create(
                    actor=accountant,
                    patient=patient,
                    charge_ids=[patient.charges.order_by("id").first().public_id],
                )
                invoice = services.invoice_issue(actor=accountant, invoice=invoice)
                payment = services.payment_record(
                    actor=accountant, invoice=invoice, amount=D(4), method="cash"
                )
                services.refund_create(
                    actor=accountant, payment=payment, amount=D(1), reason="Too much"
                )
                services.claim_submit(
                    actor=accountant,
                    invoice=invoice,
                    policy=InsurancePolicyFactory(patient=patient, valid_from=date(2020, 1, 1)),
                    copay_percent=D(50),
                )

        urls = [
            "/api/billing/payments/",
            "/api/billing/charges/",
            "/api/billing/claims/",
            "/api/billing/refunds/",
            "/api/billing/tariffs/",
        ]
        add(1)
        for url in urls:
            self._count(books, url)
        ones = [self._count(books, url) for url in urls]
        add(49)
        assert [self._count(books, url) for url in urls] == ones

    def test_invoice_detail_is_flat(self, books, accountant, patient, post):
        for _ in range(3):
            post(patient, "10")
        invoice = services.invoice_issue(
            actor=accountant, invoice=services.invoice_create(actor=accountant, patient=patient)
        )
        services.payment_record(actor=accountant, invoice=invoice, amount=D(1), method="cash")
        url = f"/api/billing/invoices/{invoice.public_id}/"
        self._count(books, url)
        few = self._count(books, url)
        invoice2 = Invoice.objects.get(pk=invoice.pk)
        for _ in range(20):
            services.payment_record(actor=accountant, invoice=invoice2, amount=D(1), method="card")
        assert self._count(books, url) == few


def test_list_reads_are_audited(books, issued_invoice):
    issued_invoice()
    books.get("/api/billing/invoices/")
    event = AuditEvent.objects.filter(resource_type="billing_invoice_list").latest("id")
    assert event.detail["count"] == 1 and len(event.detail["patients"]) == 1


def test_invoice_status_filter(books, issued_invoice):
    issued_invoice()
    assert books.get("/api/billing/invoices/", {"status": InvoiceStatus.PAID}).json()["count"] == 0
    assert books.get("/api/billing/invoices/", {"outstanding": "true"}).json()["count"] == 1


def test_issued_date_filters_are_the_hospitals_calendar_days(books, issued_invoice, settings):
    """Local days (here UTC+5:30) on every database; MySQL/MariaDB without their time zone
    tables matched nothing at all with `__date` filters."""
    settings.TIME_ZONE = "Asia/Kolkata"
    with time_machine.travel(datetime(2027, 3, 1, 20, 0, tzinfo=UTC), tick=False):
        issued_invoice()  # 2 March, 01:30 in Kolkata

    def count(**filters):
        response = books.get("/api/billing/invoices/", filters)
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    assert count(issued_from="2027-03-02", issued_to="2027-03-02") == 1
    assert count(issued_to="2027-03-01") == 0
    assert count(issued_from="2027-03-03") == 0


def test_invoices_and_payments_on_the_patients_timeline(
    me, portal_patient, accountant, issued_invoice
):
    invoice = issued_invoice("80.00", who=portal_patient)
    payment = services.payment_record(
        actor=accountant, invoice=invoice, amount=D(30), method="card"
    )
    body = me.get(f"/api/patients/{portal_patient.public_id}/timeline/").json()
    entries = {(e["type"], e["id"]) for e in body["results"]}
    assert ("invoice", str(invoice.public_id)) in entries
    assert ("payment", str(payment.public_id)) in entries


def test_staff_download_a_void_invoice_pdf(books, issued_invoice):
    invoice = issued_invoice("12.00")
    services.invoice_void(actor=books.user, invoice=invoice, reason="Entered twice")
    text = pdf_text(books.get(f"/api/billing/invoices/{invoice.public_id}/pdf/"))
    assert "VOID" in text and "Entered twice" in text and invoice.number in text
