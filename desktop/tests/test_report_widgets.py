"""Reports without a server: the result DTOs in strict mode, the section table model (checked
with qtmodeltester), the chart built from a section, the figures as cards, and the streamed
download (progress, cancel, errors) over a stub transport."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import httpx
import pytest
from PySide6.QtCharts import QBarCategoryAxis, QDateTimeAxis, QStackedBarSeries
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from hms_desktop.api import Api, ApiClient, ApiError, SessionExpired, User
from hms_desktop.api.client import Download
from hms_desktop.api.dto import Capabilities, CatalogueItem, DtoMismatch, ReportResult
from hms_desktop.api.errors import DownloadCancelled
from hms_desktop.api.resources.reports import report_params
from hms_desktop.context import AppContext
from hms_desktop.models.paged import SORT_ROLE
from hms_desktop.models.reports import ReportTableModel
from hms_desktop.widgets.download import DownloadBar, size_text
from hms_desktop.widgets.page import Page
from hms_desktop.widgets.report_chart import ReportChartView, nice_top
from hms_desktop.widgets.report_view import ReportBody, figure_text
from hms_desktop.workers import TaskRunner

RESULT = {
    "slug": "inpatient-movements",
    "title": "Admissions, discharges and deaths",
    "family": "inpatient",
    "family_display": "Inpatient",
    "description": "Patients admitted, discharged and who died, per day.",
    "as_of": "2026-12-07T01:00:00Z",
    "filters": {
        "date_from": "2026-11-08",
        "date_to": "2026-11-10",
        "ward": None,
        "department": None,
        "doctor": None,
        "payer": None,
    },
    "accepted_filters": ["date_from", "date_to", "ward"],
    "figures": [
        {"key": "admissions", "label": "Admissions", "value": 1234, "unit": ""},
        {"key": "alos", "label": "Average stay", "value": "3.50", "unit": "days"},
        {"key": "occupancy", "label": "Occupancy", "value": "81.2", "unit": "%"},
        {"key": "median_wait", "label": "Median wait", "value": None, "unit": "minutes"},
    ],
    "sections": [
        {
            "id": "per_day",
            "title": "Per day",
            "note": "Local days.",
            "columns": [
                {"key": "day", "label": "Day", "type": "date", "unit": ""},
                {"key": "admissions", "label": "Admissions", "type": "int", "unit": ""},
                {"key": "discharges", "label": "Discharges", "type": "int", "unit": ""},
                {"key": "stay", "label": "Stay", "type": "days", "unit": "days"},
            ],
            "rows": [
                {"day": "2026-11-08", "admissions": 3, "discharges": 1, "stay": "2.50"},
                {"day": "2026-11-09", "admissions": 1200, "discharges": 0, "stay": None},
                {"day": "2026-11-10", "admissions": 31, "discharges": 4, "stay": "1234.25"},
            ],
            "chart": {
                "kind": "line",
                "title": "Admissions per day",
                "x": "day",
                "series": [
                    {"key": "admissions", "label": "Admissions"},
                    {"key": "discharges", "label": "Discharges"},
                ],
                "y_label": "Patients per day",
                "y_starts_at_zero": True,
            },
        },
        {
            "id": "by_ward",
            "title": "By ward",
            "note": "",
            "columns": [
                {"key": "ward", "label": "Ward", "type": "text", "unit": ""},
                {"key": "revenue", "label": "Revenue", "type": "money", "unit": "USD"},
                {"key": "cost", "label": "Cost", "type": "money", "unit": "USD"},
            ],
            "rows": [
                {"ward": "Surgical", "revenue": "1500.00", "cost": "250.50"},
                {"ward": "Medical", "revenue": "20.00", "cost": "0.00"},
            ],
            "chart": {
                "kind": "stacked_bar",
                "title": "Revenue and cost by ward",
                "x": "ward",
                "series": [
                    {"key": "revenue", "label": "Revenue"},
                    {"key": "cost", "label": "Cost"},
                ],
                "y_label": "Amount (USD)",
                "y_starts_at_zero": True,
            },
        },
        {
            "id": "payers",
            "title": "Payers",
            "note": "",
            "columns": [
                {"key": "payer", "label": "Payer", "type": "text", "unit": ""},
                {"key": "share", "label": "Share", "type": "percent", "unit": "%"},
            ],
            "rows": [{"payer": "Self-pay", "share": "60.0"}, {"payer": "Acme", "share": "40.0"}],
            "chart": {
                "kind": "pie",
                "title": "Share by payer",
                "x": "payer",
                "series": [{"key": "share", "label": "Share"}],
                "y_label": "",
                "y_starts_at_zero": True,
            },
        },
        {
            "id": "readers",
            "title": "Readers",
            "note": "",
            "columns": [{"key": "name", "label": "Reader", "type": "text", "unit": ""}],
            "rows": [],
            "chart": None,
        },
    ],
}


@pytest.fixture
def result() -> ReportResult:
    return ReportResult.from_json(RESULT)


def test_the_result_converts_strictly_with_every_field(result):
    assert result.as_of is not None and result.as_of.year == 2026
    assert result.filters.date_from == date(2026, 11, 8)
    assert result.filters.ward is None
    assert result.figure("alos").number() == Decimal("3.50")
    per_day = result.section("per_day")
    assert per_day.chart is not None and per_day.chart.series[1].label == "Discharges"
    assert per_day.column("stay").title == "Stay (days)"
    assert result.section("readers").chart is None


def test_an_unknown_field_in_a_result_fails(dto_mismatches):
    data = {**RESULT, "colour": "red"}
    with pytest.raises(DtoMismatch, match="colour"):
        ReportResult.from_json(data)
    dto_mismatches.clear()


def test_a_catalogue_item_converts_strictly():
    item = CatalogueItem.from_json(
        {
            "slug": "inpatient-movements",
            "title": "Admissions, discharges and deaths",
            "family": "inpatient",
            "family_display": "Inpatient",
            "description": "…",
            "accepted_filters": ["date_from", "date_to", "ward"],
            "url": "/api/reports/inpatient-movements/",
            "export_formats": ["csv", "xlsx"],
        }
    )
    assert item.accepts("ward") and not item.accepts("doctor")


def test_filters_become_query_parameters():
    params = report_params(
        {"date_from": date(2026, 1, 2), "date_to": date(2026, 1, 31), "ward": "", "doctor": None}
    )
    assert params == {"date_from": "2026-01-02", "date_to": "2026-01-31"}


def test_the_section_model_passes_the_model_tester(qtmodeltester, result):
    model = ReportTableModel(result.section("per_day"))
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (3, 4)
    header = Qt.Orientation.Horizontal
    assert [model.headerData(i, header) for i in range(4)] == [
        "Day",
        "Admissions",
        "Discharges",
        "Stay (days)",
    ]
    assert model.text(1, "admissions") == "1,200"
    assert model.text(0, "stay") == "2.50"  # the server's fixed decimals, kept
    assert model.text(2, "stay") == "1,234.25"
    assert model.text(1, "stay") == "—"  # undefined, not zero
    assert model.text(0, "day") == "2026-11-08"
    assert model.index(2, 3).data(SORT_ROLE) == Decimal("1234.25")
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == right


def test_an_empty_section_passes_the_model_tester(qtmodeltester, result):
    model = ReportTableModel(result.section("readers"))
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_a_line_over_days_has_a_time_axis_with_titles(qtbot, result):
    view = ReportChartView()
    qtbot.addWidget(view)
    section = result.section("per_day")
    view.set_chart(section.chart, section)
    assert view.chart().title() == "Admissions per day"
    assert view.series_names() == ["Admissions", "Discharges"]
    assert isinstance(view.x_axis, QDateTimeAxis)
    assert view.axis_titles() == ("Day", "Patients per day")
    # 1,200 admissions on the busiest day: the axis runs from zero to the next round number.
    assert (view.y_axis.min(), view.y_axis.max()) == (0.0, 2000.0)


def test_a_stacked_bar_chart_scales_to_the_tallest_stack(qtbot, result):
    view = ReportChartView()
    qtbot.addWidget(view)
    section = result.section("by_ward")
    view.set_chart(section.chart, section)
    assert isinstance(view.chart().series()[0], QStackedBarSeries)
    assert isinstance(view.x_axis, QBarCategoryAxis)
    assert view.x_axis.categories() == ["Surgical", "Medical"]
    assert view.series_names() == ["Revenue", "Cost"]
    assert view.axis_titles() == ("Ward", "Amount (USD)")
    # Surgical: 1500.00 + 250.50 = 1750.50 stacked; the next round number is 2000.
    assert view.y_axis.max() == 2000.0


def test_a_pie_has_a_slice_per_row(qtbot, result):
    view = ReportChartView()
    qtbot.addWidget(view)
    section = result.section("payers")
    view.set_chart(section.chart, section)
    assert view.pie_labels() == ["Self-pay: 60.0", "Acme: 40.0"]
    assert view.axis_titles() == ("", "")


def test_a_value_axis_may_start_above_zero(qtbot, result):
    section = result.section("per_day")
    spec = section.chart.__class__(**{**section.chart.__dict__, "y_starts_at_zero": False})
    view = ReportChartView()
    qtbot.addWidget(view)
    view.set_chart(spec, section)
    assert view.y_axis.min() < 0.0 or view.y_axis.min() > 0.0  # not pinned at zero


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1.0), (0.7, 1.0), (3, 5.0), (12, 20.0), (1750.5, 2000.0), (96, 100.0)]
)
def test_nice_tops(value, top):
    assert nice_top(value) == top


def test_the_body_shows_figures_and_sections(qtbot, result):
    body = ReportBody()
    qtbot.addWidget(body)
    body.set_result(result)
    assert body.card_text("admissions") == "1,234"
    assert body.card_text("occupancy") == "81.2%"
    assert figure_text(result.figure("alos")) == ("3.50", "days")
    assert figure_text(result.figure("median_wait")) == ("—", "No data in this period")
    assert list(body.sections) == ["per_day", "by_ward", "payers", "readers"]
    assert body.sections["readers"].chart is None
    assert body.sections["by_ward"].model.text(0, "revenue") == "1,500.00"


# --- streamed downloads ----------------------------------------------------------------------


def stub_client(handler) -> ApiClient:
    client = ApiClient("http://hms.test", transport=httpx.MockTransport(handler))
    client.set_tokens("access", "refresh")
    return client


def test_a_download_streams_to_the_file_with_progress(tmp_path):
    body = b"day,admissions\n" + b"2026-11-08,3\n" * 20_000

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["format"] == "csv"
        return httpx.Response(200, content=body, headers={"Content-Type": "text/csv"})

    seen: list[tuple[int, int | None]] = []
    dest = tmp_path / "movements.csv"
    download = stub_client(handler).download(
        "/api/reports/x/export/",
        dest,
        params={"format": "csv"},
        progress=lambda d, t: seen.append((d, t)),
    )
    assert dest.read_bytes() == body
    assert download.size == len(body) and download.content_type == "text/csv"
    assert seen[-1] == (len(body), len(body))
    assert len(seen) > 1  # chunk by chunk
    assert not (tmp_path / "movements.csv.part").exists()


def test_a_cancelled_download_leaves_no_file(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 500_000)

    dest = tmp_path / "big.xlsx"
    with pytest.raises(DownloadCancelled):
        stub_client(handler).download("/f/", dest, cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_a_refused_download_is_the_servers_error(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "status": 400,
            "code": "invalid",
            "message": "Bad filters.",
            "fields": {"date_to": ["Before the start."]},
        }
        return httpx.Response(400, json=body)

    with pytest.raises(ApiError) as caught:
        stub_client(handler).download("/f/", tmp_path / "r.csv")
    assert caught.value.fields == {"date_to": ["Before the start."]}
    assert list(tmp_path.iterdir()) == []


def test_a_download_refreshes_a_refused_token_once(tmp_path):
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token/refresh/":
            calls.append("refresh")
            return httpx.Response(200, json={"access": "new", "refresh": "new-refresh"})
        calls.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer access":
            return httpx.Response(401, json={"status": 401, "code": "token", "message": "Expired."})
        return httpx.Response(200, content=b"%PDF-1.7")

    dest = tmp_path / "d.pdf"
    stub_client(handler).download("/f/", dest)
    assert calls == ["Bearer access", "refresh", "Bearer new"]
    assert dest.read_bytes() == b"%PDF-1.7"


def test_a_download_without_a_session_is_refused(tmp_path):
    client = ApiClient(
        "http://hms.test", transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    with pytest.raises(SessionExpired):
        client.download("/f/", tmp_path / "x")


# --- the download bar ------------------------------------------------------------------------


@pytest.fixture
def page(qtbot, tmp_path):
    runner = TaskRunner()
    ctx = AppContext(
        api=Api(ApiClient("http://hms.test")),
        runner=runner,
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
        user=User(id="u1", username="admin", role="admin"),
        capabilities=Capabilities(role="admin", permissions={}, clinical_rules={}),
    )
    widget = Page(ctx)
    qtbot.addWidget(widget)
    yield widget
    runner.wait_for_done(5_000)


def test_the_bar_shows_progress_while_the_pool_downloads(qtbot, page, tmp_path):
    """The pool thread reports progress by signal only; the UI thread stays free meanwhile,
    and Cancel reaches the pool thread, which then saves nothing."""
    bar = DownloadBar()
    page.outer.addWidget(bar)
    halfway, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def fetch(progress, cancelled):
        progress(50, 100)
        halfway.set()
        release.wait(5)
        if cancelled():
            raise DownloadCancelled()
        progress(100, 100)
        return Download(path=tmp_path / "f.csv", size=100, content_type="text/csv")

    button = QPushButton("Export")
    page.outer.addWidget(button)
    bar.start(page, "f.csv", fetch, on_done=outcome.append, on_error=outcome.append, busy=[button])
    assert bar.isVisibleTo(page) and not button.isEnabled()
    qtbot.waitUntil(lambda: bar.bar.value() == 500, timeout=5_000)  # 50 of 100 bytes
    assert halfway.is_set() and not outcome
    bar.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5_000)
    assert isinstance(outcome[0], DownloadCancelled)
    assert not bar.isVisibleTo(page) and button.isEnabled()


def test_sizes_read_as_people_say_them():
    assert [size_text(n) for n in (512, 20_480, 3 * 1024 * 1024)] == [
        "512 bytes",
        "20 KB",
        "3.0 MB",
    ]


def test_a_chart_of_few_counts_has_whole_ticks(qtbot, result):
    section = result.section("per_day")
    few = section.__class__(
        **{**section.__dict__, "rows": [{"day": "2026-11-08", "admissions": 1, "discharges": 0}]}
    )
    view = ReportChartView()
    qtbot.addWidget(view)
    view.set_chart(few.chart, few)
    # One admission at most: 0 to 5 in steps of 1, not 0.0 to 1.0 in tenths.
    assert (view.y_axis.min(), view.y_axis.max(), view.y_axis.labelFormat()) == (0.0, 5.0, "%d")
