"""Lab orders: placing them, the chart-side list, collection, start and cancel."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import doctor_user_for_optional_field
from hms.clinical.selectors import encounter_for_patient_field
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.laboratory import pdf, selectors, services
from hms.laboratory.apis.common import (
    LabOrderFilterSerializer,
    LabOrderOutputSerializer,
    LabOrdersCreatedSerializer,
    order_reload,
    order_response,
)
from hms.laboratory.models import LabPriority
from hms.patients.access import ChartSection, patient_get_for_user


class LabRequestInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    tests = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        min_length=1,
        max_length=20,
        help_text="Tests or panels: local code (CBC), LOINC code (58410-2) or id",
    )
    test = serializers.CharField(
        max_length=64, required=False, help_text="One test (instead of `tests`)"
    )
    priority = serializers.ChoiceField(choices=LabPriority.choices, default=LabPriority.ROUTINE)
    ordering_doctor = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The doctor who receives the results; a doctor ordering: themself",
    )
    encounter = serializers.UUIDField(required=False, allow_null=True)
    clinical_notes = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        refs = list(attrs.pop("tests", []) or [])
        if single := attrs.pop("test", None):
            refs.append(single)
        if not refs:
            raise serializers.ValidationError({"tests": ["Give `tests` (a list) or `test`."]})
        tests, unknown = [], []
        for ref in refs:
            test = selectors.lab_test_resolve(ref)
            (tests if test is not None else unknown).append(test or ref)
        if unknown:
            raise serializers.ValidationError(
                {"tests": [f"Unknown test: {', '.join(map(str, unknown))}."]}
            )
        attrs["tests"] = tests
        return attrs


def lab_request_response(request) -> Response:
    data = LabRequestInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = dict(data.validated_data)
    # Open the chart for writing before the write's transaction (a denial is audited).
    patient = patient_get_for_user(
        user=request.user,
        patient_public_id=params.pop("patient"),
        section=ChartSection.ORDERS,
        purpose="write",
    )
    doctor = doctor_user_for_optional_field(
        public_id=params.pop("ordering_doctor", None) or None, field="ordering_doctor"
    )
    encounter = encounter_for_patient_field(
        patient=patient, encounter_id=params.pop("encounter", None)
    )
    orders = services.lab_order_create(
        actor=request.user,
        patient=patient,
        ordering_doctor=doctor,
        encounter=encounter,
        **params,
    )
    reloaded = [order_reload(request, order) for order in orders]
    context = {"request": request}
    body = {"orders": LabOrderOutputSerializer(reloaded, many=True, context=context).data}
    return Response(body, status=status.HTTP_201_CREATED)


class LabOrderListCreateApi(APIView):
    """Orders on the chart side: a patient's (`?patient=`), the charts in your care, your own
    (patients), or the ones you ordered (`?mine=true`). Only verified results are shown."""

    permission_resource = "lab_orders"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(LabOrderFilterSerializer):
        mine = serializers.BooleanField(
            required=False, default=False, help_text="Doctors: orders you placed"
        )

    @extend_schema(parameters=[FilterSerializer], responses=LabOrderOutputSerializer(many=True))
    def get(self, request):
        response = paginated_response(
            queryset=selectors.lab_orders_for_user(
                user=request.user, filters=query_params(self.FilterSerializer, request)
            ),
            serializer_class=LabOrderOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "lab_order_list")
        return response

    @extend_schema(request=LabRequestInputSerializer, responses={201: LabOrdersCreatedSerializer})
    def post(self, request):
        return lab_request_response(request)


class LabWorklistApi(APIView):
    """GET /api/lab/ (named in the product brief): the lab technician's worklist of every order,
    STAT first. Filters: status (comma-separated), open, priority, date / date_from / date_to,
    test, patient, critical, q (placer or filler number, or MRN)."""

    permission_resource = "lab_worklist"
    permission_actions = {"GET": "list"}

    class FilterSerializer(LabOrderFilterSerializer):
        critical = serializers.BooleanField(required=False, default=False)
        q = serializers.CharField(required=False, help_text="Placer/filler number or MRN")

    @extend_schema(parameters=[FilterSerializer], responses=LabOrderOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.lab_worklist(user=request.user, filters=filters),
            serializer_class=LabOrderOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "lab_worklist")
        return response


class LabOrderDetailApi(APIView):
    permission_resource = "lab_orders"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=LabOrderOutputSerializer)
    def get(self, request, public_id):
        order = selectors.lab_order_get_for_user(user=request.user, public_id=public_id)
        return order_response(request, order)


class LabOrderPdfApi(APIView):
    """The lab report as a PDF to print: results with units, reference ranges, flags (H, L,
    critical), verified by and when; the patient's name, MRN and birth date on every page.
    Doctors and patients get verified results only. Audited as an export of the report."""

    permission_resource = "lab_orders"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        return pdf.lab_report_print(user=request.user, public_id=public_id).response()


class LabOrderCollectApi(APIView):
    """Record the specimen collection (time defaults to now)."""

    permission_resource = "lab_orders"
    permission_actions = {"POST": "collect"}

    class InputSerializer(serializers.Serializer):
        collected_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses=LabOrderOutputSerializer)
    def post(self, request, public_id):
        order = selectors.lab_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.lab_order_collect(
            actor=request.user, order=order, collected_at=data.validated_data.get("collected_at")
        )
        return order_response(request, order_reload(request, order))


class LabOrderStartApi(APIView):
    permission_resource = "lab_orders"
    permission_actions = {"POST": "start"}

    @extend_schema(request=None, responses=LabOrderOutputSerializer)
    def post(self, request, public_id):
        order = selectors.lab_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        order = services.lab_order_start(actor=request.user, order=order)
        return order_response(request, order_reload(request, order))


class LabOrderCancelApi(APIView):
    permission_resource = "lab_orders"
    permission_actions = {"POST": "cancel"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=LabOrderOutputSerializer)
    def post(self, request, public_id):
        order = selectors.lab_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.lab_order_cancel(
            actor=request.user, order=order, reason=data.validated_data["reason"]
        )
        return order_response(request, order_reload(request, order))
