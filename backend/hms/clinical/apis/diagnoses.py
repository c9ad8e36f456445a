"""Diagnoses, each made during an encounter (ICD-10)."""

from rest_framework import serializers

from hms.clinical import selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    EncounterRecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
)
from hms.clinical.models import DiagnosisType
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class DiagnosisOutputSerializer(RecordOutputSerializer):
    encounter = serializers.UUIDField(source="encounter.public_id")
    code = serializers.CharField()
    title = serializers.CharField()
    type = serializers.CharField()
    notes = serializers.CharField()
    diagnosed_at = serializers.DateTimeField()
    diagnosed_by = RecordUserRefSerializer()


class _DiagnosisApi(ClinicalRecordApi):
    permission_resource = "diagnoses"
    output_serializer = DiagnosisOutputSerializer
    record_selector = staticmethod(selectors.diagnosis_get)
    record_id_kwarg = record_lookup = "diagnosis_id"
    record_name = "diagnosis"


class DiagnosisListCreateApi(_DiagnosisApi, ChartRecordListCreateApi):
    class FilterSerializer(EncounterRecordFilterSerializer):
        code = serializers.CharField(required=False, max_length=8, help_text="ICD-10 prefix")
        type = serializers.ChoiceField(choices=DiagnosisType.choices, required=False)

    class InputSerializer(serializers.Serializer):
        encounter = serializers.UUIDField()
        code = serializers.CharField(max_length=16, help_text="ICD-10 (WHO), e.g. J45.9")
        type = serializers.ChoiceField(
            choices=DiagnosisType.choices, required=False, default=DiagnosisType.PROVISIONAL
        )
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        diagnosed_at = serializers.DateTimeField(required=False)

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.diagnosis_list)
    create_service = staticmethod(services.diagnosis_create)

    def create_arguments(self, request, chart, data):
        # A diagnosis is made during an encounter: the body names it, not the patient.
        encounter = selectors.encounter_for_write(
            user=request.user, encounter_id=data.pop("encounter")
        )
        return {"encounter": encounter, **data}


class DiagnosisDetailApi(_DiagnosisApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=16, required=False)
        type = serializers.ChoiceField(choices=DiagnosisType.choices, required=False)
        notes = serializers.CharField(required=False, allow_blank=True)
        diagnosed_at = serializers.DateTimeField(required=False)

    input_serializer = InputSerializer
    update_service = staticmethod(services.diagnosis_update)


class DiagnosisVoidApi(_DiagnosisApi, ChartRecordVoidApi):
    pass
