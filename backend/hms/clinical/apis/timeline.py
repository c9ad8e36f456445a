"""The patient timeline and the ICD-10 search."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hms.clinical import selectors
from hms.clinical.icd10 import icd10_search
from hms.clinical.timeline import timeline_types
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params


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
