"""Reports in the portal: the catalogue, one page per report, the management dashboard and the
doctor's own dashboard. Each page computes through the reporting selectors (the same code, the
same permission table and the same filter rules as the API) and renders the report's JSON:
figures as cards, each section as a chart with its table, export and PDF links."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError as RequestValidationError

from hms.core.errors import ApplicationError, ForbiddenError, NotFoundError
from hms.core.permissions import user_may
from hms.core.services import audit_page_read
from hms.reporting import selectors as report_selectors
from hms.reporting.registry import FAMILIES, report_get
from hms.web.navigation import REPORT_ROLES, WORKSPACE_ROLES
from hms.web.report_pages import ReportFilterForm, RowLink, filter_query, report_page
from hms.web.views.base import portal_page, table_permission

EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
DASHBOARD_FILTERS = ("date_from", "date_to")


def _url(name: str, key: str):
    """A RowLink url: the page `name` of the row's id `key` (no link when the row has none)."""
    return lambda row: reverse(name, args=[row[key]]) if row.get(key) else None


# The doctor's dashboard links each of their patients to the chart, and each result to its
# notification (opening it marks it read and goes on to the result).
DOCTOR_DASHBOARD_LINKS = {
    "my_patients": RowLink(
        column="patient",
        url=_url("web:workspace-chart", "patient_id"),
        patient=lambda row: row.get("patient_id"),
    ),
    "results_waiting": RowLink(
        column="title", url=_url("web:notification-open", "notification_id")
    ),
}


def _add_request_errors(form: ReportFilterForm, exc: RequestValidationError) -> None:
    """The selectors' 400 (the API's field errors) next to the form's fields."""
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    for name, messages in detail.items():
        field = name if name in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field, str(message))


def _compute(form: ReportFilterForm, compute):
    """(result, status): the result of `compute(params)` when the filters pass both the form
    and the selectors, else (None, 400) with the messages on the form. 403/404 from the
    selectors become the portal's 403/404 pages."""
    if not form.is_valid():
        return None, 400
    try:
        return compute(form.params()), 200
    except RequestValidationError as exc:
        _add_request_errors(form, exc)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ForbiddenError as exc:
        raise PermissionDenied(exc.message) from exc
    except ApplicationError as exc:
        form.add_service_error(exc)
    return None, 400


def _page_context(form: ReportFilterForm, result, *, links=None) -> dict:
    """What every report page shows of a computed result (or only the form after an error)."""
    if result is None:
        return {"form": form, "report": None}
    report_json = report_selectors.report_result_json(result)
    # The form shows the period actually computed (the default when none was asked for).
    form.data = {**form.data, **{k: report_json["filters"][k] for k in DASHBOARD_FILTERS}}
    return {
        "form": form,
        "report": report_json,
        "page": report_page(report_json, raw=result, links=links),
        "period_from": parse_date(report_json["filters"]["date_from"]),
        "period_to": parse_date(report_json["filters"]["date_to"]),
        "as_of": parse_datetime(report_json["as_of"]),
    }


def _audit(request, *, resource_type: str, report_json: dict | None, patient_ids=()) -> None:
    if report_json is None:
        return
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=list(patient_ids),
        count=None,
        detail={"slug": report_json["slug"], "filters": report_json["filters"]},
    )


@portal_page(REPORT_ROLES)
@table_permission("reports", "catalogue")
def reports_catalogue(request):
    """The reports this user may read, grouped by family."""
    reports = report_selectors.report_catalogue_for(request.user)
    families = [
        {
            "key": key,
            "title": title,
            "reports": [report for report in reports if report.family == key],
        }
        for key, title in FAMILIES.items()
    ]
    context = {
        "families": [family for family in families if family["reports"]],
        "may_see_dashboard": user_may(request.user, "reports", "management_dashboard"),
    }
    return render(request, "web/reports/catalogue.html", context)


@portal_page(REPORT_ROLES)
def report_detail(request, slug: str):
    """One report: its filters, figures, and each section as a chart and a table."""
    report = report_get(slug)
    if report is None:
        raise Http404("No report with this name.")
    if not user_may(request.user, "reports", report.family):
        raise PermissionDenied("Your role does not allow this report.")
    form = ReportFilterForm(request.GET.dict(), accepted=report.filters)
    result, status = _compute(
        form,
        lambda params: report_selectors.report_compute_for(request.user, slug, params),
    )
    context = _page_context(form, result)
    report_json = context["report"]
    if "date_from" not in report.filters:
        context["period_from"] = None  # a report on one day (e.g. ageing on date_to)
    _audit(request, resource_type="report", report_json=report_json)
    query = filter_query(report_json["filters"], report.filters) if report_json else ""
    export_url = reverse(f"report-{slug}-export")
    context.update(
        {
            "title": report.title,
            "description": report.description,
            "family_display": FAMILIES[report.family],
            "action": reverse("web:report", args=[slug]),
            "exports": [
                {
                    "format": fmt,
                    "label": label,
                    "url": f"{export_url}?format={fmt}" + (f"&{query}" if query else ""),
                }
                for fmt, label in EXPORT_FORMATS
            ],
        }
    )
    return render(request, "web/reports/report.html", context, status=status)


@portal_page(REPORT_ROLES)
@table_permission("reports", "management_dashboard")
def reports_dashboard(request):
    """The management dashboard: the hospital's headline figures and charts for a period."""
    form = ReportFilterForm(request.GET.dict(), accepted=DASHBOARD_FILTERS)
    result, status = _compute(
        form,
        lambda params: report_selectors.management_dashboard(request.user, params),
    )
    context = _page_context(form, result)
    _audit(request, resource_type="management_dashboard", report_json=context["report"])
    context.update(
        {
            "eyebrow": "Reporting",
            "title": "Management dashboard",
            "subtitle": "Beds, admissions, clinics and money at a glance.",
            "action": reverse("web:reports-dashboard"),
            "back_url": reverse("web:reports"),
            "back_label": "Reports",
            "pdf_url": _pdf_url("report-dashboard-management-pdf", context["report"]),
        }
    )
    return render(request, "web/reports/dashboard.html", context, status=status)


@portal_page(WORKSPACE_ROLES)
@table_permission("reports", "doctor_dashboard")
def workspace_dashboard(request):
    """The doctor's own dashboard: their patients and results awaiting their review (each a
    link), their clinic's no-show rate and theirs."""
    form = ReportFilterForm(request.GET.dict(), accepted=DASHBOARD_FILTERS)
    result, status = _compute(
        form,
        lambda params: report_selectors.doctor_dashboard(request.user, params),
    )
    context = _page_context(form, result, links=DOCTOR_DASHBOARD_LINKS)
    _audit(
        request,
        resource_type="doctor_dashboard",
        report_json=context["report"],
        patient_ids=context["page"]["patient_ids"] if result is not None else (),
    )
    context.update(
        {
            "eyebrow": "Doctor workspace",
            "title": "My dashboard",
            "subtitle": "Your patients, results awaiting your review and your clinic's figures.",
            "action": reverse("web:workspace-dashboard"),
            "back_url": reverse("web:workspace"),
            "back_label": "Workspace",
            "pdf_url": _pdf_url("report-dashboard-doctor-pdf", context["report"]),
        }
    )
    return render(request, "web/reports/dashboard.html", context, status=status)


def _pdf_url(url_name: str, report_json: dict | None) -> str:
    """The dashboard's PDF (an API route; the session signs the download in) for the page's
    dates."""
    if report_json is None:
        return ""
    return f"{reverse(url_name)}?{filter_query(report_json['filters'], DASHBOARD_FILTERS)}"
