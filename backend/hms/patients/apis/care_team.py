"""Care assignments: the doctors responsible for a patient, and ending an assignment."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.patients import selectors, services
from hms.patients.access import ChartSection
from hms.patients.apis.patients import chart_patient


class CareAssignmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    doctor = serializers.UUIDField(source="doctor.public_id")
    doctor_name = serializers.CharField(source="doctor.get_full_name")
    assigned_by = serializers.CharField(source="assigned_by.username", default="")
    note = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class PatientCareTeamApi(APIView):
    """The doctors assigned to a patient (`?include_ended=true` for past assignments)."""

    permission_resource = "care_assignments"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        include_ended = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=CareAssignmentOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        filters = query_params(self.FilterSerializer, request)
        patient = chart_patient(request, public_id, ChartSection.DEMOGRAPHICS)
        return paginated_response(
            queryset=selectors.care_assignment_list(
                patient=patient, include_ended=filters["include_ended"]
            ),
            serializer_class=CareAssignmentOutputSerializer,
            request=request,
            view=self,
        )


class CareAssignmentEndApi(APIView):
    permission_resource = "care_assignments"
    permission_actions = {"POST": "end"}

    @extend_schema(request=None, responses=CareAssignmentOutputSerializer)
    def post(self, request, public_id):
        assignment = selectors.care_assignment_get(public_id=public_id)
        assignment = services.care_assignment_end(actor=request.user, assignment=assignment)
        return Response(CareAssignmentOutputSerializer(assignment).data)
