"""Thin API views for patients, their chart records, doctors, assignments and break-the-glass.

Every chart view resolves the patient through hms.patients.access.patient_get_for_user (which
checks and audits); lists audit one event naming the patients on the page.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.apis import PasswordField, UserOutputSerializer
from hms.accounts.models import User
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.models import AuditAction
from hms.core.pagination import paginated_response
from hms.core.permissions import user_may
from hms.core.query_params import query_params
from hms.core.roles import Role
from hms.core.services import audit_log_read, audit_record
from hms.core.throttling import SharedScopedRateThrottle
from hms.patients import selectors, services
from hms.patients.access import (
    ChartSection,
    chart_access_summary,
    patient_get_for_user,
    section_resource,
)
from hms.patients.chart_record_apis import (
    ChartRecordListCreateApi,
    ChartRecordUpdateApi,
    ChartRecordVoidApi,
    PatientChartRecordApi,
)
from hms.patients.models import (
    AllergyCategory,
    AllergySeverity,
    AllergyStatus,
    BloodGroup,
    Sex,
)

# --- Shared pieces ---------------------------------------------------------------------------


def audit_patient_list(*, request, response, resource_type: str, filters: dict) -> None:
    """One audit event per list page: who looked, for what, which patients were shown."""
    ids = [row["id"] for row in response.data.get("results", [])]
    detail = {"patients": ids, "count": response.data.get("count")}
    if filters.get("q"):
        detail["q"] = filters["q"]
    audit_record(
        actor=request.user,
        action=AuditAction.READ,
        resource_type=resource_type,
        detail=detail,
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


def _chart_patient(request, public_id, section: ChartSection, purpose: str = "read"):
    return patient_get_for_user(
        user=request.user, patient_public_id=public_id, section=section, purpose=purpose
    )


# --- Patients --------------------------------------------------------------------------------


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
        patient = _chart_patient(request, own.public_id, ChartSection.DEMOGRAPHICS)
        return Response(PatientDemographicsSerializer(patient, context={"request": request}).data)


class PatientDetailApi(APIView):
    permission_resource = "patients"

    class InputSerializer(PatientDemographicsInputSerializer):
        pass

    @extend_schema(responses=PatientDemographicsSerializer)
    def get(self, request, public_id):
        patient = _chart_patient(request, public_id, ChartSection.DEMOGRAPHICS)
        return Response(PatientDemographicsSerializer(patient, context={"request": request}).data)

    def _update(self, request, public_id, *, partial: bool):
        patient = _chart_patient(request, public_id, ChartSection.DEMOGRAPHICS, "write")
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


class CareAssignmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    doctor = serializers.UUIDField(source="doctor.public_id")
    doctor_name = serializers.CharField(source="doctor.get_full_name")
    assigned_by = serializers.CharField(source="assigned_by.username", default="")
    note = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class _AssignApi(APIView):
    """POST {patient, doctor}: make the doctor responsible for the patient."""

    permission_resource = "patients"

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        doctor = serializers.UUIDField(help_text="The doctor's id (as in /api/doctors/).")
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: CareAssignmentOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {}
        patient = selectors.patient_find(public_id=data.validated_data["patient"])
        if patient is None:
            fields["patient"] = ["No patient with this id."]
        doctor = selectors.doctor_user_find(public_id=data.validated_data["doctor"])
        if doctor is None:
            fields["doctor"] = ["No doctor with this id."]
        if fields:
            raise ApplicationError(
                "Some fields are invalid.", code="validation_error", fields=fields
            )
        assignment = services.care_assignment_create(
            actor=request.user, patient=patient, doctor=doctor, note=data.validated_data["note"]
        )
        return Response(
            CareAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class PatientAssignDoctorApi(_AssignApi):
    permission_resource = "patients"
    permission_actions = {"POST": "assign_doctor"}


class DoctorAssignPatientApi(_AssignApi):
    permission_resource = "doctors"
    permission_actions = {"POST": "assign_patient"}


class PatientCareTeamApi(APIView):
    """The doctors assigned to a patient (`?include_ended=true` for past assignments)."""

    permission_resource = "care_assignments"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        include_ended = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=CareAssignmentOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        filters = query_params(self.FilterSerializer, request)
        patient = _chart_patient(request, public_id, ChartSection.DEMOGRAPHICS)
        return paginated_response(
            queryset=selectors.care_assignment_list(
                patient=patient, include_ended=filters["include_ended"]
            ),
            serializer_class=CareAssignmentOutputSerializer,
            request=request,
            view=self,
        )


class CareAssignmentEndApi(APIView):
    permission_resource = "care_assignments"
    permission_actions = {"POST": "end"}

    @extend_schema(request=None, responses=CareAssignmentOutputSerializer)
    def post(self, request, public_id):
        assignment = selectors.care_assignment_get(public_id=public_id)
        assignment = services.care_assignment_end(actor=request.user, assignment=assignment)
        return Response(CareAssignmentOutputSerializer(assignment).data)


# --- Break-the-glass -------------------------------------------------------------------------


class BreakGlassOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class PatientBreakGlassApi(APIView):
    """A doctor or nurse opens a chart outside their care in an emergency, giving a reason."""

    permission_resource = "patients"
    permission_actions = {"POST": "break_glass"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            min_length=services.BREAK_GLASS_REASON_MIN_LENGTH, max_length=2000
        )

    @extend_schema(request=InputSerializer, responses={201: BreakGlassOutputSerializer})
    def post(self, request, public_id):
        patient = selectors.patient_find(public_id=public_id)
        if patient is None:
            raise NotFoundError("No patient with this id.", code="patient_not_found")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.break_glass_grant_create(
            user=request.user, patient=patient, reason=data.validated_data["reason"]
        )
        return Response(BreakGlassOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class BreakGlassReviewOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    user = serializers.UUIDField(source="user.public_id")
    username = serializers.CharField(source="user.username")
    user_name = serializers.CharField(source="user.get_full_name")
    user_role = serializers.CharField(source="user.role")
    patient = serializers.UUIDField(source="patient.public_id")
    patient_mrn = serializers.CharField(source="patient.mrn")
    patient_name = serializers.CharField(source="patient.display_name")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    active = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", default=None)
    review_note = serializers.CharField()

    def get_active(self, grant) -> bool:
        return grant.expires_at > timezone.now()


class BreakGlassGrantListApi(APIView):
    """Emergency accesses for admin review, newest first (`?reviewed=false`: still to do)."""

    permission_resource = "break_glass_review"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        reviewed = serializers.BooleanField(required=False, allow_null=True, default=None)
        user = serializers.UUIDField(required=False)
        patient = serializers.UUIDField(required=False)
        since = serializers.DateTimeField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=BreakGlassReviewOutputSerializer(many=True)
    )
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.break_glass_grant_list(filters=filters),
            serializer_class=BreakGlassReviewOutputSerializer,
            request=request,
            view=self,
        )
        audit_log_read(
            actor=request.user,
            resource_type="break_glass_grants",
            filters=filters,
            count=response.data.get("count"),
        )
        return response


class BreakGlassGrantReviewApi(APIView):
    permission_resource = "break_glass_review"
    permission_actions = {"POST": "review"}

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=BreakGlassReviewOutputSerializer)
    def post(self, request, public_id):
        grant = selectors.break_glass_grant_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.break_glass_grant_review(
            actor=request.user, grant=grant, note=data.validated_data["note"]
        )
        return Response(BreakGlassReviewOutputSerializer(grant).data)


# --- Chart records: contacts, allergies, insurance -------------------------------------------


class EmergencyContactOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    relationship = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()
    address = serializers.CharField()
    is_primary = serializers.BooleanField()
    note = serializers.CharField()
    voided = serializers.BooleanField(source="is_voided")
    void_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class EmergencyContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32)
    relationship = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PatientAllergyOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    substance = serializers.CharField()
    category = serializers.CharField()
    reaction = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    onset_date = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    recorded_by = serializers.CharField(source="created_by.username", default=None)
    voided = serializers.BooleanField(source="is_voided")
    void_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PatientAllergyInputSerializer(serializers.Serializer):
    substance = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=AllergyCategory.choices, required=False)
    reaction = serializers.CharField(max_length=255, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=AllergySeverity.choices, required=False)
    status = serializers.ChoiceField(
        choices=[AllergyStatus.ACTIVE, AllergyStatus.INACTIVE], required=False
    )
    onset_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PatientInsuranceOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    payer = serializers.CharField()
    plan_name = serializers.CharField()
    policy_number = serializers.CharField()
    holder_name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    is_primary = serializers.BooleanField()
    is_current = serializers.SerializerMethodField()
    voided = serializers.BooleanField(source="is_voided")
    void_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_is_current(self, policy) -> bool:
        today = timezone.localdate()
        return (
            not policy.is_voided
            and policy.valid_from <= today
            and (policy.valid_until is None or policy.valid_until >= today)
        )


class PatientInsuranceInputSerializer(serializers.Serializer):
    payer = serializers.CharField(max_length=200)
    policy_number = serializers.CharField(max_length=64)
    valid_from = serializers.DateField()
    plan_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    holder_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    is_primary = serializers.BooleanField(required=False)


class _ContactApi(PatientChartRecordApi):
    permission_resource = "patient_contacts"
    section = ChartSection.CONTACTS
    input_serializer = EmergencyContactInputSerializer
    output_serializer = EmergencyContactOutputSerializer
    list_selector = staticmethod(selectors.contact_list)
    record_selector = staticmethod(selectors.contact_get)
    record_name = "contact"
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    void_service = staticmethod(services.contact_void)


class ContactListCreateApi(_ContactApi, ChartRecordListCreateApi):
    pass


class ContactDetailApi(_ContactApi, ChartRecordUpdateApi):
    pass


class ContactVoidApi(_ContactApi, ChartRecordVoidApi):
    pass


class _AllergyApi(PatientChartRecordApi):
    permission_resource = "patient_allergies"
    section = ChartSection.ALLERGIES
    input_serializer = PatientAllergyInputSerializer
    output_serializer = PatientAllergyOutputSerializer
    list_selector = staticmethod(selectors.allergy_list)
    record_selector = staticmethod(selectors.allergy_get)
    record_name = "allergy"
    create_service = staticmethod(services.allergy_create)
    update_service = staticmethod(services.allergy_update)
    void_service = staticmethod(services.allergy_void)


class AllergyListCreateApi(_AllergyApi, ChartRecordListCreateApi):
    pass


class AllergyDetailApi(_AllergyApi, ChartRecordUpdateApi):
    pass


class AllergyVoidApi(_AllergyApi, ChartRecordVoidApi):
    pass


class _InsuranceApi(PatientChartRecordApi):
    permission_resource = "patient_insurance"
    section = ChartSection.INSURANCE
    input_serializer = PatientInsuranceInputSerializer
    output_serializer = PatientInsuranceOutputSerializer
    list_selector = staticmethod(selectors.insurance_policy_list)
    record_selector = staticmethod(selectors.insurance_policy_get)
    record_name = "policy"
    create_service = staticmethod(services.insurance_policy_create)
    update_service = staticmethod(services.insurance_policy_update)
    void_service = staticmethod(services.insurance_policy_void)


class InsuranceListCreateApi(_InsuranceApi, ChartRecordListCreateApi):
    pass


class InsuranceDetailApi(_InsuranceApi, ChartRecordUpdateApi):
    pass


class InsuranceVoidApi(_InsuranceApi, ChartRecordVoidApi):
    pass


# --- Doctors ---------------------------------------------------------------------------------


class DoctorProfileOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user.public_id", help_text="The doctor's user id.")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    display_name = serializers.SerializerMethodField()
    specialization = serializers.CharField()
    department = serializers.CharField()
    bio = serializers.CharField()
    available = serializers.BooleanField()
    license_number = serializers.CharField()

    def get_display_name(self, profile) -> str:
        return f"Dr {profile.user.get_full_name() or profile.user.username}"


class DoctorListCreateApi(APIView):
    """GET: the doctor directory (every signed-in user). POST: an admin registers a doctor."""

    permission_resource = "doctors"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        specialization = serializers.CharField(required=False, max_length=100)
        department = serializers.CharField(required=False, max_length=100)
        available = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, max_length=100)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
        )
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        specialization = serializers.CharField(max_length=100)
        department = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default=""
        )
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        available = serializers.BooleanField(required=False, default=True)
        license_number = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default=""
        )

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(
        parameters=[FilterSerializer], responses=DoctorProfileOutputSerializer(many=True)
    )
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.doctor_list(filters=filters),
            serializer_class=DoctorProfileOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: DoctorProfileOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.doctor_register(actor=request.user, **data.validated_data)
        return Response(DoctorProfileOutputSerializer(profile).data, status=status.HTTP_201_CREATED)


class DoctorDetailApi(APIView):
    """GET: one doctor. PATCH: an admin edits any field; a doctor their own bio/availability."""

    permission_resource = "doctors"

    class InputSerializer(serializers.Serializer):
        specialization = serializers.CharField(max_length=100, required=False)
        department = serializers.CharField(max_length=100, required=False, allow_blank=True)
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        available = serializers.BooleanField(required=False)
        license_number = serializers.CharField(max_length=64, required=False, allow_blank=True)

    @extend_schema(responses=DoctorProfileOutputSerializer)
    def get(self, request, public_id):
        return Response(
            DoctorProfileOutputSerializer(selectors.doctor_get(public_id=public_id)).data
        )

    @extend_schema(request=InputSerializer, responses=DoctorProfileOutputSerializer)
    def patch(self, request, public_id):
        profile = selectors.doctor_get(public_id=public_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.doctor_profile_update(
            actor=request.user, profile=profile, **data.validated_data
        )
        return Response(DoctorProfileOutputSerializer(profile).data)


class DoctorMyPatientsApi(APIView):
    """The signed-in doctor's assigned patients (`?q=` searches them)."""

    permission_resource = "doctors"
    permission_actions = {"GET": "my_patients"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)

    @extend_schema(parameters=[FilterSerializer], responses=PatientCardSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.doctor_patient_list(doctor=request.user, filters=filters),
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


class RegisterApi(APIView):
    """Public self-registration; always creates a patient account."""

    permission_resource = "auth"
    permission_actions = {"POST": "register"}
    authentication_classes = []
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "register"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = PasswordField()
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        first_name = serializers.CharField(max_length=150, required=False, default="")
        last_name = serializers.CharField(max_length=150, required=False, default="")
        phone = serializers.CharField(max_length=32, required=False, default="")
        role = serializers.ChoiceField(
            choices=[Role.PATIENT], required=False, help_text="Only 'patient' is accepted."
        )
        # For the chart created with the account (hms.patients).
        date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
        sex = serializers.ChoiceField(
            choices=["female", "male", "other", "unknown"], required=False, default="unknown"
        )

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("role", None)
        user = services.patient_account_register(**fields)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)
