"""The patient registry: find, register, read and edit a patient's demographics.

Every chart view resolves the patient through hms.patients.access.patient_get_for_user (which
checks and audits); lists audit one event naming the patients on the page.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.db_router import replica_reads
from hms.core.pagination import paginated_response
from hms.core.permissions import user_may
from hms.core.query_params import query_params
from hms.core.services import audit_page_read
from hms.patients import pdf, selectors, services
from hms.patients.access import (
    ChartSection,
    chart_access_summary,
    patient_get_for_user,
    section_resource,
)
from hms.patients.models import BloodGroup, Sex


def audit_patient_list(*, request, response, resource_type: str, filters: dict) -> None:
    """One audit event per list page: who looked, for what, which patients were shown."""
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=[row["id"] for row in response.data.get("results", [])],  # in page order
        count=response.data.get("count"),
        detail={"q": filters["q"]} if filters.get("q") else None,
    )


def _mask(value: str) -> str:
    if not value:
        return ""
    return "•" * max(0, len(value) - 4) + value[-4:]


class PatientCardSerializer(serializers.Serializer):
    """The registry card shown in lists and search results."""

    id = serializers.UUIDField(source="public_id")
    mrn = serializers.CharField()
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    phone = serializers.CharField()


class PatientDemographicsSerializer(PatientCardSerializer):
    display_name = serializers.CharField()
    email = serializers.EmailField()
    address_line = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    national_id = serializers.SerializerMethodField(
        help_text="In full for registration staff and the patient; otherwise masked."
    )
    blood_group = serializers.CharField()
    has_portal_account = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    access = serializers.SerializerMethodField(
        help_text="What the rest of the chart will answer you: readable and writable "
        "sections, whether the patient is in your care (null: your role is not bound by "
        "care), whether you have an active break-the-glass grant, and whether you need one."
    )

    def get_national_id(self, patient) -> str:
        user = self.context["request"].user
        if user.pk == patient.user_id or user_may(
            user, section_resource(ChartSection.DEMOGRAPHICS), "write"
        ):
            return patient.national_id
        return _mask(patient.national_id)

    def get_has_portal_account(self, patient) -> bool:
        return patient.user_id is not None

    def get_access(self, patient) -> dict:
        return chart_access_summary(user=self.context["request"].user, patient=patient)


class PatientDemographicsInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    middle_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address_line = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    national_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    blood_group = serializers.ChoiceField(
        choices=BloodGroup.choices, required=False, allow_blank=True, default=""
    )


def chart_patient(request, public_id, section: ChartSection, purpose: str = "read"):
    return patient_get_for_user(
        user=request.user, patient_public_id=public_id, section=section, purpose=purpose
    )


class PatientListCreateApi(APIView):
    """GET: find patients (`?q=` MRN, phone or name prefix, ranked). POST: register one."""

    permission_resource = "patients"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False,
            max_length=100,
            help_text='MRN, phone digits, or a name prefix: "smi", "john smi", "smith, jo".',
        )
        sex = serializers.ChoiceField(choices=Sex.choices, required=False)
        date_of_birth = serializers.DateField(required=False)
        born_after = serializers.DateField(required=False)
        born_before = serializers.DateField(required=False)
        in_my_care = serializers.BooleanField(
            required=False, default=False, help_text="Only patients in my care (clinicians)."
        )

    class InputSerializer(PatientDemographicsInputSerializer):
        confirm_new_person = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Register even though possible duplicates were reported (409).",
        )

    @extend_schema(parameters=[FilterSerializer], responses=PatientCardSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        # A search only reads: a read replica may answer it (hms.core.db_router).
        with replica_reads():
            response = paginated_response(
                queryset=selectors.patient_list(user=request.user, filters=filters),
                serializer_class=PatientCardSerializer,
                request=request,
                view=self,
            )
        audit_patient_list(
            request=request,
            response=response,
            resource_type="patient_list",
            filters=filters,
        )
        return response

    @extend_schema(request=InputSerializer, responses={201: PatientDemographicsSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = services.patient_register(actor=request.user, **data.validated_data)
        return Response(
            PatientDemographicsSerializer(patient, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PatientMeApi(APIView):
    """The signed-in patient's own chart (demographics)."""

    permission_resource = "patients"
    permission_actions = {"GET": "me"}

    @extend_schema(responses=PatientDemographicsSerializer)
    def get(self, request):
        own = selectors.patient_for_account(user=request.user)
        patient = chart_patient(request, own.public_id, ChartSection.DEMOGRAPHICS)
        return Response(PatientDemographicsSerializer(patient, context={"request": request}).data)


class PatientDetailApi(APIView):
    permission_resource = "patients"

    class InputSerializer(PatientDemographicsInputSerializer):
        pass

    @extend_schema(responses=PatientDemographicsSerializer)
    def get(self, request, public_id):
        patient = chart_patient(request, public_id, ChartSection.DEMOGRAPHICS)
        return Response(PatientDemographicsSerializer(patient, context={"request": request}).data)

    def _update(self, request, public_id, *, partial: bool):
        patient = chart_patient(request, public_id, ChartSection.DEMOGRAPHICS, "write")
        data = self.InputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        patient = services.patient_update(
            actor=request.user, patient=patient, **data.validated_data
        )
        return Response(PatientDemographicsSerializer(patient, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=PatientDemographicsSerializer)
    def put(self, request, public_id):
        return self._update(request, public_id, partial=False)

    @extend_schema(request=InputSerializer, responses=PatientDemographicsSerializer)
    def patch(self, request, public_id):
        return self._update(request, public_id, partial=True)


class PatientWristbandPdfApi(APIView):
    """The patient's wristband as a PDF (a 200 x 28 mm strip): name, MRN, date of birth, sex,
    an allergy flag and the MRN as a Code 128 barcode. Audited as an export of the wristband."""

    permission_resource = "patients"
    permission_actions = {"GET": "wristband"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        return pdf.wristband_print(user=request.user, patient_public_id=public_id).response()
