"""Conversations between a doctor and a patient (chart chat and teleconsult chat), their
messages, who has read what, and the consult rooms of teleconsult appointments.

Nothing here is deleted: messages are part of the medical record (PROTECT everywhere, and
`delete()` refuses). A message's `seq` numbers it within its conversation (1, 2, 3, ...), so
clients deliver in order and resume after the last one they saw; the conversation's
`last_seq` is the counter, incremented under a row lock (hms.telemedicine.services).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hms.core.models import TimeStampedModel

BODY_MAX_LENGTH = 4000


class ConversationKind(models.TextChoices):
    CHART = "chart", "Chart conversation"
    CONSULT = "consult", "Teleconsult"


class Conversation(TimeStampedModel):
    """A doctor and a patient talking: about the chart (one per pair), or in one consult."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="conversations"
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="doctor_conversations"
    )
    kind = models.CharField(max_length=8, choices=ConversationKind.choices)
    # The seq of the newest message (0: none yet).
    last_seq = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["doctor", "kind"], name="conversation_doctor_kind"),
            models.Index(fields=["patient", "kind"], name="conversation_patient_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "doctor"],
                condition=Q(kind="chart"),
                name="conversation_one_chart_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ConversationKind.values), name="conversation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} conversation {self.public_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Conversations are part of the record and are never deleted.")


class Message(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    # Plain text (clients render it as text, never HTML); empty when a file is attached.
    body = models.TextField(blank=True)
    document = models.ForeignKey(
        "clinical.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_messages",
    )
    # Chosen by the sending client: a message sent again (a reconnect) is stored once.
    client_id = models.UUIDField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["conversation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"], name="message_client_id_unique"
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="message_seq_positive"),
            models.CheckConstraint(
                condition=~Q(body="") | Q(document__isnull=False), name="message_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.seq} of {self.conversation_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Messages are part of the record and are never deleted.")


class ConversationReadState(models.Model):
    """How far one participant has received and read a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="read_states"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_read_seq = models.PositiveIntegerField(default=0)
    last_delivered_seq = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["conversation_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="read_state_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.last_read_seq} of {self.conversation_id}"


class ConsultRoom(TimeStampedModel):
    """The video room of a teleconsult appointment, with its consult conversation.

    Open from TELECONSULT_ROOM_OPENS_MINUTES before the start to TELECONSULT_ROOM_CLOSES_MINUTES
    after the end, or until the doctor ends the consult (`ended_at`).
    """

    appointment = models.OneToOneField(
        "appointments.Appointment", on_delete=models.PROTECT, related_name="consult_room"
    )
    conversation = models.OneToOneField(
        Conversation, on_delete=models.PROTECT, related_name="consult_room"
    )
    patient_waiting_since = models.DateTimeField(null=True, blank=True)
    doctor_joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(doctor_joined_at__isnull=True)
                | Q(ended_at__gte=F("doctor_joined_at")),
                name="consult_room_ends_after_join",
            ),
        ]

    def __str__(self) -> str:
        return f"Consult room of {self.appointment_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Consult rooms are kept with their appointment.")


class ConsultInvite(models.Model):
    """A staff member the doctor asked into the consult (interpreter, nurse, second doctor)."""

    room = models.ForeignKey(ConsultRoom, on_delete=models.PROTECT, related_name="invites")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consult_invites"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="consult_invite_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} invited to {self.room_id}"
