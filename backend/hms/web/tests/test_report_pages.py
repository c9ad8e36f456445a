"""Reports in the portal: the catalogue, a report's page (filters, figures, chart data and the
table of the same numbers, export links), bad filters, who may open them, and the audit."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.services import appointment_book, appointment_cancel
from hms.appointments.tests.conftest import give_schedule
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.services import notification_create
from hms.inpatient import services as inpatient_services
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.reporting.registry import report_list
from hms.web.tests.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday; the hospital's time zone is UTC here
TODAY = date(2027, 3, 1)
CATALOGUE = "/reports/"
MOVEMENTS = "/reports/inpatient-movements/"
APPOINTMENTS = "/reports/outpatient-appointments/"
DASHBOARD = "/reports/dashboard/"
MY_DASHBOARD = "/workspace/dashboard/"


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def wards(make_user):
    """Two admissions to the medical ward (26 and 27 February) and one to intensive care
    (27 February)."""
    nurse = make_user(Role.NURSE)
    doctor = make_user(Role.DOCTOR, first_name="Grace", last_name="Okafor")
    medical = WardFactory(name="Medical ward", code="MED", type="medical")
    icu = WardFactory(name="Intensive care", code="ICU", type="icu")
    medical_beds = beds_on(medical, 2)
    (icu_bed,) = beds_on(icu, 1)
    for bed, day in ((medical_beds[0], 26), (medical_beds[1], 27), (icu_bed, 27)):
        inpatient_services.admission_admit(
            actor=nurse,
            patient=PatientFactory(),
            bed=bed,
            attending_doctor=doctor,
            reason="Pneumonia",
            admitted_at=datetime(2027, 2, day, 10, 0, tzinfo=UTC),
        )
    return {"medical": medical, "icu": icu}


def figure(html: str, key: str) -> str:
    """The text of the figure card `key`."""
    match = re.search(
        rf'data-key="{key}">\s*<div class="card-body">\s*'
        r'<div class="hms-stat" data-testid="figure-value">([^<]*)</div>',
        html,
    )
    assert match, f"no figure {key}"
    return match.group(1)


def section_json(html: str, number: int = 1) -> dict:
    match = re.search(
        rf'<script id="report-section-{number}-data" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    assert match, "no chart data"
    return json.loads(match.group(1))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
def test_the_catalogue_lists_the_reports_by_family(make_user, role):
    response = signed_in_client(make_user(role)).get(CATALOGUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-family="inpatient"' in html and ">Inpatient</h2>" in html
    assert f'href="{MOVEMENTS}"' in html and "Admissions, discharges and deaths" in html
    assert 'href="/reports/dashboard/"' in html


@pytest.mark.parametrize(
    "role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PHARMACIST, Role.PATIENT]
)
def test_other_roles_may_not_open_reports(make_user, role):
    client = signed_in_client(make_user(role))
    for url in (CATALOGUE, MOVEMENTS, "/reports/dashboard/"):
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_go_to_the_sign_in_page(client):
    response = client.get(MOVEMENTS)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_report_is_not_found(make_user):
    assert signed_in_client(make_user(Role.ADMIN)).get("/reports/no-such-report/").status_code == (
        404
    )


def test_a_report_page_shows_figures_chart_data_and_the_same_numbers_as_a_table(wards, make_user):
    client = signed_in_client(make_user(Role.ACCOUNTANT))
    response = client.get(MOVEMENTS, {"date_from": "2027-02-25", "date_to": "2027-02-28"})
    assert response.status_code == 200
    html = response.content.decode()
    # Admissions: 26 Feb (medical) + 27 Feb (medical, ICU) = 3; nobody left hospital.
    assert figure(html, "admissions") == "3"
    assert figure(html, "discharges") == "0"
    # The chart's data: one row per day 25..28 February, admissions 0, 1, 2, 0.
    data = section_json(html)
    assert [row["day"] for row in data["rows"]] == [
        "2027-02-25",
        "2027-02-26",
        "2027-02-27",
        "2027-02-28",
    ]
    assert [row["admissions"] for row in data["rows"]] == [0, 1, 2, 0]
    assert data["chart"]["y_label"] == "Patients per day" and data["chart"]["y_starts_at_zero"]
    # The same numbers as an accessible table: a caption, column and row headers.
    table = html[html.index('data-testid="report-table"') :]
    assert "<caption" in table and '<th scope="col">Day</th>' in table
    assert '<th scope="col" class="text-end">Admissions</th>' in table
    row = re.search(r'<tr><th scope="row"[^>]*>2027-02-27</th>(.*?)</tr>', table).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["2", "0", "0"]  # admitted, left, died
    # Only the filters this report takes: dates and ward, no doctor or department.
    assert 'name="ward"' in html and 'name="doctor"' not in html
    assert 'name="department"' not in html
    # The chart script is a static file (no inline script under the CSP).
    assert "web/vendor/chartjs/chart.umd.min.js" in html and "web/js/report-charts.js" in html
    assert 'data-testid="report-as-of"' in html and "25 Feb 2027 \u2013 28 Feb 2027" in html


def test_the_export_links_carry_the_page_filters(wards, make_user):
    client = signed_in_client(make_user(Role.ADMIN))
    ward = str(wards["medical"].public_id)
    html = client.get(
        MOVEMENTS, {"date_from": "2027-02-25", "date_to": "2027-02-28", "ward": ward}
    ).content.decode()
    query = f"date_from=2027-02-25&amp;date_to=2027-02-28&amp;ward={ward}"
    assert f'href="/api/reports/inpatient-movements/export/?format=csv&amp;{query}"' in html
    assert f'href="/api/reports/inpatient-movements/export/?format=xlsx&amp;{query}"' in html


def test_without_dates_the_page_shows_the_30_days_ending_today(wards, make_user):
    response = signed_in_client(make_user(Role.ADMIN)).get(MOVEMENTS)
    assert response.status_code == 200
    html = response.content.decode()
    # 30 days ending 1 March 2027: 31 January .. 1 March; all three admissions fall in it.
    assert (TODAY - timedelta(days=29)).isoformat() == "2027-01-31"
    assert 'value="2027-01-31"' in html and 'value="2027-03-01"' in html
    assert figure(html, "admissions") == "3"


def test_the_ward_filter_narrows_the_numbers(wards, make_user):
    client = signed_in_client(make_user(Role.ADMIN))
    params = {"date_from": "2027-02-25", "date_to": "2027-02-28"}
    medical = client.get(MOVEMENTS, {**params, "ward": str(wards["medical"].public_id)})
    icu = client.get(MOVEMENTS, {**params, "ward": str(wards["icu"].public_id)})
    # Medical ward: 26 and 27 February; intensive care: 27 February.
    assert figure(medical.content.decode(), "admissions") == "2"
    assert figure(icu.content.decode(), "admissions") == "1"
    assert f'<option value="{wards["icu"].public_id}" selected>' in icu.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2027-02-28", "date_to": "2027-02-01"}, "date_to", "Must not be before"),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"date_from": "2020-01-01", "date_to": "2027-01-01"}, "date_from", "three years"),
        ({"ward": "00000000-0000-0000-0000-000000000000"}, "ward", "Select a valid choice"),
    ],
)
def test_bad_filters_answer_400_with_the_message_next_to_the_field(
    wards, make_user, params, field, message
):
    response = signed_in_client(make_user(Role.ADMIN)).get(MOVEMENTS, params)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 300]
    assert 'id="form-errors"' in html
    assert 'data-testid="report-section"' not in html  # no numbers for a bad question


def test_filters_a_report_does_not_take_are_ignored(wards, make_user):
    response = signed_in_client(make_user(Role.ADMIN)).get(
        MOVEMENTS, {"date_from": "2027-02-25", "doctor": "not-a-uuid"}
    )
    assert response.status_code == 200


def test_each_report_page_is_audited_with_its_filters(wards, make_user):
    admin = make_user(Role.ADMIN)
    signed_in_client(admin).get(MOVEMENTS, {"date_from": "2027-02-25", "date_to": "2027-02-28"})
    event = AuditEvent.objects.get(actor=admin, resource_type="report")
    assert event.detail["slug"] == "inpatient-movements"
    assert event.detail["filters"]["date_from"] == "2027-02-25"
    assert event.detail["patients"] == []  # a report names no patient


def test_the_navigation_offers_reports_to_the_roles_that_may_read_them(make_user):
    admin_html = signed_in_client(make_user(Role.ADMIN)).get("/staff/").content.decode()
    assert 'href="/reports/"' in admin_html and 'href="/reports/dashboard/"' in admin_html
    nurse_html = signed_in_client(make_user(Role.NURSE)).get("/staff/").content.decode()
    assert 'href="/reports/"' not in nurse_html
    # An accountant's web pages are the reports (not the front desk's boards).
    accountant_html = signed_in_client(make_user(Role.ACCOUNTANT)).get("/staff/").content.decode()
    assert 'href="/reports/"' in accountant_html and 'href="/staff/beds/"' not in accountant_html
    assert 'data-testid="no-staff-pages"' not in accountant_html


@pytest.fixture
def clinics(make_user):
    """Dr Okafor (cardiology): two appointments today, one cancelled; Dr Mensah
    (dermatology): one appointment today."""
    okafor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", department="Cardiology"
    ).user
    mensah = DoctorProfileFactory(
        user__first_name="Kofi", user__last_name="Mensah", department="Dermatology"
    ).user
    desk = make_user(Role.RECEPTIONIST)
    for doctor in (okafor, mensah):
        give_schedule(doctor)

    def book(doctor, slot):
        return appointment_book(
            actor=desk,
            patient=PatientFactory(),
            doctor=doctor,
            date=TODAY,
            slot=slot,
            reason="Check-up",
        )

    seen = book(okafor, time(9, 0))
    appointment_cancel(actor=desk, appointment=book(okafor, time(9, 30)), reason="Unwell")
    book(mensah, time(10, 0))
    return {"okafor": okafor, "mensah": mensah, "seen": seen.patient}


def test_a_clinic_report_offers_departments_and_doctors_and_applies_them(clinics, make_user):
    client = signed_in_client(make_user(Role.ACCOUNTANT))
    html = client.get(APPOINTMENTS).content.decode()
    assert '<option value="Cardiology">Cardiology</option>' in html
    assert '<option value="Dermatology">Dermatology</option>' in html
    assert f'<option value="{clinics["okafor"].public_id}">Dr Grace Okafor</option>' in html
    assert 'name="ward"' not in html  # a clinic report has no ward
    # Everyone: 3 booked (2 Okafor + 1 Mensah), 1 cancelled.
    assert (figure(html, "appointments"), figure(html, "cancelled")) == ("3", "1")
    cardiology = client.get(APPOINTMENTS, {"department": "Cardiology"}).content.decode()
    assert (figure(cardiology, "appointments"), figure(cardiology, "cancelled")) == ("2", "1")
    mensah = client.get(APPOINTMENTS, {"doctor": str(clinics["mensah"].public_id)})
    assert (
        figure(mensah.content.decode(), "appointments"),
        figure(mensah.content.decode(), "cancelled"),
    ) == ("1", "0")
    # No-show rate of Okafor's clinic: 0 no-shows of 1 expected (2 booked - 1 cancelled) = 0.0%.
    assert figure(cardiology, "no_show_rate") == "0.0%"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
def test_the_management_dashboard_shows_kpis_charts_and_tables(wards, clinics, make_user, role):
    response = signed_in_client(make_user(role)).get(
        DASHBOARD, {"date_from": "2027-02-25", "date_to": "2027-03-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Beds: 3 in service (2 medical, 1 ICU), all 3 occupied now = 100.0%. Admissions 25 Feb -
    # 1 Mar: 3. Visits: 3 booked today, 1 cancelled, none completed yet; no-shows 0 of the
    # 2 expected = 0.0%.
    assert figure(html, "beds_occupied_now") == "100.0%"
    assert figure(html, "admissions") == "3"
    assert figure(html, "completed") == "0"
    assert figure(html, "no_show_rate") == "0.0%"
    titles = re.findall(r'<h2 id="report-section-\d+-title" class="h6 mb-0">([^<]*)</h2>', html)
    assert titles[:3] == [
        "Admissions and discharges per day",
        "Bed occupancy by ward",
        "Appointments by status per department",
    ]
    assert section_json(html, 1)["rows"][-1] == {
        "day": "2027-03-01",
        "admissions": 0,
        "discharges": 0,
        "deaths": 0,
    }
    assert html.count('data-testid="report-table"') == len(titles)
    assert 'name="ward"' not in html and 'name="date_from"' in html
    assert (
        'href="/api/reports/dashboards/management/pdf/?date_from=2027-02-25&amp;date_to=2027-03-01"'
        in html
    )


def test_the_management_dashboard_shows_bad_dates(make_user):
    response = signed_in_client(make_user(Role.ADMIN)).get(
        DASHBOARD, {"date_from": "2027-03-10", "date_to": "2027-03-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="id_date_to_errors"')
    assert "Must not be before" in html[start : start + 300]


def test_the_management_dashboard_is_audited(make_user):
    admin = make_user(Role.ADMIN)
    signed_in_client(admin).get(DASHBOARD)
    event = AuditEvent.objects.get(actor=admin, resource_type="management_dashboard")
    assert event.detail["slug"] == "management-dashboard"
    assert event.detail["filters"]["date_to"] == "2027-03-01"  # today by default


@pytest.fixture
def okafor_at_work(clinics):
    okafor = clinics["okafor"]
    assigned = CareAssignmentFactory(
        doctor=okafor, patient=PatientFactory(first_name="Zara", last_name="Zed")
    ).patient
    CareAssignmentFactory(
        doctor=clinics["mensah"], patient=PatientFactory(first_name="Otto", last_name="Other")
    )
    glucose = notification_create(
        recipient=okafor,
        kind="lab_result_verified",
        title="Results: Glucose",
        patient_id=str(assigned.public_id),
    )
    notification_create(recipient=clinics["mensah"], kind="lab_result_verified", title="Mensah's")
    return {**clinics, "assigned": assigned, "glucose": glucose}


def test_a_doctor_sees_their_own_dashboard_with_links(okafor_at_work):
    data = okafor_at_work
    client = signed_in_client(data["okafor"])
    response = client.get(MY_DASHBOARD, {"date_from": "2027-02-25"})
    assert response.status_code == 200
    html = response.content.decode()
    # Okafor's patients: the one seen at 9:00 today and the assigned Zara Zed (2); one result
    # waiting; no-shows: 0 of 1 expected (2 booked - 1 cancelled) = 0.0%, and the same for
    # cardiology, where Okafor is the only doctor.
    assert figure(html, "patients") == "2"
    assert figure(html, "results_waiting") == "1"
    assert figure(html, "no_show_rate") == "0.0%"
    assert figure(html, "department_no_show_rate") == "0.0%"
    assigned = data["assigned"]
    assert (
        f'<a href="/workspace/patients/{assigned.public_id}/">{assigned.display_name}</a>' in html
    )
    seen = data["seen"]
    assert f'href="/workspace/patients/{seen.public_id}/"' in html
    assert "Other" not in html and "Mensah&#x27;s" not in html  # not Okafor's
    glucose = data["glucose"]
    assert f'<a href="/notifications/{glucose.public_id}/open/">Results: Glucose</a>' in html
    assert (
        'href="/api/reports/dashboards/doctor/pdf/?date_from=2027-02-25&amp;date_to=2027-03-01"'
        in html
    )
    # Opening the result from the dashboard goes to the patient's results.
    opened = client.get(f"/notifications/{glucose.public_id}/open/")
    assert opened.status_code == 302
    assert opened["Location"] == f"/workspace/patients/{assigned.public_id}/results/"


def test_the_doctors_dashboard_is_audited_with_the_patients_listed(okafor_at_work):
    okafor = okafor_at_work["okafor"]
    signed_in_client(okafor).get(MY_DASHBOARD)
    event = AuditEvent.objects.get(actor=okafor, resource_type="doctor_dashboard")
    assert sorted(event.detail["patients"]) == sorted(
        [str(okafor_at_work["assigned"].public_id), str(okafor_at_work["seen"].public_id)]
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT, Role.NURSE, Role.PATIENT])
def test_only_doctors_have_a_doctors_dashboard(make_user, role):
    assert signed_in_client(make_user(role)).get(MY_DASHBOARD).status_code == 403


def test_the_workspace_offers_the_doctors_dashboard(make_user):
    html = signed_in_client(make_user(Role.DOCTOR)).get("/workspace/").content.decode()
    assert 'href="/workspace/dashboard/"' in html


def test_the_page_links_download_with_the_signed_in_session(wards, make_user):
    client = signed_in_client(make_user(Role.ADMIN))
    html = client.get(MOVEMENTS, {"date_from": "2027-02-25", "date_to": "2027-02-28"}).content
    csv_url = re.search(r'href="([^"]*format=csv[^"]*)"', html.decode()).group(1)
    response = client.get(csv_url.replace("&amp;", "&"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    assert b"2027-02-27" in text  # the page's days, in the file
    dashboard = client.get(DASHBOARD).content.decode()
    pdf_url = re.search(r'href="([^"]*/pdf/[^"]*)"', dashboard).group(1)
    pdf = client.get(pdf_url.replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_every_registered_report_has_a_page(make_user):
    client = signed_in_client(make_user(Role.ADMIN))
    for report in report_list():
        response = client.get(f"/reports/{report.slug}/")
        assert response.status_code == 200, report.slug
        html = response.content.decode()
        for name in ("ward", "department", "doctor", "payer"):
            assert (f'name="{name}"' in html) == (name in report.filters), (report.slug, name)
