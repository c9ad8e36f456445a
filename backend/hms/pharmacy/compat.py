"""Compatibility aliases of the resource routes (product brief).

`POST /api/pharmacy/prescription/` is `POST /api/pharmacy/prescriptions/`, and
`PUT /api/pharmacy/update-stock/` is any one of the batch routes (receive, adjust, write off,
transfer, return) picked by `kind`.

`GET /api/pharmacy/` is not here: it is the pharmacist's worklist
(hms.pharmacy.apis.prescriptions), a resource no other route gives.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.pharmacy import selectors, services
from hms.pharmacy.apis.common import MovementOutputSerializer, PrescriptionOutputSerializer
from hms.pharmacy.apis.prescriptions import (
    PrescriptionInputSerializer,
    prescription_create_response,
)
from hms.pharmacy.apis.stock import stock_receive_response
from hms.pharmacy.models import MovementKind


class UpdateStockApi(APIView):
    """Compatibility route PUT /api/pharmacy/update-stock/: one stock change of any kind.

    - `receipt`: `drug`, `lot_number`, `expiry_date`, `quantity`, optional `unit_cost`,
      `supplier`, `location`;
    - `adjustment`: `batch`, signed `quantity`, `reason`;
    - `expiry_write_off`: `batch`, optional `quantity`, `reason`;
    - `transfer`: `batch`, `quantity`, `to_location`;
    - `return`: `dispense_line`, `quantity`, `reason`.
    """

    permission_resource = "pharmacy_stock"
    permission_actions = {"PUT": "update"}

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=[k for k in MovementKind.choices if k[0] != MovementKind.DISPENSE]
        )
        drug = serializers.UUIDField(required=False)
        batch = serializers.UUIDField(required=False)
        dispense_line = serializers.UUIDField(required=False)
        lot_number = serializers.CharField(max_length=64, required=False)
        expiry_date = serializers.DateField(required=False)
        quantity = serializers.IntegerField(
            min_value=-10_000_000, max_value=10_000_000, required=False
        )
        unit_cost = serializers.DecimalField(
            max_digits=12, decimal_places=4, min_value=Decimal(0), required=False
        )
        supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)
        location = serializers.CharField(max_length=64, required=False)
        to_location = serializers.CharField(max_length=64, required=False)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    REQUIRED = {
        MovementKind.RECEIPT: ("drug", "lot_number", "expiry_date", "quantity"),
        MovementKind.ADJUSTMENT: ("batch", "quantity", "reason"),
        MovementKind.EXPIRY_WRITE_OFF: ("batch",),
        MovementKind.TRANSFER: ("batch", "quantity", "to_location"),
        MovementKind.RETURN: ("dispense_line", "quantity", "reason"),
    }

    @extend_schema(request=InputSerializer, responses=MovementOutputSerializer(many=True))
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        kind = params.pop("kind")
        missing = [name for name in self.REQUIRED[kind] if params.get(name) in (None, "")]
        if missing:
            raise ApplicationError(
                f"A {kind.replace('_', ' ')} needs: {', '.join(missing)}.",
                code="validation_error",
                fields={name: ["This field is required for this kind."] for name in missing},
            )
        user = request.user
        if kind == MovementKind.RECEIPT:
            receipt = {
                k: params[k]
                for k in (
                    "drug",
                    "lot_number",
                    "expiry_date",
                    "quantity",
                    "unit_cost",
                    "supplier",
                    "location",
                )
                if k in params
            }
            movements = [stock_receive_response(request, receipt)]
        elif kind == MovementKind.RETURN:
            line = selectors.dispense_line_get(public_id=params["dispense_line"])
            movements = [
                services.stock_return(
                    actor=user,
                    dispense_line=line,
                    quantity=params["quantity"],
                    reason=params["reason"],
                )
            ]
        else:
            batch = selectors.batch_get(public_id=params["batch"])
            if kind == MovementKind.ADJUSTMENT:
                movements = [
                    services.stock_adjust(
                        actor=user,
                        batch=batch,
                        quantity=params["quantity"],
                        reason=params["reason"],
                    )
                ]
            elif kind == MovementKind.EXPIRY_WRITE_OFF:
                movements = [
                    services.stock_write_off_expired(
                        actor=user,
                        batch=batch,
                        quantity=params.get("quantity"),
                        reason=params.get("reason", ""),
                    )
                ]
            else:
                movements = list(
                    services.stock_transfer(
                        actor=user,
                        batch=batch,
                        quantity=params["quantity"],
                        to_location=params["to_location"],
                        reason=params.get("reason", ""),
                    )
                )
        return Response(MovementOutputSerializer(movements, many=True).data)


class PrescriptionCreateCompatApi(APIView):
    """Compatibility route POST /api/pharmacy/prescription/: a doctor prescribes (sent to the
    pharmacy).
    Severe safety warnings answer 409 `safety_override_required` with `extra.warnings` unless
    `override_reason` is given."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "create"}

    @extend_schema(
        request=PrescriptionInputSerializer, responses={201: PrescriptionOutputSerializer}
    )
    def post(self, request):
        return prescription_create_response(request)
