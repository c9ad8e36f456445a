"""The patient's results, prescriptions and invoices: their own only, as the laboratory,
radiology, pharmacy and billing modules release them.

Personas: Alice (patient), Bob (another patient), Dr Okafor (Alice's doctor), and staff roles
that the patient portal is not for.
"""

import uuid
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.models import Sex
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.tests.factories import DrugFactory
from hms.web.tests.conftest import page_queries, signed_in_client

from .clinic import Lab, imaging_report, issued_invoice

pytestmark = pytest.mark.django_db

PAGES = ["/portal/results/", "/portal/prescriptions/", "/portal/invoices/"]


@pytest.fixture
def world(make_user):
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"),
        first_name="Alice",
        last_name="Adeyemi",
        sex=Sex.FEMALE,
        date_of_birth=datetime(1986, 6, 15).date(),
    )
    bob = PatientFactory(
        user=make_user(Role.PATIENT, username="bob"),
        first_name="Bob",
        last_name="Brown",
        sex=Sex.MALE,
        date_of_birth=datetime(1970, 1, 2).date(),
    )
    doctor = make_user(Role.DOCTOR, first_name="Grace", last_name="Okafor")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    CareAssignmentFactory(patient=bob, doctor=doctor)
    return {"alice": alice, "bob": bob, "doctor": doctor}


def prescribe(doctor, patient, name: str):
    drug = DrugFactory(generic_name=name)
    return pharmacy_services.prescription_create(
        actor=doctor,
        patient=patient,
        items=[
            {
                "drug": drug,
                "dose": 500,
                "frequency": "bd",
                "duration_days": 7,
                "instructions": "With water",
            }
        ],
    )


@pytest.mark.parametrize("url", PAGES)
def test_portal_record_pages_are_for_patients(world, make_user, url):
    assert signed_in_client(world["alice"].user).get(url).status_code == 200
    for role in (Role.DOCTOR, Role.ACCOUNTANT, Role.PHARMACIST, Role.LAB_TECHNICIAN):
        assert signed_in_client(make_user(role)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("url", PAGES)
def test_portal_record_pages_explain_a_missing_chart(make_user, url):
    response = signed_in_client(make_user(Role.PATIENT)).get(url)
    assert response.status_code == 200
    assert b"not linked to a medical record yet" in response.content


# --- results ------------------------------------------------------------------------------------


def test_results_show_own_verified_results_flags_trend_and_final_reports(world):
    alice, bob, doctor = world["alice"], world["bob"], world["doctor"]
    lab = Lab()
    for day, value in ((1, "5.4"), (20, "7.9")):
        lab.verified(
            doctor=doctor,
            patient=alice,
            code="HBA1C",
            values={"HBA1C": value},
            when=datetime(2027, 1, day, 9, tzinfo=UTC),
        )
    lab.ordered(doctor=doctor, patient=alice, code="TSH")
    lab.verified(doctor=doctor, patient=bob, code="GLU", values={"GLU": "250"})
    imaging_report(patient=alice, doctor=doctor, impression="Alice: normal CT head.")
    imaging_report(patient=alice, doctor=doctor, impression="Alice: draft", final=False)
    imaging_report(patient=bob, doctor=doctor, impression="Bob: fracture.")

    response = signed_in_client(alice.user).get("/portal/results/")
    html = response.content.decode()
    assert "Hemoglobin A1c" in html and "7.9" in html and ">High<" in html
    assert "hms-result-abnormal" in html
    assert "Thyrotropin (TSH)" in html and "No verified result yet." in html
    (trend,) = response.context["trends"]
    assert trend["chart"]["series"][0]["data"] == [5.4, 7.9]
    assert trend["chart"]["series"][1]["dash"] is True
    assert "chart.umd.min.js" in html
    assert "Alice: normal CT head." in html
    assert "Alice: draft" not in html
    assert "Glucose" not in html and "Bob" not in html
    reads = AuditEvent.objects.filter(actor=alice.user, patient_id=str(alice.public_id))
    assert "orders" in set(reads.values_list("resource_type", flat=True))


def test_results_query_count_does_not_grow(world):
    alice, doctor = world["alice"], world["doctor"]
    lab = Lab()
    lab.verified(doctor=doctor, patient=alice, code="GLU", values={"GLU": "90"})
    imaging_report(patient=alice, doctor=doctor, impression="Normal.")
    client = signed_in_client(alice.user)
    client.get("/portal/results/")

    def count() -> int:
        return page_queries(client, "/portal/results/")

    # session, user, own chart id, orders section opened (audit) x2, lab orders with their
    # test components and results, radiology chart read (audit), final reports
    before = count()
    for code, values in (("GLU", {"GLU": "150"}), ("NA", {"NA": "139"}), ("K", {"K": "4"})):
        lab.verified(doctor=doctor, patient=alice, code=code, values=values)
    imaging_report(patient=alice, doctor=doctor, impression="Still normal.")
    assert count() == before


# --- prescriptions ------------------------------------------------------------------------------


def test_prescriptions_show_own_medicines_only(world):
    prescribe(world["doctor"], world["alice"], "Amlodipine")
    prescribe(world["doctor"], world["bob"], "Metformin")
    response = signed_in_client(world["alice"].user).get("/portal/prescriptions/")
    html = response.content.decode()
    assert "Amlodipine 500 mg tablet" in html
    assert "500 mg by mouth, twice a day for 7 days · With water" in html
    assert "Dr Grace Okafor" in html
    assert "Supply: 14 tablets" in html
    assert "Metformin" not in html


def test_prescriptions_query_count_does_not_grow(world):
    prescribe(world["doctor"], world["alice"], "Amlodipine")
    client = signed_in_client(world["alice"].user)
    client.get("/portal/prescriptions/")

    def count() -> int:
        return page_queries(client, "/portal/prescriptions/")

    before = count()
    for name in ("Atorvastatin", "Omeprazole", "Salbutamol"):
        prescribe(world["doctor"], world["alice"], name)
    assert count() == before


# --- invoices -----------------------------------------------------------------------------------


def test_invoices_list_own_issued_invoices_with_balance(world):
    mine = issued_invoice(patient=world["alice"], prices=("100.00", "50.00"))
    issued_invoice(patient=world["alice"], prices=("9.00",), draft=True)  # not a bill yet
    theirs = issued_invoice(patient=world["bob"], prices=("70.00",))
    html = signed_in_client(world["alice"].user).get("/portal/invoices/").content.decode()
    assert mine.number in html
    assert "150.00 USD" in html
    assert f'href="/portal/invoices/{mine.public_id}/pdf/"' in html
    assert "9.00" not in html
    assert theirs.number not in html


def test_invoice_pdf_is_the_patients_own_only(world):
    mine = issued_invoice(patient=world["alice"])
    theirs = issued_invoice(patient=world["bob"])
    alice = signed_in_client(world["alice"].user)
    response = alice.get(f"/portal/invoices/{mine.public_id}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{mine.number}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert mine.number in text
    assert alice.get(f"/portal/invoices/{theirs.public_id}/pdf/").status_code == 404
    assert alice.get(f"/portal/invoices/{uuid.uuid4()}/pdf/").status_code == 404
    for staff in (world["doctor"], UserFactory(role=Role.ACCOUNTANT)):
        response = signed_in_client(staff).get(f"/portal/invoices/{mine.public_id}/pdf/")
        assert response.status_code == 403  # the billing desk prints from the desktop client


def test_invoices_query_count_does_not_grow(world):
    issued_invoice(patient=world["alice"])
    client = signed_in_client(world["alice"].user)
    client.get("/portal/invoices/")

    def count() -> int:
        return page_queries(client, "/portal/invoices/")

    before = count()
    for _ in range(4):
        issued_invoice(patient=world["alice"], prices=("12.00",))
    assert count() == before
