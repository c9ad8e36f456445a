"""Serializers shared by every app's API."""

from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    """A person who acted (doctor, nurse, cashier...): id and display name only."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")


class ReusableOutput:
    """One bound instance of a context-free output serializer, reused for every object.

        APPOINTMENT_OUTPUT = ReusableOutput(AppointmentOutputSerializer)
        return Response(APPOINTMENT_OUTPUT.data(appointment))

    Each `Serializer(instance)` deep-copies all its declared fields, nested serializers
    included, before it serializes anything: for one object on a hot path (a booking's
    response) that costs several times the serializing itself. Bound fields keep no state of
    the object being serialized, so one instance serves every object and every thread. Only
    for serializers that need no context (no request, no hyperlinks)."""

    def __init__(self, serializer_class: type[serializers.Serializer]):
        self.serializer_class = serializer_class
        self._serializer = serializer_class()
        self._serializer.fields  # noqa: B018 (binds the fields now, before threads share them)

    def data(self, instance) -> dict:
        return self._serializer.to_representation(instance)


class NotificationOutputSerializer(serializers.Serializer):
    """One notification, as the inbox lists it and as it is pushed live to open clients."""

    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    severity = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    patient_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField()
    needs_attention = serializers.BooleanField()
    acknowledged_at = serializers.DateTimeField()
    acknowledged_by = UserRefSerializer(allow_null=True)
    escalated_at = serializers.DateTimeField()
    escalation_of = serializers.UUIDField(source="escalation_of.public_id", allow_null=True)


NOTIFICATION_OUTPUT = ReusableOutput(NotificationOutputSerializer)
