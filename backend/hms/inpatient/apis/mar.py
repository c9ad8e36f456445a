"""The medication administration record: the doses of a day, recording and voiding a dose,
and the overdue doses of the drug round."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ForbiddenError
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.roles import Role
from hms.core.serializers import UserRefSerializer
from hms.inpatient import selectors, services
from hms.inpatient.apis.common import (
    WINDOW_PARAMETERS,
    AdmissionChartRecordApi,
    VoidFields,
    WardRefSerializer,
    admission_for,
    instant_param,
    requested_window,
)
from hms.inpatient.models import AdministrationStatus, MedicationAdministration
from hms.patients.access import ChartSection
from hms.patients.chart_record_apis import ChartRecordVoidApi
from hms.patients.serializers import PatientRefSerializer


class MarItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    prescription_id = serializers.UUIDField(source="prescription.public_id")
    drug = serializers.CharField(source="drug.display_name")
    dose = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=True)
    dose_unit = serializers.CharField()
    route = serializers.CharField()
    frequency = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    instructions = serializers.CharField()


class AdministrationOutputSerializer(VoidFields):
    id = serializers.UUIDField(source="public_id")
    prescription_item = serializers.UUIDField(source="prescription_item.public_id")
    scheduled_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=AdministrationStatus.choices)
    administered_at = serializers.DateTimeField()
    dose = serializers.CharField()
    reason = serializers.CharField()
    recorded_by = UserRefSerializer()


class MarDoseSerializer(serializers.Serializer):
    prescription_item = serializers.UUIDField(source="item.public_id")
    drug = serializers.CharField(source="item.drug.display_name")
    dose = serializers.SerializerMethodField()
    route = serializers.CharField(source="item.route")
    scheduled_at = serializers.DateTimeField()
    state = serializers.ChoiceField(
        choices=["given", "held", "refused", "due", "overdue", "upcoming"]
    )
    record = AdministrationOutputSerializer(allow_null=True)

    def get_dose(self, dose) -> str:
        return f"{dose.item.dose.normalize():f} {dose.item.dose_unit}"


class AdmissionMarApi(APIView):
    """GET: the MAR for a day (`?date=`, default today) or `?from=&to=` (≤ 7 days): each
    scheduled dose (drug-round times, hms.inpatient.mar) with its state — given, held,
    refused, due, overdue (not recorded an hour after it was due) or upcoming — and the
    as-needed doses given. POST records a dose: `{prescription_item, scheduled_at, status,
    reason}` (reason required for held/refused; no scheduled_at for PRN)."""

    permission_resource = "mar"
    permission_actions = {"GET": "read", "POST": "record"}

    class OutputSerializer(serializers.Serializer):
        admission_id = serializers.UUIDField()
        since = serializers.DateTimeField()
        until = serializers.DateTimeField()
        items = MarItemSerializer(many=True)
        doses = MarDoseSerializer(many=True)
        prn = AdministrationOutputSerializer(many=True)

    class InputSerializer(serializers.Serializer):
        prescription_item = serializers.UUIDField()
        scheduled_at = serializers.DateTimeField(required=False, allow_null=True)
        status = serializers.ChoiceField(choices=AdministrationStatus.choices)
        administered_at = serializers.DateTimeField(required=False)
        dose = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        reason = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD"), *WINDOW_PARAMETERS],
        responses=OutputSerializer,
    )
    def get(self, request, public_id):
        admission = admission_for(request, public_id, section=ChartSection.MEDICATIONS)
        if request.query_params.get("from") or request.query_params.get("to"):
            since, until = requested_window(
                request, default=timedelta(days=1), maximum_days=selectors.MAR_MAX_DAYS
            )
        else:
            day = request.query_params.get("date")
            since = (
                instant_param(day, "date")
                if day
                else instant_param(timezone.localdate().isoformat(), "date")
            )
            until = since + timedelta(days=1)
        mar = selectors.admission_mar(admission=admission, since=since, until=until)
        return Response(
            self.OutputSerializer({"admission_id": admission.public_id, **mar.__dict__}).data
        )

    @extend_schema(request=InputSerializer, responses={201: AdministrationOutputSerializer})
    def post(self, request, public_id):
        admission = admission_for(
            request, public_id, section=ChartSection.MEDICATIONS, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        item = selectors.prescription_item_for_admission(
            admission=admission, public_id=params.pop("prescription_item")
        )
        record = services.administration_record(
            actor=request.user, admission=admission, prescription_item=item, **params
        )
        return Response(AdministrationOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class MarVoidApi(AdmissionChartRecordApi, ChartRecordVoidApi):
    permission_resource = "mar"
    permission_actions = {"POST": "record"}
    section = ChartSection.MEDICATIONS
    entry_model = MedicationAdministration
    output_serializer = AdministrationOutputSerializer


class OverdueDoseSerializer(serializers.Serializer):
    admission_id = serializers.UUIDField(source="admission.public_id")
    patient = PatientRefSerializer(source="admission.patient")
    ward = WardRefSerializer(source="admission.ward")
    bed = serializers.CharField(source="admission.bed.label")
    prescription_item = serializers.UUIDField(source="item.public_id")
    drug = serializers.CharField(source="item.drug.display_name")
    dose = serializers.SerializerMethodField()
    route = serializers.CharField(source="item.route")
    scheduled_at = serializers.DateTimeField()
    minutes_overdue = serializers.SerializerMethodField()

    def get_dose(self, dose) -> str:
        return f"{dose.item.dose.normalize():f} {dose.item.dose_unit}"

    def get_minutes_overdue(self, dose) -> int:
        return int((timezone.now() - dose.scheduled_at).total_seconds() // 60)


class MarOverdueApi(APIView):
    """Overdue doses per ward (`?ward=`): due over an hour ago within the last 24 hours and not
    recorded. Nurses see the wards they are assigned to today; doctors their own patients."""

    permission_resource = "mar"
    permission_actions = {"GET": "overdue"}

    class FilterSerializer(serializers.Serializer):
        ward = serializers.UUIDField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=OverdueDoseSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        ward = selectors.ward_get(public_id=filters["ward"]) if "ward" in filters else None
        doses = selectors.overdue_doses(ward=ward)
        user = request.user
        if user.role == Role.NURSE:
            mine = set(selectors.wards_of_nurse_today(nurse=user).values_list("ward_id", flat=True))
            if ward is not None and ward.pk not in mine:
                raise ForbiddenError(
                    "You are not assigned to this ward today.", code="not_your_ward"
                )
            doses = [d for d in doses if d.admission.ward_id in mine]
        elif user.role == Role.DOCTOR:
            doses = [d for d in doses if d.admission.attending_doctor_id == user.pk]
        response = paginated_response(
            queryset=doses, serializer_class=OverdueDoseSerializer, request=request, view=self
        )
        audit_page(request, response, "mar_overdue")
        return response
