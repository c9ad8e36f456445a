"""Vital signs."""

from rest_framework import serializers

from hms.clinical import selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    EncounterRecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
)
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class VitalSignsOutputSerializer(RecordOutputSerializer):
    encounter = serializers.UUIDField(source="encounter.public_id", allow_null=True, default=None)
    recorded_by = RecordUserRefSerializer()
    measured_at = serializers.DateTimeField()
    systolic_bp = serializers.IntegerField(allow_null=True)
    diastolic_bp = serializers.IntegerField(allow_null=True)
    pulse = serializers.IntegerField(allow_null=True)
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    spo2 = serializers.IntegerField(allow_null=True)
    respiratory_rate = serializers.IntegerField(allow_null=True)
    weight_kg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    height_cm = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    bmi = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class MeasurementsSerializer(serializers.Serializer):
    """Loose types only: the physiological ranges are checked (with a clear message per field)
    by the service, not hidden behind a "too many digits" error here."""

    systolic_bp = serializers.IntegerField(required=False, allow_null=True, help_text="mmHg")
    diastolic_bp = serializers.IntegerField(required=False, allow_null=True, help_text="mmHg")
    pulse = serializers.IntegerField(required=False, allow_null=True, help_text="beats/min")
    temperature_c = serializers.DecimalField(
        max_digits=9, decimal_places=3, required=False, allow_null=True, help_text="°C"
    )
    spo2 = serializers.IntegerField(required=False, allow_null=True, help_text="%")
    respiratory_rate = serializers.IntegerField(
        required=False, allow_null=True, help_text="breaths/min"
    )
    weight_kg = serializers.DecimalField(
        max_digits=9, decimal_places=3, required=False, allow_null=True, help_text="kg"
    )
    height_cm = serializers.DecimalField(
        max_digits=9, decimal_places=3, required=False, allow_null=True, help_text="cm"
    )


class _VitalSignsApi(ClinicalRecordApi):
    permission_resource = "vitals"
    output_serializer = VitalSignsOutputSerializer
    record_selector = staticmethod(selectors.vital_signs_get)
    record_id_kwarg = record_lookup = "vitals_id"
    record_name = "vitals"


class VitalSignsListCreateApi(_VitalSignsApi, ChartRecordListCreateApi):
    FilterSerializer = EncounterRecordFilterSerializer

    class InputSerializer(MeasurementsSerializer):
        patient = serializers.UUIDField()
        encounter = serializers.UUIDField(required=False, allow_null=True)
        measured_at = serializers.DateTimeField(required=False)

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.vital_signs_list)
    create_service = staticmethod(services.vital_signs_record)


class VitalSignsDetailApi(_VitalSignsApi, ChartRecordDetailApi):
    class InputSerializer(MeasurementsSerializer):
        encounter = serializers.UUIDField(required=False, allow_null=True)
        measured_at = serializers.DateTimeField(required=False)

    input_serializer = InputSerializer
    update_service = staticmethod(services.vital_signs_update)


class VitalSignsVoidApi(_VitalSignsApi, ChartRecordVoidApi):
    pass
