"""Compatibility aliases of the resource routes (product brief).

`POST /api/lab/request/` and `POST /api/patients/request-lab/` are `POST /api/lab/orders/`;
`PUT /api/lab/update-result/` is `PUT /api/lab/orders/<id>/results/` with the order named in
the body.

`GET /api/lab/` is not here: it is the lab's worklist (hms.laboratory.apis.orders), a resource
no other route gives.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hms.laboratory.apis.common import LabOrderOutputSerializer, LabOrdersCreatedSerializer
from hms.laboratory.apis.orders import LabRequestInputSerializer, lab_request_response
from hms.laboratory.apis.results import LabResultItemSerializer, results_enter_response


class LabRequestApi(APIView):
    """Compatibility routes POST /api/lab/request/ and POST /api/patients/request-lab/: order one or
    more tests or panels for a patient (one order each). Doctors order in their own name;
    nurses and the front desk name the `ordering_doctor`."""

    permission_resource = "lab_orders"
    permission_actions = {"POST": "create"}

    @extend_schema(request=LabRequestInputSerializer, responses={201: LabOrdersCreatedSerializer})
    def post(self, request):
        return lab_request_response(request)


class LabUpdateResultApi(APIView):
    """Compatibility route PUT /api/lab/update-result/: `{order, results: [{test, value, unit}]}`;
    a single result may also be given flat: `{order, test, value, unit}`."""

    permission_resource = "lab_orders"
    permission_actions = {"PUT": "enter_results"}

    class InputSerializer(serializers.Serializer):
        order = serializers.UUIDField()
        results = LabResultItemSerializer(many=True, required=False, allow_empty=False)
        test = serializers.CharField(max_length=64, required=False)
        value = serializers.CharField(max_length=200, required=False)
        unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        comment = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )

        def validate(self, attrs):
            if "results" in attrs:
                return attrs
            if "test" not in attrs or "value" not in attrs:
                raise serializers.ValidationError(
                    {"results": ["Give `results`, or `test` and `value`."]}
                )
            attrs["results"] = [{k: attrs[k] for k in ("test", "value", "unit", "comment")}]
            return attrs

    @extend_schema(request=InputSerializer, responses=LabOrderOutputSerializer)
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return results_enter_response(
            request, data.validated_data["order"], data.validated_data["results"]
        )
