"""What the medical record's API views share: the record fields every answer carries, the
filters every list offers, voiding, uploads and the chart-record base they build on.

Every list is paginated and filterable by `patient` (a patient's public id); `include_voided=1`
shows voided records (marked). DELETE never deletes: it voids with a required reason (also
`POST .../void/`). Roles are decided by the permission table; which patients by the selectors.
"""

from rest_framework import serializers

from hms.clinical import selectors, services
from hms.clinical.uploads import UploadLimitHandler, upload_limit_bytes, upload_too_large
from hms.patients.chart_record_apis import ChartRecordApi


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


def patient_encounter(patient, encounter_id):
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

    def create_patient(self, request, patient_id):
        """The patient a new record is for (named in the body), if the user may write to the
        chart."""
        return selectors.clinical_patient_get(
            user=request.user, patient_id=patient_id, purpose="write"
        )

    def create_arguments(self, request, chart, data):
        patient = self.create_patient(request, data.pop("patient", None))
        return {"patient": patient, **self.body_references(patient, data)}

    def update_arguments(self, request, record, data):
        return self.body_references(record.patient, data)

    @staticmethod
    def body_references(patient, data: dict) -> dict:
        """The encounter and appointment a body names, as the services take them."""
        if "encounter" in data:
            data["encounter"] = patient_encounter(patient, data["encounter"])
        if "appointment" in data:
            data["appointment_public_id"] = data.pop("appointment")
        return data

    def void_reason(self, request) -> str:
        return _void_reason(request)

    def void_record(self, request, record, reason):
        return self.void_service(actor=request.user, record=record, reason=reason)
