"""Reads of the reporting app: which reports a user may read, their filters, their results.

The API, the web portal and the exports all go through these:

    report_catalogue_for(user) -> [Report]
    report_compute_for(user, slug, params) -> ReportResult   # 403 / 404 / 400 like the API
    report_result_json(result) -> dict                        # the one JSON shape
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from hms.accounts.models import User
from hms.core.errors import ForbiddenError, NotFoundError
from hms.core.permissions import user_may
from hms.core.query_params import bound_dates
from hms.core.roles import Role
from hms.inpatient.models import Ward
from hms.reporting import dashboards
from hms.reporting.models import ReportSchedule
from hms.reporting.registry import (
    FAMILIES,
    Report,
    ReportFilters,
    ReportResult,
    report_get,
    report_list,
)

PERMISSION_RESOURCE = "reports"
DEFAULT_RANGE_DAYS = 30  # no dates: the 30 days ending today
MAX_RANGE_DAYS = 3 * 366  # a range longer than three years is refused
EXPORT_FORMATS = ("csv", "xlsx")

# Fixed decimals of each column type in the JSON (money like the rest of the API).
DECIMALS = {"decimal": 2, "money": 2, "percent": 1, "minutes": 1, "days": 1}


class ReportFilterSerializer(serializers.Serializer):
    """The query parameters every report understands (each report uses those it accepts)."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    ward = serializers.UUIDField(required=False)
    department = serializers.CharField(required=False, max_length=100)
    doctor = serializers.UUIDField(required=False)
    payer = serializers.CharField(required=False, max_length=200)

    def validate(self, attrs):
        today = timezone.localdate()
        date_to = attrs.get("date_to") or today
        date_from = attrs.get("date_from") or date_to - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if date_to < date_from:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"date_from": ["The range may cover at most three years."]}
            )
        attrs["date_from"], attrs["date_to"] = date_from, date_to
        if "ward" in attrs:
            ward = Ward.objects.filter(public_id=attrs["ward"]).first()
            if ward is None:
                raise serializers.ValidationError({"ward": ["No ward with this id."]})
            attrs["ward"] = ward
        if "doctor" in attrs:
            doctor = User.objects.filter(public_id=attrs["doctor"], role=Role.DOCTOR).first()
            if doctor is None:
                raise serializers.ValidationError({"doctor": ["No doctor with this id."]})
            attrs["doctor"] = doctor
        for name in ("department", "payer"):
            if name in attrs:
                attrs[name] = attrs[name].strip() or None
        return attrs


def report_filters_parse(params, *, accepted: tuple[str, ...] | None = None) -> ReportFilters:
    """Validate query parameters into `ReportFilters` (400 naming the field). Filters the
    report does not accept are ignored (not even validated)."""
    if accepted is not None:
        keep = set(accepted) | {"date_from", "date_to"}
        params = {key: params[key] for key in params if key in keep}
    serializer = bound_dates(ReportFilterSerializer(data=params))
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return ReportFilters(
        date_from=data["date_from"],
        date_to=data["date_to"],
        ward=data.get("ward"),
        department=data.get("department"),
        doctor=data.get("doctor"),
        payer=data.get("payer"),
    )


def report_may_read(user, report: Report) -> bool:
    return user_may(user, PERMISSION_RESOURCE, report.family)


def report_catalogue_for(user) -> list[Report]:
    """The registered reports this user may read, by family then title."""
    return [report for report in report_list() if report_may_read(user, report)]


def report_for(user, slug: str) -> Report:
    """The report `slug` if this user may read it: 404 when there is none, 403 otherwise."""
    report = report_get(slug)
    if report is None:
        raise NotFoundError("No report with this name.", code="report_not_found")
    if not report_may_read(user, report):
        raise ForbiddenError("Your role does not allow this report.")
    return report


def report_compute_for(user, slug: str, params) -> ReportResult:
    """Compute report `slug` for `user` with the query parameters `params`."""
    report = report_for(user, slug)
    filters = report_filters_parse(params, accepted=report.filters)
    return report.compute(filters, user)


def _dashboard_filters(filters) -> ReportFilters:
    if isinstance(filters, ReportFilters):
        return filters
    return report_filters_parse(filters or {}, accepted=dashboards.DASHBOARD_FILTERS)


def management_dashboard(user, filters) -> ReportResult:
    """The management dashboard (`filters`: ReportFilters or query parameters; 403 / 400)."""
    if not user_may(user, PERMISSION_RESOURCE, "management_dashboard"):
        raise ForbiddenError("Your role does not allow the management dashboard.")
    return dashboards.management_dashboard(user, _dashboard_filters(filters))


def doctor_dashboard(user, filters) -> ReportResult:
    """The signed-in doctor's dashboard (`filters`: ReportFilters or query parameters)."""
    if not user_may(user, PERMISSION_RESOURCE, "doctor_dashboard"):
        raise ForbiddenError("Only doctors have a doctor's dashboard.")
    return dashboards.doctor_dashboard(user, _dashboard_filters(filters))


# --- JSON -------------------------------------------------------------------------------------


def _fixed(value, places: int) -> str | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def json_value(value: Any, column_type: str) -> Any:
    """One cell or figure in its JSON form (see the column types in the registry)."""
    if value is None:
        return None
    if column_type == "int":
        return int(value)
    if column_type in DECIMALS:
        return _fixed(value, DECIMALS[column_type])
    if column_type == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def _figure_type(value: Any, unit: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return "int"
    return {"%": "percent", "days": "days", "minutes": "minutes"}.get(unit, "decimal")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _filters_json(filters: ReportFilters) -> dict:
    return {
        "date_from": filters.date_from.isoformat(),
        "date_to": filters.date_to.isoformat(),
        "ward": str(filters.ward.public_id) if filters.ward is not None else None,
        "department": filters.department,
        "doctor": str(filters.doctor.public_id) if filters.doctor is not None else None,
        "payer": filters.payer,
    }


def report_result_json(result: ReportResult) -> dict:
    """The report JSON the API answers (and the portal and exports render)."""
    report = report_get(result.slug)
    if report is not None:
        family, description, accepted = report.family, report.description, report.filters
    else:
        family, description = "dashboard", dashboards.DASHBOARDS.get(result.slug, ("", ""))[1]
        accepted = dashboards.DASHBOARD_FILTERS
    return {
        "slug": result.slug,
        "title": result.title,
        "family": family,
        "family_display": FAMILIES.get(family, "Dashboard"),
        "description": description,
        "as_of": _iso_utc(result.as_of),
        "filters": _filters_json(result.filters),
        "accepted_filters": list(accepted),
        "figures": [
            {
                "key": figure.key,
                "label": figure.label,
                "value": json_value(figure.value, _figure_type(figure.value, figure.unit)),
                "unit": figure.unit,
            }
            for figure in result.figures
        ],
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "note": section.note,
                "columns": [
                    {"key": c.key, "label": c.label, "type": c.type, "unit": c.unit}
                    for c in section.columns
                ],
                "rows": [
                    {c.key: json_value(row.get(c.key), c.type) for c in section.columns}
                    for row in section.rows
                ],
                "chart": _chart_json(section.chart),
            }
            for section in result.sections
        ],
    }


def _chart_json(chart) -> dict | None:
    if chart is None:
        return None
    return {
        "kind": chart.kind,
        "title": chart.title,
        "x": chart.x,
        "series": [{"key": s.key, "label": s.label} for s in chart.series],
        "y_label": chart.y_label,
        "y_starts_at_zero": chart.y_starts_at_zero,
    }


def report_catalogue_json(report: Report) -> dict:
    return {
        "slug": report.slug,
        "title": report.title,
        "family": report.family,
        "family_display": FAMILIES[report.family],
        "description": report.description,
        "accepted_filters": list(report.filters),
        "url": f"/api/reports/{report.slug}/",
        "export_formats": list(EXPORT_FORMATS),
    }


# --- Scheduled reports ------------------------------------------------------------------------


def schedule_list():
    """Every schedule with its creator (one query a page)."""
    return ReportSchedule.objects.select_related("created_by").order_by("report_slug", "id")


def schedule_get(*, public_id):
    schedule = schedule_list().filter(public_id=public_id).first()
    if schedule is None:
        raise NotFoundError("No scheduled report with this id.", code="schedule_not_found")
    return schedule
