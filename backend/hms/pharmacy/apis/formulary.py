"""The formulary: drugs, their forms, strengths and limits."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.pharmacy import selectors, services
from hms.pharmacy.apis.common import (
    DrugDosePresetOutputSerializer,
    DrugOutputSerializer,
    DrugSearchOutputSerializer,
)
from hms.pharmacy.models import DrugForm, Frequency, Route


class DrugInputSerializer(serializers.Serializer):
    generic_name = serializers.CharField(max_length=200)
    brand_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    form = serializers.ChoiceField(choices=DrugForm.choices)
    strength = serializers.CharField(max_length=64)
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    atc_code = serializers.RegexField(
        r"^[A-Za-z](\d{2}([A-Za-z]([A-Za-z](\d{2})?)?)?)?$",
        max_length=7,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Not an ATC code (e.g. J01CA04)."},
    )
    drug_class = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=32, required=False)
    dose_unit = serializers.CharField(max_length=16, required=False)
    strength_amount = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    usual_dose_min = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    usual_dose_max = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    max_daily_dose = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    reorder_level = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)


class DrugListCreateApi(APIView):
    """The formulary. `?q=` searches generic name, brand and ATC code by prefix."""

    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        drug_class = serializers.CharField(required=False, max_length=100)
        atc = serializers.CharField(required=False, max_length=7)
        low_stock = serializers.BooleanField(required=False, default=False)
        include_inactive = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=DrugOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.drug_list(filters=filters),
            serializer_class=DrugOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=DrugInputSerializer, responses={201: DrugOutputSerializer})
    def post(self, request):
        data = DrugInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drug = services.drug_create(actor=request.user, **data.validated_data)
        return Response(
            DrugOutputSerializer(selectors.drug_get(public_id=drug.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class DrugDetailApi(APIView):
    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "read", "PATCH": "update"}

    class UpdateSerializer(DrugInputSerializer):
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=DrugOutputSerializer)
    def get(self, request, public_id):
        return Response(DrugOutputSerializer(selectors.drug_get(public_id=public_id)).data)

    @extend_schema(request=UpdateSerializer, responses=DrugOutputSerializer)
    def patch(self, request, public_id):
        drug = selectors.drug_get(public_id=public_id)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.drug_update(actor=request.user, drug=drug, **data.validated_data)
        return Response(DrugOutputSerializer(selectors.drug_get(public_id=public_id)).data)


class DrugSearchApi(APIView):
    """The prescriber's type-ahead: up to 20 active drugs whose words begin with every word of
    `q` (generic name, brand, strength, ATC code, form), best first, with stock and dose
    presets. Fewer than two characters find nothing. Bounded, so not paginated."""

    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(parameters=[FilterSerializer], responses=DrugSearchOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        drugs = selectors.drug_search(q=filters.get("q", ""))
        return Response({"results": DrugSearchOutputSerializer(drugs, many=True).data})


class DrugDosePresetListCreateApi(APIView):
    """A drug's dose presets (active ones, in order); the pharmacy adds them."""

    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "read", "POST": "update"}

    class InputSerializer(serializers.Serializer):
        label = serializers.CharField(max_length=80)
        dose = serializers.DecimalField(
            max_digits=12, decimal_places=4, min_value=Decimal("0.0001")
        )
        dose_unit = serializers.CharField(max_length=16, required=False, allow_blank=True)
        route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True)
        frequency = serializers.ChoiceField(choices=Frequency.choices)
        duration_days = serializers.IntegerField(
            min_value=1, max_value=3650, required=False, allow_null=True
        )
        instructions = serializers.CharField(max_length=200, required=False, allow_blank=True)
        position = serializers.IntegerField(min_value=0, max_value=1000, required=False)

    @extend_schema(responses=DrugDosePresetOutputSerializer(many=True))
    def get(self, request, public_id):
        drug = selectors.drug_get(public_id=public_id)
        presets = selectors.drug_dose_presets(drug=drug)
        return Response({"results": DrugDosePresetOutputSerializer(presets, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: DrugDosePresetOutputSerializer})
    def post(self, request, public_id):
        drug = selectors.drug_get(public_id=public_id, include_inactive=False)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preset = services.drug_dose_preset_create(
            actor=request.user, drug=drug, **data.validated_data
        )
        return Response(DrugDosePresetOutputSerializer(preset).data, status=status.HTTP_201_CREATED)
