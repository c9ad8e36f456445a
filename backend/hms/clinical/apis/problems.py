"""The problem list (ICD-10)."""

from rest_framework import serializers

from hms.clinical import selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    RecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
)
from hms.clinical.models import ProblemStatus
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class ProblemOutputSerializer(RecordOutputSerializer):
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    onset_date = serializers.DateField()
    resolved_date = serializers.DateField()
    notes = serializers.CharField()
    recorded_by = RecordUserRefSerializer()


class _ProblemApi(ClinicalRecordApi):
    permission_resource = "problems"
    output_serializer = ProblemOutputSerializer
    record_selector = staticmethod(selectors.problem_get)
    record_id_kwarg = record_lookup = "problem_id"
    record_name = "problem"


class ProblemListCreateApi(_ProblemApi, ChartRecordListCreateApi):
    class FilterSerializer(RecordFilterSerializer):
        status = serializers.ChoiceField(choices=ProblemStatus.choices, required=False)
        code = serializers.CharField(required=False, max_length=8, help_text="ICD-10 prefix")

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        code = serializers.CharField(max_length=16, help_text="ICD-10 (WHO)")
        status = serializers.ChoiceField(
            choices=ProblemStatus.choices, required=False, default=ProblemStatus.ACTIVE
        )
        onset_date = serializers.DateField(required=False, allow_null=True)
        resolved_date = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.problem_list)
    create_service = staticmethod(services.problem_create)


class ProblemDetailApi(_ProblemApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=16, required=False)
        status = serializers.ChoiceField(choices=ProblemStatus.choices, required=False)
        onset_date = serializers.DateField(required=False, allow_null=True)
        resolved_date = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    input_serializer = InputSerializer
    update_service = staticmethod(services.problem_update)


class ProblemVoidApi(_ProblemApi, ChartRecordVoidApi):
    pass
