"""POST /api/analyze-prescription/ (product brief) and the stored analyses."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.assistant import selectors, services
from hms.assistant.models import AnalysisSource
from hms.clinical.uploads import sniff_file_type, upload_limit_bytes
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.pagination import paginated_response
from hms.core.parsers import JSONParser
from hms.core.roles import Role
from hms.pharmacy import selectors as pharmacy_selectors


class AnalysisOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    source = serializers.CharField()
    provider = serializers.CharField()
    provider_requested = serializers.CharField()
    model = serializers.CharField(source="model_name")
    fallback = serializers.JSONField(source="result.fallback", default=None)
    patient = serializers.UUIDField(source="patient.public_id", default=None)
    prescription = serializers.UUIDField(source="prescription.public_id", default=None)
    drugs = serializers.JSONField(source="result.drugs")
    warnings = serializers.JSONField(source="result.warnings")
    explanation = serializers.CharField(source="result.explanation")
    identifiers_removed = serializers.IntegerField(source="result.identifiers_removed", default=0)
    duration_ms = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class PrescriptionAnalysisApi(APIView):
    """Analyse a prescription: `text`, or `prescription` (an id on record), or a multipart
    `file` (a PDF with a text layer). Optional `patient` adds their allergies and current
    medicines to the safety checks (a patient's own chart is used by default).

    Answers the drugs found (normalised names), each one's dose/route/frequency/duration, the
    safety warnings, and a plain-language explanation, with the provider used (`fallback`
    says when a remote provider failed and the local analyser answered)."""

    permission_resource = "prescription_analysis"
    permission_actions = {"POST": "create"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
        prescription = serializers.UUIDField(required=False)
        file = serializers.FileField(required=False)
        patient = serializers.UUIDField(required=False)

        def validate(self, attrs):
            given = [k for k in ("text", "prescription", "file") if attrs.get(k)]
            if len(given) != 1:
                raise serializers.ValidationError("Give exactly one of text, prescription or file.")
            return attrs

    @extend_schema(request=InputSerializer, responses={201: AnalysisOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        user = request.user
        patient = prescription = None
        if params.get("prescription"):
            prescription = pharmacy_selectors.prescription_get_for_user(
                user=user, public_id=params["prescription"]
            )
            patient = prescription.patient
            text, source = services.prescription_as_text(prescription), AnalysisSource.PRESCRIPTION
        else:
            if params.get("file"):
                upload = params["file"]
                if upload.size > upload_limit_bytes():
                    raise ApplicationError(
                        "The file is too large.", code="file_too_large", status=413
                    )
                head = upload.read(132)
                sniff_file_type(head)
                data_bytes = head + upload.read()
                text, source = services.pdf_text(data_bytes), AnalysisSource.DOCUMENT
            else:
                text, source = params["text"], AnalysisSource.TEXT
            if params.get("patient"):
                patient = pharmacy_selectors.medications_patient_for_user(
                    user=user, patient_public_id=params["patient"]
                )
            elif user.role == Role.PATIENT and getattr(user, "patient_chart", None) is not None:
                patient = pharmacy_selectors.medications_patient_for_user(
                    user=user, patient_public_id=user.patient_chart.public_id
                )
        analysis = services.prescription_analyse(
            actor=user, text=text, source=source, patient=patient, prescription=prescription
        )
        return Response(AnalysisOutputSerializer(analysis).data, status=status.HTTP_201_CREATED)


class PrescriptionAnalysisListApi(APIView):
    """The analyses the signed-in user asked for, newest first."""

    permission_resource = "prescription_analysis"
    permission_actions = {"GET": "list"}

    @extend_schema(responses=AnalysisOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.analyses_for_user(user=request.user),
            serializer_class=AnalysisOutputSerializer,
            request=request,
            view=self,
        )


class PrescriptionAnalysisDetailApi(APIView):
    permission_resource = "prescription_analysis"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=AnalysisOutputSerializer)
    def get(self, request, public_id):
        try:
            analysis = selectors.analysis_get_for_user(user=request.user, public_id=public_id)
        except NotFoundError:
            raise
        return Response(AnalysisOutputSerializer(analysis).data)
