"""Stock: batches, their ledger of movements, returns and the stock alerts."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import StandardPagination, paginated_response
from hms.core.query_params import query_params
from hms.pharmacy import selectors, services
from hms.pharmacy.apis.common import (
    BatchOutputSerializer,
    DrugRefSerializer,
    MovementOutputSerializer,
)
from hms.pharmacy.models import MovementKind


class ReceiveSerializer(serializers.Serializer):
    drug = serializers.UUIDField()
    lot_number = serializers.CharField(max_length=64)
    expiry_date = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False
    )
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=64, required=False)


def stock_receive_response(request, params: dict):
    drug = selectors.drug_get(public_id=params.pop("drug"), include_inactive=False)
    return services.stock_receive(actor=request.user, drug=drug, **params)


class BatchListCreateApi(APIView):
    """Stock batches (FEFO order). POST receives a delivery (a new lot or more of a lot)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "list", "POST": "receive"}

    class FilterSerializer(serializers.Serializer):
        drug = serializers.UUIDField(required=False)
        location = serializers.CharField(required=False, max_length=64)
        expiring_within = serializers.IntegerField(required=False, min_value=0, max_value=3650)
        include_empty = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=BatchOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.batch_list(filters=filters),
            serializer_class=BatchOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=ReceiveSerializer, responses={201: MovementOutputSerializer})
    def post(self, request):
        data = ReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = stock_receive_response(request, dict(data.validated_data))
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=BatchOutputSerializer)
    def get(self, request, public_id):
        return Response(BatchOutputSerializer(selectors.batch_get(public_id=public_id)).data)


class AdjustSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=-10_000_000, max_value=10_000_000, help_text="Signed change, e.g. -3."
    )
    reason = serializers.CharField(max_length=500)


class WriteOffSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: everything left in the batch."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TransferSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    to_location = serializers.CharField(max_length=64)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class BatchAdjustApi(APIView):
    """Correct a batch's quantity (stock-take, damage, loss); a reason is required."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "adjust"}

    @extend_schema(request=AdjustSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = AdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_adjust(actor=request.user, batch=batch, **data.validated_data)
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchWriteOffApi(APIView):
    """Write off an expired batch (everything left, or `quantity`)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "write_off"}

    @extend_schema(request=WriteOffSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = WriteOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_write_off_expired(
            actor=request.user, batch=batch, **data.validated_data
        )
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchTransferApi(APIView):
    """Move units of a lot to another location (e.g. a ward's stock)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "transfer"}

    @extend_schema(request=TransferSerializer, responses={201: MovementOutputSerializer(many=True)})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movements = services.stock_transfer(actor=request.user, batch=batch, **data.validated_data)
        return Response(
            MovementOutputSerializer(movements, many=True).data, status=status.HTTP_201_CREATED
        )


class ReturnSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    reason = serializers.CharField(max_length=500)


class DispenseLineReturnApi(APIView):
    """Unused dispensed units handed back: into the batch they came from."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "return"}

    @extend_schema(request=ReturnSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        line = selectors.dispense_line_get(public_id=public_id)
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_return(
            actor=request.user, dispense_line=line, **data.validated_data
        )
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockMovementListApi(APIView):
    """The stock ledger, newest first (append-only)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "ledger"}

    class FilterSerializer(serializers.Serializer):
        drug = serializers.UUIDField(required=False)
        batch = serializers.UUIDField(required=False)
        kind = serializers.ChoiceField(choices=MovementKind.choices, required=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=MovementOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.movement_list(filters=filters),
            serializer_class=MovementOutputSerializer,
            request=request,
            view=self,
        )


class PharmacyAlertsApi(APIView):
    """Low-stock drugs and batches expiring within 90 days (or expired with stock left):
    what the daily task notifies pharmacists of."""

    permission_resource = "pharmacy_alerts"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["low_stock", "expiring", "expired"], required=False)
        days = serializers.IntegerField(min_value=1, max_value=730, required=False)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        severity = serializers.CharField()
        title = serializers.CharField()
        message = serializers.CharField()
        drug = DrugRefSerializer()
        batch = serializers.SerializerMethodField()
        on_hand = serializers.IntegerField()
        reorder_level = serializers.IntegerField()
        days_to_expiry = serializers.IntegerField(allow_null=True)

        def get_batch(self, alert) -> dict | None:
            batch = alert["batch"]
            if batch is None:
                return None
            return {
                "id": str(batch.public_id),
                "lot_number": batch.lot_number,
                "expiry_date": batch.expiry_date.isoformat(),
                "location": batch.location,
                "quantity": batch.quantity,
            }

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        params = query_params(self.FilterSerializer, request)
        alerts = selectors.stock_alerts(days=params.get("days", selectors.EXPIRY_ALERT_DAYS))
        summary = {"low_stock": 0, "expiring": 0, "expired": 0}
        for alert in alerts:
            summary[alert["kind"]] += 1
        if kind := params.get("kind"):
            alerts = [a for a in alerts if a["kind"] == kind]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(alerts, request, view=self)
        response = paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
        response.data["summary"] = summary
        return response
