"""The price list: list, add a price version, read, end."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.billing import selectors, services
from hms.billing.apis.common import MONEY, RATE
from hms.billing.models import TariffCategory
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params


class TariffOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    category = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class TariffListCreateApi(APIView):
    """The price list. POST opens a new price version for a code (closing the current one the
    day before `valid_from`); charges keep the version valid on the day they occurred."""

    permission_resource = "billing_tariffs"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=TariffCategory.choices, required=False)
        code = serializers.CharField(required=False)
        q = serializers.CharField(required=False)
        valid_on = serializers.DateField(required=False)

    class InputSerializer(serializers.Serializer):
        code = serializers.RegexField(r"^[A-Za-z0-9.\-]{2,64}$")
        category = serializers.ChoiceField(choices=TariffCategory.choices)
        name = serializers.CharField(max_length=200)
        price = serializers.DecimalField(**MONEY, min_value=0)
        tax_rate = serializers.DecimalField(**RATE, required=False, default=0)
        valid_from = serializers.DateField(required=False)
        currency = serializers.CharField(max_length=3, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=TariffOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.tariff_list(filters=filters),
            serializer_class=TariffOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: TariffOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        params.setdefault("valid_from", timezone.localdate())
        tariff = services.tariff_set_price(actor=request.user, **params)
        return Response(TariffOutputSerializer(tariff).data, status=status.HTTP_201_CREATED)


class TariffDetailApi(APIView):
    permission_resource = "billing_tariffs"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=TariffOutputSerializer)
    def get(self, request, public_id):
        return Response(TariffOutputSerializer(selectors.tariff_get(public_id=public_id)).data)


class TariffEndApi(APIView):
    """Stop a price version after `valid_until` (nothing is deleted)."""

    permission_resource = "billing_tariffs"
    permission_actions = {"POST": "update"}

    class InputSerializer(serializers.Serializer):
        valid_until = serializers.DateField()

    @extend_schema(request=InputSerializer, responses=TariffOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tariff = services.tariff_end(
            actor=request.user,
            tariff=selectors.tariff_get(public_id=public_id),
            **data.validated_data,
        )
        return Response(TariffOutputSerializer(tariff).data)
