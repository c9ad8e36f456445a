"""Serializers shared by every app's API."""

from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    """A person who acted (doctor, nurse, cashier...): id and display name only."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")
