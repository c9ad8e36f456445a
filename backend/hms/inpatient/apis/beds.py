"""Wards, rooms and beds: structure (admins write), bed status (housekeeping) and the bed board."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.inpatient import selectors, services
from hms.inpatient.apis.common import WardRefSerializer, invalid_field
from hms.inpatient.models import BedStatus, WardType
from hms.patients.serializers import PatientRefSerializer


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
            raise invalid_field("room", "No room with this id.")
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
        audit_page(request, response, "bed_board", patient_ids=patients)
        return response
