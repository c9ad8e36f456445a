"""Thin API views for wards, beds, admissions (compatibility routes /api/patients/admit/,
/discharge/, /api/icu/...), charts and the medication administration record.

Access, besides the role table:
- Admitting (also into ICU) finds the patient in the registry (`patients_visible_to`), like
  registering or assigning a doctor: it is the act that puts the patient on a ward, so it cannot
  require a care relationship that only exists afterwards. The admission is audited.
- Everything else about one admission opens the patient's chart through
  `hms.patients.access.patient_get_for_user`: demographics for the admission itself (where the
  patient lies), clinical for the charts and the discharge summary, medications for the MAR,
  billing for bed-days. Doctors and nurses need the patient in their care (attending doctor,
  ward nurse) or break-the-glass; another patient's admission answers 404.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.models import User
from hms.accounts.selectors import user_find
from hms.core.errors import ApplicationError, ForbiddenError
from hms.core.pagination import paginated_response
from hms.core.plausible_dates import clock_skew
from hms.core.query_params import DATE_RANGE_MESSAGE, date_in_range, query_params
from hms.core.roles import Role
from hms.core.serializers import UserRefSerializer
from hms.core.services import audit_page_read
from hms.inpatient import selectors, services
from hms.inpatient.models import (
    AdministrationStatus,
    AdmissionStatus,
    AdmissionType,
    BedStatus,
    Consciousness,
    DischargeDisposition,
    FluidDirection,
    FluidEntry,
    FluidKind,
    GcsAssessment,
    NursingNote,
    Observation,
    WardType,
)
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.selectors import doctor_user_for_field, patient_in_registry_find
from hms.patients.serializers import PatientRefSerializer

# --- Shared serializers and helpers ----------------------------------------------------------


class WardRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.CharField()


class BedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()
    room = serializers.CharField(source="room.name")


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="validation_error", fields={field: [message]})


def _doctor(public_id, field: str = "attending_doctor") -> User:
    return doctor_user_for_field(public_id=public_id, field=field)


def _registry_patient(request, public_id):
    """A patient the user may find in the registry (for admitting); 400 otherwise."""
    patient = patient_in_registry_find(user=request.user, public_id=public_id)
    if patient is None:
        raise _invalid("patient", "No patient with this id.")
    return patient


def _admission(request, public_id, *, section: ChartSection, purpose: str = "read"):
    """The admission, if the user may use that section of the patient's chart (audited)."""
    admission = selectors.admission_get_for_user(user=request.user, public_id=public_id)
    patient_get_for_user(
        user=request.user,
        patient_public_id=admission.patient.public_id,
        section=section,
        purpose=purpose,
    )
    return admission


def _admission_from_body(request, data: dict, *, section=ChartSection.DEMOGRAPHICS):
    """`admission` id, or `patient` id (their active admission), from a compatibility-route body."""
    if data.get("admission"):
        return _admission(request, data["admission"], section=section, purpose="write")
    patient_id = data.get("patient")
    if not patient_id:
        raise ApplicationError(
            "Say which admission (or patient).",
            code="validation_error",
            fields={"admission": ["Give admission or patient."]},
        )
    patient = _registry_patient(request, patient_id)
    admission = selectors.active_admission_of(patient=patient)
    if admission is None:
        raise ApplicationError("This patient is not admitted.", code="not_admitted", status=409)
    return _admission(request, admission.public_id, section=section, purpose="write")


def _audit_page(request, response, resource_type: str, patient_ids, detail=None) -> None:
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted({str(pid) for pid in patient_ids}),
        count=response.data.get("count") if isinstance(response.data, dict) else None,
        detail=detail,
    )


def _instant(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """ISO date-time, or a date (its local start; with end=True the start of the next day)."""
    if not value:
        return None
    try:
        day = parse_date(value)
        parsed = None if day is not None else parse_datetime(value)
    except ValueError:
        day = parsed = None
    if parsed is None and day is None:
        raise _invalid(field, "Give an ISO date or date-time.")
    if not date_in_range(parsed or day):
        raise _invalid(field, DATE_RANGE_MESSAGE)
    if parsed is not None:
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    if end:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(0)))


WINDOW_PARAMETERS = [
    OpenApiParameter("from", str, description="ISO date-time or date (local midnight)"),
    OpenApiParameter("to", str, description="ISO date-time, or a date (inclusive)"),
]


def _requested_window(
    request, *, default: timedelta, maximum_days: int
) -> tuple[datetime, datetime]:
    since = _instant(request.query_params.get("from"), "from")
    until = _instant(request.query_params.get("to"), "to", end=True)
    if until is None:
        # Up to now, including entries stamped a few minutes ahead (clock skew is allowed).
        until = timezone.now() + clock_skew() if since is None else since + default
    if since is None:
        since = until - default
    if until <= since:
        raise _invalid("to", "Must be after from.")
    if until - since > timedelta(days=maximum_days):
        raise _invalid("to", f"At most {maximum_days} days at a time.")
    return since, until


# --- Wards, rooms and beds -------------------------------------------------------------------


class WardOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.ChoiceField(choices=WardType.choices)
    type_display = serializers.CharField(source="get_type_display")
    floor = serializers.CharField()
    phone = serializers.CharField()
    active = serializers.BooleanField()
    bed_count = serializers.IntegerField(default=None)
    free_count = serializers.IntegerField(default=None)


class WardListCreateApi(APIView):
    permission_resource = "wards"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=WardType.choices, required=False)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        code = serializers.CharField(max_length=16)
        type = serializers.ChoiceField(choices=WardType.choices)
        floor = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")

    @extend_schema(parameters=[FilterSerializer], responses=WardOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.ward_list(filters=filters),
            serializer_class=WardOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: WardOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ward = services.ward_create(actor=request.user, **data.validated_data)
        return Response(
            WardOutputSerializer(selectors.ward_get(public_id=ward.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class WardDetailApi(APIView):
    permission_resource = "wards"
    permission_actions = {"GET": "read", "PATCH": "update"}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False)
        code = serializers.CharField(max_length=16, required=False)
        type = serializers.ChoiceField(choices=WardType.choices, required=False)
        floor = serializers.CharField(max_length=32, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=WardOutputSerializer)
    def get(self, request, public_id):
        return Response(WardOutputSerializer(selectors.ward_get(public_id=public_id)).data)

    @extend_schema(request=InputSerializer, responses=WardOutputSerializer)
    def patch(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ward_update(actor=request.user, ward=ward, **data.validated_data)
        return Response(WardOutputSerializer(selectors.ward_get(public_id=public_id)).data)


class RoomOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    ward = WardRefSerializer()
    name = serializers.CharField()
    active = serializers.BooleanField()
    bed_count = serializers.IntegerField(default=None)


class WardRoomListCreateApi(APIView):
    permission_resource = "rooms"
    permission_actions = {"GET": "list", "POST": "create"}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64)

    @extend_schema(responses=RoomOutputSerializer(many=True))
    def get(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        return paginated_response(
            queryset=selectors.room_list(ward=ward),
            serializer_class=RoomOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: RoomOutputSerializer})
    def post(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_create(actor=request.user, ward=ward, **data.validated_data)
        return Response(
            RoomOutputSerializer(selectors.room_get(public_id=room.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class RoomDetailApi(APIView):
    permission_resource = "rooms"
    permission_actions = {"GET": "read", "PATCH": "update"}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64, required=False)
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=RoomOutputSerializer)
    def get(self, request, public_id):
        return Response(RoomOutputSerializer(selectors.room_get(public_id=public_id)).data)

    @extend_schema(request=InputSerializer, responses=RoomOutputSerializer)
    def patch(self, request, public_id):
        room = selectors.room_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.room_update(actor=request.user, room=room, **data.validated_data)
        return Response(RoomOutputSerializer(selectors.room_get(public_id=public_id)).data)


class BedOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    ward = WardRefSerializer()
    room = serializers.CharField(source="room.name")
    room_id = serializers.UUIDField(source="room.public_id")
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=BedStatus.choices)
    status_note = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class BedListCreateApi(APIView):
    permission_resource = "beds"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        ward = serializers.UUIDField(required=False)
        ward_type = serializers.ChoiceField(choices=WardType.choices, required=False)
        status = serializers.ChoiceField(choices=BedStatus.choices, required=False)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    class InputSerializer(serializers.Serializer):
        room = serializers.UUIDField()
        label = serializers.CharField(max_length=32)

    @extend_schema(parameters=[FilterSerializer], responses=BedOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.bed_list(filters=filters),
            serializer_class=BedOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: BedOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = selectors.room_find(public_id=data.validated_data["room"])
        if room is None:
            raise _invalid("room", "No room with this id.")
        bed = services.bed_create(actor=request.user, room=room, label=data.validated_data["label"])
        return Response(
            BedOutputSerializer(selectors.bed_get(public_id=bed.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class BedDetailApi(APIView):
    permission_resource = "beds"
    permission_actions = {"GET": "read", "PATCH": "update"}

    class InputSerializer(serializers.Serializer):
        label = serializers.CharField(max_length=32, required=False)
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=BedOutputSerializer)
    def get(self, request, public_id):
        return Response(BedOutputSerializer(selectors.bed_get(public_id=public_id)).data)

    @extend_schema(request=InputSerializer, responses=BedOutputSerializer)
    def patch(self, request, public_id):
        bed = selectors.bed_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.bed_update(actor=request.user, bed=bed, **data.validated_data)
        return Response(BedOutputSerializer(selectors.bed_get(public_id=public_id)).data)


class BedStatusApi(APIView):
    """Housekeeping: `cleaning` → `available`, `maintenance`, `reserved`. Occupied beds change
    only through transfer or discharge."""

    permission_resource = "beds"
    permission_actions = {"POST": "set_status"}

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=BedStatus.choices)
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=BedOutputSerializer)
    def post(self, request, public_id):
        bed = selectors.bed_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.bed_set_status(actor=request.user, bed=bed, **data.validated_data)
        return Response(BedOutputSerializer(selectors.bed_get(public_id=public_id)).data)


class BoardOccupantSerializer(serializers.Serializer):
    admission_id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    attending_doctor = UserRefSerializer()
    admitted_at = serializers.DateTimeField()
    days_admitted = serializers.SerializerMethodField()

    def get_days_admitted(self, admission) -> int:
        return selectors.days_admitted(admission.admitted_at)


class BoardBedSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()
    room = serializers.CharField(source="room.name")
    status = serializers.ChoiceField(choices=BedStatus.choices)
    status_note = serializers.CharField()
    occupant = serializers.SerializerMethodField()

    @extend_schema_field(BoardOccupantSerializer(allow_null=True))
    def get_occupant(self, bed):
        admissions = bed.active_admissions
        return BoardOccupantSerializer(admissions[0]).data if admissions else None


class BoardWardSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.ChoiceField(choices=WardType.choices)
    counts = serializers.SerializerMethodField()
    beds = BoardBedSerializer(many=True, source="board_beds")

    def get_counts(self, ward) -> dict[str, int]:
        counts = {"total": len(ward.board_beds), **{s.value: 0 for s in BedStatus}}
        for bed in ward.board_beds:
            counts[bed.status] += 1
        return counts


class BedBoardApi(APIView):
    """Occupancy per ward: counts per bed status and, for each bed, who lies in it and for how
    many days. Paginated by ward; three queries whatever the number of beds."""

    permission_resource = "beds"
    permission_actions = {"GET": "board"}

    class FilterSerializer(serializers.Serializer):
        ward = serializers.UUIDField(required=False)
        type = serializers.ChoiceField(choices=WardType.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=BoardWardSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.bed_board(filters=filters),
            serializer_class=BoardWardSerializer,
            request=request,
            view=self,
        )
        patients = [
            bed["occupant"]["patient"]["id"]
            for ward in response.data["results"]
            for bed in ward["beds"]
            if bed["occupant"]
        ]
        _audit_page(request, response, "bed_board", patients)
        return response


# --- Nurse ward assignments ------------------------------------------------------------------


class NurseAssignmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    nurse = UserRefSerializer()
    ward = WardRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    assigned_by = UserRefSerializer()


class WardNurseListCreateApi(APIView):
    """Which nurses work on the ward (admins manage it). While an assignment runs, the ward's
    patients are in the nurse's care."""

    permission_resource = "nurse_ward_assignments"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        current = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        nurse = serializers.UUIDField()
        starts_on = serializers.DateField(required=False)
        ends_on = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(
        parameters=[FilterSerializer], responses=NurseAssignmentOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.nurse_assignment_list(ward=ward, current_only=filters["current"]),
            serializer_class=NurseAssignmentOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: NurseAssignmentOutputSerializer})
    def post(self, request, public_id):
        ward = selectors.ward_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        nurse = user_find(public_id=params.pop("nurse"))
        if nurse is None:
            raise _invalid("nurse", "No user with this id.")
        assignment = services.nurse_ward_assign(
            actor=request.user, nurse=nurse, ward=ward, **params
        )
        return Response(
            NurseAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class NurseAssignmentEndApi(APIView):
    permission_resource = "nurse_ward_assignments"
    permission_actions = {"POST": "end"}

    class InputSerializer(serializers.Serializer):
        ends_on = serializers.DateField(required=False)

    @extend_schema(request=InputSerializer, responses=NurseAssignmentOutputSerializer)
    def post(self, request, public_id):
        assignment = selectors.nurse_assignment_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.nurse_ward_assignment_end(
            actor=request.user, assignment=assignment, **data.validated_data
        )
        return Response(NurseAssignmentOutputSerializer(assignment).data)


# --- Admissions ------------------------------------------------------------------------------


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
    discharged_by = UserRefSerializer(allow_null=True)
    discharge_note = serializers.CharField()
    spo2_scale_reason = serializers.CharField()

    def get_has_discharge_summary(self, admission) -> bool:
        return hasattr(admission, "discharge_summary")


def _detail(admission) -> dict:
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


def _admit(request):
    data = AdmitInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = data.validated_data
    patient = _registry_patient(request, params["patient"])
    admission = services.admission_admit(
        actor=request.user,
        patient=patient,
        bed=selectors.bed_get(public_id=params["bed"], field="bed"),
        attending_doctor=_doctor(params["attending_doctor"]),
        reason=params["reason"],
        admission_type=params["admission_type"],
        admitted_at=params.get("admitted_at"),
    )
    return Response(_detail(admission), status=status.HTTP_201_CREATED)


class PatientAdmitApi(APIView):
    """Compatibility route POST /api/patients/admit/: admit a patient to a bed. Opens an inpatient
    encounter. 409 `bed_not_available` or `patient_already_admitted`."""

    permission_resource = "admissions"
    permission_actions = {"POST": "admit"}

    @extend_schema(request=AdmitInputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        return _admit(request)


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
        _audit_page(
            request,
            response,
            "admission_list",
            [row["patient"]["id"] for row in response.data["results"]],
        )
        return response

    @extend_schema(request=AdmitInputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        return _admit(request)


class AdmissionDetailApi(APIView):
    """One admission with its bed stays (the transfer history)."""

    permission_resource = "admissions"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=AdmissionDetailOutputSerializer)
    def get(self, request, public_id):
        admission = _admission(request, public_id, section=ChartSection.DEMOGRAPHICS)
        return Response(_detail(admission))


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
        admission = _admission(
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
            attending_doctor=_doctor(params["attending_doctor"])
            if params.get("attending_doctor")
            else None,
        )
        return Response(_detail(admission))


class DischargeInputSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(
        choices=DischargeDisposition.choices, required=False, default=DischargeDisposition.HOME
    )
    discharged_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SeedDischargeInputSerializer(DischargeInputSerializer):
    admission = serializers.UUIDField(required=False)
    patient = serializers.UUIDField(required=False, help_text="Their active admission.")


def _discharge(request, admission, params):
    admission = services.admission_discharge(
        actor=request.user,
        admission=admission,
        disposition=params["disposition"],
        discharged_at=params.get("discharged_at"),
        note=params["note"],
    )
    return Response(_detail(admission))


class PatientDischargeApi(APIView):
    """Compatibility route POST /api/patients/discharge/ `{admission | patient, disposition}`. Needs
    the doctor's discharge summary (409 `discharge_summary_required`); closes the encounter and
    sends the bed to cleaning."""

    permission_resource = "admissions"
    permission_actions = {"POST": "discharge"}

    @extend_schema(request=SeedDischargeInputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request):
        data = SeedDischargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = _admission_from_body(request, data.validated_data)
        return _discharge(request, admission, data.validated_data)


class AdmissionDischargeApi(APIView):
    permission_resource = "admissions"
    permission_actions = {"POST": "discharge"}

    @extend_schema(request=DischargeInputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request, public_id):
        admission = _admission(
            request, public_id, section=ChartSection.DEMOGRAPHICS, purpose="write"
        )
        data = DischargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _discharge(request, admission, data.validated_data)


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
        admission = _admission(request, public_id, section=ChartSection.CLINICAL, purpose="write")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = services.admission_set_spo2_scale(
            actor=request.user, admission=admission, **data.validated_data
        )
        return Response(_detail(admission))


# --- ICU -------------------------------------------------------------------------------------


class IcuAdmissionSerializer(AdmissionOutputSerializer):
    in_icu_since = serializers.DateTimeField(allow_null=True)
    latest_news2 = serializers.IntegerField(allow_null=True)
    latest_news2_at = serializers.DateTimeField(allow_null=True)
    latest_gcs = serializers.IntegerField(allow_null=True)
    latest_gcs_at = serializers.DateTimeField(allow_null=True)


class IcuListApi(APIView):
    """Compatibility route GET /api/icu/: the patients in intensive care now, with their
    latest NEWS2 and GCS."""

    permission_resource = "icu"
    permission_actions = {"GET": "list"}

    @extend_schema(responses=IcuAdmissionSerializer(many=True))
    def get(self, request):
        response = paginated_response(
            queryset=selectors.icu_list(),
            serializer_class=IcuAdmissionSerializer,
            request=request,
            view=self,
        )
        _audit_page(
            request,
            response,
            "icu_list",
            [row["patient"]["id"] for row in response.data["results"]],
        )
        return response


class IcuAdmitApi(APIView):
    """Compatibility route POST /api/icu/admit/ `{patient, bed, attending_doctor?, reason}`:
    a patient on a ward is transferred into the ICU bed; anyone else is admitted straight to
    ICU (then `attending_doctor` is required)."""

    permission_resource = "icu"
    permission_actions = {"POST": "admit"}

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        bed = serializers.UUIDField()
        attending_doctor = serializers.UUIDField(required=False)
        reason = serializers.CharField(max_length=2000)
        admission_type = serializers.ChoiceField(
            choices=AdmissionType.choices, required=False, default=AdmissionType.EMERGENCY
        )
        at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = _registry_patient(request, params["patient"])
        admission = services.icu_admit(
            actor=request.user,
            patient=patient,
            bed=selectors.bed_get(public_id=params["bed"], field="bed"),
            attending_doctor=_doctor(params["attending_doctor"])
            if params.get("attending_doctor")
            else None,
            reason=params["reason"],
            admission_type=params["admission_type"],
            at=params.get("at"),
        )
        return Response(_detail(admission), status=status.HTTP_201_CREATED)


class IcuDischargeApi(APIView):
    """Compatibility route POST /api/icu/discharge/ `{admission | patient, bed}`: step down from
    ICU to a ward bed (leaving hospital is POST /api/patients/discharge/)."""

    permission_resource = "icu"
    permission_actions = {"POST": "discharge"}

    class InputSerializer(serializers.Serializer):
        admission = serializers.UUIDField(required=False)
        patient = serializers.UUIDField(required=False)
        bed = serializers.UUIDField()
        reason = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )
        at = serializers.DateTimeField(required=False)
        attending_doctor = serializers.UUIDField(required=False)

    @extend_schema(request=InputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        admission = _admission_from_body(request, params)
        admission = services.icu_discharge(
            actor=request.user,
            admission=admission,
            bed=selectors.bed_get(public_id=params["bed"], field="bed"),
            reason=params["reason"],
            at=params.get("at"),
            attending_doctor=_doctor(params["attending_doctor"])
            if params.get("attending_doctor")
            else None,
        )
        return Response(_detail(admission))


# --- Discharge summary -----------------------------------------------------------------------


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
    hospital_course = serializers.CharField()
    written_by = UserRefSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DischargeSummaryApi(APIView):
    """The doctor's discharge summary: ICD-10 diagnoses (at least one), procedures and
    medications on discharge (empty lists for none), follow-up. PUT writes or amends it."""

    permission_resource = "discharge_summaries"
    permission_actions = {"GET": "read", "PUT": "write"}

    class InputSerializer(serializers.Serializer):
        diagnoses = DiagnosisSerializer(many=True, allow_empty=False)
        procedures = serializers.ListField(
            child=serializers.CharField(max_length=500), allow_empty=True
        )
        medications_on_discharge = DischargeMedicationSerializer(many=True, allow_empty=True)
        follow_up = serializers.CharField(max_length=4000)
        hospital_course = serializers.CharField(
            max_length=20000, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses=DischargeSummaryOutputSerializer)
    def get(self, request, public_id):
        admission = _admission(request, public_id, section=ChartSection.CLINICAL)
        summary = selectors.discharge_summary_of(admission=admission)
        return Response(DischargeSummaryOutputSerializer(summary).data)

    @extend_schema(request=InputSerializer, responses=DischargeSummaryOutputSerializer)
    def put(self, request, public_id):
        admission = _admission(request, public_id, section=ChartSection.CLINICAL, purpose="write")
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
            hospital_course=params["hospital_course"],
        )
        return Response(DischargeSummaryOutputSerializer(summary).data)


# --- Charts ----------------------------------------------------------------------------------


class ChartFilterSerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    include_voided = serializers.BooleanField(required=False, default=False)


class _VoidFields(serializers.Serializer):
    voided = serializers.BooleanField(source="is_voided")
    void_reason = serializers.CharField()


class ObservationOutputSerializer(_VoidFields):
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


class FluidOutputSerializer(_VoidFields):
    id = serializers.UUIDField(source="public_id")
    recorded_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()
    direction = serializers.ChoiceField(choices=FluidDirection.choices)
    kind = serializers.ChoiceField(choices=FluidKind.choices)
    volume_ml = serializers.IntegerField()
    note = serializers.CharField()


class GcsOutputSerializer(_VoidFields):
    id = serializers.UUIDField(source="public_id")
    assessed_at = serializers.DateTimeField()
    recorded_by = UserRefSerializer()
    eye = serializers.IntegerField()
    verbal = serializers.IntegerField()
    motor = serializers.IntegerField()
    total = serializers.IntegerField()
    pupils = serializers.CharField()
    note = serializers.CharField()


class NursingNoteOutputSerializer(_VoidFields):
    id = serializers.UUIDField(source="public_id")
    written_at = serializers.DateTimeField()
    author = UserRefSerializer()
    text = serializers.CharField()


class _ChartListCreateApi(APIView):
    """GET the admission's entries (paginated, newest first; `since`, `until`,
    `include_voided`); POST records one. Needs the clinical section of the chart."""

    permission_resource = "inpatient_charts"
    permission_actions = {"GET": "read", "POST": "create"}

    def _list(self, request, public_id, *, selector, output):
        admission = _admission(request, public_id, section=ChartSection.CLINICAL)
        filters = query_params(ChartFilterSerializer, request)
        return paginated_response(
            queryset=selector(admission=admission, **filters),
            serializer_class=output,
            request=request,
            view=self,
        )

    def _create(self, request, public_id, *, input_, service, output):
        admission = _admission(request, public_id, section=ChartSection.CLINICAL, purpose="write")
        data = input_(data=request.data)
        data.is_valid(raise_exception=True)
        entry = service(actor=request.user, admission=admission, **data.validated_data)
        return Response(output(entry).data, status=status.HTTP_201_CREATED)


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


class ObservationListCreateApi(_ChartListCreateApi):
    """Observation chart: a full vitals set scored with NEWS2 (RCP 2017); an aggregate of 5+ or a 3
    in one parameter notifies the attending doctor."""

    @extend_schema(
        parameters=[ChartFilterSerializer], responses=ObservationOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        return self._list(
            request,
            public_id,
            selector=selectors.observation_list,
            output=ObservationOutputSerializer,
        )

    @extend_schema(request=ObservationInputSerializer, responses={201: ObservationOutputSerializer})
    def post(self, request, public_id):
        return self._create(
            request,
            public_id,
            input_=ObservationInputSerializer,
            service=services.observation_record,
            output=ObservationOutputSerializer,
        )


class FluidListCreateApi(_ChartListCreateApi):
    """Fluid balance chart: volumes in (oral, iv, enteral, blood) and out (urine, drain, ...)."""

    @extend_schema(parameters=[ChartFilterSerializer], responses=FluidOutputSerializer(many=True))
    def get(self, request, public_id):
        return self._list(
            request, public_id, selector=selectors.fluid_list, output=FluidOutputSerializer
        )

    @extend_schema(request=FluidInputSerializer, responses={201: FluidOutputSerializer})
    def post(self, request, public_id):
        return self._create(
            request,
            public_id,
            input_=FluidInputSerializer,
            service=services.fluid_record,
            output=FluidOutputSerializer,
        )


class GcsListCreateApi(_ChartListCreateApi):
    """Glasgow Coma Scale assessments (ICU neuro observations)."""

    @extend_schema(parameters=[ChartFilterSerializer], responses=GcsOutputSerializer(many=True))
    def get(self, request, public_id):
        return self._list(
            request, public_id, selector=selectors.gcs_list, output=GcsOutputSerializer
        )

    @extend_schema(request=GcsInputSerializer, responses={201: GcsOutputSerializer})
    def post(self, request, public_id):
        return self._create(
            request,
            public_id,
            input_=GcsInputSerializer,
            service=services.gcs_record,
            output=GcsOutputSerializer,
        )


class NursingNoteListCreateApi(_ChartListCreateApi):
    """Nursing notes of the admission."""

    @extend_schema(
        parameters=[ChartFilterSerializer], responses=NursingNoteOutputSerializer(many=True)
    )
    def get(self, request, public_id):
        return self._list(
            request,
            public_id,
            selector=selectors.nursing_note_list,
            output=NursingNoteOutputSerializer,
        )

    @extend_schema(request=NursingNoteInputSerializer, responses={201: NursingNoteOutputSerializer})
    def post(self, request, public_id):
        return self._create(
            request,
            public_id,
            input_=NursingNoteInputSerializer,
            service=services.nursing_note_create,
            output=NursingNoteOutputSerializer,
        )


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


def _void_api(name, *, model, output):
    class ChartEntryVoidApi(APIView):
        permission_resource = "inpatient_charts"
        permission_actions = {"POST": "void"}

        @extend_schema(request=VoidInputSerializer, responses=output)
        def post(self, request, public_id, entry_id):
            admission = _admission(
                request, public_id, section=ChartSection.CLINICAL, purpose="write"
            )
            entry = selectors.chart_entry_get(model=model, admission=admission, public_id=entry_id)
            data = VoidInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entry = services.chart_entry_void(
                actor=request.user, entry=entry, reason=data.validated_data["reason"]
            )
            return Response(output(entry).data)

    ChartEntryVoidApi.__name__ = ChartEntryVoidApi.__qualname__ = name
    return ChartEntryVoidApi


ObservationVoidApi = _void_api(
    "ObservationVoidApi", model=Observation, output=ObservationOutputSerializer
)
FluidVoidApi = _void_api("FluidVoidApi", model=FluidEntry, output=FluidOutputSerializer)
GcsVoidApi = _void_api("GcsVoidApi", model=GcsAssessment, output=GcsOutputSerializer)
NursingNoteVoidApi = _void_api(
    "NursingNoteVoidApi", model=NursingNote, output=NursingNoteOutputSerializer
)


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
        admission = _admission(request, public_id, section=ChartSection.CLINICAL)
        since, until = _requested_window(
            request, default=selectors.CHART_DEFAULT, maximum_days=selectors.CHART_MAX_DAYS
        )
        chart = selectors.admission_chart(admission=admission, since=since, until=until)
        return Response(
            self.OutputSerializer({"admission_id": admission.public_id, **chart.__dict__}).data
        )


# --- Medication administration record --------------------------------------------------------


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


class AdministrationOutputSerializer(_VoidFields):
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
        admission = _admission(request, public_id, section=ChartSection.MEDICATIONS)
        if request.query_params.get("from") or request.query_params.get("to"):
            since, until = _requested_window(
                request, default=timedelta(days=1), maximum_days=selectors.MAR_MAX_DAYS
            )
        else:
            day = request.query_params.get("date")
            since = (
                _instant(day, "date") if day else _instant(timezone.localdate().isoformat(), "date")
            )
            until = since + timedelta(days=1)
        mar = selectors.admission_mar(admission=admission, since=since, until=until)
        return Response(
            self.OutputSerializer({"admission_id": admission.public_id, **mar.__dict__}).data
        )

    @extend_schema(request=InputSerializer, responses={201: AdministrationOutputSerializer})
    def post(self, request, public_id):
        admission = _admission(
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


class MarVoidApi(APIView):
    permission_resource = "mar"
    permission_actions = {"POST": "record"}

    @extend_schema(request=VoidInputSerializer, responses=AdministrationOutputSerializer)
    def post(self, request, public_id, entry_id):
        from hms.inpatient.models import MedicationAdministration

        admission = _admission(
            request, public_id, section=ChartSection.MEDICATIONS, purpose="write"
        )
        entry = selectors.chart_entry_get(
            model=MedicationAdministration, admission=admission, public_id=entry_id
        )
        data = VoidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.chart_entry_void(
            actor=request.user, entry=entry, reason=data.validated_data["reason"]
        )
        return Response(AdministrationOutputSerializer(entry).data)


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
        _audit_page(
            request,
            response,
            "mar_overdue",
            [row["patient"]["id"] for row in response.data["results"]],
        )
        return response


# --- Bed-days --------------------------------------------------------------------------------


class StayDaysSerializer(serializers.Serializer):
    ward = serializers.CharField(source="ward_name")
    ward_type = serializers.CharField()
    bed = serializers.CharField(source="bed_label")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    days = serializers.IntegerField()
    hours = serializers.FloatField()


class AdmissionBedDaysApi(APIView):
    """Bed-days and ICU days of the admission (midnight census; see
    hms.inpatient.selectors.admission_bed_days, which billing reads)."""

    permission_resource = "bed_days"
    permission_actions = {"GET": "read"}

    class OutputSerializer(serializers.Serializer):
        admission_id = serializers.UUIDField()
        bed_days = serializers.IntegerField()
        icu_days = serializers.IntegerField()
        icu_hours = serializers.FloatField()
        by_ward_type = serializers.DictField(child=serializers.IntegerField())
        stays = StayDaysSerializer(many=True)
        ongoing = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, public_id):
        admission = _admission(request, public_id, section=ChartSection.BILLING)
        days = selectors.admission_bed_days(admission)
        return Response(
            self.OutputSerializer({**days.__dict__, "admission_id": admission.public_id}).data
        )
