"""Charges: list, post by hand, read, void."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.billing import selectors, services
from hms.billing.apis.common import MONEY, RATE, _billing_patient
from hms.billing.models import ChargeSource, ChargeStatus
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.patients.serializers import PatientRefSerializer


class ChargeOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    source_type = serializers.CharField()
    source_id = serializers.CharField()
    code = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = serializers.DecimalField(**MONEY)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    currency = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    status = serializers.CharField()
    reason = serializers.CharField()
    void_reason = serializers.CharField()


class ChargeListCreateApi(APIView):
    """Charges posted by the modules (and by hand). POST is a manual charge: a tariff code, or a
    description and a unit price, always with a reason; `idempotency_key` makes retries safe."""

    permission_resource = "billing_charges"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=ChargeStatus.choices, required=False)
        source_type = serializers.ChoiceField(choices=ChargeSource.choices, required=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        reason = serializers.CharField(max_length=1000)
        tariff_code = serializers.CharField(max_length=64, required=False)
        description = serializers.CharField(max_length=255, required=False)
        unit_price = serializers.DecimalField(**MONEY, min_value=0, required=False)
        quantity = serializers.DecimalField(
            max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, default=1
        )
        tax_rate = serializers.DecimalField(**RATE, required=False)
        occurred_at = serializers.DateTimeField(required=False)
        idempotency_key = serializers.CharField(max_length=64, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=ChargeOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.charge_list(user=request.user, filters=filters),
            serializer_class=ChargeOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "billing_charge_list")
        return response

    @extend_schema(request=InputSerializer, responses={201: ChargeOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        patient = _billing_patient(request, params.pop("patient"), purpose="write")
        charge = services.charge_post_manual(actor=request.user, patient=patient, **params)
        return Response(ChargeOutputSerializer(charge).data, status=status.HTTP_201_CREATED)


class ChargeDetailApi(APIView):
    permission_resource = "billing_charges"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ChargeOutputSerializer)
    def get(self, request, public_id):
        charge = selectors.charge_get_for_user(user=request.user, public_id=public_id)
        _billing_patient(request, charge.patient.public_id)
        return Response(ChargeOutputSerializer(charge).data)


class ChargeVoidApi(APIView):
    permission_resource = "billing_charges"
    permission_actions = {"POST": "void"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=ChargeOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge = selectors.charge_get_for_user(user=request.user, public_id=public_id)
        _billing_patient(request, charge.patient.public_id, purpose="write")
        charge = services.charge_void(actor=request.user, charge=charge, **data.validated_data)
        return Response(ChargeOutputSerializer(charge).data)
