"""Results with flags and trend charts (doctor and patient), the prescription assistant's
output, the patient's invoices with their PDF, and the bed board."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.models import Sex
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy.tests.factories import DrugFactory

from ..clinic import Lab, imaging_report, issued_invoice
from .test_portal_flows import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    settings.ASSISTANT_PROVIDER = "local"
    doctor = UserFactory(
        username="drokafor", role=Role.DOCTOR, first_name="Grace", last_name="Okafor"
    )
    alice = PatientFactory(
        user=UserFactory(username="alice", role=Role.PATIENT, first_name="Alice"),
        first_name="Alice",
        last_name="Adeyemi",
        sex=Sex.FEMALE,
        date_of_birth=date(1986, 3, 14),  # fixed: "today in 1986" fails on 29 February
    )
    CareAssignmentFactory(patient=alice, doctor=doctor)
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    DrugFactory(generic_name="Amoxicillin", drug_class="penicillin", form="capsule")
    lab = Lab()
    now = timezone.now()
    for weeks, glucose, hba1c in ((12, "98", "6.1"), (8, "131", "6.8"), (4, "162", "7.4")):
        when = now - timedelta(weeks=weeks)
        lab.verified(doctor=doctor, patient=alice, code="GLU", values={"GLU": glucose}, when=when)
        lab.verified(doctor=doctor, patient=alice, code="HBA1C", values={"HBA1C": hba1c}, when=when)
    lab.verified(doctor=doctor, patient=alice, code="K", values={"K": "6.8"})
    lab.ordered(doctor=doctor, patient=alice, code="TSH")
    imaging_report(patient=alice, doctor=doctor, impression="No acute intracranial abnormality.")
    invoice = issued_invoice(patient=alice, prices=("40.00", "12.50"))
    return {"alice": alice, "doctor": doctor, "invoice": invoice}


def test_results_assistant_and_invoices(portal, shoot, world):
    page = portal
    alice = world["alice"]

    sign_in(page, "drokafor", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/")
    page.get_by_test_id("chart-actions").get_by_role("link", name="Results").click()
    results = page.get_by_test_id("lab-results")
    expect(results).to_contain_text("Critically high")
    expect(results).to_contain_text("No verified result yet.")
    expect(page.get_by_test_id("trends")).to_contain_text("Glucose")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 2")
    expect(page.get_by_test_id("imaging-orders")).to_contain_text("No acute intracranial")
    shoot(page, "workspace-results")

    page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/")
    page.get_by_test_id("chart-actions").get_by_role("link", name="Prescription assistant").click()
    page.get_by_label("Or the prescription text").fill(
        "Amoxicillin 500 mg three times a day for 7 days\nParacetamol 1 g every 6 hours as needed"
    )
    shoot(page, "workspace-assistant-form")
    page.get_by_role("button", name="Analyse").click()
    expect(page.get_by_role("heading", name="Prescription analysis")).to_be_visible()
    expect(page.get_by_test_id("analysis-warnings")).to_contain_text("Penicillin")
    expect(page.get_by_test_id("analysis-explanation")).not_to_be_empty()
    shoot(page, "workspace-assistant")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Results").click()
    expect(page.get_by_test_id("lab-results")).to_contain_text("Adeyemi, Alice")
    shoot(page, "workspace-results-mine")
    sign_out(page)

    sign_in(page, "alice", TEST_PASSWORD)
    page.get_by_role("link", name="Results").first.click()
    expect(page.get_by_test_id("lab-results")).to_contain_text("Hemoglobin A1c")
    expect(page.get_by_test_id("imaging-reports")).to_contain_text("No acute intracranial")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 2")
    shoot(page, "portal-results")

    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Invoices").click()
    invoices = page.get_by_test_id("invoices")
    expect(invoices).to_contain_text(world["invoice"].number)
    expect(invoices).to_contain_text("52.50 USD")
    shoot(page, "portal-invoices")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=re.compile(f"PDF of invoice {world['invoice'].number}")
        ).click()
    assert download.value.suggested_filename == f"{world['invoice'].number}.pdf"


def test_the_bed_board(portal, shoot):
    nurse = UserFactory(username="wardnurse", role=Role.NURSE, first_name="Nia")
    doctor = UserFactory(role=Role.DOCTOR, first_name="Grace", last_name="Okafor")
    medical = WardFactory(name="Medical ward", code="MED", type="medical", floor="2")
    icu = WardFactory(name="Intensive care", code="ICU", type="icu", floor="1")
    beds = beds_on(medical, 6) + beds_on(icu, 3)
    for bed, (first, last) in zip(
        beds[::2],
        (("Alice", "Adeyemi"), ("Bob", "Brown"), ("Carol", "Chen"), ("Dan", "Dube"), ("E", "Eze")),
        strict=True,
    ):
        inpatient_services.admission_admit(
            actor=nurse,
            patient=PatientFactory(first_name=first, last_name=last),
            bed=bed,
            attending_doctor=doctor,
            reason="Community-acquired pneumonia",
        )
    page = portal
    sign_in(page, "wardnurse", TEST_PASSWORD)
    page.get_by_role("main").get_by_role("link", name="Bed board").click()
    board = page.get_by_test_id("bed-board")
    expect(board).to_contain_text("Adeyemi, Alice")
    expect(board.get_by_test_id("bed")).to_have_count(9)
    shoot(page, "staff-beds")
    with page.expect_response(re.compile(r"/staff/beds/\?")):
        page.get_by_label("Ward type").select_option("icu")
    expect(board).not_to_contain_text("Medical ward")
