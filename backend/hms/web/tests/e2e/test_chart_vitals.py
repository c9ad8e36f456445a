"""A doctor opens an inpatient's chart: the admission banner with the latest NEWS2, a chart per
vital sign, a critical potassium badged on the timeline; from the results, the potassium's
trend; and the queue of tomorrow from the day switcher."""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.clinic import Lab

from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[5] / "docs" / "screenshots"

# (hours before now, temperature, pulse, respiratory rate, SpO2, systolic)
OBSERVATIONS = (
    (30, "37.9", 112, 22, 94, 104),
    (22, "37.6", 104, 20, 95, 112),
    (14, "37.3", 96, 18, 96, 118),
    (6, "37.1", 90, 17, 97, 122),
    (1, "37.0", 84, 16, 97, 126),
)


def test_the_chart_of_an_inpatient(monday_morning, portal, shoot):
    now = monday_morning
    doctor = DoctorProfileFactory(
        user__username="drokafor", user__first_name="Grace", user__last_name="Okafor"
    ).user
    patient = PatientFactory(first_name="Amina", last_name="Yusuf")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    ward = WardFactory(name="Medical Ward A", code="MWA")
    (bed,) = beds_on(ward, 1)
    admission = inpatient_services.admission_admit(
        actor=UserFactory(role=Role.RECEPTIONIST),
        patient=patient,
        bed=bed,
        attending_doctor=doctor,
        reason="Community-acquired pneumonia",
        admitted_at=now - timedelta(days=2, hours=-10),  # Saturday evening: today is day 3
    )
    nurse = UserFactory(role=Role.NURSE)
    for hours, temperature, pulse, rr, spo2, systolic in OBSERVATIONS:
        inpatient_services.observation_record(
            actor=nurse,
            admission=admission,
            respiratory_rate=rr,
            spo2=spo2,
            on_oxygen=False,
            systolic_bp=systolic,
            diastolic_bp=70,
            pulse=pulse,
            consciousness="A",
            temperature_c=Decimal(temperature),
            measured_at=now - timedelta(hours=hours),
        )
    lab = Lab()
    for days, value in ((2, "4.6"), (1, "6.8"), (0, "5.3")):
        lab.verified(
            doctor=doctor,
            patient=patient,
            code="K",
            values={"K": value},
            when=now - timedelta(days=days, minutes=30),
        )

    page = portal
    sign_in(page, "drokafor", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{patient.public_id}/")
    banner = page.get_by_test_id("admission-banner")
    expect(banner).to_contain_text("Medical Ward A")
    expect(banner).to_contain_text("day 3")
    expect(banner.get_by_test_id("admission-news2")).to_contain_text("NEWS2 0")
    charts = page.get_by_test_id("vital-charts")
    expect(charts.locator("svg")).to_have_count(5)
    expect(page.get_by_test_id("svg-chart-vitals-temperature")).to_have_attribute(
        "data-y-min", "36.5"
    )
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("critical-badge")).to_have_count(1)
    expect(timeline.get_by_test_id("critical-badge")).to_have_text("Critically high")
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the picture in docs/ on request
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "chart-vitals.png"), full_page=True)
    shoot(page, "workspace-chart-vitals")

    page.get_by_test_id("chart-actions").get_by_role("link", name="Results").click()
    page.get_by_test_id("analyte-trend-link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Potassium over time")
    expect(page.get_by_test_id("svg-critical-point")).to_have_count(1)
    expect(page.get_by_test_id("analyte-results").get_by_test_id("critical-badge")).to_have_count(1)
    shoot(page, "workspace-analyte-trend")

    page.goto(f"{page.base_url}/workspace/queue/")
    page.get_by_test_id("day-tomorrow").click()
    expect(page).to_have_url(re.compile(r"/workspace/queue/\?date=2027-03-02$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    expect(page.get_by_text("No appointments on this day.")).to_be_visible()
    page.get_by_test_id("day-picker").fill("2027-03-05")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"date=2027-03-05"))
    page.get_by_test_id("day-today").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's queue")
    shoot(page, "workspace-queue-days")
