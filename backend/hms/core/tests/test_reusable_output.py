from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework import serializers

from hms.accounts.tests.factories import UserFactory
from hms.core.serializers import ReusableOutput, UserRefSerializer

pytestmark = pytest.mark.django_db


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    username = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    joined = serializers.DateTimeField(source="date_joined")
    last_login = serializers.DateTimeField()
    itself = UserRefSerializer(source="*")
    manager_name = serializers.CharField(source="manager.username", default=None)


def test_it_gives_what_a_new_serializer_gives_for_every_object():
    # given users of different roles, one with a last login
    users = [UserFactory(role=role) for role in ("admin", "nurse", "doctor")]
    users[0].last_login = users[0].date_joined
    output = ReusableOutput(PersonSerializer)
    # then the one shared instance serializes each exactly as a fresh serializer does
    for user in users:
        assert output.data(user) == PersonSerializer(user).data
    assert output.data(users[1])["last_login"] is None
    assert output.data(users[2])["itself"] == {
        "id": str(users[2].public_id),
        "name": users[2].display_name,
    }


def test_one_instance_serves_threads_at_once():
    # given many users serialized from eight threads through one shared instance
    users = [UserFactory() for _ in range(40)]
    expected = [PersonSerializer(user).data for user in users]
    output = ReusableOutput(PersonSerializer)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(output.data, users * 5))
    # then no object's data leaks into another's
    assert results == expected * 5
