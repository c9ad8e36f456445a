"""Serializers and response helpers shared by the laboratory APIs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from hms.core.serializers import UserRefSerializer
from hms.laboratory import selectors
from hms.laboratory.models import CRITICAL_FLAGS, LabOrderStatus, LabPriority
from hms.patients.serializers import PatientDetailRefSerializer


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


def order_response(request, order, status_code=status.HTTP_200_OK) -> Response:
    data = LabOrderOutputSerializer(order, context={"request": request}).data
    return Response(data, status=status_code)


def order_reload(request, order):
    """The order again with everything the output shows (after a write the caller was
    allowed to make, so no second access check)."""
    return selectors.lab_order_with_relations(public_id=order.public_id)


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
