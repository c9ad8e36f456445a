"""Compatibility aliases of the resource routes (product brief).

`POST /api/radiology/request/` and `POST /api/patients/request-radiology/` are
`POST /api/radiology/orders/`; `PUT /api/radiology/update-result/` is an image upload and a
report (optionally signed) on the order's resource routes, in one transaction.

`GET /api/radiology/` is not here: it is the department's worklist
(hms.radiology.apis.orders), a resource no other route gives.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from hms.core.parsers import JSONParser
from hms.radiology import selectors, services
from hms.radiology.apis.common import (
    OrderDetailOutputSerializer,
    UploadLimitMixin,
    order_response,
    uploaded_files,
)
from hms.radiology.apis.orders import OrderInputSerializer, order_create_response


class RadiologyRequestApi(APIView):
    """Compatibility route POST /api/radiology/request/: request a scan. Doctors order in their own
    name; receptionists and nurses name the ordering doctor. The answer carries `warnings`
    (e.g. a contrast allergy on record for a contrast study)."""

    permission_resource = "imaging_orders"
    permission_actions = {"POST": "create"}

    @extend_schema(request=OrderInputSerializer, responses={201: OrderDetailOutputSerializer})
    def post(self, request):
        return order_create_response(request)


class PatientRequestRadiologyApi(RadiologyRequestApi):
    """Compatibility route POST /api/patients/request-radiology/ (= /api/radiology/request/)."""


class RadiologyUpdateResultApi(UploadLimitMixin, APIView):
    """Compatibility route PUT /api/radiology/update-result/: upload scan results — DICOM files
    (multipart `file`, repeatable) and/or the report text, optionally signed (`finalize`) —
    in one transaction."""

    permission_resource = "radiology_worklist"
    permission_actions = {"PUT": "update_result"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        order = serializers.UUIDField()
        findings = serializers.CharField(required=False, allow_blank=True)
        impression = serializers.CharField(required=False, allow_blank=True)
        critical = serializers.BooleanField(required=False, allow_null=True, default=None)
        finalize = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses=OrderDetailOutputSerializer)
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=params.pop("order"), purpose="write"
        )
        order = services.imaging_result_update(
            actor=request.user,
            order=order,
            files=uploaded_files(request),
            findings=params.get("findings"),
            impression=params.get("impression"),
            critical=params.get("critical"),
            finalize=params["finalize"],
        )
        return order_response(request=request, order=order)
