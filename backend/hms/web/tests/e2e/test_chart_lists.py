"""A doctor stops a medicine and resolves a problem on the chart, each card updated in place
(htmx); the chart shows a patient-reported allergy badged."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.clinical.models import Problem, ProblemStatus
from hms.core.roles import Role
from hms.patients.models import AllergySource
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.models import PrescriptionItem
from hms.pharmacy.tests.factories import DrugFactory

from .conftest import ARTIFACTS
from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[5] / "docs" / "screenshots"


def test_doctor_stops_a_medicine_and_resolves_a_problem(portal, shoot, monday_morning):
    doctor = UserFactory(username="drobi", role=Role.DOCTOR, first_name="Ada", last_name="Obi")
    alice = PatientFactory(first_name="Alice", last_name="Adeyemi")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    AllergyFactory(
        patient=alice, substance="Peanuts", reaction="Swelling", source=AllergySource.PATIENT
    )
    medicines = (
        ("Amlodipine", "calcium channel blocker", "5 mg", 5, "od"),
        ("Metformin", "biguanide", "500 mg", 500, "bd"),
        ("Atorvastatin", "statin", "20 mg", 20, "nocte"),
    )
    for name, drug_class, strength, dose, frequency in medicines:
        pharmacy_services.prescription_create(
            actor=doctor,
            patient=alice,
            items=[
                {
                    "drug": DrugFactory(
                        generic_name=name, drug_class=drug_class, strength=strength
                    ),
                    "dose": dose,
                    "dose_unit": "mg",
                    "frequency": frequency,
                    "duration_days": 30,
                }
            ],
        )
    Problem.objects.create(
        patient=alice, code="I10", title="Essential (primary) hypertension", recorded_by=doctor
    )
    page = portal
    sign_in(page, "drobi", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/")

    medications = page.get_by_test_id("medications")
    expect(medications.get_by_test_id("medication")).to_have_count(3)
    expect(page.get_by_test_id("patient-reported").first).to_be_visible()

    amlodipine = medications.locator('[data-testid="medication"][data-drug="Amlodipine"]')
    amlodipine.get_by_test_id("stop").click()
    amlodipine.get_by_label("Why stop Amlodipine?").fill("Ankle swelling")
    with page.expect_response(re.compile(r"/medications/.+/stop/")):
        amlodipine.get_by_test_id("stop-confirm").click()
    medications = page.get_by_test_id("medications")
    expect(medications.get_by_role("status")).to_contain_text("Amlodipine stopped.")
    expect(medications.get_by_test_id("medication")).to_have_count(2)
    medications.get_by_test_id("past-medications").locator("summary").click()
    expect(medications.get_by_test_id("past-medication")).to_contain_text("Ankle swelling")
    expect(medications.get_by_test_id("past-medication")).to_contain_text("by Ada Obi")
    shoot(page, "workspace-chart-lists")  # desktop and phone widths, no sideways scrolling
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the picture in docs/
        DOCS_SCREENSHOT.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            ARTIFACTS / "workspace-chart-lists-desktop.png",
            DOCS_SCREENSHOT / "chart-medications.png",
        )

    problem = page.locator('[data-testid="problem"][data-code="I10"]')
    problem.get_by_test_id("resolve").click()
    with page.expect_response(re.compile(r"/problems/.+/resolve/")):
        problem.get_by_test_id("resolve-confirm").click()
    expect(page.locator("#chart-problems").get_by_role("status")).to_contain_text("resolved")
    expect(page.get_by_test_id("problem")).to_have_count(0)
    expect(page.get_by_test_id("resolved-problem")).to_have_count(1)

    assert PrescriptionItem.objects.filter(stopped_at__isnull=False).count() == 1
    assert Problem.objects.get().status == ProblemStatus.RESOLVED
