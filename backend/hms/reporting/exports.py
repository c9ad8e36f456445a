"""Report files: CSV and XLSX exports of any report, and dashboard PDFs.

Every writer takes a computed `ReportResult` (and, for a report that streams its rows, the
row stream) and renders it without knowing which report it is:

- CSV: the report's title, filters and as-of, the figures, then one block per section (its
  title, a header row, its rows), blank lines between blocks. Streamed from a generator
  through `csv.writer`, so a large report is never held as one string.
- XLSX: a "Summary" sheet (title, filters, as-of, figures) and one sheet per section, written
  by openpyxl in write-only mode (rows go straight to the file) to a temporary file that is
  streamed back and removed when the response closes.
- PDF: hms.reporting.pdf.

Each response function writes one audit event (action `export`, resource `report`) naming the
report and its filters; call it after the permission check that computed the result.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.reporting.registry import Column, ReportFilters, ReportResult, Section

EXPORT_FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

RowStream = Iterable[tuple[str, dict]]

# Decimal places of each column type in files (as in the API's JSON).
PLACES = {"money": 2, "decimal": 2, "percent": 1, "minutes": 1, "days": 1}


# --- Values ------------------------------------------------------------------------------------


def filters_json(filters: ReportFilters) -> dict[str, Any]:
    """The filters as the API shows them: dates ISO, a ward/doctor by public id, else text."""

    def show(value):
        if value is None:
            return None
        if isinstance(value, date):
            return value.isoformat()
        public_id = getattr(value, "public_id", None)
        return str(public_id) if public_id is not None else str(value)

    return {
        name: show(getattr(filters, name))
        for name in ("date_from", "date_to", "ward", "department", "doctor", "payer")
    }


def filter_lines(filters: ReportFilters) -> list[tuple[str, str]]:
    """(label, text) of the filters that are set, for the heads of files."""
    lines = [("From", filters.date_from.isoformat()), ("To", filters.date_to.isoformat())]
    for name, label in (
        ("ward", "Ward"),
        ("department", "Department"),
        ("doctor", "Doctor"),
        ("payer", "Payer"),
    ):
        value = getattr(filters, name)
        if value is None:
            continue
        if hasattr(value, "get_full_name"):
            text = value.get_full_name() or value.get_username()
        else:
            text = str(getattr(value, "name", None) or value)
        lines.append((label, text))
    return lines


def as_of_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def text_value(value, column_type: str = "text") -> str:
    """A cell as text: fixed decimals for amounts, ISO dates, empty for undefined."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if column_type in PLACES and isinstance(value, Decimal | float | int):
        return f"{rounded(value, PLACES[column_type])}"
    return str(value)


def rounded(value, places: int) -> Decimal:
    """Half up, as the hospital's money is rounded (hms.billing.money)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure_text(value, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{rounded(value, 1 if unit == '%' else 2)}"
    return str(value)


def export_filename(result: ReportResult, extension: str) -> str:
    """ "inpatient-movements_2026-11-08_2026-12-07.xlsx"."""
    f = result.filters
    return f"{result.slug}_{f.date_from.isoformat()}_{f.date_to.isoformat()}.{extension}"


def _section_rows(
    result: ReportResult, stream: RowStream | None
) -> Iterator[tuple[Section, Iterable[dict]]]:
    """Each section with its rows: from the stream when the report streams them (the
    sections in the stream's order, then any it did not stream), else the computed rows."""
    sections = {section.id: section for section in result.sections}
    if stream is None:
        for section in result.sections:
            yield section, section.rows
        return
    done: set[str] = set()
    for section_id, items in groupby(stream, key=itemgetter(0)):
        section = sections.get(section_id)
        if section is None or section_id in done:
            continue  # rows of a section the result does not describe
        done.add(section_id)
        yield section, (row for _, row in items)
    for section in result.sections:
        if section.id not in done:
            yield section, section.rows


# --- CSV ---------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for csv.writer over a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(result: ReportResult, stream: RowStream | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["Report", result.title])
    for label, text in filter_lines(result.filters):
        yield writer.writerow([label, text])
    yield writer.writerow(["As of", as_of_text(result.as_of)])
    if result.figures:
        yield writer.writerow([])
        yield writer.writerow(["Figure", "Value", "Unit"])
        for figure in result.figures:
            yield writer.writerow(
                [figure.label, figure_text(figure.value, figure.unit), figure.unit]
            )
    for section, rows in _section_rows(result, stream):
        yield writer.writerow([])
        yield writer.writerow([section.title])
        yield writer.writerow([_column_heading(c) for c in section.columns])
        for row in rows:
            yield writer.writerow([text_value(row.get(c.key), c.type) for c in section.columns])


def _column_heading(column: Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


# --- XLSX --------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = set("[]:*?/\\")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = "".join(" " if ch in _SHEET_FORBIDDEN else ch for ch in title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _xlsx_value(value, column_type: str = "text"):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(rounded(value, PLACES.get(column_type, 2)))
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_xlsx(result: ReportResult, target, stream: RowStream | None = None) -> None:
    """The workbook written to `target` (a path or a binary file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook(write_only=True)
    taken: set[str] = set()

    def heading_row(sheet, values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        return cells

    summary = book.create_sheet(_sheet_title("Summary", taken))
    summary.append(heading_row(summary, [result.title]))
    for label, text in filter_lines(result.filters):
        summary.append([label, text])
    summary.append(["As of", as_of_text(result.as_of)])
    summary.append([])
    summary.append(heading_row(summary, ["Figure", "Value", "Unit"]))
    for figure in result.figures:
        summary.append(
            [
                figure.label,
                _xlsx_value(figure.value, "percent" if figure.unit == "%" else "money"),
                figure.unit,
            ]
        )

    for section, rows in _section_rows(result, stream):
        sheet = book.create_sheet(_sheet_title(section.title, taken))
        sheet.append(heading_row(sheet, [_column_heading(c) for c in section.columns]))
        formats = [_number_format(c) for c in section.columns]
        for row in rows:
            cells = []
            for column, number_format in zip(section.columns, formats, strict=True):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(row.get(column.key), column.type))
                if number_format:
                    cell.number_format = number_format
                cells.append(cell)
            sheet.append(cells)
        if section.note:
            sheet.append([])
            sheet.append([section.note])
    book.save(target)


def _number_format(column: Column) -> str | None:
    if column.type == "date":
        return "yyyy-mm-dd"
    if column.type in PLACES:
        return "0." + "0" * PLACES[column.type]
    return None


# --- Responses ---------------------------------------------------------------------------------


def audit_export(*, user, result: ReportResult, file_format: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            resource_type="report",
            object_id=result.slug,
            detail={
                "slug": result.slug,
                "format": file_format,
                "filters": filters_json(result.filters),
            },
        )


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def report_csv_response(
    result: ReportResult, *, user, stream: RowStream | None = None
) -> StreamingHttpResponse:
    """The report as a streamed CSV download (audited)."""
    audit_export(user=user, result=result, file_format="csv")
    response = StreamingHttpResponse(csv_lines(result, stream), content_type=CSV_TYPE)
    return _attachment(response, export_filename(result, "csv"))


def report_xlsx_file(result: ReportResult, stream: RowStream | None = None):
    """The workbook in an anonymous temporary file (removed once closed), at its start."""
    # Closed (and so removed) by the FileResponse that streams it, or by the caller.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    write_xlsx(result, handle, stream)
    handle.seek(0)
    return handle


def report_xlsx_response(
    result: ReportResult, *, user, stream: RowStream | None = None
) -> FileResponse:
    """The report as an XLSX download, streamed from a temporary file (audited)."""
    handle = report_xlsx_file(result, stream)
    audit_export(user=user, result=result, file_format="xlsx")
    response = FileResponse(
        handle, content_type=XLSX_TYPE, as_attachment=True, filename=export_filename(result, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response


def dashboard_pdf_response(result: ReportResult, *, user) -> HttpResponse:
    """A dashboard (or any report) as a PDF with its charts and tables (audited)."""
    from hms.reporting.pdf import report_pdf

    content = report_pdf(result)
    audit_export(user=user, result=result, file_format="pdf")
    response = HttpResponse(content, content_type=PDF_TYPE)
    return _attachment(response, export_filename(result, "pdf"))
