"""Dashboard PDFs: the view renders whatever the dashboard selector returns, for the roles the
table allows, and audits the file."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from rest_framework.test import APIRequestFactory, force_authenticate

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.reporting import selectors
from hms.reporting.export_apis import DoctorDashboardPdfApi, ManagementDashboardPdfApi
from hms.reporting.registry import Chart, Column, Figure, ReportResult, Section, Series

pytestmark = pytest.mark.django_db


def dashboard(user, params) -> ReportResult:
    filters = selectors.report_filters_parse(params)
    return ReportResult(
        slug="management-dashboard",
        title="Management dashboard",
        filters=filters,
        as_of=datetime(2027, 3, 10, 1, 0, tzinfo=UTC),
        figures=[
            Figure("occupancy", "Bed occupancy", D("82.5"), "%"),
            Figure("revenue", "Net collected", D("12500.00"), "USD"),
            Figure("visits", "Outpatient visits", 341),
        ],
        sections=[
            Section(
                id="visits",
                title="Visits per department",
                columns=(Column("department", "Department", "text"), Column("visits", "Visits")),
                rows=[
                    {"department": "Medicine", "visits": 200},
                    {"department": "Surgery", "visits": 141},
                ],
                chart=Chart(
                    "bar",
                    "Outpatient visits by department",
                    "department",
                    (Series("visits", "Visits"),),
                    "Visits (patients)",
                ),
            ),
            Section(
                id="per_day",
                title="Admissions per day",
                columns=(
                    Column("day", "Day", "date"),
                    Column("admissions", "Admissions"),
                    Column("discharges", "Discharges"),
                ),
                rows=[
                    {"day": date(2027, 3, 8), "admissions": 4, "discharges": 2},
                    {"day": date(2027, 3, 9), "admissions": 6, "discharges": 5},
                ],
                chart=Chart(
                    "line",
                    "Admissions and discharges",
                    "day",
                    (Series("admissions", "Admissions"), Series("discharges", "Discharges")),
                    "Patients per day",
                ),
            ),
        ],
    )


def get(view, user, **params):
    request = APIRequestFactory().get("/", params)
    force_authenticate(request, user=user)
    return view.as_view()(request)


def test_management_dashboard_pdf(monkeypatch, make_user):
    monkeypatch.setattr(selectors, "management_dashboard", dashboard, raising=False)
    accountant = make_user(Role.ACCOUNTANT)
    response = get(
        ManagementDashboardPdfApi, accountant, date_from="2027-03-08", date_to="2027-03-09"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="management-dashboard_2027-03-08_2027-03-09.pdf"'
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Management dashboard",
        "From: 2027-03-08 | To: 2027-03-09",
        "Bed occupancy",
        "82.5",
        "12500.00",
        "Outpatient visits by department",  # chart titles
        "Admissions and discharges",
        "Visits (patients)",  # value axis titles
        "Patients per day",
        "Department",  # category axis title
        "Surgery",  # table rows
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action="export", resource_type="report")
    assert event.object_id == "management-dashboard" and event.detail["format"] == "pdf"


def test_dashboard_pdfs_refuse_other_roles(monkeypatch, make_user):
    monkeypatch.setattr(selectors, "management_dashboard", dashboard, raising=False)
    monkeypatch.setattr(selectors, "doctor_dashboard", dashboard, raising=False)
    assert get(ManagementDashboardPdfApi, make_user(Role.DOCTOR)).status_code == 403
    assert get(ManagementDashboardPdfApi, make_user(Role.NURSE)).status_code == 403
    assert get(DoctorDashboardPdfApi, make_user(Role.ACCOUNTANT)).status_code == 403
    assert get(DoctorDashboardPdfApi, make_user(Role.DOCTOR)).status_code == 200
    bad = get(
        ManagementDashboardPdfApi,
        make_user(Role.ADMIN),
        date_from="2027-03-09",
        date_to="2027-03-01",
    )
    assert bad.status_code == 400
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_the_real_dashboards_print(client_for, make_user):
    management = client_for(Role.ACCOUNTANT).get(
        "/api/reports/dashboards/management/pdf/",
        {"date_from": "2027-03-01", "date_to": "2027-03-07"},
    )
    assert management.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(management.content)).pages)
    assert "Management dashboard" in text and "From: 2027-03-01 | To: 2027-03-07" in text
    doctor = client_for(Role.DOCTOR).get("/api/reports/dashboards/doctor/pdf/")
    assert doctor.status_code == 200 and doctor["Content-Type"] == "application/pdf"
    assert client_for(Role.NURSE).get("/api/reports/dashboards/doctor/pdf/").status_code == 403
    assert AuditEvent.objects.filter(action="export", detail__format="pdf").count() == 2
