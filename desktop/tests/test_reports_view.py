"""Reports and the management dashboard against the live server: who sees them, a report run
over data made for the test (numbers in the table model, the chart's series and axis titles),
a refused date range, exports saved as CSV and XLSX, and the dashboard's cards, charts and PDF.
"""

from __future__ import annotations

import csv
import os
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from hms_desktop.views.management import ManagementDashboardPage
from hms_desktop.views.reports import ReportsPage

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_today,
    make_doctor,
    sign_in,
    snap,
    unique,
    wait_idle,
)
from .test_inpatient_views import admit, make_ward

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MOVEMENTS = "inpatient-movements"


def doc_screenshot(widget, name: str) -> None:
    """Refresh a picture in docs/ on request only (HMS_UPDATE_DOC_SCREENSHOTS=1)."""
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


def discharge(api_as, admission, doctor_username: str, disposition: str) -> None:
    """The attending doctor signs the discharge summary, then the front desk discharges."""
    doctor = api_as(doctor_username, DOCTOR_PASSWORD).client
    doctor.put(
        f"/api/admissions/{admission.id}/discharge-summary/",
        {
            "diagnoses": [{"code": "J18.9"}],
            "procedures": [],
            "medications_on_discharge": [],
            "follow_up": "GP review in one week",
        },
    )
    api_as("receptionist").inpatient.discharge(admission.id, disposition=disposition)


@pytest.fixture
def ward_with_movements(api_as) -> dict:
    """A ward of the test's own where, today, three patients were admitted, one went home
    and one died: admissions 3, discharges 2 (home + deceased), deaths 1."""
    ward = make_ward(api_as, beds=3, name="Reports")
    username = unique("drrep")
    doctor = make_doctor(api_as, username=username)
    stays = [admit(api_as, ward, bed, doctor=doctor)[0] for bed in range(3)]
    discharge(api_as, stays[0], username, "home")
    discharge(api_as, stays[1], username, "deceased")
    return ward


def open_reports(qtbot, hms, role: str = "admin", size=(1280, 800)) -> tuple:
    window = sign_in(qtbot, hms, role)
    window.resize(*size)
    window.show()
    page = window.open_module("reports")
    assert isinstance(page, ReportsPage)
    qtbot.waitUntil(lambda: bool(page.items), timeout=10_000)
    wait_idle(qtbot, hms)
    return window, page


def run(qtbot, hms, page: ReportsPage) -> None:
    page.run_button.click()
    wait_idle(qtbot, hms)


def test_only_roles_that_may_read_reports_see_the_modules(qtbot, hms):
    for role in ("admin", "accountant"):
        keys = sign_in(qtbot, hms, role).module_keys()
        assert {"reports", "management"} <= set(keys), role
    for role in ("nurse", "receptionist", "pharmacist"):
        keys = sign_in(qtbot, hms, role).module_keys()
        assert not {"reports", "management"} & set(keys), role


def test_the_catalogue_lists_the_servers_reports_by_family(qtbot, hms, api_as):
    expected: dict[str, list[str]] = {}
    for item in api_as("admin").reports.catalogue_all():
        expected.setdefault(item.family_display, []).append(item.title)
    _window, page = open_reports(qtbot, hms)
    assert page.catalogue_titles() == expected
    assert "Admissions, discharges and deaths" in expected["Inpatient"]


def test_a_report_shows_the_numbers_of_the_wards_day(qtbot, hms, ward_with_movements):
    ward = ward_with_movements
    window, page = open_reports(qtbot, hms)
    page.select_report(MOVEMENTS)
    wait_idle(qtbot, hms)
    # Only the filters this report takes are offered.
    shown = {name for name, cell in page.filters.cells.items() if cell.isVisibleTo(page)}
    assert shown == {"date_from", "date_to", "ward"}
    qtbot.waitUntil(lambda: page.filters.ward.findData(ward["id"]) >= 0, timeout=10_000)
    assert page.filters.select("ward", ward["id"])
    run(qtbot, hms, page)
    assert page.result is not None and page.result.filters.ward == ward["id"]
    today = hospital_today()
    # 30 days ending today (the default range), one row a day.
    assert page.result.filters.date_to == today
    assert page.result.filters.date_from == today - timedelta(days=29)
    assert "Figures as of" in page.as_of.text()

    # Three admitted, one home and one deceased: 3 admissions, 2 discharges, 1 death.
    assert page.body.card_text("admissions") == "3"
    assert page.body.card_text("discharges") == "2"
    assert page.body.card_text("deaths") == "1"
    section = page.body.sections["per_day"]
    model = section.model
    assert model.rowCount() == 30
    last = model.rowCount() - 1
    assert model.text(last, "day") == today.isoformat()
    assert (model.text(last, "admissions"), model.text(last, "discharges")) == ("3", "2")
    assert model.text(last, "deaths") == "1"
    assert all(model.text(row, "admissions") == "0" for row in range(last))

    chart = section.chart
    assert chart is not None
    assert chart.chart().title() == "Admissions and discharges per day"
    assert chart.series_names() == ["Admissions", "Discharges", "Deaths"]
    assert chart.axis_titles() == ("Day", "Patients per day")
    assert chart.y_axis.min() == 0.0
    snap(window, "reports_inpatient_movements")
    doc_screenshot(window, "desktop-reports-1280x800")


def test_a_range_that_ends_before_it_starts_is_shown_on_the_field(qtbot, hms):
    _window, page = open_reports(qtbot, hms)
    page.select_report(MOVEMENTS)
    wait_idle(qtbot, hms)
    today = hospital_today()
    page.filters.set_dates(today, today - timedelta(days=3))
    run(qtbot, hms, page)
    assert page.filters.errors.fields["date_to"].error_text
    assert page.result is None
    assert not page.body.sections


def test_the_accountant_reads_reports_without_the_ward_list(qtbot, hms):
    _window, page = open_reports(qtbot, hms, "accountant")
    page.select_report(MOVEMENTS)
    wait_idle(qtbot, hms)
    assert page.result is not None
    assert page.filters.ward.count() == 1  # "All wards": an accountant does not list wards
    assert page.filters.ward.toolTip()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_is_saved_where_the_user_chose(
    qtbot, hms, ward_with_movements, tmp_path, monkeypatch, fmt
):
    ward = ward_with_movements
    _window, page = open_reports(qtbot, hms)
    page.select_report(MOVEMENTS)
    wait_idle(qtbot, hms)
    qtbot.waitUntil(lambda: page.filters.ward.findData(ward["id"]) >= 0, timeout=10_000)
    page.filters.select("ward", ward["id"])
    today = hospital_today()
    page.filters.set_dates(today - timedelta(days=1), today)
    assert page.export_buttons[fmt].isVisibleTo(page)
    path = tmp_path / f"movements.{fmt}"
    asked: list[str] = []

    def chosen(_parent, _caption, name, file_filter):
        asked.append(name)
        assert f"*.{fmt}" in file_filter
        return str(tmp_path / "movements"), file_filter  # typed without the extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chosen)
    page.export_buttons[fmt].click()
    assert asked == [f"{MOVEMENTS}-{today - timedelta(days=1)}-{today}.{fmt}"]
    assert page.download.isVisibleTo(page)  # the progress shows while the file streams
    qtbot.waitUntil(lambda: getattr(page, "last_export", None) == path, timeout=15_000)
    assert not page.download.isVisibleTo(page)
    assert path.name in page.banner.message
    assert not (tmp_path / f"movements.{fmt}.part").exists()
    # Yesterday nothing; today three admitted, one home, one deceased.
    expected_rows = [
        [(today - timedelta(days=1)).isoformat(), "0", "0", "0"],
        [today.isoformat(), "3", "2", "1"],
    ]
    if fmt == "csv":
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        header = rows.index(["Day", "Admissions", "Discharges", "Deaths"])
        assert rows[header + 1 : header + 3] == expected_rows
    else:
        workbook = load_workbook(path, read_only=True)
        cells = [
            [str(value) if value is not None else "" for value in row]
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
        workbook.close()
        header = cells.index(["Day", "Admissions", "Discharges", "Deaths"])
        got = [[row[0][:10], *row[1:4]] for row in cells[header + 1 : header + 3]]
        assert got == expected_rows


def test_an_export_the_server_refuses_says_why_and_saves_nothing(qtbot, hms, tmp_path):
    _window, page = open_reports(qtbot, hms)
    page.select_report(MOVEMENTS)
    wait_idle(qtbot, hms)
    today = hospital_today()
    page.filters.set_dates(today, today - timedelta(days=1))
    folder = tmp_path / "exports"
    folder.mkdir()
    page.export_to("csv", folder / "refused.csv")
    wait_idle(qtbot, hms)
    assert page.filters.errors.fields["date_to"].error_text
    assert list(folder.iterdir()) == []


def open_management(qtbot, hms, role: str = "admin", size=(1280, 800)) -> tuple:
    window = sign_in(qtbot, hms, role)
    window.resize(*size)
    window.show()
    page = window.open_module("management")
    assert isinstance(page, ManagementDashboardPage)
    wait_idle(qtbot, hms)
    return window, page


def test_the_dashboard_leads_to_the_management_dashboard(qtbot, hms):
    window = sign_in(qtbot, hms, "accountant")
    dashboard = window.open_module("dashboard")
    dashboard.shortcut_buttons["management"].click()
    assert isinstance(window.current_page(), ManagementDashboardPage)


def test_the_management_dashboard_shows_the_servers_cards_and_charts(qtbot, hms, api_as):
    window, page = open_management(qtbot, hms)
    assert page.result is not None, page.banner.message
    today = hospital_today()
    assert page.result.filters.date_to == today
    expected = api_as("admin").reports.management_dashboard(
        {"date_from": page.result.filters.date_from, "date_to": today}
    )
    assert expected.slug == "management-dashboard" and expected.figures
    assert list(page.body.cards) == [figure.key for figure in expected.figures]
    for figure in expected.figures:
        assert page.body.cards[figure.key].title.text() == figure.label.upper()
    cards = page.body.section_cards()
    assert [card.section.title for card in cards] == [s.title for s in expected.sections]
    charted = [(s, card) for s, card in zip(expected.sections, cards, strict=True) if s.chart]
    assert charted
    for section, card in charted:
        assert card.chart is not None
        assert card.chart.chart().title() == section.chart.title
        if section.chart.kind == "pie":
            continue
        assert card.chart.series_names() == [s.label for s in section.chart.series]
        assert card.chart.axis_titles()[1] == section.chart.y_label
        assert card.model.rowCount() == len(section.rows)
    snap(window, "management_dashboard")
    doc_screenshot(window, "desktop-management-dashboard-1280x800")


def test_the_management_dashboard_follows_its_dates_and_saves_a_pdf(qtbot, hms, tmp_path):
    _window, page = open_management(qtbot, hms, "accountant")
    today = hospital_today()
    page.filters.set_dates(today - timedelta(days=6), today)
    page.refresh_button.click()
    wait_idle(qtbot, hms)
    assert page.result is not None, page.banner.message
    assert page.result.filters.date_from == today - timedelta(days=6)
    path = tmp_path / page.pdf_name()
    assert path.name == f"management-dashboard-{today - timedelta(days=6)}-{today}.pdf"
    page.save_pdf(path)
    qtbot.waitUntil(lambda: getattr(page, "last_pdf", None) == path, timeout=20_000)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    assert page.result.figures[0].label in text
