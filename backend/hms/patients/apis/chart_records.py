"""A patient's chart records kept by the registry: emergency contacts, allergies, insurance.

The views are declared on the shared base, hms.patients.chart_record_apis.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from hms.patients import selectors, services
from hms.patients.access import ChartSection
from hms.patients.chart_record_apis import (
    ChartRecordListCreateApi,
    ChartRecordUpdateApi,
    ChartRecordVoidApi,
    PatientChartRecordApi,
)
from hms.patients.models import AllergyCategory, AllergySeverity, AllergyStatus


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
    source = serializers.CharField(help_text="clinician, or patient (reported from the portal)")
    patient_reported = serializers.BooleanField(
        help_text="Reported by the patient and not yet confirmed by a doctor or nurse. It "
        "still counts for the prescribing safety checks."
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = serializers.CharField(source="confirmed_by.display_name", default=None)
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


class AllergyConfirmApi(_AllergyApi):
    """Confirm an allergy the patient reported (doctors and nurses; who and when are kept and
    audited)."""

    permission_actions = {"POST": "confirm"}

    @extend_schema(request=None, responses=PatientAllergyOutputSerializer)
    def post(self, request, **url_kwargs):
        record = self.find_record(request, "write", **url_kwargs)
        return self.respond(services.allergy_confirm(actor=request.user, allergy=record))


class PatientAllergyReportInputSerializer(serializers.Serializer):
    substance = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=AllergyCategory.choices, required=False)
    reaction = serializers.CharField(max_length=255, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=AllergySeverity.choices, required=False)
    onset_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AllergyReportApi(_AllergyApi):
    """A patient reports an allergy on their own chart. It counts for the prescribing safety
    checks at once and shows as patient-reported until a doctor or nurse confirms it."""

    permission_actions = {"POST": "report"}

    @extend_schema(
        request=PatientAllergyReportInputSerializer,
        responses={201: PatientAllergyOutputSerializer},
    )
    def post(self, request, **url_kwargs):
        # A patient opens their own chart (others' answer 404); the service checks it is theirs.
        chart = self.chart(request, "read", **url_kwargs)
        data = PatientAllergyReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        allergy = services.allergy_report(actor=request.user, **chart, **dict(data.validated_data))
        return self.respond(allergy, status.HTTP_201_CREATED)


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
