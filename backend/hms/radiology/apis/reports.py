"""Reports of an order: drafts, the signed report and its addenda."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.radiology import selectors, services
from hms.radiology.apis.common import ReportOutputSerializer


class ReportInputSerializer(serializers.Serializer):
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    impression = serializers.CharField(required=False, allow_blank=True, default="")
    critical = serializers.BooleanField(required=False, default=False)


class ImagingReportListCreateApi(APIView):
    """The order's report and addenda; POST starts the report (a draft)."""

    permission_resource = "imaging_reports"
    permission_actions = {"GET": "list", "POST": "create"}

    @extend_schema(responses=ReportOutputSerializer(many=True))
    def get(self, request, public_id):
        order = selectors.imaging_order_get_for_user(user=request.user, public_id=public_id)
        reports = selectors.imaging_reports_visible(user=request.user, order=order)
        return Response(ReportOutputSerializer(reports, many=True).data)

    @extend_schema(request=ReportInputSerializer, responses={201: ReportOutputSerializer})
    def post(self, request, public_id):
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_create(
            actor=request.user, order=order, **data.validated_data
        )
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class ImagingReportDetailApi(APIView):
    """GET a report; PATCH edits a draft (a final report answers 409 `report_final`)."""

    permission_resource = "imaging_reports"
    permission_actions = {"GET": "read", "PATCH": "update", "PUT": "update"}

    class InputSerializer(serializers.Serializer):
        findings = serializers.CharField(required=False, allow_blank=True)
        impression = serializers.CharField(required=False, allow_blank=True)
        critical = serializers.BooleanField(required=False)

    @extend_schema(responses=ReportOutputSerializer)
    def get(self, request, public_id):
        report = selectors.imaging_report_get_for_user(user=request.user, public_id=public_id)
        return Response(ReportOutputSerializer(report).data)

    @extend_schema(request=InputSerializer, responses=ReportOutputSerializer)
    def patch(self, request, public_id):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_update(
            actor=request.user, report=report, **data.validated_data
        )
        return Response(ReportOutputSerializer(report).data)

    put = patch


class ImagingReportFinalizeApi(APIView):
    """Sign the draft: it never changes again. The order becomes reported; the ordering
    doctor (critical findings: a critical notification) and the patient are notified."""

    permission_resource = "imaging_reports"
    permission_actions = {"POST": "finalize"}

    @extend_schema(request=None, responses=ReportOutputSerializer)
    def post(self, request, public_id):
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_finalize(actor=request.user, report=report)
        return Response(ReportOutputSerializer(report).data)


class ImagingReportAddendumApi(APIView):
    """Amend a final report with an addendum (a new row; the report stays as signed).
    `finalize: true` signs the addendum at once."""

    permission_resource = "imaging_reports"
    permission_actions = {"POST": "addendum"}

    class InputSerializer(ReportInputSerializer):
        finalize = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={201: ReportOutputSerializer})
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        addendum = services.imaging_addendum_create(
            actor=request.user, report=report, **data.validated_data
        )
        return Response(ReportOutputSerializer(addendum).data, status=status.HTTP_201_CREATED)
