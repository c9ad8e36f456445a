"""The management and doctor dashboards: composed numbers, who may open them, and the doctor
seeing only their own patients and results."""

from decimal import Decimal

import pytest
from django.utils import timezone

from hms.core.roles import Role
from hms.core.services import notification_create
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.reporting import registry
from hms.reporting.registry import Figure, Report, ReportResult
from hms.reporting.tests.conftest import clinic_days, hospital_week

pytestmark = pytest.mark.django_db

MANAGEMENT = "/api/reports/dashboards/management/"
DOCTOR = "/api/reports/dashboards/doctor/"
RANGE = {"date_from": "2027-03-05", "date_to": "2027-03-10"}


def clock_now():
    return timezone.now()


def figures(body: dict) -> dict:
    return {f["key"]: f["value"] for f in body["figures"]}


class TestManagement:
    def test_kpis_and_charts(self, client_for, ward, clinic, medical_beds, icu_beds):
        hospital_week(ward, medical_beds, icu_beds)
        clinic_days(clinic)
        response = client_for(Role.ACCOUNTANT).get(MANAGEMENT, RANGE)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["slug"], body["family"], body["family_display"]) == (
            "management-dashboard",
            "dashboard",
            "Dashboard",
        )
        assert body["accepted_filters"] == ["date_from", "date_to"]
        # Now: C and D on MED, E in ICU = 3 of 6 beds. Five admissions 5-10 March; five visits
        # completed, 2 no-shows of 8 expected (outpatient hand check).
        assert figures(body) == {
            "beds_occupied_now": "50.0",
            "admissions": 5,
            "completed": 5,
            "no_show_rate": "25.0",
            # The laboratory turnaround report is installed; no lab order was verified.
            "lab_turnaround_median": None,
        }
        assert [s["title"] for s in body["sections"]] == [
            "Admissions and discharges per day",
            "Bed occupancy by ward",
            "Appointments by status per department",
            # The finance reports are installed too: their chart joins the dashboard.
            "Revenue by department",
        ]
        assert [row["department"] for row in body["sections"][2]["rows"]] == [
            "Medicine",
            "Surgery",
        ]
        # No invoice was issued in this week: every revenue centre at zero.
        assert {row["invoiced"] for row in body["sections"][3]["rows"]} == {"0.00"}

    def test_lab_turnaround_and_revenue_join_once_registered(self, client_for, clock, monkeypatch):
        def turnaround(filters, user):
            return ReportResult(
                slug="diagnostic-turnaround",
                title="Turnaround",
                filters=filters,
                as_of=clock_now(),
                figures=[
                    Figure("imaging_median", "Imaging median", Decimal(90), "minutes"),
                    Figure("lab_median", "Lab median", Decimal(42), "minutes"),
                ],
            )

        # In place of the registered turnaround report: a laboratory and an imaging figure.
        monkeypatch.setitem(
            registry._REPORTS,
            "diagnostic-turnaround",
            Report(
                "diagnostic-turnaround",
                "diagnostic-turnaround",
                "diagnostics",
                "",
                ("date_from", "date_to"),
                turnaround,
            ),
        )
        body = client_for(Role.ADMIN).get(MANAGEMENT, RANGE).json()
        assert figures(body)["lab_turnaround_median"] == "42.0"  # the laboratory figure
        # Revenue comes from the registered finance report (finance-revenue).
        assert body["sections"][-1]["title"] == "Revenue by department"
        assert body["sections"][-1]["rows"][0] == {
            "department": "Outpatient consultations",
            "invoiced": "0.00",
        }

    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT])
    def test_refused_to_other_roles(self, client_for, clock, role):
        assert client_for(role).get(MANAGEMENT).status_code == 403

    def test_bad_dates_are_400(self, client_for, clock):
        response = client_for(Role.ADMIN).get(
            MANAGEMENT, {"date_from": "2027-03-10", "date_to": "2027-03-01"}
        )
        assert response.status_code == 400 and "date_to" in response.json()["fields"]


class TestDoctor:
    def test_only_the_doctors_own_patients_and_results(self, client_for, clinic, make_user):
        days = clinic_days(clinic)
        okafor, mensah = days["okafor"], days["mensah"]
        assigned = CareAssignmentFactory(doctor=okafor, patient=PatientFactory(last_name="Zed"))
        CareAssignmentFactory(doctor=mensah, patient=PatientFactory(last_name="Other"))
        notification_create(recipient=okafor, kind="lab_result_verified", title="Results: Glucose")
        read = notification_create(
            recipient=okafor, kind="radiology_report_final", title="Report: Chest X-ray"
        )
        read.read_at = read.created_at
        read.save()
        notification_create(recipient=mensah, kind="lab_result_verified", title="Not Okafor's")
        notification_create(recipient=okafor, kind="stock_low", title="Not a result")

        body = client_for(Role.DOCTOR, user=okafor).get(DOCTOR, {"date_from": "2027-03-08"}).json()

        # In Okafor's care (hms.patients.access): the patients of the 8 March appointments but
        # the cancelled one (o4), the one of the 9th, and the assigned patient.
        mine = {days[key].patient.mrn for key in ("o1", "o2", "o3", "o5")} | {assigned.patient.mrn}
        listed = next(s for s in body["sections"] if s["id"] == "my_patients")["rows"]
        assert {row["mrn"] for row in listed} <= mine
        assert figures(body)["patients"] == len(listed) == len(mine)
        # Seen most recently first; the assigned patient, never seen, last.
        assert listed[0]["mrn"] == days["o5"].patient.mrn
        assert listed[-1]["mrn"] == assigned.patient.mrn
        results = next(s for s in body["sections"] if s["id"] == "results_waiting")["rows"]
        assert [r["title"] for r in results] == ["Results: Glucose"]
        assert figures(body)["results_waiting"] == 1
        # Okafor: 1 no-show of 4 expected; Medicine: 2 of 6.
        assert figures(body)["no_show_rate"] == "25.0"
        assert figures(body)["department_no_show_rate"] == "33.3"

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT, Role.NURSE, Role.PATIENT])
    def test_refused_to_other_roles(self, client_for, clock, role):
        assert client_for(role).get(DOCTOR).status_code == 403


class TestDoctorQueryCost:
    def test_queries_do_not_grow_with_the_patients_listed(self, client_for, clock, make_user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        doctor = make_user(Role.DOCTOR)
        client = client_for(Role.DOCTOR, user=doctor)
        client.get(DOCTOR)  # the first request also looks up the doctor's profile, once
        counts = []
        for more in (1, 11):  # 1 patient, then 12 (10 listed)
            CareAssignmentFactory.create_batch(more, doctor=doctor)
            with CaptureQueriesContext(connection) as queries:
                body = client.get(DOCTOR).json()
            counts.append(len(queries))
        assert figures(body)["patients"] == 12
        assert len(next(s for s in body["sections"] if s["id"] == "my_patients")["rows"]) == 10
        assert counts[0] == counts[1]
