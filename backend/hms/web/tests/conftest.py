import pytest
from django.test import Client

from hms.core.roles import Role


def signed_in_client(user) -> Client:
    """A Django test client signed in (session) as this user."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def web_client_for(make_user):
    """A Django test client signed in (session) as a new user of the given role."""

    def make(role: Role, user=None) -> Client:
        user = user or make_user(role)
        client = signed_in_client(user)
        client.user = user
        return client

    return make
