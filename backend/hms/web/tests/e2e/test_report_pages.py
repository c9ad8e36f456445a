"""An admin opens the reports: the catalogue, a report and the management dashboard, with its
charts drawn on their canvases, the "Chart / Table" toggle, the PDF link; a doctor opens
their own dashboard. Desktop and phone widths, nothing scrolling sideways, no request leaving
the server and no Content-Security-Policy violation (the charts are drawn by a static
script from json_script data)."""

import os
import shutil
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.appointments.services import appointment_book, appointment_cancel
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

from .conftest import ARTIFACTS
from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[5] / "docs" / "screenshots"

# A canvas Chart.js has drawn on: some pixel is not transparent.
CANVAS_HAS_INK = """canvas => {
  const { width, height } = canvas;
  if (!width || !height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}"""


def admissions(now):
    """Three admissions in the last week, on two wards."""
    nurse = UserFactory(role=Role.NURSE)
    doctor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", department="Medicine"
    ).user
    medical = WardFactory(name="Medical ward", code="MED", type="medical")
    icu = WardFactory(name="Intensive care", code="ICU", type="icu")
    beds = [*beds_on(medical, 4), *beds_on(icu, 2)]
    for bed, days_ago in ((beds[0], 5), (beds[1], 3), (beds[4], 3)):
        inpatient_services.admission_admit(
            actor=nurse,
            patient=PatientFactory(),
            bed=bed,
            attending_doctor=doctor,
            reason="Pneumonia",
            admitted_at=now - timedelta(days=days_ago),
        )
    return doctor


def expect_charts_drawn(page) -> None:
    charts = page.get_by_test_id("report-chart")
    expect(charts.first).to_be_visible()
    for index in range(charts.count()):
        chart = charts.nth(index)
        if chart.is_visible():
            page.wait_for_function(CANVAS_HAS_INK, arg=chart.element_handle())


def test_an_admin_reads_a_report_and_the_management_dashboard(portal, shoot):
    page = portal
    admissions(timezone.now())
    UserFactory(username="director", role=Role.ADMIN, first_name="Ines", last_name="Duarte")
    sign_in(page, "director", TEST_PASSWORD)

    page.goto(f"{page.base_url}/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.get_by_role("link", name="Admissions, discharges and deaths").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admissions, discharges and deaths")
    expect(page.locator('[data-key="admissions"] [data-testid="figure-value"]')).to_have_text("3")
    expect_charts_drawn(page)
    section = page.get_by_test_id("report-section").first
    table = section.get_by_test_id("report-table")
    # The table is in the page for screen readers while the chart shows; "Table" shows it.
    expect(table).to_have_class("table-responsive visually-hidden")
    expect(table.locator("caption")).to_have_count(1)
    section.get_by_role("button", name="Table").click()
    expect(table).to_be_visible()
    expect(section.get_by_test_id("report-chart")).to_be_hidden()
    expect(section.get_by_role("button", name="Table")).to_have_attribute("aria-pressed", "true")
    section.get_by_role("button", name="Chart").click()
    expect(section.get_by_test_id("report-chart")).to_be_visible()
    expect(page.get_by_test_id("export-csv")).to_have_attribute(
        "href",
        "/api/reports/inpatient-movements/export/?format=csv&date_from="
        + (timezone.localdate() - timedelta(days=29)).isoformat()
        + "&date_to="
        + timezone.localdate().isoformat(),
    )
    shoot(page, "report-inpatient-movements")
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the pictures in docs/ on request
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            ARTIFACTS / "report-inpatient-movements-desktop.png", DOCS_SCREENSHOTS / "report.png"
        )


def clinic_today(doctor):
    """Three appointments with the doctor today (one cancelled) and one with a surgeon."""
    surgeon = DoctorProfileFactory(
        user__first_name="Kofi", user__last_name="Mensah", department="Surgery"
    ).user
    desk = UserFactory(role=Role.RECEPTIONIST)
    today = timezone.localdate()
    give_schedule(doctor)
    give_schedule(surgeon)
    booked = []
    for who, slot in ((doctor, time(10, 0)), (doctor, time(10, 30)), (surgeon, time(11, 0))):
        booked.append(
            appointment_book(
                actor=desk,
                patient=PatientFactory(),
                doctor=who,
                date=today,
                slot=slot,
                reason="Check-up",
            )
        )
    appointment_cancel(actor=desk, appointment=booked[1], reason="Unwell")
    return booked


def test_the_management_dashboard_draws_its_charts(monday_morning, portal, shoot):
    page = portal
    page.emulate_media(reduced_motion="reduce")
    doctor = admissions(monday_morning)
    clinic_today(doctor)
    UserFactory(username="director", role=Role.ADMIN, first_name="Ines", last_name="Duarte")
    sign_in(page, "director", TEST_PASSWORD)

    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management dashboard")
    # 3 admissions in the last 30 days; 3 of the 6 beds occupied now = 50.0%.
    expect(page.locator('[data-key="admissions"] [data-testid="figure-value"]')).to_have_text("3")
    expect(
        page.locator('[data-key="beds_occupied_now"] [data-testid="figure-value"]')
    ).to_have_text("50.0%")
    # Admissions, occupancy, appointments (and revenue when the finance reports are in).
    expect(page.get_by_test_id("report-chart").nth(2)).to_be_visible()
    expect_charts_drawn(page)
    # prefers-reduced-motion: the charts are drawn without animation.
    animated = page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas"))
             .filter(c => window.Chart.getChart(c))
             .map(c => window.Chart.getChart(c).options.animation)"""
    )
    assert len(animated) >= 3 and set(animated) == {False}
    occupancy = page.locator('[data-section="by_ward"]')
    occupancy.get_by_role("button", name="Table").click()
    table = occupancy.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_have_text("Bed occupancy by ward")
    expect(table.get_by_role("rowheader").first).to_be_visible()
    occupancy.get_by_role("button", name="Chart").click()
    today = timezone.localdate()
    expect(page.get_by_test_id("dashboard-pdf")).to_have_attribute(
        "href",
        "/api/reports/dashboards/management/pdf/?date_from="
        + (today - timedelta(days=29)).isoformat()
        + f"&date_to={today.isoformat()}",
    )
    shoot(page, "management-dashboard")  # desktop and phone widths, no sideways scrolling
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the picture in docs/ on request
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            ARTIFACTS / "management-dashboard-desktop.png",
            DOCS_SCREENSHOTS / "management-dashboard.png",
        )

    # Narrower dates, through the form.
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_test_id("apply-filters").click()
    expect(page.locator('[data-key="admissions"] [data-testid="figure-value"]')).to_have_text("0")
    expect_charts_drawn(page)


def test_a_doctor_opens_their_dashboard_and_a_patient(monday_morning, portal, shoot):
    page = portal
    doctor = admissions(monday_morning)
    doctor.username = "drokafor"
    doctor.set_password(TEST_PASSWORD)
    doctor.save()
    booked = clinic_today(doctor)
    patient = CareAssignmentFactory(
        doctor=doctor, patient=PatientFactory(first_name="Amina", last_name="Yusuf")
    ).patient
    sign_in(page, "drokafor", TEST_PASSWORD)

    page.goto(f"{page.base_url}/workspace/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My dashboard")
    patients = page.locator('[data-section="my_patients"]')
    # In the doctor's care: Yusuf (assigned), the 10:00 patient (not the cancelled 10:30 one)
    # and the three inpatients the doctor attends.
    expect(patients.get_by_role("link")).to_have_count(5)
    expect(patients.get_by_role("link", name=booked[0].patient.display_name)).to_be_visible()
    expect_charts_drawn(page)
    shoot(page, "doctor-dashboard")
    patients.get_by_role("link", name=patient.display_name).click()
    expect(page).to_have_url(f"{page.base_url}/workspace/patients/{patient.public_id}/")
