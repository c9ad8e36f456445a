"""Results of an order: entry, verification by a second person and amendment."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.laboratory import selectors, services
from hms.laboratory.apis.common import (
    LabOrderOutputSerializer,
    LabResultOutputSerializer,
    order_reload,
    order_response,
)


class LabResultItemSerializer(serializers.Serializer):
    test = serializers.CharField(max_length=64, help_text="Analyte: local code, LOINC or id")
    value = serializers.CharField(
        max_length=200, help_text='Number (e.g. "6.5", "<0.01") or text answer'
    )
    unit = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="Default: the test's"
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LabResultsInputSerializer(serializers.Serializer):
    results = LabResultItemSerializer(many=True, allow_empty=False)


def _result_inputs(results: list[dict]) -> list[services.ResultInput]:
    inputs = []
    for index, item in enumerate(results):
        test = selectors.lab_test_resolve(item["test"])
        if test is None:
            raise ApplicationError(
                f"Unknown test {item['test']}.",
                code="validation_error",
                fields={"results": {index: {"test": ["Unknown test."]}}},
            )
        inputs.append(
            services.ResultInput(
                test=test, value=item["value"], unit=item["unit"], comment=item["comment"]
            )
        )
    return inputs


def results_enter_response(request, public_id, results) -> Response:
    order = selectors.lab_order_get_for_user(
        user=request.user, public_id=public_id, purpose="write"
    )
    order = services.lab_results_enter(
        actor=request.user, order=order, results=_result_inputs(results)
    )
    return order_response(request, order_reload(request, order))


class LabOrderResultsApi(APIView):
    """Enter results of an order (lab technicians). Before verification a second PUT corrects
    them (history kept); after verification, amend a result instead."""

    permission_resource = "lab_orders"
    permission_actions = {"PUT": "enter_results"}

    @extend_schema(request=LabResultsInputSerializer, responses=LabOrderOutputSerializer)
    def put(self, request, public_id):
        data = LabResultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return results_enter_response(request, public_id, data.validated_data["results"])


class LabOrderVerifyApi(APIView):
    """Verify a resulted order (or, on a verified order, its pending amendments). A second
    person verifies: a technician who entered any of the results needs a self-verification
    grant (403 `second_person_required`)."""

    permission_resource = "lab_orders"
    permission_actions = {"POST": "verify"}

    @extend_schema(request=None, responses=LabOrderOutputSerializer)
    def post(self, request, public_id):
        order = selectors.lab_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        order = services.lab_order_verify(actor=request.user, order=order)
        return order_response(request, order_reload(request, order))


class LabResultAmendApi(APIView):
    """Correct a verified result: a new version amending it (the original is kept); it is
    released once verified (POST /api/lab/orders/{id}/verify/)."""

    permission_resource = "lab_orders"
    permission_actions = {"POST": "amend"}

    class InputSerializer(serializers.Serializer):
        value = serializers.CharField(max_length=200)
        unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        comment = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={201: LabResultOutputSerializer})
    def post(self, request, public_id):
        result = selectors.lab_result_get_for_lab(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amendment = services.lab_result_amend(
            actor=request.user, result=result, **data.validated_data
        )
        return Response(LabResultOutputSerializer(amendment).data, status=status.HTTP_201_CREATED)
