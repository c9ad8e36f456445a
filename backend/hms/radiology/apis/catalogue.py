"""The procedure catalogue and the modalities."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.radiology import selectors, services
from hms.radiology.apis.common import ProcedureOutputSerializer
from hms.radiology.models import Modality


class ModalityListApi(APIView):
    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list"}

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return Response([{"code": value, "name": label} for value, label in Modality.choices])


class ProcedureInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$", max_length=32)
    name = serializers.CharField(max_length=200)
    modality = serializers.ChoiceField(choices=Modality.choices)
    body_part = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    with_contrast = serializers.BooleanField(required=False, default=False)


class ImagingProcedureListCreateApi(APIView):
    """The procedure catalogue (active ones unless `?include_inactive=true`)."""

    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        modality = serializers.ChoiceField(choices=Modality.choices, required=False)
        q = serializers.CharField(required=False)
        include_inactive = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=ProcedureOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.imaging_procedure_list(
                filters=query_params(self.FilterSerializer, request)
            ),
            serializer_class=ProcedureOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=ProcedureInputSerializer, responses={201: ProcedureOutputSerializer})
    def post(self, request):
        data = ProcedureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        procedure = services.imaging_procedure_create(actor=request.user, **data.validated_data)
        return Response(ProcedureOutputSerializer(procedure).data, status=status.HTTP_201_CREATED)


class ImagingProcedureDetailApi(APIView):
    """PATCH a procedure's name, body part, contrast or `active` (procedures are never
    deleted: ordered studies refer to them)."""

    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list", "PATCH": "update"}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        body_part = serializers.CharField(max_length=64, required=False, allow_blank=True)
        with_contrast = serializers.BooleanField(required=False)
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=ProcedureOutputSerializer)
    def get(self, request, public_id):
        procedure = selectors.imaging_procedure_get(public_id=public_id)
        return Response(ProcedureOutputSerializer(procedure).data)

    @extend_schema(request=InputSerializer, responses=ProcedureOutputSerializer)
    def patch(self, request, public_id):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        procedure = selectors.imaging_procedure_get(public_id=public_id)
        procedure = services.imaging_procedure_update(
            actor=request.user, procedure=procedure, **data.validated_data
        )
        return Response(ProcedureOutputSerializer(procedure).data)
