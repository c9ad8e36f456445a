"""Printing a results page from the browser: the printed pages carry the patient's name, MRN
and date of birth, and none of the navigation or buttons."""

from datetime import date
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role
from hms.patients.models import Sex
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

from ..clinic import Lab
from .conftest import ARTIFACTS
from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice():
    doctor = UserFactory(username="drokafor", role=Role.DOCTOR, first_name="Grace")
    alice = PatientFactory(
        user=UserFactory(username="alice", role=Role.PATIENT, first_name="Alice"),
        first_name="Alice",
        last_name="Adeyemi",
        sex=Sex.FEMALE,
        date_of_birth=date(1986, 3, 14),
    )
    CareAssignmentFactory(patient=alice, doctor=doctor)
    lab = Lab()
    for code, value in (("GLU", "98"), ("K", "4.1"), ("NA", "139"), ("HBA1C", "6.1")):
        for _ in range(4):  # enough cards for more than one printed page
            lab.verified(doctor=doctor, patient=alice, code=code, values={code: value})
    return alice


def test_printed_results_carry_the_patient_and_no_navigation(portal, alice):
    page = portal
    sign_in(page, "alice", TEST_PASSWORD)
    page.goto(f"{page.base_url}/portal/results/")
    expect(page.get_by_test_id("print-lab-report").first).to_be_visible()
    expect(page.get_by_test_id("print-identity")).to_be_hidden()  # on screen: not shown

    page.emulate_media(media="print")
    expect(page.locator(".hms-navbar")).to_be_hidden()
    expect(page.locator(".hms-footer")).to_be_hidden()
    expect(page.get_by_test_id("print-lab-report").first).to_be_hidden()
    identity = page.get_by_test_id("print-identity")
    expect(identity).to_be_visible()
    expect(identity).to_contain_text("Alice Adeyemi")
    expect(identity).to_contain_text(f"MRN {alice.mrn}")
    expect(identity).to_contain_text("DOB 1986-03-14")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-print.png"), full_page=True)

    printed = PdfReader(BytesIO(page.pdf(format="A4", print_background=True))).pages
    assert len(printed) >= 2
    for number, sheet in enumerate(printed, start=1):
        text = sheet.extract_text()
        assert "Alice Adeyemi" in text and f"MRN {alice.mrn}" in text, f"page {number}"
        assert "Sign out" not in text
