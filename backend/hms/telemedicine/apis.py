"""Thin API views for conversations, messages and the consult room of a teleconsult.

Conversations and consults are scoped to their participants (the doctor, the patient, staff
invited to a consult): anyone else's ids answer 404. The chat socket
(`ws/conversations/<id>/`) carries the same messages live.
"""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.models import User
from hms.appointments.selectors import doctor_get
from hms.clinical.selectors import document_open
from hms.core.errors import NotFoundError
from hms.core.pagination import StandardPagination, audit_page
from hms.core.query_params import query_params
from hms.patients.models import Patient
from hms.telemedicine import selectors, services
from hms.telemedicine.models import BODY_MAX_LENGTH, ConversationKind

# --- Output shapes (the dicts of services.conversation_repr / message_repr) ----------------


class _PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    role = serializers.CharField()


class _AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()
    sender = _PersonSerializer()
    body = serializers.CharField()
    attachment = _AttachmentSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    client_id = serializers.UUIDField()


class _LastMessageSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    body = serializers.CharField()
    sender_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class ConversationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ConversationKind.choices)
    patient = inline_serializer(
        "ConversationPatient",
        {
            "id": serializers.UUIDField(),
            "name": serializers.CharField(),
            "mrn": serializers.CharField(),
        },
    )
    doctor = inline_serializer(
        "ConversationDoctor", {"id": serializers.UUIDField(), "name": serializers.CharField()}
    )
    appointment = serializers.UUIDField(allow_null=True)
    last_message = _LastMessageSerializer(allow_null=True)
    unread = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ConsultRoomSerializer(serializers.Serializer):
    appointment = serializers.UUIDField()
    state = serializers.ChoiceField(choices=["scheduled", "open", "closed"])
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    conversation = serializers.UUIDField()
    patient_waiting_since = serializers.DateTimeField(allow_null=True)
    doctor_joined_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    encounter = serializers.UUIDField(allow_null=True)
    invited = _PersonSerializer(many=True)
    ice_servers = serializers.ListField(child=serializers.DictField())
    ws_url = serializers.CharField()


def _page(request, view, rows, to_json):
    """Paginate `rows` (a queryset) and answer the page of `to_json(page)`."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(to_json(page))


def conversation_page_json(conversations) -> list[dict]:
    last = selectors.last_messages(conversations)
    return [
        services.conversation_repr(conversation, last_message=last.get(conversation.pk))
        for conversation in conversations
    ]


def conversation_json(conversation) -> dict:
    return services.conversation_repr(conversation)


# --- Conversations -------------------------------------------------------------------------


class ConversationListCreateApi(APIView):
    """My conversations (doctor: chart and consult ones; patient: their own; invited staff:
    their consults), most recently active first; POST starts (or finds) the chart
    conversation of a doctor and a patient in their care."""

    permission_resource = "conversations"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        kind = serializers.ChoiceField(choices=ConversationKind.choices, required=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False, help_text="A doctor names the patient.")
        doctor = serializers.UUIDField(required=False, help_text="A patient names the doctor.")

    @extend_schema(parameters=[FilterSerializer], responses=ConversationSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        rows = selectors.conversation_list(user=request.user, filters=filters)
        return _page(request, self, rows, conversation_page_json)

    @extend_schema(
        request=InputSerializer,
        responses={200: ConversationSerializer, 201: ConversationSerializer},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = doctor = None
        if "patient" in params:
            patient = Patient.objects.filter(public_id=params["patient"]).first()
            if patient is None:
                raise NotFoundError("No patient with this id.", code="patient_not_found")
        if "doctor" in params:
            doctor = doctor_get(public_id=params["doctor"])
        conversation, created = services.conversation_get_or_create_chart(
            actor=request.user, patient=patient, doctor=doctor
        )
        conversation = selectors.conversation_get_for_user(
            user=request.user, public_id=conversation.public_id
        )
        return Response(
            conversation_json(conversation),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationDetailApi(APIView):
    permission_resource = "conversations"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ConversationSerializer)
    def get(self, request, public_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        return Response(conversation_json(conversation))


class ConversationMessagesApi(APIView):
    """The messages in seq order (`?after=<seq>`: only newer ones), paginated; POST sends one.
    A message sent again with the same client_id is stored once (200 with the stored one)."""

    permission_resource = "conversations"
    permission_actions = {"GET": "read", "POST": "send"}

    class FilterSerializer(serializers.Serializer):
        after = serializers.IntegerField(required=False, min_value=0, default=0)

    class InputSerializer(serializers.Serializer):
        client_id = serializers.UUIDField()
        body = serializers.CharField(
            max_length=BODY_MAX_LENGTH, allow_blank=False, trim_whitespace=False
        )

    @extend_schema(parameters=[FilterSerializer], responses=MessageSerializer(many=True))
    def get(self, request, public_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        params = query_params(self.FilterSerializer, request)
        rows = selectors.messages_after(conversation=conversation, after_seq=params["after"])
        response = _page(request, self, rows, lambda page: [services.message_repr(m) for m in page])
        audit_page(
            request,
            response,
            "message_list",
            patient_ids=[conversation.patient.public_id],
            detail={"conversation": str(conversation.public_id)},
        )
        return response

    @extend_schema(
        request=InputSerializer, responses={200: MessageSerializer, 201: MessageSerializer}
    )
    def post(self, request, public_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send(
            actor=request.user, conversation=conversation, **data.validated_data
        )
        return Response(
            services.message_repr(message),
            status=status.HTTP_201_CREATED if message.created else status.HTTP_200_OK,
        )


class ConversationAttachmentCreateApi(APIView):
    """Multipart `file` (+ optional `body`, `client_id`): stored as a document of the patient's
    chart (same content checks and size limit as every upload) and sent as a message."""

    permission_resource = "conversations"
    permission_actions = {"POST": "attach"}

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="PDF, PNG, JPEG or DICOM (checked by content)")
        body = serializers.CharField(
            max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
        )
        client_id = serializers.UUIDField(required=False)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={200: MessageSerializer, 201: MessageSerializer},
    )
    def post(self, request, public_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send_attachment(
            actor=request.user, conversation=conversation, **data.validated_data
        )
        return Response(
            services.message_repr(message),
            status=status.HTTP_201_CREATED if message.created else status.HTTP_200_OK,
        )


class ConversationAttachmentDownloadApi(APIView):
    """The file of a message, for the conversation's participants (audited)."""

    permission_resource = "conversations"
    permission_actions = {"GET": "download"}

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, public_id, message_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        message = selectors.message_in_conversation(conversation=conversation, public_id=message_id)
        document = message.document
        if document is None:
            raise NotFoundError("This message has no attachment.", code="no_attachment")
        handle = document_open(document=document)
        services.message_attachment_download_record(actor=request.user, message=message)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


class ConversationReadApi(APIView):
    """I have read up to `seq` (never moves back); the others see a `read` event."""

    permission_resource = "conversations"
    permission_actions = {"POST": "mark_read"}

    class InputSerializer(serializers.Serializer):
        seq = serializers.IntegerField(min_value=0)

    class OutputSerializer(serializers.Serializer):
        last_read_seq = serializers.IntegerField()
        last_delivered_seq = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, public_id):
        conversation = selectors.conversation_get_for_user(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.conversation_mark_read(
            actor=request.user, conversation=conversation, seq=data.validated_data["seq"]
        )
        return Response(self.OutputSerializer(state).data)


# --- Consult rooms -------------------------------------------------------------------------


def _room(request, appointment_id):
    appointment = selectors.appointment_for_consult(
        user=request.user, appointment_public_id=appointment_id
    )
    return appointment, services.consult_room_ensure(appointment=appointment)


class ConsultRoomApi(APIView):
    """The consult room of a teleconsult appointment: its state and window, the waiting room,
    who is invited, the ICE servers and the socket's path."""

    permission_resource = "consults"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ConsultRoomSerializer)
    def get(self, request, appointment_id):
        _, room = _room(request, appointment_id)
        return Response(services.consult_room_repr(room))


class ConsultJoinApi(APIView):
    """Enter the open room (doctor, patient, invited staff). The doctor's join starts the
    visit and its teleconsult encounter. 409 `room_not_open` / `room_closed`."""

    permission_resource = "consults"
    permission_actions = {"POST": "join"}

    @extend_schema(request=None, responses=ConsultRoomSerializer)
    def post(self, request, appointment_id):
        appointment, _ = _room(request, appointment_id)
        room = services.consult_join(actor=request.user, appointment=appointment)
        return Response(services.consult_room_repr(room))


class ConsultInviteApi(APIView):
    """The doctor invites a staff member (`user`: their id) into the consult."""

    permission_resource = "consults"
    permission_actions = {"POST": "invite"}

    class InputSerializer(serializers.Serializer):
        user = serializers.UUIDField()

    @extend_schema(request=InputSerializer, responses=ConsultRoomSerializer)
    def post(self, request, appointment_id):
        appointment = selectors.appointment_for_consult(
            user=request.user, appointment_public_id=appointment_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(public_id=data.validated_data["user"]).first()
        if user is None:
            raise NotFoundError("No user with this id.", code="user_not_found")
        invite = services.consult_invite(actor=request.user, appointment=appointment, user=user)
        room = selectors.consult_room_find(appointment=invite.room.appointment)
        return Response(services.consult_room_repr(room))


class ConsultEndApi(APIView):
    """The doctor ends the consult: the visit is completed and billed, its encounter closed,
    the room closed (open sockets get `consult_ended`)."""

    permission_resource = "consults"
    permission_actions = {"POST": "end"}

    @extend_schema(request=None, responses=ConsultRoomSerializer)
    def post(self, request, appointment_id):
        appointment = selectors.appointment_for_consult(
            user=request.user, appointment_public_id=appointment_id
        )
        room = services.consult_end(actor=request.user, appointment=appointment)
        return Response(services.consult_room_repr(room))
