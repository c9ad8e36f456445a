"""CSV, XLSX and PDF renderings of a report, from a hand-built result."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import openpyxl
import pytest
from pypdf import PdfReader

from hms.reporting.exports import csv_lines, export_filename, report_xlsx_file
from hms.reporting.pdf import report_pdf
from hms.reporting.registry import (
    Chart,
    Column,
    Figure,
    ReportFilters,
    ReportResult,
    Section,
    Series,
)


@pytest.fixture
def result(settings):
    settings.HOSPITAL_CURRENCY = "USD"
    return ReportResult(
        slug="ward-money",
        title="Money per ward",
        filters=ReportFilters(date(2027, 3, 1), date(2027, 3, 2), department="Surgery"),
        as_of=datetime(2027, 3, 3, 1, 0, tzinfo=UTC),
        figures=[
            Figure("admissions", "Admissions", 7),
            Figure("revenue", "Revenue", D("1234.5"), "USD"),
            Figure("median", "Median stay", None, "days"),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    Column("day", "Day", "date"),
                    Column("admissions", "Admissions"),
                    Column("revenue", "Revenue", "money", "USD"),
                ),
                rows=[
                    {"day": date(2027, 3, 1), "admissions": 3, "revenue": D("1000.00")},
                    {"day": date(2027, 3, 2), "admissions": 4, "revenue": D("234.5")},
                ],
                chart=Chart(
                    "line",
                    "Revenue per day",
                    "day",
                    (Series("revenue", "Revenue"),),
                    "Revenue (USD per day)",
                ),
            ),
            Section(
                id="wards",
                title="By ward: occupancy",
                columns=(
                    Column("ward", "Ward", "text"),
                    Column("rate", "Occupied", "percent", "%"),
                ),
                rows=[
                    {"ward": "Surgical", "rate": D("87.25")},
                    {"ward": "Maternity", "rate": None},
                ],
                chart=Chart(
                    "bar",
                    "Occupancy by ward",
                    "ward",
                    (Series("rate", "Occupied"),),
                    "Beds occupied (%)",
                ),
                note="Occupied bed-days over available bed-days.",
            ),
        ],
    )


def test_csv_has_the_figures_then_one_block_per_section(result):
    rows = list(csv.reader(io.StringIO("".join(csv_lines(result)))))
    assert rows[:4] == [
        ["Report", "Money per ward"],
        ["From", "2027-03-01"],
        ["To", "2027-03-02"],
        ["Department", "Surgery"],
    ]
    start = rows.index(["Figure", "Value", "Unit"])
    assert rows[start + 1 : start + 4] == [
        ["Admissions", "7", ""],
        ["Revenue", "1234.50", "USD"],
        ["Median stay", "", "days"],
    ]
    block = rows.index(["Per day"])
    assert rows[block + 1 : block + 4] == [
        ["Day", "Admissions", "Revenue (USD)"],
        ["2027-03-01", "3", "1000.00"],
        ["2027-03-02", "4", "234.50"],
    ]
    wards = rows.index(["By ward: occupancy"])
    # Percent with one decimal, rounded half up (87.25 -> 87.3); undefined is empty.
    assert rows[wards + 2 : wards + 4] == [["Surgical", "87.3"], ["Maternity", ""]]


def test_csv_takes_a_section_rows_from_the_stream(result):
    stream = iter([("per_day", {"day": date(2027, 3, 1), "admissions": 1, "revenue": D(5)})])
    rows = list(csv.reader(io.StringIO("".join(csv_lines(result, stream)))))
    block = rows.index(["Per day"])
    assert rows[block + 2 : block + 4] == [["2027-03-01", "1", "5.00"], []]
    assert ["Surgical", "87.3"] in rows  # a section the stream left out: its computed rows


def test_xlsx_has_a_summary_sheet_and_one_sheet_per_section(result):
    with report_xlsx_file(result) as handle:
        book = openpyxl.load_workbook(handle)
    assert book.sheetnames == ["Summary", "Per day", "By ward  occupancy"]
    summary = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    assert summary[0][0] == "Money per ward"
    assert summary[3][:2] == ["Department", "Surgery"]
    assert summary[4][:2] == ["As of", "2027-03-03 01:00 UTC"]
    assert ["Revenue", 1234.5, "USD"] in summary
    sheet = book["Per day"]
    assert [c.value for c in sheet[1]] == ["Day", "Admissions", "Revenue (USD)"]
    assert sheet["A2"].value == datetime(2027, 3, 1) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert (sheet["B3"].value, sheet["C3"].value) == (4, 234.5)
    assert export_filename(result, "xlsx") == "ward-money_2027-03-01_2027-03-02.xlsx"


def test_pdf_shows_title_figures_charts_and_tables(result):
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(result))).pages
    )
    for expected in (
        "Money per ward",
        "Department: Surgery",
        "1234.50",  # the revenue card
        "Revenue per day",  # chart titles
        "Occupancy by ward",
        "Revenue (USD per day)",  # value axis titles with their units
        "Beds occupied (%)",
        "2027-03-02",  # the table
        "Occupied bed-days over available bed-days.",
    ):
        assert expected in text, expected
