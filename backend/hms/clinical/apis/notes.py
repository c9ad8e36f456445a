"""Visit notes, with an optional prescription file."""

from rest_framework import serializers

from hms.clinical import selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    EncounterRecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
    UploadLimitMixin,
)
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str:
        return f"/api/documents/{document.public_id}/download/"


class VisitNoteOutputSerializer(RecordOutputSerializer):
    doctor = RecordUserRefSerializer()
    encounter = serializers.UUIDField(source="encounter.public_id", allow_null=True, default=None)
    appointment = serializers.UUIDField(source="appointment_public_id", allow_null=True)
    visit_date = serializers.DateTimeField()
    notes = serializers.CharField()
    prescription = DocumentRefSerializer(allow_null=True)


class _VisitNoteApi(ClinicalRecordApi):
    permission_resource = "visitnotes"
    output_serializer = VisitNoteOutputSerializer
    record_selector = staticmethod(selectors.visit_note_get)
    record_id_kwarg = record_lookup = "note_id"
    record_name = "note"


class VisitNoteListCreateApi(UploadLimitMixin, _VisitNoteApi, ChartRecordListCreateApi):
    """Product brief: GET/POST /api/visitnotes/. POST as JSON, or multipart with a
    `prescription` file."""

    class FilterSerializer(EncounterRecordFilterSerializer):
        doctor = serializers.UUIDField(required=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        encounter = serializers.UUIDField(required=False, allow_null=True)
        appointment = serializers.UUIDField(required=False, allow_null=True)
        visit_date = serializers.DateTimeField(required=False)
        notes = serializers.CharField(max_length=50_000)
        prescription = serializers.FileField(
            required=False, allow_null=True, help_text="PDF, PNG, JPEG or DICOM"
        )

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.visit_note_list)
    create_service = staticmethod(services.visit_note_create)

    def create_arguments(self, request, chart, data):
        data["prescription_file"] = data.pop("prescription", None)
        return super().create_arguments(request, chart, data)


class VisitNoteDetailApi(UploadLimitMixin, _VisitNoteApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        encounter = serializers.UUIDField(required=False, allow_null=True)
        appointment = serializers.UUIDField(required=False, allow_null=True)
        visit_date = serializers.DateTimeField(required=False)
        notes = serializers.CharField(max_length=50_000, required=False)
        prescription = serializers.FileField(required=False)

    input_serializer = InputSerializer
    update_service = staticmethod(services.visit_note_update)

    def update_arguments(self, request, record, data):
        data["prescription_file"] = data.pop("prescription", None)
        return super().update_arguments(request, record, data)


class VisitNoteVoidApi(_VisitNoteApi, ChartRecordVoidApi):
    pass
