"""Documents: upload, describe, void and download (the download is audited)."""

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hms.clinical import selectors, services
from hms.clinical.apis.base import (
    ClinicalRecordApi,
    EncounterRecordFilterSerializer,
    RecordOutputSerializer,
    RecordUserRefSerializer,
    UploadLimitMixin,
)
from hms.clinical.models import DocumentType
from hms.patients.chart_record_apis import (
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)


class DocumentOutputSerializer(RecordOutputSerializer):
    doc_type = serializers.CharField()
    description = serializers.CharField()
    encounter = serializers.UUIDField(source="encounter.public_id", allow_null=True, default=None)
    appointment = serializers.UUIDField(source="appointment_public_id", allow_null=True)
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_by = RecordUserRefSerializer()
    uploaded_at = serializers.DateTimeField(source="created_at")
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str:
        return f"/api/documents/{document.public_id}/download/"


class _DocumentApi(ClinicalRecordApi):
    permission_resource = "documents"
    output_serializer = DocumentOutputSerializer
    record_selector = staticmethod(selectors.document_get)
    record_id_kwarg = record_lookup = "document_id"
    record_name = "document"
    void_service = staticmethod(services.document_void)

    def void_purpose(self, request) -> str:
        return selectors.document_write_purpose(user=request.user)

    def void_record(self, request, record, reason):
        return self.void_service(actor=request.user, document=record, reason=reason)


class DocumentListCreateApi(UploadLimitMixin, _DocumentApi, ChartRecordListCreateApi):
    """Product brief: GET/POST /api/documents/. POST is multipart (`file`, `doc_type`, ...)."""

    class FilterSerializer(EncounterRecordFilterSerializer):
        doc_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False, help_text="Default for a patient: own")
        file = serializers.FileField(help_text="PDF, PNG, JPEG or DICOM (checked by content)")
        doc_type = serializers.ChoiceField(choices=DocumentType.choices)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        encounter = serializers.UUIDField(required=False, allow_null=True)
        appointment = serializers.UUIDField(required=False, allow_null=True)

    filter_serializer = FilterSerializer
    input_serializer = InputSerializer
    list_selector = staticmethod(selectors.document_list)
    create_service = staticmethod(services.document_upload)

    def create_patient(self, request, patient_id):
        # A patient uploading names no patient: the document goes to their own chart.
        return selectors.document_patient_for_upload(user=request.user, patient_id=patient_id)


class DocumentDetailApi(_DocumentApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        doc_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        encounter = serializers.UUIDField(required=False, allow_null=True)

    input_serializer = InputSerializer
    update_service = staticmethod(services.document_update)


class DocumentVoidApi(_DocumentApi, ChartRecordVoidApi):
    pass


class DocumentDownloadApi(APIView):
    """Streams the stored file. The chart read and the download are both audited."""

    permission_resource = "documents"
    permission_actions = {"GET": "download"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "inline", bool, description="Show in the browser instead of saving (not DICOM)"
            )
        ],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, document_id):
        document = selectors.document_get(
            user=request.user, document_id=document_id, purpose="download"
        )
        inline = request.query_params.get("inline") in ("1", "true", "yes")
        handle = selectors.document_open(document=document)
        services.document_download_record(actor=request.user, document=document)
        response = FileResponse(
            handle,
            as_attachment=not (inline and document.content_type != "application/dicom"),
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        response["Digest"] = f"sha-256={document.sha256}"
        return response
