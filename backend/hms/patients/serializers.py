"""Patient references other apps embed in their payloads (one shape, one schema component)."""

from rest_framework import serializers


class PatientRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    mrn = serializers.CharField()
    name = serializers.CharField(source="display_name")


class PatientDetailRefSerializer(PatientRefSerializer):
    """With the facts clinical workflows need at a glance (reference ranges, imaging)."""

    date_of_birth = serializers.DateField()
    sex = serializers.CharField()
