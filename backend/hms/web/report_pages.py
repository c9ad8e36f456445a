"""Reports on the web: the filter form of a report page and the page's view of a report's JSON
(the shape `hms.reporting.selectors.report_result_json` gives the API), so the portal shows
exactly the numbers the API, the desktop client and the exports show."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms

from hms.accounts import selectors as account_selectors
from hms.inpatient.selectors import ward_list
from hms.web.forms import ServiceErrorsMixin

FILTER_NAMES = ("date_from", "date_to", "ward", "department", "doctor", "payer")
NO_VALUE = "—"


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReportFilterForm(ServiceErrorsMixin, forms.Form):
    """A report's filters as a GET form: only those the report accepts. The reporting
    selectors check them again (the same rules as the API); their field errors land here."""

    date_from = _date("From")
    date_to = _date("To")
    ward = forms.ChoiceField(label="Ward", required=False)
    department = forms.ChoiceField(label="Department", required=False)
    doctor = forms.ChoiceField(label="Doctor", required=False)
    payer = forms.CharField(label="Payer", required=False, max_length=200)

    def __init__(self, *args, accepted: Iterable[str] = FILTER_NAMES, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = tuple(name for name in FILTER_NAMES if name in set(accepted))
        for name in FILTER_NAMES:
            if name not in self.accepted:
                del self.fields[name]
        needs_doctors = "doctor" in self.fields or "department" in self.fields
        profiles = list(account_selectors.doctor_list()) if needs_doctors else []
        if "ward" in self.fields:
            wards = [(str(w.public_id), w.name) for w in ward_list()]
            self.fields["ward"].choices = [("", "All wards"), *wards]
        if "department" in self.fields:
            departments = sorted({p.department for p in profiles if p.department})
            self.fields["department"].choices = [
                ("", "All departments"),
                *((d, d) for d in departments),
            ]
        if "doctor" in self.fields:
            doctors = [
                (str(p.user.public_id), f"Dr {p.user.get_full_name() or p.user.username}")
                for p in profiles
            ]
            self.fields["doctor"].choices = [("", "All doctors"), *doctors]

    def params(self) -> dict[str, str]:
        """The submitted values of the accepted filters, as the selectors and the API take
        them (strings; empty ones left out)."""
        return {
            name: self.data[name]
            for name in self.accepted
            if isinstance(self.data.get(name), str) and self.data[name].strip()
        }


def filter_query(filters: dict, accepted: Iterable[str]) -> str:
    """The query string of a computed report's filters (the ones it accepts and has), for the
    export and PDF links: the file holds what the page shows, defaults included."""
    pairs = [
        (name, str(filters[name]))
        for name in FILTER_NAMES
        if name in set(accepted) and filters.get(name) not in (None, "")
    ]
    return urlencode(pairs)


def _cell(value, column: dict) -> str:
    if value is None or value == "":
        return NO_VALUE
    return str(value)


def _figure_value(figure: dict) -> str:
    value = figure.get("value")
    if value is None:
        return NO_VALUE
    unit = figure.get("unit") or ""
    if not unit:
        return str(value)
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}"


def _heading(column: dict) -> str:
    unit = column.get("unit") or ""
    return f"{column['label']} ({unit})" if unit else column["label"]


@dataclass(frozen=True)
class RowLink:
    """A section's cells in `column` open a page: `url(row)` from the computed (not JSON) row,
    which may carry ids the table does not show; `patient(row)` names the row's patient for
    the page's audit event."""

    column: str
    url: Callable[[dict], str | None]
    patient: Callable[[dict], Any] | None = None


def report_page(report_json: dict, *, raw=None, links: dict[str, RowLink] | None = None) -> dict:
    """The page's view of one report (or dashboard) JSON: cards, and per section the table's
    headings and cells, the JSON the chart script draws from and its json_script id.

    `raw`: the ReportResult the JSON was made from; `links`: {section id: RowLink} for the
    sections whose rows open a page (the doctor's own patients and results)."""
    links = links or {}
    raw_sections = {s.id: s for s in raw.sections} if raw is not None else {}
    patient_ids: list = []
    sections = []
    for number, section in enumerate(report_json.get("sections", []), start=1):
        columns = section["columns"]
        link = links.get(section["id"])
        raw_rows = raw_sections[section["id"]].rows if section["id"] in raw_sections else []
        rows = []
        for position, row in enumerate(section["rows"]):
            raw_row = raw_rows[position] if position < len(raw_rows) else {}
            if link is not None and link.patient is not None and raw_row:
                patient = link.patient(raw_row)
                if patient is not None:
                    patient_ids.append(patient)
            cells = []
            for index, column in enumerate(columns):
                url = None
                if link is not None and link.column == column["key"] and raw_row:
                    url = link.url(raw_row)
                cells.append(
                    {
                        "text": _cell(row.get(column["key"]), column),
                        "numeric": column["type"] not in ("text", "date"),
                        "header": index == 0,
                        "url": url,
                    }
                )
            rows.append(cells)
        sections.append(
            {
                "id": section["id"],
                # Numbered: a dashboard's sections come from several reports.
                "dom_id": f"report-section-{number}",
                "json_id": f"report-section-{number}-data",
                "title": section["title"],
                "note": section.get("note", ""),
                "headings": [
                    {"text": _heading(c), "numeric": c["type"] not in ("text", "date")}
                    for c in columns
                ],
                "rows": rows,
                "chart": section.get("chart"),
                "json": section,
            }
        )
    figures = [
        {"key": f["key"], "label": f["label"], "text": _figure_value(f)}
        for f in report_json.get("figures", [])
    ]
    return {"figures": figures, "sections": sections, "patient_ids": patient_ids}
