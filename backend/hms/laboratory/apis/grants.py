"""Self-verification grants: who may verify results they entered themselves."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import user_find
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.laboratory import selectors, services


class LabGrantOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    user = UserRefSerializer()
    reason = serializers.CharField()
    granted_by = UserRefSerializer()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField()
    revoked_by = UserRefSerializer(allow_null=True)


class LabVerifierGrantListCreateApi(APIView):
    """Admins grant a lab technician the right to verify results they entered themselves."""

    permission_resource = "lab_verifier_grants"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        include_revoked = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        user = serializers.UUIDField(help_text="A lab technician's user id")
        reason = serializers.CharField(max_length=500)

    @extend_schema(parameters=[FilterSerializer], responses=LabGrantOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.lab_verifier_grant_list(**filters),
            serializer_class=LabGrantOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: LabGrantOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_find(public_id=data.validated_data["user"])
        if user is None:
            raise ApplicationError(
                "No user with this id.", code="validation_error", fields={"user": ["Unknown."]}
            )
        grant = services.lab_verifier_grant_create(
            actor=request.user, user=user, reason=data.validated_data["reason"]
        )
        return Response(LabGrantOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class LabVerifierGrantRevokeApi(APIView):
    permission_resource = "lab_verifier_grants"
    permission_actions = {"POST": "revoke"}

    @extend_schema(request=None, responses=LabGrantOutputSerializer)
    def post(self, request, public_id):
        grant = selectors.lab_verifier_grant_find(public_id=public_id)
        if grant is None:
            raise NotFoundError("No grant with this id.", code="not_found")
        grant = services.lab_verifier_grant_revoke(actor=request.user, grant=grant)
        return Response(LabGrantOutputSerializer(grant).data)
