"""Thin API views of the laboratory: parse, call a selector or a service, answer.

Compatibility routes: POST /api/lab/request/ and POST /api/patients/request-lab/ (order tests),
GET /api/lab/ (the lab technician's worklist), PUT /api/lab/update-result/ (enter results);
plus resource routes under /api/lab/orders/, /api/lab/tests/, /api/lab/results/,
/api/lab/hl7/ and /api/lab/verifier-grants/.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import user_find
from hms.clinical.selectors import encounter_for_patient_field
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.pagination import paginated_response
from hms.core.parsers import JSONParser
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.core.services import audit_page_read
from hms.laboratory import hl7_oru, selectors, services
from hms.laboratory.models import (
    CRITICAL_FLAGS,
    LabOrderStatus,
    LabPriority,
    LabTestKind,
    SpecimenType,
)
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.selectors import doctor_user_for_field
from hms.patients.serializers import PatientDetailRefSerializer

# --- Serializers -----------------------------------------------------------------------------


class LabTestRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    loinc_code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    specimen_type = serializers.CharField()
    unit = serializers.CharField()


class LabReferenceRangeSerializer(serializers.Serializer):
    sex = serializers.CharField()
    age_from = serializers.CharField()
    age_to = serializers.CharField()
    low = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    high = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    critical_low = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    critical_high = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)


class LabTestOutputSerializer(LabTestRefSerializer):
    decimals = serializers.IntegerField()
    alt_units = serializers.DictField(child=serializers.CharField())
    allowed_values = serializers.ListField(child=serializers.CharField())
    normal_values = serializers.ListField(child=serializers.CharField())
    components = serializers.SerializerMethodField()
    reference_ranges = LabReferenceRangeSerializer(many=True, source="reference_ranges.all")

    def get_components(self, test) -> list[dict]:
        return [
            {"code": link.test.code, "loinc_code": link.test.loinc_code, "name": link.test.name}
            for link in test.component_links.all()
        ]


def _result_status(result) -> str:
    if result.verified_at is None:
        return "pending"
    return "superseded" if result.superseded_at is not None else "verified"


class LabResultOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    test = LabTestRefSerializer()
    version = serializers.IntegerField()
    status = serializers.SerializerMethodField(
        help_text="pending (not verified), verified (current), superseded (amended)"
    )
    value = serializers.CharField(source="display_value")
    value_numeric = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    comparator = serializers.CharField()
    value_text = serializers.CharField()
    unit = serializers.CharField()
    flag = serializers.CharField()
    flag_display = serializers.CharField(source="get_flag_display")
    critical = serializers.BooleanField(source="is_critical")
    reference_range = serializers.CharField(source="reference_text")
    reference_low = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    reference_high = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    critical_low = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    critical_high = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    range_basis = serializers.CharField()
    reported_value = serializers.CharField()
    reported_unit = serializers.CharField()
    external_flag = serializers.CharField()
    comment = serializers.CharField()
    source = serializers.CharField()
    entered_by = UserRefSerializer(allow_null=True)
    entered_at = serializers.DateTimeField()
    verified_by = UserRefSerializer(allow_null=True)
    verified_at = serializers.DateTimeField()
    amends = serializers.UUIDField(source="amends.public_id", default=None)
    amendment_reason = serializers.CharField()
    superseded_at = serializers.DateTimeField()

    def get_status(self, result) -> str:
        return _result_status(result)


class LabOrderOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    placer_number = serializers.CharField()
    filler_number = serializers.CharField()
    patient = PatientDetailRefSerializer()
    test = LabTestRefSerializer()
    priority = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    ordering_doctor = UserRefSerializer()
    ordered_by = UserRefSerializer()
    encounter = serializers.UUIDField(source="encounter.public_id", default=None)
    clinical_notes = serializers.CharField()
    ordered_at = serializers.DateTimeField()
    collected_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    resulted_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField()
    verified_by = UserRefSerializer(allow_null=True)
    turnaround_minutes = serializers.SerializerMethodField()
    cancelled_at = serializers.DateTimeField()
    cancel_reason = serializers.CharField()
    results_released = serializers.SerializerMethodField(
        help_text="True once verified: only then do doctors and patients see results."
    )
    has_critical = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    def _visible(self, order):
        cache = self.context.setdefault("_visible", {})
        if order.pk not in cache:
            cache[order.pk] = selectors.visible_results(order, self.context["request"].user)
        return cache[order.pk]

    def get_turnaround_minutes(self, order) -> int | None:
        if order.turnaround is None:
            return None
        return int(order.turnaround.total_seconds() // 60)

    def get_results_released(self, order) -> bool:
        return order.status == LabOrderStatus.VERIFIED

    def get_has_critical(self, order) -> bool:
        if selectors.is_lab(self.context["request"].user):
            return order.has_critical
        return any(
            r.flag in CRITICAL_FLAGS and r.superseded_at is None for r in self._visible(order)
        )

    def get_results(self, order) -> list[dict]:
        return LabResultOutputSerializer(self._visible(order), many=True).data


class LabOrdersCreatedSerializer(serializers.Serializer):
    orders = LabOrderOutputSerializer(many=True)


def _order_response(request, order, status_code=status.HTTP_200_OK) -> Response:
    data = LabOrderOutputSerializer(order, context={"request": request}).data
    return Response(data, status=status_code)


def _reload(request, order):
    """The order again with everything the output shows (after a write the caller was
    allowed to make, so no second access check)."""
    return selectors.lab_order_with_relations(public_id=order.public_id)


def _audit_order_page(request, response, resource_type, detail=None) -> None:
    patient_ids = {row["patient"]["id"] for row in response.data.get("results", [])}
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted(patient_ids),
        count=response.data.get("count"),
        detail=detail,
    )


@extend_schema_field(OpenApiTypes.STR)
class CsvChoiceField(serializers.Field):
    """`?status=ordered,in_progress` → ["ordered", "in_progress"], each checked."""

    def __init__(self, *, choices, **kwargs):
        self.choices = dict(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [v.strip() for v in str(data).split(",") if v.strip()]
        unknown = [v for v in values if v not in self.choices]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown: {', '.join(unknown)}. One or more of: {', '.join(self.choices)}."
            )
        return values

    def to_representation(self, value):
        return ",".join(value)


class LabOrderFilterSerializer(serializers.Serializer):
    status = CsvChoiceField(
        choices=LabOrderStatus.choices, required=False, help_text="One or more, comma-separated"
    )
    open = serializers.BooleanField(required=False, default=False)
    priority = serializers.ChoiceField(choices=LabPriority.choices, required=False)
    date = serializers.DateField(required=False, help_text="Ordered on (hospital time zone)")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    test = serializers.CharField(required=False, help_text="Local code or LOINC code")
    patient = serializers.UUIDField(required=False)

    def validate(self, attrs):
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


# --- Catalog ---------------------------------------------------------------------------------


class LabTestListApi(APIView):
    """The test catalog (tests and panels, with LOINC codes, units and reference ranges)."""

    permission_resource = "lab_tests"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, help_text="Code, LOINC code or name")
        specimen_type = serializers.ChoiceField(choices=SpecimenType.choices, required=False)
        kind = serializers.ChoiceField(choices=LabTestKind.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=LabTestOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.lab_test_list(filters=query_params(self.FilterSerializer, request)),
            serializer_class=LabTestOutputSerializer,
            request=request,
            view=self,
        )


class LabTestDetailApi(APIView):
    permission_resource = "lab_tests"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=LabTestOutputSerializer)
    def get(self, request, ref):
        return Response(LabTestOutputSerializer(selectors.lab_test_get(ref=ref)).data)


# --- Ordering --------------------------------------------------------------------------------


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


def _lab_request(request) -> Response:
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
    doctor = None
    if doctor_id := params.pop("ordering_doctor", None):
        doctor = doctor_user_for_field(public_id=doctor_id, field="ordering_doctor")
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
    reloaded = [_reload(request, order) for order in orders]
    context = {"request": request}
    body = {"orders": LabOrderOutputSerializer(reloaded, many=True, context=context).data}
    return Response(body, status=status.HTTP_201_CREATED)


class LabRequestApi(APIView):
    """Compatibility routes POST /api/lab/request/ and POST /api/patients/request-lab/: order one or
    more tests or panels for a patient (one order each). Doctors order in their own name;
    nurses and the front desk name the `ordering_doctor`."""

    permission_resource = "lab_orders"
    permission_actions = {"POST": "create"}

    @extend_schema(request=LabRequestInputSerializer, responses={201: LabOrdersCreatedSerializer})
    def post(self, request):
        return _lab_request(request)


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
        _audit_order_page(request, response, "lab_order_list")
        return response

    @extend_schema(request=LabRequestInputSerializer, responses={201: LabOrdersCreatedSerializer})
    def post(self, request):
        return _lab_request(request)


class LabWorklistApi(APIView):
    """Compatibility route GET /api/lab/: the lab technician's worklist of every order, STAT first.
    Filters: status (comma-separated), open, priority, date / date_from / date_to, test,
    patient, critical, q (placer or filler number, or MRN)."""

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
        _audit_order_page(request, response, "lab_worklist")
        return response


class LabOrderDetailApi(APIView):
    permission_resource = "lab_orders"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=LabOrderOutputSerializer)
    def get(self, request, public_id):
        order = selectors.lab_order_get_for_user(user=request.user, public_id=public_id)
        return _order_response(request, order)


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
        return _order_response(request, _reload(request, order))


class LabOrderStartApi(APIView):
    permission_resource = "lab_orders"
    permission_actions = {"POST": "start"}

    @extend_schema(request=None, responses=LabOrderOutputSerializer)
    def post(self, request, public_id):
        order = selectors.lab_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        order = services.lab_order_start(actor=request.user, order=order)
        return _order_response(request, _reload(request, order))


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


def _enter_results(request, public_id, results) -> Response:
    order = selectors.lab_order_get_for_user(
        user=request.user, public_id=public_id, purpose="write"
    )
    order = services.lab_results_enter(
        actor=request.user, order=order, results=_result_inputs(results)
    )
    return _order_response(request, _reload(request, order))


class LabOrderResultsApi(APIView):
    """Enter results of an order (lab technicians). Before verification a second PUT corrects
    them (history kept); after verification, amend a result instead."""

    permission_resource = "lab_orders"
    permission_actions = {"PUT": "enter_results"}

    @extend_schema(request=LabResultsInputSerializer, responses=LabOrderOutputSerializer)
    def put(self, request, public_id):
        data = LabResultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _enter_results(request, public_id, data.validated_data["results"])


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
        return _enter_results(request, data.validated_data["order"], data.validated_data["results"])


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
        return _order_response(request, _reload(request, order))


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
        return _order_response(request, _reload(request, order))


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


# --- HL7 v2 ----------------------------------------------------------------------------------


class Hl7Parser(BaseParser):
    """The body as text: an HL7 v2 message in ER7 (pipe) encoding."""

    media_type = "x-application/hl7-v2+er7"

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        return {"__hl7__": stream.read().decode(encoding, errors="replace")}


class Hl7AltParser(Hl7Parser):
    media_type = "application/hl7-v2"


class PlainTextParser(Hl7Parser):
    media_type = "text/plain"


class LabHl7Api(APIView):
    """Import an HL7 v2 ORU^R01 result message; answers its ACK.

    Send the message as the raw body (Content-Type `x-application/hl7-v2+er7`,
    `application/hl7-v2` or `text/plain`): the answer is the ACK itself (HTTP 200, header
    `X-HL7-Ack-Code`), as HL7 over HTTP expects. Or send JSON `{"message": "MSH|..."}`: AA
    answers 200 `{ack_code, text, control_id, ack, orders, results, duplicate}`; AR (rejected
    message) 400 `hl7_rejected`, AE (content error) 422 `hl7_application_error`, in the usual
    error shape with the ACK in `extra.ack`. Nothing is stored unless AA.
    """

    permission_resource = "lab_hl7"
    permission_actions = {"POST": "import"}
    parser_classes = [JSONParser, Hl7Parser, Hl7AltParser, PlainTextParser]

    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=1_000_000, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        ack_code = serializers.CharField()
        text = serializers.CharField()
        control_id = serializers.CharField()
        ack = serializers.CharField()
        results = serializers.IntegerField()
        duplicate = serializers.BooleanField()
        orders = serializers.SerializerMethodField()

        def get_orders(self, outcome) -> list[dict]:
            return [
                {"id": str(o.public_id), "placer_number": o.placer_number, "status": o.status}
                for o in outcome.orders
            ]

    @extend_schema(
        request={
            "application/json": InputSerializer,
            "x-application/hl7-v2+er7": str,
        },
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="AR: message rejected (ACK in extra.ack)"),
            422: OpenApiResponse(description="AE: content error (ACK in extra.ack)"),
        },
    )
    def post(self, request):
        raw_body = isinstance(request.data, dict) and "__hl7__" in request.data
        if raw_body:
            raw = request.data["__hl7__"]
        else:
            data = self.InputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            raw = data.validated_data["message"]
        outcome = hl7_oru.hl7_oru_import(raw=raw, actor=request.user)
        if raw_body:
            response = HttpResponse(
                outcome.ack, content_type="x-application/hl7-v2+er7; charset=utf-8"
            )
            response["X-HL7-Ack-Code"] = outcome.ack_code
            return response
        if outcome.accepted:
            return Response(self.OutputSerializer(outcome).data)
        rejected = outcome.ack_code == "AR"
        raise ApplicationError(
            outcome.text,
            code="hl7_rejected" if rejected else "hl7_application_error",
            status=400 if rejected else 422,
            extra={
                "ack_code": outcome.ack_code,
                "control_id": outcome.control_id,
                "location": outcome.error_location,
                "ack": outcome.ack,
            },
        )


# --- Verification grants ---------------------------------------------------------------------


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
