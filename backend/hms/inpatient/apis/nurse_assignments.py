"""Nurse ward assignments: which nurses work on a ward (admins manage them); while one
runs, the ward's patients are in the nurse's care."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import user_find
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.inpatient import selectors, services
from hms.inpatient.apis.common import WardRefSerializer, invalid_field


class NurseAssignmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    nurse = UserRefSerializer()
    ward = WardRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    assigned_by = UserRefSerializer()


class WardNurseListCreateApi(APIView):
    """Which nurses work on the ward (admins manage it). While an assignment runs, the ward's
    patients are in the nurse's care."""

    permission_resource = "nurse_ward_assignments"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        current = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        nurse = serializers.UUIDField()
        starts_on = serializers.DateField(required=False)
        ends_on = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(
        parameters=[FilterSerializer], responses=NurseAssignmentOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.nurse_assignment_list(ward=ward, current_only=filters["current"]),
            serializer_class=NurseAssignmentOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: NurseAssignmentOutputSerializer})
    def post(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        nurse = user_find(public_id=params.pop("nurse"))
        if nurse is None:
            raise invalid_field("nurse", "No user with this id.")
        assignment = services.nurse_ward_assign(
            actor=request.user, nurse=nurse, ward=ward, **params
        )
        return Response(
            NurseAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class NurseAssignmentEndApi(APIView):
    permission_resource = "nurse_ward_assignments"
    permission_actions = {"POST": "end"}

    class InputSerializer(serializers.Serializer):
        ends_on = serializers.DateField(required=False)

    @extend_schema(request=InputSerializer, responses=NurseAssignmentOutputSerializer)
    def post(self, request, public_id):
        assignment = selectors.nurse_assignment_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.nurse_ward_assignment_end(
            actor=request.user, assignment=assignment, **data.validated_data
        )
        return Response(NurseAssignmentOutputSerializer(assignment).data)
