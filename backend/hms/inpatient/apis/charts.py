"""Inpatient charts: observations (NEWS2), fluid balance, GCS and nursing notes, each
with its void route (views on the chart-record base, through AdmissionChartRecordApi), and the
plotting series of the whole chart."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.serializers import UserRefSerializer
from hms.inpatient import selectors, services
from hms.inpatient.apis.common import (
    WINDOW_PARAMETERS,
    AdmissionChartRecordApi,
    VoidFields,
    admission_for,
    requested_window,
)
from hms.inpatient.models import (
    Consciousness,
    FluidDirection,
    FluidEntry,
    FluidKind,
    GcsAssessment,
    NursingNote,
    Observation,
)
from hms.patients.access import ChartSection
from hms.patients.chart_record_apis import ChartRecordListCreateApi, ChartRecordVoidApi


class ChartFilterSerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    include_voided = serializers.BooleanField(required=False, default=False)


class ObservationOutputSerializer(VoidFields):
    id = serializers.UUIDField(source="public_id")
    measured_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()
    respiratory_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    on_oxygen = serializers.BooleanField()
    oxygen_flow_l_min = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    oxygen_device = serializers.CharField()
    systolic_bp = serializers.IntegerField()
    diastolic_bp = serializers.IntegerField()
    pulse = serializers.IntegerField()
    consciousness = serializers.ChoiceField(choices=Consciousness.choices)
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1)
    spo2_scale = serializers.IntegerField()
    news2_score = serializers.IntegerField()
    news2_risk = serializers.CharField()
    news2_single_three = serializers.BooleanField()
    news2_components = serializers.DictField(child=serializers.IntegerField())
    alert_sent = serializers.BooleanField()


class FluidOutputSerializer(VoidFields):
    id = serializers.UUIDField(source="public_id")
    recorded_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()
    direction = serializers.ChoiceField(choices=FluidDirection.choices)
    kind = serializers.ChoiceField(choices=FluidKind.choices)
    volume_ml = serializers.IntegerField()
    note = serializers.CharField()


class GcsOutputSerializer(VoidFields):
    id = serializers.UUIDField(source="public_id")
    assessed_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()
    eye = serializers.IntegerField()
    verbal = serializers.IntegerField()
    motor = serializers.IntegerField()
    total = serializers.IntegerField()
    pupils = serializers.CharField()
    note = serializers.CharField()


class NursingNoteOutputSerializer(VoidFields):
    id = serializers.UUIDField(source="public_id")
    written_at = serializers.DateTimeField()
    author = UserRefSerializer()
    text = serializers.CharField()


class ObservationInputSerializer(serializers.Serializer):
    measured_at = serializers.DateTimeField(required=False)
    respiratory_rate = serializers.IntegerField(min_value=0, max_value=100)
    spo2 = serializers.IntegerField(min_value=0, max_value=100)
    on_oxygen = serializers.BooleanField()
    oxygen_flow_l_min = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    oxygen_device = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    systolic_bp = serializers.IntegerField(min_value=0, max_value=400)
    diastolic_bp = serializers.IntegerField(min_value=0, max_value=300)
    pulse = serializers.IntegerField(min_value=0, max_value=400)
    consciousness = serializers.ChoiceField(choices=Consciousness.choices)
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1)


class FluidInputSerializer(serializers.Serializer):
    recorded_at = serializers.DateTimeField(required=False)
    direction = serializers.ChoiceField(choices=FluidDirection.choices)
    kind = serializers.ChoiceField(choices=FluidKind.choices)
    volume_ml = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class GcsInputSerializer(serializers.Serializer):
    assessed_at = serializers.DateTimeField(required=False)
    eye = serializers.IntegerField(min_value=1, max_value=4)
    verbal = serializers.IntegerField(min_value=1, max_value=5)
    motor = serializers.IntegerField(min_value=1, max_value=6)
    pupils = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class NursingNoteInputSerializer(serializers.Serializer):
    written_at = serializers.DateTimeField(required=False)
    text = serializers.CharField(max_length=20000)


class _ChartListCreateApi(AdmissionChartRecordApi, ChartRecordListCreateApi):
    """GET the admission's entries (paginated, newest first; `since`, `until`,
    `include_voided`); POST records one. Needs the clinical section of the chart."""

    permission_actions = {"GET": "read", "POST": "create"}
    filter_serializer = ChartFilterSerializer


class _ObservationApi(AdmissionChartRecordApi):
    entry_model = Observation
    input_serializer = ObservationInputSerializer
    output_serializer = ObservationOutputSerializer
    list_selector = staticmethod(selectors.observation_list)
    create_service = staticmethod(services.observation_record)


class ObservationListCreateApi(_ObservationApi, _ChartListCreateApi):
    """Observation chart: a full vitals set scored with NEWS2 (RCP 2017); an aggregate of 5+ or a 3
    in one parameter notifies the attending doctor."""


class ObservationVoidApi(_ObservationApi, ChartRecordVoidApi):
    pass


class _FluidApi(AdmissionChartRecordApi):
    entry_model = FluidEntry
    input_serializer = FluidInputSerializer
    output_serializer = FluidOutputSerializer
    list_selector = staticmethod(selectors.fluid_list)
    create_service = staticmethod(services.fluid_record)


class FluidListCreateApi(_FluidApi, _ChartListCreateApi):
    """Fluid balance chart: volumes in (oral, iv, enteral, blood) and out (urine, drain, ...)."""


class FluidVoidApi(_FluidApi, ChartRecordVoidApi):
    pass


class _GcsApi(AdmissionChartRecordApi):
    entry_model = GcsAssessment
    input_serializer = GcsInputSerializer
    output_serializer = GcsOutputSerializer
    list_selector = staticmethod(selectors.gcs_list)
    create_service = staticmethod(services.gcs_record)


class GcsListCreateApi(_GcsApi, _ChartListCreateApi):
    """Glasgow Coma Scale assessments (ICU neuro observations)."""


class GcsVoidApi(_GcsApi, ChartRecordVoidApi):
    pass


class _NursingNoteApi(AdmissionChartRecordApi):
    entry_model = NursingNote
    input_serializer = NursingNoteInputSerializer
    output_serializer = NursingNoteOutputSerializer
    list_selector = staticmethod(selectors.nursing_note_list)
    create_service = staticmethod(services.nursing_note_create)


class NursingNoteListCreateApi(_NursingNoteApi, _ChartListCreateApi):
    """Nursing notes of the admission."""


class NursingNoteVoidApi(_NursingNoteApi, ChartRecordVoidApi):
    pass


class ChartPointSerializer(serializers.Serializer):
    t = serializers.DateTimeField()
    respiratory_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    on_oxygen = serializers.BooleanField()
    systolic_bp = serializers.IntegerField()
    diastolic_bp = serializers.IntegerField()
    pulse = serializers.IntegerField()
    consciousness = serializers.CharField()
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1)
    news2 = serializers.IntegerField()
    news2_risk = serializers.CharField()
    spo2_scale = serializers.IntegerField()


class FluidPointSerializer(serializers.Serializer):
    t = serializers.DateTimeField()
    direction = serializers.CharField()
    kind = serializers.CharField()
    volume_ml = serializers.IntegerField()


class FluidDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    in_ml = serializers.IntegerField()
    out_ml = serializers.IntegerField()
    balance_ml = serializers.IntegerField()
    cumulative_ml = serializers.IntegerField()


class GcsPointSerializer(serializers.Serializer):
    t = serializers.DateTimeField()
    eye = serializers.IntegerField()
    verbal = serializers.IntegerField()
    motor = serializers.IntegerField()
    total = serializers.IntegerField()


class AdmissionChartApi(APIView):
    """GET /api/admissions/{id}/chart/?from=&to= — the series for plotting, oldest first:
    observations (with NEWS2), fluid entries and daily balance, GCS. Default: the last 72
    hours; at most 31 days."""

    permission_resource = "inpatient_charts"
    permission_actions = {"GET": "read"}

    class OutputSerializer(serializers.Serializer):
        admission_id = serializers.UUIDField()
        since = serializers.DateTimeField()
        until = serializers.DateTimeField()
        observations = ChartPointSerializer(many=True)
        fluids = FluidPointSerializer(many=True)
        fluid_balance = FluidDaySerializer(many=True)
        gcs = GcsPointSerializer(many=True)

    @extend_schema(parameters=WINDOW_PARAMETERS, responses=OutputSerializer)
    def get(self, request, public_id):
        admission = admission_for(request, public_id, section=ChartSection.CLINICAL)
        since, until = requested_window(
            request, default=selectors.CHART_DEFAULT, maximum_days=selectors.CHART_MAX_DAYS
        )
        chart = selectors.admission_chart(admission=admission, since=since, until=until)
        return Response(
            self.OutputSerializer({"admission_id": admission.public_id, **chart.__dict__}).data
        )
