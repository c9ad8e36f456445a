"""Thin API views of the medical record and documents: parse, call a selector or service, answer.

Every list is paginated and filterable by `patient` (a patient's public id); `include_voided=1`
shows voided records (marked). DELETE never deletes: it voids with a required reason (also
`POST .../void/`). Roles are decided by the permission table; which patients by the selectors.
"""

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.clinical import selectors, services
from hms.clinical.icd10 import icd10_search
from hms.clinical.models import (
    DiagnosisType,
    DocumentType,
    EncounterStatus,
    EncounterType,
    ProblemStatus,
)
from hms.clinical.timeline import timeline_types
from hms.clinical.uploads import UploadLimitHandler, upload_limit_bytes, upload_too_large
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.patients.chart_record_apis import (
    ChartRecordApi,
    ChartRecordDetailApi,
    ChartRecordListCreateApi,
    ChartRecordVoidApi,
)
from hms.patients.selectors import doctor_user_for_field

# --- Shared serializers -----------------------------------------------------------------------


class RecordUserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()


class RecordOutputSerializer(serializers.Serializer):
    """Fields every clinical record answers with."""

    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_mrn = serializers.CharField(source="patient.mrn")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    voided = serializers.BooleanField(source="is_voided")
    voided_at = serializers.DateTimeField()
    voided_by = RecordUserRefSerializer(allow_null=True)
    void_reason = serializers.CharField()


class RecordFilterSerializer(serializers.Serializer):
    """Filters every record list offers. Records made during an encounter filter by it too
    (EncounterRecordFilterSerializer); encounters and problems have no encounter to filter on."""

    patient = serializers.UUIDField(required=False, help_text="A patient's id")
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    include_voided = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if "encounter" in self.initial_data and "encounter" not in self.fields:
            raise serializers.ValidationError({"encounter": ["This list has no encounter filter."]})
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": ["Must be after 'since'."]})
        return attrs


class EncounterRecordFilterSerializer(RecordFilterSerializer):
    encounter = serializers.UUIDField(required=False, help_text="An encounter's id")


class RecordVoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the record is voided")


def _void_reason(request) -> str:
    """DELETE may carry the reason in the body or, for clients that cannot, as ?reason=."""
    body = request.data if hasattr(request.data, "get") else {}
    reason = body.get("reason") or request.query_params.get("reason", "")
    data = RecordVoidInputSerializer(data={"reason": reason})
    data.is_valid(raise_exception=True)
    return data.validated_data["reason"]


def _encounter(patient, encounter_id):
    """The encounter named in a request body: this patient's, else a 400 on the field."""
    if encounter_id is None:
        return None
    encounter = selectors.encounter_for_patient(patient=patient, encounter_id=encounter_id)
    if encounter is None:
        raise serializers.ValidationError({"encounter": ["No such encounter for this patient."]})
    return encounter


class UploadLimitMixin:
    """Refuse an oversized upload with 413 before it is read (Content-Length), or while it
    streams in (upload handler), whichever comes first."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        limit = upload_limit_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + 1024 * 1024:  # room for the other form fields
            raise upload_too_large(length)
        django_request = request._request
        if not getattr(django_request, "_files", None):
            django_request.upload_handlers.insert(
                0, UploadLimitHandler(django_request, limit=limit)
            )


class ClinicalRecordApi(ChartRecordApi):
    # The medical record's routes name a record, or for lists and new records the patient
    # (query or body); the selectors check and audit access to the chart.
    void_input_serializer = RecordVoidInputSerializer
    void_service = staticmethod(services.clinical_record_void)

    def chart(self, request, purpose, **url_kwargs):
        return {"user": request.user, "purpose": purpose}

    def list_arguments(self, request, chart, filters):
        return {"user": request.user, "filters": filters}

    def create_arguments(self, request, chart, data):
        patient = selectors.clinical_patient_get(
            user=request.user, patient_id=data.pop("patient"), purpose="write"
        )
        return {"patient": patient, **data}

    def void_reason(self, request) -> str:
        return _void_reason(request)

    def void_record(self, request, record, reason):
        return self.void_service(actor=request.user, record=record, reason=reason)


# --- Encounters ------------------------------------------------------------------------------


class EncounterOutputSerializer(RecordOutputSerializer):
    type = serializers.CharField()
    type_display = serializers.CharField(source="get_type_display")
    status = serializers.CharField()
    attending_doctor = RecordUserRefSerializer()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    reason = serializers.CharField()


def _doctor(doctor_id):
    if doctor_id is None:
        return None
    return doctor_user_for_field(public_id=doctor_id, field="attending_doctor")


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
        arguments["attending_doctor"] = _doctor(arguments.pop("attending_doctor", None))
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
            data["attending_doctor"] = _doctor(data["attending_doctor"])
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


# --- Visit notes -----------------------------------------------------------------------------


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
        arguments = super().create_arguments(request, chart, data)
        arguments["encounter"] = _encounter(arguments["patient"], arguments.pop("encounter", None))
        arguments["appointment_public_id"] = arguments.pop("appointment", None)
        arguments["prescription_file"] = arguments.pop("prescription", None)
        return arguments


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
        if "encounter" in data:
            data["encounter"] = _encounter(record.patient, data["encounter"])
        if "appointment" in data:
            data["appointment_public_id"] = data.pop("appointment")
        data["prescription_file"] = data.pop("prescription", None)
        return data


class VisitNoteVoidApi(_VisitNoteApi, ChartRecordVoidApi):
    pass


# --- Vital signs ------------------------------------------------------------------------------


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

    def create_arguments(self, request, chart, data):
        arguments = super().create_arguments(request, chart, data)
        arguments["encounter"] = _encounter(arguments["patient"], arguments.pop("encounter", None))
        return arguments


class VitalSignsDetailApi(_VitalSignsApi, ChartRecordDetailApi):
    class InputSerializer(MeasurementsSerializer):
        encounter = serializers.UUIDField(required=False, allow_null=True)
        measured_at = serializers.DateTimeField(required=False)

    input_serializer = InputSerializer
    update_service = staticmethod(services.vital_signs_update)

    def update_arguments(self, request, record, data):
        if "encounter" in data:
            data["encounter"] = _encounter(record.patient, data["encounter"])
        return data


class VitalSignsVoidApi(_VitalSignsApi, ChartRecordVoidApi):
    pass


# --- Diagnoses --------------------------------------------------------------------------------


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


# --- Problem list -----------------------------------------------------------------------------


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


# --- Documents --------------------------------------------------------------------------------


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

    def create_arguments(self, request, chart, data):
        # A patient uploading names no patient: the document goes to their own chart.
        patient = selectors.document_patient_for_upload(
            user=request.user, patient_id=data.pop("patient", None)
        )
        return {
            "patient": patient,
            "encounter": _encounter(patient, data.pop("encounter", None)),
            "appointment_public_id": data.pop("appointment", None),
            **data,
        }


class DocumentDetailApi(_DocumentApi, ChartRecordDetailApi):
    class InputSerializer(serializers.Serializer):
        doc_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        encounter = serializers.UUIDField(required=False, allow_null=True)

    input_serializer = InputSerializer
    update_service = staticmethod(services.document_update)

    def update_arguments(self, request, record, data):
        if "encounter" in data:
            data["encounter"] = _encounter(record.patient, data["encounter"])
        return data


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


# --- Timeline and ICD-10 search ---------------------------------------------------------------


class TimelineEntryOutputSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    type = serializers.CharField()
    id = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    actor = serializers.CharField()
    voided = serializers.BooleanField()
    void_reason = serializers.CharField()
    source = serializers.CharField()
    detail = serializers.JSONField()


class PatientTimelineApi(APIView):
    """Every clinical event of one patient, newest first (encounters, notes, vitals, diagnoses,
    problems, and what later modules register)."""

    permission_resource = "timeline"
    permission_actions = {"GET": "read"}

    class FilterSerializer(serializers.Serializer):
        type = serializers.CharField(
            required=False, help_text="Entry types, comma-separated (e.g. vitals,diagnosis)"
        )
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)
        include_voided = serializers.BooleanField(required=False, default=False)

        def validate_type(self, value):
            types = {part.strip() for part in value.split(",") if part.strip()}
            unknown = types - timeline_types()
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown type(s): {', '.join(sorted(unknown))}. "
                    f"Known: {', '.join(sorted(timeline_types()))}."
                )
            return types

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
                raise serializers.ValidationError({"until": ["Must be after 'since'."]})
            return attrs

    @extend_schema(
        parameters=[FilterSerializer], responses=TimelineEntryOutputSerializer(many=True)
    )
    def get(self, request, patient_id):
        filters = query_params(self.FilterSerializer, request)
        entries = selectors.patient_timeline(
            user=request.user,
            patient_id=patient_id,
            types=filters.get("type") or None,
            since=filters.get("since"),
            until=filters.get("until"),
            include_voided=filters["include_voided"],
        )
        return paginated_response(
            queryset=entries,
            serializer_class=TimelineEntryOutputSerializer,
            request=request,
            view=self,
        )


class Icd10SearchApi(APIView):
    """Look up ICD-10 codes for a diagnosis or problem picker (WHO ICD-10, 2019)."""

    permission_resource = "icd10"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=100, help_text="Code prefix or words of the title")

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        title = serializers.CharField()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=icd10_search(filters["q"], limit=100),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )
