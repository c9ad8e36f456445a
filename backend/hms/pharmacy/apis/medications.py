"""A patient's medicines as the chart shows them: the list (current by default), stopping one
and renewing one."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.clinical.selectors import encounter_for_patient_field
from hms.core.pagination import StandardPagination
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.pharmacy import selectors, services
from hms.pharmacy.apis.common import DrugRefSerializer, PrescriptionOutputSerializer
from hms.pharmacy.selectors import MedicationStatus


class MedicationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    prescription = serializers.UUIDField(source="prescription.public_id")
    prescription_status = serializers.CharField(source="prescription.status")
    prescribed_at = serializers.DateTimeField(source="prescription.prescribed_at")
    prescriber = UserRefSerializer(source="prescription.prescriber")
    drug = DrugRefSerializer()
    dose = serializers.DecimalField(max_digits=12, decimal_places=4, normalize_output=True)
    dose_unit = serializers.CharField()
    route = serializers.CharField()
    frequency = serializers.CharField()
    frequency_display = serializers.CharField(source="get_frequency_display")
    duration_days = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    instructions = serializers.CharField()
    status = serializers.ChoiceField(choices=MedicationStatus.CHOICES)
    stopped_at = serializers.DateTimeField(source="ended_at", allow_null=True)
    stopped_by = UserRefSerializer(source="ended_by", allow_null=True)
    stop_reason = serializers.CharField(source="end_reason")
    renewal_of = serializers.UUIDField(source="renewal_of.public_id", default=None)


class PatientMedicationsApi(APIView):
    """The patient's medicines. Without `status`: the current ones (prescription not cancelled,
    medicine not stopped, started and within its duration), what the medication administration
    record starts from. `status=all|active|stopped|completed`: the chart's medication list,
    active first; stopped ones say when, by whom and why."""

    permission_resource = "patient_medications"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[("all", "All"), *MedicationStatus.CHOICES], required=False
        )

    @extend_schema(parameters=[FilterSerializer], responses=MedicationOutputSerializer(many=True))
    def get(self, request, public_id):
        filters = query_params(self.FilterSerializer, request)
        patient = selectors.medications_patient_for_user(
            user=request.user, patient_public_id=public_id
        )
        wanted = filters.get("status")
        if wanted is None:
            items = [
                selectors.medication_facts(item)
                for item in selectors.active_prescription_items_for_patient(patient)
            ]
        else:
            items = selectors.medication_list(
                patient=patient, status=None if wanted == "all" else wanted
            )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(MedicationOutputSerializer(page, many=True).data)


class _MedicationWriteApi(APIView):
    permission_resource = "patient_medications"

    def medication(self, request, public_id, item_id):
        patient = selectors.medications_patient_for_user(
            user=request.user, patient_public_id=public_id, purpose="write"
        )
        return patient, selectors.medication_get(patient=patient, public_id=item_id)


class MedicationStopApi(_MedicationWriteApi):
    """Stop a medicine, with a reason (doctors; audited). The pharmacy dispenses nothing more
    of it; when a prescription has no medicine left, it is cancelled."""

    permission_actions = {"POST": "stop"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=MedicationOutputSerializer)
    def post(self, request, public_id, item_id):
        patient, item = self.medication(request, public_id, item_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.medication_stop(
            actor=request.user, item=item, reason=data.validated_data["reason"]
        )
        item = selectors.medication_get(patient=patient, public_id=item_id)
        return Response(MedicationOutputSerializer(item).data)


class MedicationRenewApi(_MedicationWriteApi):
    """Renew a medicine: a new prescription of the same drug, dose, route, frequency and
    course, starting today, written through the prescribing service (every safety check runs;
    a severe warning answers 409 `safety_override_required` unless `override_reason` is given).
    The renewed medicine, if still current, stops as renewed."""

    permission_actions = {"POST": "renew"}

    class InputSerializer(serializers.Serializer):
        encounter = serializers.UUIDField(required=False, allow_null=True)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        override_reason = serializers.CharField(
            max_length=1000,
            required=False,
            allow_blank=True,
            help_text="Required (at least 10 characters) to renew despite severe warnings.",
        )

    @extend_schema(request=InputSerializer, responses={201: PrescriptionOutputSerializer})
    def post(self, request, public_id, item_id):
        patient, item = self.medication(request, public_id, item_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        encounter = encounter_for_patient_field(
            patient=patient, encounter_id=params.pop("encounter", None)
        )
        prescription = services.medication_renew(
            actor=request.user, item=item, encounter=encounter, **params
        )
        prescription = selectors.prescription_get_for_user(
            user=request.user, public_id=prescription.public_id
        )
        return Response(
            PrescriptionOutputSerializer(prescription).data, status=status.HTTP_201_CREATED
        )
