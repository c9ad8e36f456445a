import pytest
from django.test import Client

from hms.core.roles import Role


@pytest.fixture
def web_client_for(make_user):
    """A Django test client signed in (session) as a new user of the given role."""

    def make(role: Role, user=None) -> Client:
        client = Client()
        client.user = user or make_user(role)
        client.force_login(client.user)
        return client

    return make
