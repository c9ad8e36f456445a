"""Discharge: the doctor's discharge summary, and discharging the patient (which needs it)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.serializers import UserRefSerializer
from hms.inpatient import pdf, selectors, services
from hms.inpatient.apis.admissions import AdmissionDetailOutputSerializer, admission_detail_data
from hms.inpatient.apis.common import admission_for
from hms.inpatient.models import DischargeDisposition
from hms.patients.access import ChartSection


class DischargeInputSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(
        choices=DischargeDisposition.choices, required=False, default=DischargeDisposition.HOME
    )
    discharged_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def discharge_response(request, admission, params):
    admission = services.admission_discharge(
        actor=request.user,
        admission=admission,
        disposition=params["disposition"],
        discharged_at=params.get("discharged_at"),
        note=params["note"],
    )
    return Response(admission_detail_data(admission))


class AdmissionDischargeApi(APIView):
    permission_resource = "admissions"
    permission_actions = {"POST": "discharge"}

    @extend_schema(request=DischargeInputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request, public_id):
        admission = admission_for(
            request, public_id, section=ChartSection.DEMOGRAPHICS, purpose="write"
        )
        data = DischargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return discharge_response(request, admission, data.validated_data)


class DiagnosisSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=8)
    title = serializers.CharField(read_only=True)


class DischargeMedicationSerializer(serializers.Serializer):
    drug = serializers.CharField(max_length=200)
    dose = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    frequency = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    duration = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    instructions = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class DischargeSummaryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    admission_id = serializers.UUIDField(source="admission.public_id")
    diagnoses = DiagnosisSerializer(many=True)
    procedures = serializers.ListField(child=serializers.CharField())
    medications_on_discharge = DischargeMedicationSerializer(many=True)
    follow_up = serializers.CharField()
    follow_up_date = serializers.DateField(allow_null=True)
    follow_up_clinic = serializers.CharField()
    instructions = serializers.CharField()
    hospital_course = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    written_by = UserRefSerializer()
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DischargeSummaryApi(APIView):
    """The doctor's discharge summary: ICD-10 diagnoses, procedures and medications on
    discharge (empty lists for none), the follow-up plan (with an optional date and clinic) and
    instructions for the patient. PUT writes or amends it: `finalise` (default true) signs it,
    which needs at least one diagnosis and the follow-up plan; `finalise: false` keeps it a
    draft, which may be incomplete. Only a signed summary lets the ward discharge the patient;
    a signed summary is amended by signing again (409 `discharge_summary_signed` for a
    draft)."""

    permission_resource = "discharge_summaries"
    permission_actions = {"GET": "read", "PUT": "write"}

    class InputSerializer(serializers.Serializer):
        diagnoses = DiagnosisSerializer(many=True, allow_empty=True)
        procedures = serializers.ListField(
            child=serializers.CharField(max_length=500), allow_empty=True
        )
        medications_on_discharge = DischargeMedicationSerializer(many=True, allow_empty=True)
        follow_up = serializers.CharField(
            max_length=4000, required=False, allow_blank=True, default=""
        )
        follow_up_date = serializers.DateField(required=False, allow_null=True, default=None)
        follow_up_clinic = serializers.CharField(
            max_length=120, required=False, allow_blank=True, default=""
        )
        instructions = serializers.CharField(
            max_length=8000, required=False, allow_blank=True, default=""
        )
        finalise = serializers.BooleanField(required=False, default=True)
        hospital_course = serializers.CharField(
            max_length=20000, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses=DischargeSummaryOutputSerializer)
    def get(self, request, public_id):
        admission = admission_for(request, public_id, section=ChartSection.CLINICAL)
        summary = selectors.discharge_summary_of(admission=admission)
        return Response(DischargeSummaryOutputSerializer(summary).data)

    @extend_schema(request=InputSerializer, responses=DischargeSummaryOutputSerializer)
    def put(self, request, public_id):
        admission = admission_for(
            request, public_id, section=ChartSection.CLINICAL, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        summary = services.discharge_summary_save(
            actor=request.user,
            admission=admission,
            diagnoses=[dict(d) for d in params["diagnoses"]],
            procedures=list(params["procedures"]),
            medications_on_discharge=[dict(m) for m in params["medications_on_discharge"]],
            follow_up=params["follow_up"],
            follow_up_date=params["follow_up_date"],
            follow_up_clinic=params["follow_up_clinic"],
            instructions=params["instructions"],
            hospital_course=params["hospital_course"],
            finalise=params["finalise"],
        )
        return Response(DischargeSummaryOutputSerializer(summary).data)


class DischargeSummaryPdfApi(APIView):
    """The discharge summary as a PDF to print; the patient's name, MRN and birth date on
    every page. Audited as an export of the discharge summary."""

    permission_resource = "discharge_summaries"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        return pdf.discharge_summary_print(user=request.user, admission_id=public_id).response()
