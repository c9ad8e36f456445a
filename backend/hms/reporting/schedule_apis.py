"""Scheduled reports over the API (admins only): `reports/schedules/` and
`reports/schedules/<uuid>/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.reporting import selectors, services
from hms.reporting.models import ReportFrequency
from hms.reporting.registry import report_get


class ScheduleOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    report = serializers.CharField(source="report_slug")
    report_title = serializers.SerializerMethodField()
    frequency = serializers.CharField()
    filters = serializers.DictField(child=serializers.CharField())
    recipient_roles = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_run_at = serializers.DateTimeField(allow_null=True)
    next_run_at = serializers.DateTimeField(allow_null=True)

    def get_report_title(self, schedule) -> str:
        report = report_get(schedule.report_slug)
        return report.title if report else schedule.report_slug

    def get_created_by(self, schedule) -> dict:
        user = schedule.created_by
        return {"id": str(user.public_id), "name": user.get_full_name() or user.username}


class ScheduleInputSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=64)
    frequency = serializers.ChoiceField(choices=ReportFrequency.choices)
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    recipient_roles = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    active = serializers.BooleanField(required=False, default=True)


def _service_arguments(data: dict) -> dict:
    if "report" in data:
        data["report_slug"] = data.pop("report")
    return data


class ReportScheduleListApi(APIView):
    """Scheduled reports (paginated), and a new one: a report, a frequency (daily, weekly,
    monthly), preset filters and the roles that receive it by e-mail."""

    permission_resource = "reports"
    permission_actions = {"GET": "schedules_list", "POST": "schedules_create"}

    @extend_schema(responses=ScheduleOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.schedule_list(),
            serializer_class=ScheduleOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=ScheduleInputSerializer, responses={201: ScheduleOutputSerializer})
    def post(self, request):
        serializer = ScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        schedule = services.schedule_create(
            actor=request.user, **_service_arguments(dict(serializer.validated_data))
        )
        return Response(ScheduleOutputSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ReportScheduleDetailApi(APIView):
    """One scheduled report: read, change (any field; `active: false` pauses it), delete."""

    permission_resource = "reports"
    permission_actions = {
        "GET": "schedules_read",
        "PATCH": "schedules_update",
        "DELETE": "schedules_delete",
    }

    @extend_schema(responses=ScheduleOutputSerializer)
    def get(self, request, public_id):
        return Response(ScheduleOutputSerializer(selectors.schedule_get(public_id=public_id)).data)

    @extend_schema(
        request=ScheduleInputSerializer(partial=True), responses=ScheduleOutputSerializer
    )
    def patch(self, request, public_id):
        schedule = selectors.schedule_get(public_id=public_id)
        serializer = ScheduleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        schedule = services.schedule_update(
            actor=request.user,
            schedule=schedule,
            **_service_arguments(dict(serializer.validated_data)),
        )
        return Response(ScheduleOutputSerializer(selectors.schedule_get(public_id=public_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, public_id):
        services.schedule_delete(
            actor=request.user, schedule=selectors.schedule_get(public_id=public_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
