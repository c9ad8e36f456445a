"""The reports API: the catalogue, and one read-only view per registered report.

Each report's view is generated from the registry (`report_api_view`), with the report's
family as its action in the permission table (resource `reports`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import StandardPagination
from hms.reporting import selectors
from hms.reporting.registry import Report


class ReportCatalogueApi(APIView):
    """The reports the signed-in user may read (paginated), with the filters each accepts."""

    permission_resource = "reports"
    permission_actions = {"GET": "catalogue"}

    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        family = serializers.CharField()
        family_display = serializers.CharField()
        description = serializers.CharField()
        accepted_filters = serializers.ListField(child=serializers.CharField())
        url = serializers.CharField()
        export_formats = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        reports = selectors.report_catalogue_for(request.user)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(
            [selectors.report_catalogue_json(report) for report in page]
        )


class ReportApi(APIView):
    """One report: headline figures and sections (tables with their charts). Query parameters:
    the filters the report accepts (`date_from`, `date_to` default to the 30 days ending
    today)."""

    permission_resource = "reports"
    report_slug = ""

    @extend_schema(parameters=[selectors.ReportFilterSerializer], responses=dict)
    def get(self, request):
        result = selectors.report_compute_for(request.user, self.report_slug, request.query_params)
        return Response(selectors.report_result_json(result))


def report_api_view(report: Report):
    """The view class of one registered report."""
    name = "".join(part.title() for part in report.slug.split("-")) + "ReportApi"
    view_class = type(
        name,
        (ReportApi,),
        {
            "report_slug": report.slug,
            "permission_actions": {"GET": report.family},
            "__doc__": f"{report.title}. {report.description}",
        },
    )
    return view_class.as_view()


class ManagementDashboardApi(APIView):
    """The management dashboard: KPI figures and charts over `date_from`..`date_to`."""

    permission_resource = "reports"
    permission_actions = {"GET": "management_dashboard"}

    @extend_schema(parameters=[selectors.ReportFilterSerializer], responses=dict)
    def get(self, request):
        result = selectors.management_dashboard(request.user, request.query_params)
        return Response(selectors.report_result_json(result))


class DoctorDashboardApi(APIView):
    """The signed-in doctor's dashboard: their patients, results to review, no-show rates."""

    permission_resource = "reports"
    permission_actions = {"GET": "doctor_dashboard"}

    @extend_schema(parameters=[selectors.ReportFilterSerializer], responses=dict)
    def get(self, request):
        result = selectors.doctor_dashboard(request.user, request.query_params)
        return Response(selectors.report_result_json(result))
