"""Break-the-glass: emergency access to a chart outside one's care, and its review by an admin."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import NotFoundError
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.services import audit_log_read
from hms.patients import selectors, services


class BreakGlassOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class PatientBreakGlassApi(APIView):
    """A doctor or nurse opens a chart outside their care in an emergency, giving a reason."""

    permission_resource = "patients"
    permission_actions = {"POST": "break_glass"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            min_length=services.BREAK_GLASS_REASON_MIN_LENGTH, max_length=2000
        )

    @extend_schema(request=InputSerializer, responses={201: BreakGlassOutputSerializer})
    def post(self, request, public_id):
        patient = selectors.patient_find(public_id=public_id)
        if patient is None:
            raise NotFoundError("No patient with this id.", code="patient_not_found")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.break_glass_grant_create(
            user=request.user, patient=patient, reason=data.validated_data["reason"]
        )
        return Response(BreakGlassOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class BreakGlassReviewOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    user = serializers.UUIDField(source="user.public_id")
    username = serializers.CharField(source="user.username")
    user_name = serializers.CharField(source="user.get_full_name")
    user_role = serializers.CharField(source="user.role")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_mrn = serializers.CharField(source="patient.mrn")
    patient_name = serializers.CharField(source="patient.display_name")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    active = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", default=None)
    review_note = serializers.CharField()

    def get_active(self, grant) -> bool:
        return grant.expires_at > timezone.now()


class BreakGlassGrantListApi(APIView):
    """Emergency accesses for admin review, newest first (`?reviewed=false`: still to do)."""

    permission_resource = "break_glass_review"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        reviewed = serializers.BooleanField(required=False, allow_null=True, default=None)
        user = serializers.UUIDField(required=False)
        patient = serializers.UUIDField(required=False)
        since = serializers.DateTimeField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=BreakGlassReviewOutputSerializer(many=True)
    )
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.break_glass_grant_list(filters=filters),
            serializer_class=BreakGlassReviewOutputSerializer,
            request=request,
            view=self,
        )
        audit_log_read(
            actor=request.user,
            resource_type="break_glass_grants",
            filters=filters,
            count=response.data.get("count"),
        )
        return response


class BreakGlassGrantReviewApi(APIView):
    permission_resource = "break_glass_review"
    permission_actions = {"POST": "review"}

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=BreakGlassReviewOutputSerializer)
    def post(self, request, public_id):
        grant = selectors.break_glass_grant_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.break_glass_grant_review(
            actor=request.user, grant=grant, note=data.validated_data["note"]
        )
        return Response(BreakGlassReviewOutputSerializer(grant).data)
