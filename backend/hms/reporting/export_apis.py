"""Report files over the API: `reports/<slug>/export/?format=csv|xlsx` (one view per
registered report, its family as the permission action, like the report's own view) and the
dashboards as PDFs. Every file is audited (hms.reporting.exports)."""

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from hms.core.query_params import query_params
from hms.reporting import exports, selectors
from hms.reporting.registry import Report


class FileNegotiation(DefaultContentNegotiation):
    """`format` here names the file to build, not a DRF renderer: errors still answer in the
    one JSON shape."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReportExportApi(APIView):
    """The report as a file: `format=csv` (streamed) or `format=xlsx` (a workbook with a
    Summary sheet and one sheet per section), with the report's own filters."""

    permission_resource = "reports"
    content_negotiation_class = FileNegotiation
    report_slug = ""

    class FormatSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=exports.EXPORT_FORMATS)

    @extend_schema(
        parameters=[FormatSerializer, selectors.ReportFilterSerializer],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        file_format = query_params(self.FormatSerializer, request)["format"]
        report = selectors.report_for(request.user, self.report_slug)
        filters = selectors.report_filters_parse(request.query_params, accepted=report.filters)
        result = report.compute(filters, request.user)
        stream = report.stream_rows(filters, request.user) if report.stream_rows else None
        if file_format == "csv":
            return exports.report_csv_response(result, user=request.user, stream=stream)
        return exports.report_xlsx_response(result, user=request.user, stream=stream)


def report_export_view(report: Report):
    """The export view class of one registered report."""
    name = "".join(part.title() for part in report.slug.split("-")) + "ReportExportApi"
    view_class = type(
        name,
        (ReportExportApi,),
        {
            "report_slug": report.slug,
            "permission_actions": {"GET": report.family},
            "__doc__": f"{report.title} as a CSV or XLSX file.",
        },
    )
    return view_class.as_view()


class DashboardPdfApi(APIView):
    """A dashboard as a PDF: its KPI figures, then each chart with its table (the dashboard's
    own filters)."""

    permission_resource = "reports"
    dashboard = ""  # "management" or "doctor": selectors.<dashboard>_dashboard(user, filters)

    @extend_schema(
        parameters=[selectors.ReportFilterSerializer],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        dashboard = getattr(selectors, f"{self.dashboard}_dashboard")
        result = dashboard(request.user, request.query_params)
        return exports.dashboard_pdf_response(result, user=request.user)


class ManagementDashboardPdfApi(DashboardPdfApi):
    permission_actions = {"GET": "management_dashboard"}
    dashboard = "management"


class DoctorDashboardPdfApi(DashboardPdfApi):
    permission_actions = {"GET": "doctor_dashboard"}
    dashboard = "doctor"
