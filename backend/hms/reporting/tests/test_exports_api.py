"""`reports/<slug>/export/`: CSV and XLSX files with hand-checked numbers, audited."""

import csv
import io

import openpyxl
import pytest

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.reporting.tests.finance_data import Books, at, revenue_days

pytestmark = pytest.mark.django_db

EXPORT = "/api/reports/finance-revenue/export/"
RANGE = {"date_from": "2027-03-10", "date_to": "2027-03-12"}


@pytest.fixture
def books(make_user, settings):
    settings.HOSPITAL_CURRENCY = "USD"
    books = Books(make_user)
    revenue_days(books)
    return books


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_xlsx_export_has_the_hand_checked_numbers(client_for, books):
    with at(13):
        response = client_for(Role.ACCOUNTANT, user=books.clerk).get(
            EXPORT, {**RANGE, "format": "xlsx"}
        )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="finance-revenue_2027-03-10_2027-03-12.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(_body(response)))
    assert book.sheetnames == [
        "Summary",
        "Invoiced revenue by department",
        "Collections by payment method",
        "Per day",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    # 55 + 100 + 30 - 30 invoiced; 85 received, 10 refunded, 75 net (see finance_data).
    assert (summary["Invoiced"], summary["Received"], summary["Net collected"]) == (155, 85, 75)
    assert (summary["From"], summary["To"]) == ("2027-03-10", "2027-03-12")
    departments = {
        row[0]: row[1]
        for row in book["Invoiced revenue by department"].iter_rows(min_row=2, values_only=True)
        if row and row[1] is not None
    }
    assert departments["Laboratory"] == 15 and departments["Radiology"] == 40
    per_day = list(book["Per day"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[4]) for r in per_day] == [(155, 70), (30, 5), (-30, 0)]
    event = AuditEvent.objects.get(action="export", resource_type="report")
    assert event.object_id == "finance-revenue" and event.actor == books.clerk
    assert event.detail["format"] == "xlsx"
    assert event.detail["filters"]["date_from"] == "2027-03-10"


def test_csv_export_streams_each_section(client_for, books):
    with at(13):
        response = client_for(Role.ADMIN).get(EXPORT, {**RANGE, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    assert ["Invoiced", "155.00", "USD"] in rows
    block = rows.index(["Collections by payment method"])
    assert rows[block + 1][0] == "Payment method"
    assert rows[block + 2][:6] == ["Cash", "1", "50.00", "1", "10.00", "40.00"]
    assert AuditEvent.objects.filter(action="export", detail__format="csv").count() == 1


def test_export_refuses_a_bad_format_and_other_roles(client_for, books):
    clerk = client_for(Role.ACCOUNTANT, user=books.clerk)
    bad = clerk.get(EXPORT, {**RANGE, "format": "pdf"})
    assert bad.status_code == 400 and "format" in bad.json()["fields"]
    assert clerk.get(EXPORT, RANGE).status_code == 400  # no format
    assert client_for(Role.NURSE).get(EXPORT, {**RANGE, "format": "csv"}).status_code == 403
    assert client_for(Role.DOCTOR).get(EXPORT, {**RANGE, "format": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action="export", resource_type="report").exists()
