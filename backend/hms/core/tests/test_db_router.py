"""Where reads go with a replica configured: only marked read-only work, never for a writing
request or a user who just wrote, never inside a transaction, and not while the replica is
down. (The scale-out test runs the same router against a real streaming replica.)"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from hms.accounts.models import User
from hms.accounts.tests.factories import UserFactory
from hms.core import db_router
from hms.core.db_router import (
    PrimaryReplicaRouter,
    ReplicaRoutingMiddleware,
    replica_health,
    replica_reads,
)

router = PrimaryReplicaRouter()


def read_alias() -> str:
    return router.db_for_read(User)


@pytest.fixture
def replica(monkeypatch, settings):
    """A replica that answers (the router's checks, not a real second server)."""
    settings.REPLICA_RETRY_SECONDS = 10
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    state = {"up": True, "probes": 0}

    def probe():
        state["probes"] += 1
        if not state["up"]:
            raise OperationalError("connection refused")

    monkeypatch.setattr(replica_health, "probe", probe)
    monkeypatch.setattr(replica_health, "_down_until", 0.0)
    return state


def serve(request, view):
    """Runs `view` as the request's view, behind the routing middleware."""
    return ReplicaRoutingMiddleware(lambda req: view(req))(request)


# Transactional: a test inside a transaction would (rightly) read the primary every time.
@pytest.mark.django_db(transaction=True)
class TestRouting:
    def test_without_a_replica_everything_reads_the_primary(self):
        with replica_reads():
            assert read_alias() == "default"

    def test_only_marked_read_only_work_reads_the_replica(self, replica):
        assert read_alias() == "default"
        with replica_reads():
            assert read_alias() == "replica"

        @replica_reads
        def search():
            return read_alias()

        assert search() == "replica"
        assert router.db_for_write(User) == "default"

    def test_reads_inside_a_transaction_stay_on_the_primary(self, replica):
        with replica_reads(), transaction.atomic():
            assert read_alias() == "default"

    def test_a_writing_request_and_its_users_next_reads_stay_on_the_primary(
        self, replica, settings
    ):
        settings.REPLICA_PIN_SECONDS = 5
        user = UserFactory()
        seen = {}

        def read_view(name):
            def view(request):
                with replica_reads():
                    seen[name] = read_alias()
                return HttpResponse()

            return view

        post = RequestFactory().post("/api/patients/")
        post.user = user
        serve(post, read_view("during the write"))
        assert seen["during the write"] == "default"

        get = RequestFactory().get("/api/patients/")
        get.user = user
        serve(get, read_view("right after"))
        assert seen["right after"] == "default"

        other = RequestFactory().get("/api/patients/")
        other.user = UserFactory()
        serve(other, read_view("another user"))
        assert seen["another user"] == "replica"

        cache.delete(db_router._pin_key(user.pk))  # the pin expired
        again = RequestFactory().get("/api/patients/")
        again.user = user
        serve(again, read_view("later"))
        assert seen["later"] == "replica"

    def test_an_api_user_known_only_inside_the_view_is_still_pinned(self, replica):
        user = UserFactory()
        cache.set(db_router._pin_key(user.pk), 1, timeout=5)
        seen = {}

        def view(request):
            request.user = user  # DRF authenticates the bearer token inside the view
            with replica_reads():
                seen["alias"] = read_alias()
            return HttpResponse()

        request = RequestFactory().get("/api/reports/")
        request.user = AnonymousUser()
        serve(request, view)
        assert seen["alias"] == "default"

    def test_a_stopped_replica_sends_reads_to_the_primary_until_it_is_back(
        self, replica, monkeypatch
    ):
        replica["up"] = False
        with replica_reads():
            assert read_alias() == "default"
            assert read_alias() == "default"
        assert replica["probes"] == 1  # not retried on every query
        replica["up"] = True
        monkeypatch.setattr(replica_health, "_down_until", 0.0)  # the retry interval passed
        with replica_reads():
            assert read_alias() == "replica"

    def test_migrations_run_only_on_the_primary(self):
        assert router.allow_migrate("default", "patients")
        assert not router.allow_migrate("replica", "patients")
