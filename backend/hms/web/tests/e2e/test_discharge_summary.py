"""The attending doctor opens the discharge summary from the chart of an admitted patient,
is told what is missing when signing too early, then signs it."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.clinical import services as clinical_services
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.models import DischargeSummary
from hms.inpatient.tests.factories import WardFactory, beds_on, make_drug, prescribe
from hms.patients.tests.factories import PatientFactory

from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[5] / "docs" / "screenshots"


def test_the_doctor_signs_the_discharge_summary(portal, shoot):
    doctor = DoctorProfileFactory(
        user__username="drokafor", user__first_name="Grace", user__last_name="Okafor"
    ).user
    desk = UserFactory(role=Role.RECEPTIONIST)
    amina = PatientFactory(first_name="Amina", last_name="Yusuf")
    bed = beds_on(WardFactory(name="Medical Ward A", code="MWA"), 1)[0]
    admission = inpatient_services.admission_admit(
        actor=desk,
        patient=amina,
        bed=bed,
        attending_doctor=doctor,
        reason="Community-acquired pneumonia, IV antibiotics",
    )
    clinical_services.diagnosis_create(
        actor=doctor, encounter=admission.encounter, code="J18.9", type="confirmed"
    )
    prescribe(
        patient=amina,
        doctor=doctor,
        drug=make_drug(name="Amoxicillin", strength="500 mg"),
        duration_days=7,
    )
    page = portal
    sign_in(page, "drokafor", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{amina.public_id}/")
    page.get_by_test_id("chart-actions").get_by_role("link", name="Discharge summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge summary")
    expect(page.get_by_test_id("summary-status")).to_contain_text("Not written yet")
    page.get_by_label(re.compile(r"^J18\.9")).uncheck()
    page.get_by_test_id("sign-summary").click()
    expect(page.locator("#form-errors")).to_contain_text("The summary was not signed")
    expect(page.get_by_test_id("diagnoses-errors")).to_contain_text("at least one diagnosis")
    assert not DischargeSummary.objects.exists()

    page.get_by_label(re.compile(r"^J18\.9")).check()
    page.get_by_label("Procedures").fill("Chest X-ray\nBlood cultures")
    page.get_by_label("Course in hospital").fill(
        "Three days of IV co-amoxiclav, then oral amoxicillin. Afebrile for 48 hours."
    )
    page.get_by_label("Follow-up plan").fill("Chest clinic with a repeat chest X-ray")
    follow_up_on = timezone.localdate() + timedelta(days=42)
    page.get_by_label("Follow-up date").fill(follow_up_on.isoformat())
    page.get_by_label("Follow-up clinic").fill("Chest clinic")
    page.get_by_label("Instructions for the patient").fill(
        "Finish the antibiotics. Come back at once if breathless or feverish."
    )
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_role("alert").first).to_contain_text("Draft saved")
    expect(page.get_by_test_id("summary-status")).to_contain_text("Draft")
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the picture in docs/ on request
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "discharge-summary.png"), full_page=True)
    shoot(page, "workspace-discharge-summary")

    page.get_by_test_id("sign-summary").click()
    expect(page.get_by_role("alert").first).to_contain_text("Discharge summary signed")
    expect(page.get_by_test_id("summary-status")).to_contain_text("Signed")
    summary = DischargeSummary.objects.get()
    assert summary.status == "final" and summary.signed_by == doctor
    assert summary.follow_up_date == follow_up_on
    assert summary.medications_on_discharge[0]["drug"].startswith("Amoxicillin 500 mg")
