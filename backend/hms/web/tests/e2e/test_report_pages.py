"""An admin opens the reports: the catalogue, a report and the management dashboard, with its
charts drawn on their canvases, the "Chart / Table" toggle, the PDF link; a doctor opens
their own dashboard. Desktop and phone widths, nothing scrolling sideways, no request leaving
the server and no Content-Security-Policy violation (the charts are drawn by a static
script from json_script data)."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import PatientFactory

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
