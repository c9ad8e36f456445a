"""Encounters: a patient's visits, admissions and calls, and closing them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import doctor_user_for_optional_field
from hms.clinical import pdf, selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    RecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
)
from hms.clinical.models import EncounterStatus, EncounterType
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class EncounterOutputSerializer(RecordOutputSerializer):
    type = serializers.CharField()
    type_display = serializers.CharField(source="get_type_display")
    status = serializers.CharField()
    attending_doctor = RecordUserRefSerializer()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    reason = serializers.CharField()


class _EncounterApi(ClinicalRecordApi):
    permission_resource = "encounters"
    output_serializer = EncounterOutputSerializer
    record_selector = staticmethod(selectors.encounter_get)
    record_id_kwarg = record_lookup = "encounter_id"
    record_name = "encounter"


class EncounterListCreateApi(_EncounterApi, ChartRecordListCreateApi):
    class FilterSerializer(RecordFilterSerializer):
        status = serializers.ChoiceField(choices=EncounterStatus.choices, required=False)
        type = serializers.ChoiceField(choices=EncounterType.choices, required=False)
        doctor = serializers.UUIDField(required=False, help_text="Attending doctor's user id")

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        type = serializers.ChoiceField(choices=EncounterType.choices)
        attending_doctor = serializers.UUIDField(
            required=False, help_text="A doctor's user id; default: you"
        )
        started_at = serializers.DateTimeField(required=False)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.encounter_list)
    create_service = staticmethod(services.encounter_create)

    def create_arguments(self, request, chart, data):
        arguments = super().create_arguments(request, chart, data)
        arguments["attending_doctor"] = doctor_user_for_optional_field(
            public_id=arguments.pop("attending_doctor", None), field="attending_doctor"
        )
        return arguments


class EncounterDetailApi(_EncounterApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=EncounterType.choices, required=False)
        attending_doctor = serializers.UUIDField(required=False)
        started_at = serializers.DateTimeField(required=False)
        reason = serializers.CharField(required=False, allow_blank=True)

    input_serializer = InputSerializer
    update_service = staticmethod(services.encounter_update)

    def update_arguments(self, request, record, data):
        if "attending_doctor" in data:
            data["attending_doctor"] = doctor_user_for_optional_field(
                public_id=data["attending_doctor"], field="attending_doctor"
            )
        return data


class EncounterCloseApi(APIView):
    permission_resource = "encounters"
    permission_actions = {"POST": "close"}

    class InputSerializer(serializers.Serializer):
        ended_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses=EncounterOutputSerializer)
    def post(self, request, encounter_id):
        encounter = selectors.encounter_get(
            user=request.user, encounter_id=encounter_id, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        encounter = services.encounter_close(
            actor=request.user, encounter=encounter, **data.validated_data
        )
        return Response(EncounterOutputSerializer(encounter).data)


class EncounterVoidApi(_EncounterApi, ChartRecordVoidApi):
    pass


class EncounterPdfApi(APIView):
    """The visit summary as a PDF to print: complaint, vital signs, diagnoses, notes, orders
    and prescriptions of the encounter; the patient's name, MRN and birth date on every page.
    Audited as an export of the visit summary."""

    permission_resource = "encounters"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, encounter_id):
        return pdf.visit_summary_print(user=request.user, encounter_id=encounter_id).response()
