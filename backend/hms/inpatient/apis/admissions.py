"""Admissions: list, admit, detail with the bed stays, transfer, and the NEWS2 SpO2 scale."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.inpatient import selectors, services
from hms.inpatient.apis.common import (
    BedRefSerializer,
    WardRefSerializer,
    admission_for,
    doctor_for,
    registry_patient,
)
from hms.inpatient.models import AdmissionStatus, AdmissionType
from hms.patients.access import ChartSection
from hms.patients.serializers import PatientRefSerializer


class AdmissionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    attending_doctor = UserRefSerializer()
    ward = WardRefSerializer()
    bed = BedRefSerializer()
    status = serializers.ChoiceField(choices=AdmissionStatus.choices)
    admission_type = serializers.ChoiceField(choices=AdmissionType.choices)
    reason = serializers.CharField()
    admitted_at = serializers.DateTimeField()
    admitted_by = UserRefSerializer()
    days_admitted = serializers.SerializerMethodField()
    in_icu = serializers.BooleanField(source="ward.is_icu")
    spo2_scale = serializers.IntegerField()
    discharged_at = serializers.DateTimeField(allow_null=True)
    discharge_disposition = serializers.CharField()
    encounter_id = serializers.UUIDField(source="encounter.public_id")

    def get_days_admitted(self, admission) -> int:
        return selectors.days_admitted(admission.admitted_at, now=admission.discharged_at)


class StayOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    ward = WardRefSerializer()
    bed = BedRefSerializer()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    moved_by = UserRefSerializer()


class AdmissionDetailOutputSerializer(AdmissionOutputSerializer):
    stays = StayOutputSerializer(many=True, source="stays.all")
    has_discharge_summary = serializers.SerializerMethodField()
    discharge_summary_status = serializers.SerializerMethodField(
        help_text="null (not written), draft, or final (signed: the ward may discharge)."
    )
    discharged_by = UserRefSerializer(allow_null=True)
    discharge_note = serializers.CharField()
    spo2_scale_reason = serializers.CharField()

    def get_has_discharge_summary(self, admission) -> bool:
        return hasattr(admission, "discharge_summary")

    def get_discharge_summary_status(self, admission) -> str | None:
        summary = getattr(admission, "discharge_summary", None)
        return summary.status if summary is not None else None


def admission_detail_data(admission) -> dict:
    return AdmissionDetailOutputSerializer(selectors.admission_detail(admission=admission)).data


class AdmitInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    bed = serializers.UUIDField()
    attending_doctor = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000)
    admission_type = serializers.ChoiceField(
        choices=AdmissionType.choices, required=False, default=AdmissionType.EMERGENCY
    )
    admitted_at = serializers.DateTimeField(required=False)


def admit_response(request):
    data = AdmitInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = data.validated_data
    patient = registry_patient(request, params["patient"])
    admission = services.admission_admit(
        actor=request.user,
        patient=patient,
        bed=selectors.bed_get(public_id=params["bed"], field="bed"),
        attending_doctor=doctor_for(params["attending_doctor"]),
        reason=params["reason"],
        admission_type=params["admission_type"],
        admitted_at=params.get("admitted_at"),
    )
    return Response(admission_detail_data(admission), status=status.HTTP_201_CREATED)


class AdmissionListCreateApi(APIView):
    """GET /api/admissions/ (scoped; patients their own) and POST (same as /patients/admit/)."""

    permission_resource = "admissions"
    permission_actions = {"GET": "list", "POST": "admit"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        ward = serializers.UUIDField(required=False)
        attending_doctor = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=AdmissionStatus.choices, required=False)
        icu = serializers.BooleanField(required=False, default=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=AdmissionOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.admission_list(user=request.user, filters=filters),
            serializer_class=AdmissionOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "admission_list")
        return response

    @extend_schema(request=AdmitInputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        return admit_response(request)


class AdmissionDetailApi(APIView):
    """One admission with its bed stays (the transfer history)."""

    permission_resource = "admissions"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=AdmissionDetailOutputSerializer)
    def get(self, request, public_id):
        admission = admission_for(request, public_id, section=ChartSection.DEMOGRAPHICS)
        return Response(admission_detail_data(admission))


class TransferInputSerializer(serializers.Serializer):
    bed = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False)
    attending_doctor = serializers.UUIDField(
        required=False, help_text="Hand the patient over to this doctor."
    )


class AdmissionTransferApi(APIView):
    """Move the patient to another bed or ward; the previous stay is kept, the vacated bed
    goes to `cleaning`."""

    permission_resource = "admissions"
    permission_actions = {"POST": "transfer"}

    @extend_schema(request=TransferInputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request, public_id):
        admission = admission_for(
            request, public_id, section=ChartSection.DEMOGRAPHICS, purpose="write"
        )
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        admission = services.admission_transfer(
            actor=request.user,
            admission=admission,
            bed=selectors.bed_get(public_id=params["bed"], field="bed"),
            reason=params["reason"],
            transferred_at=params.get("at"),
            attending_doctor=doctor_for(params.get("attending_doctor")),
        )
        return Response(admission_detail_data(admission))


class Spo2ScaleApi(APIView):
    """A doctor sets the NEWS2 SpO2 scale of the admission (2 only for confirmed hypercapnic
    respiratory failure, with the reason)."""

    permission_resource = "admissions"
    permission_actions = {"POST": "spo2_scale"}

    class InputSerializer(serializers.Serializer):
        scale = serializers.ChoiceField(choices=[(1, "Scale 1"), (2, "Scale 2")])
        reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request, public_id):
        admission = admission_for(
            request, public_id, section=ChartSection.CLINICAL, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = services.admission_set_spo2_scale(
            actor=request.user, admission=admission, **data.validated_data
        )
        return Response(admission_detail_data(admission))
