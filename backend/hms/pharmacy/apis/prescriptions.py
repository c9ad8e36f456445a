"""Prescriptions: writing, checking, cancelling and dispensing them."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.clinical.selectors import encounter_for_patient_field
from hms.core.errors import ApplicationError
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.pharmacy import pdf, safety, selectors, services
from hms.pharmacy.apis.common import (
    DispenseOutputSerializer,
    PrescriptionDetailOutputSerializer,
    PrescriptionOutputSerializer,
)
from hms.pharmacy.models import Frequency, PrescriptionStatus, Route


class ItemInputSerializer(serializers.Serializer):
    drug = serializers.UUIDField()
    dose = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal(10**7)
    )
    dose_unit = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text="Default: the drug's."
    )
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    duration_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        allow_null=True,
        help_text="Units to supply; worked out from dose, frequency and duration if omitted.",
    )
    instructions = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)


class PrescriptionInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    encounter = serializers.UUIDField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, allow_empty=False, max_length=30)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    override_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Required (at least 10 characters) to prescribe despite severe warnings.",
    )


def _resolve_items(items: list[dict]) -> list[dict]:
    """Swap each item's drug id for the Drug (one query)."""
    ids = {item["drug"] for item in items}
    drugs = selectors.drugs_by_public_id(public_ids=ids)
    resolved, errors = [], {}
    for index, item in enumerate(items):
        drug = drugs.get(item["drug"])
        if drug is None:
            errors[index] = {"drug": ["No drug with this id in the formulary."]}
            continue
        resolved.append({**item, "drug": drug})
    if errors:
        raise ApplicationError("Unknown drug.", code="validation_error", fields={"items": errors})
    return resolved


def prescription_create_response(request) -> Response:
    data = PrescriptionInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = dict(data.validated_data)
    patient = selectors.medications_patient_for_user(
        user=request.user, patient_public_id=params.pop("patient"), purpose="write"
    )
    items = _resolve_items(params.pop("items"))
    encounter = encounter_for_patient_field(
        patient=patient, encounter_id=params.pop("encounter", None)
    )
    prescription = services.prescription_create(
        actor=request.user, patient=patient, items=items, encounter=encounter, **params
    )
    prescription = selectors.prescription_get_for_user(
        user=request.user, public_id=prescription.public_id
    )
    return Response(PrescriptionOutputSerializer(prescription).data, status=status.HTTP_201_CREATED)


class PrescriptionListCreateApi(APIView):
    """Prescriptions scoped to the user (patients: their own; doctors and nurses: written by
    them or of patients in their care; pharmacists: all). `?patient=` opens one chart's."""

    permission_resource = "prescriptions"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=PrescriptionStatus.choices, required=False)
        mine = serializers.BooleanField(required=False, default=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PrescriptionOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        params = dict(filters)
        if "patient" in params:
            params["patient_obj"] = selectors.medications_patient_for_user(
                user=request.user, patient_public_id=params.pop("patient")
            )
        response = paginated_response(
            queryset=selectors.prescription_list(user=request.user, filters=params),
            serializer_class=PrescriptionOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "prescription_list")
        return response

    @extend_schema(
        request=PrescriptionInputSerializer, responses={201: PrescriptionOutputSerializer}
    )
    def post(self, request):
        return prescription_create_response(request)


class PrescriptionCheckApi(APIView):
    """The safety warnings a prescription would raise, without writing it."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "check"}

    class OutputSerializer(serializers.Serializer):
        warnings = serializers.JSONField()
        blocked = serializers.BooleanField()

    @extend_schema(request=PrescriptionInputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = PrescriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = selectors.medications_patient_for_user(
            user=request.user, patient_public_id=params["patient"], purpose="write"
        )
        items = _resolve_items(params["items"])
        warnings = safety.prescription_safety_warnings(patient=patient, items=items)
        return Response(
            {
                "warnings": [w.as_dict() for w in warnings],
                "blocked": any(w.severity == "severe" for w in warnings),
            }
        )


class PrescriptionDetailApi(APIView):
    permission_resource = "prescriptions"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=PrescriptionDetailOutputSerializer)
    def get(self, request, public_id):
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(PrescriptionDetailOutputSerializer(prescription).data)


class PrescriptionPdfApi(APIView):
    """The prescription as a PDF to print (drugs, dose, route, frequency, duration, prescriber,
    signature line); the patient's name, MRN and birth date on every page. Audited as an
    export of the prescription."""

    permission_resource = "prescriptions"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        return pdf.prescription_print(user=request.user, public_id=public_id).response()


class PrescriptionCancelApi(APIView):
    """Cancel (stop) a prescription with a reason; nothing is removed."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "cancel"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=PrescriptionOutputSerializer)
    def post(self, request, public_id):
        prescription = selectors.prescription_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.prescription_cancel(
            actor=request.user, prescription=prescription, reason=data.validated_data["reason"]
        )
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(PrescriptionOutputSerializer(prescription).data)


class PrescriptionDispenseApi(APIView):
    """Dispense first-expiry-first-out from non-expired stock: everything left, or
    `items: [{item, quantity}]`. Short stock dispenses what there is (`shortfalls`)."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "dispense"}

    class LineSerializer(serializers.Serializer):
        item = serializers.UUIDField()
        quantity = serializers.IntegerField(min_value=0, max_value=100_000)

    class InputSerializer(serializers.Serializer):
        items = serializers.ListField(required=False, max_length=30)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True)

        def validate_items(self, value):
            lines = PrescriptionDispenseApi.LineSerializer(data=value, many=True)
            lines.is_valid(raise_exception=True)
            return lines.validated_data

    class OutputSerializer(serializers.Serializer):
        dispense = DispenseOutputSerializer()
        shortfalls = serializers.JSONField()
        prescription = PrescriptionOutputSerializer()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, public_id):
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data.get("items")
        quantities = None
        if lines is not None:
            quantities = {}
            for line in lines:
                key = str(line["item"])
                quantities[key] = quantities.get(key, 0) + line["quantity"]
        result = services.prescription_dispense(
            actor=request.user,
            prescription=prescription,
            quantities=quantities,
            note=data.validated_data.get("note", ""),
        )
        dispense = selectors.prescription_dispense_get(prescription=prescription, pk=result.pk)
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(
            {
                "dispense": DispenseOutputSerializer(dispense).data,
                "shortfalls": result.shortfalls,
                "prescription": PrescriptionOutputSerializer(prescription).data,
            },
            status=status.HTTP_201_CREATED,
        )


class PharmacyWorklistApi(APIView):
    """GET /api/pharmacy/ (named in the product brief): the pharmacist's worklist of
    prescriptions to fill, oldest first, each item with the units in stock now."""

    permission_resource = "pharmacy_worklist"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[PrescriptionStatus.ACTIVE, PrescriptionStatus.PARTIALLY_DISPENSED],
            required=False,
        )
        patient = serializers.UUIDField(required=False)
        prescriber = serializers.UUIDField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PrescriptionOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.pharmacy_worklist(filters=filters),
            serializer_class=PrescriptionOutputSerializer,
            request=request,
            view=self,
        )
        response.data["summary"] = selectors.prescription_status_counts()
        audit_page(request, response, "pharmacy_worklist")
        return response
