"""GET /metrics: Prometheus text with requests per route, latency, SQL statements, audit
events, sign-in failures and lockouts, sockets and the task queue; only for scrapers."""

import pytest
from django.db.models import Sum
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from hms.core.models import AuditChainHead


def scrape(client: Client, **extra) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[key] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


@pytest.mark.django_db
class TestMetrics:
    def test_requests_are_counted_by_route_pattern_with_latency_and_statements(self, client):
        before = scrape(client)
        route = "/api/patients/<uuid:public_id>/"
        # Two different ids, one route label (bounded label values, not raw paths).
        for patient_id in (
            "0" * 8 + "-0000-0000-0000-" + "0" * 12,
            "1" * 8 + "-1111-1111-1111-" + "1" * 12,
        ):
            client.get(f"/api/patients/{patient_id}/")
        after = scrape(client)
        labels = {"route": route, "method": "GET", "status": "401"}
        assert (
            value(after, "hms_http_requests_total", **labels)
            - value(before, "hms_http_requests_total", **labels)
            == 2
        )
        count = {"route": route, "method": "GET"}
        assert value(after, "hms_http_request_duration_seconds_count", **count) >= 2
        assert value(after, "hms_http_request_db_queries_count", **count) >= 2

    def test_audit_events_written_come_from_the_chain_heads(self, client, django_user_model):
        client.post(
            "/api/login/",
            {"username": "nobody", "password": "wrong"},
            content_type="application/json",
        )
        samples = scrape(client)
        total = AuditChainHead.objects.aggregate(t=Sum("last_sequence"))["t"]
        assert total >= 1
        assert value(samples, "hms_audit_events_total") == total

    def test_sign_in_failures_and_lockouts_are_counted(self, client, settings):
        from hms.accounts.tests.factories import UserFactory

        UserFactory(username="carol", password="right-password-123")
        before = scrape(client)
        for _ in range(settings.LOGIN_MAX_FAILED_ATTEMPTS):
            client.post(
                "/api/login/",
                {"username": "carol", "password": "wrong"},
                content_type="application/json",
            )
        client.post(
            "/api/login/",
            {"username": "carol", "password": "wrong"},
            content_type="application/json",
        )
        after = scrape(client)

        def grew(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        assert grew("hms_login_failures_total", reason="bad_credentials") == (
            settings.LOGIN_MAX_FAILED_ATTEMPTS - 1
        )
        assert grew("hms_login_failures_total", reason="bad_credentials_locked") == 1
        assert grew("hms_login_failures_total", reason="locked") == 1
        assert grew("hms_login_lockouts_total") == 1

    def test_queue_depth_and_broker_state_are_reported(self, client):
        samples = scrape(client)
        # Tests run tasks inline: nothing ever waits.
        assert value(samples, "hms_celery_broker_up") == 1
        assert value(samples, "hms_celery_queue_depth", queue="celery") == 0

    def test_a_broker_outage_is_a_figure_not_a_failed_scrape(self, client, settings):
        from celery import current_app

        settings.CELERY_TASK_ALWAYS_EAGER = False
        original = current_app.conf.broker_url
        current_app.conf.broker_url = "redis://127.0.0.1:1/0"
        try:
            samples = scrape(client)
        finally:
            current_app.conf.broker_url = original
        assert value(samples, "hms_celery_broker_up") == 0

    def test_only_scrapers_may_read_it(self, client, settings):
        settings.METRICS_TOKEN = "scrape-token-for-tests"
        outside = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
        assert outside.status_code == 403
        assert outside.json()["code"] == "metrics_forbidden"
        wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
        assert wrong.status_code == 403
        with_token = client.get(
            "/metrics",
            REMOTE_ADDR="203.0.113.9",
            HTTP_AUTHORIZATION="Bearer scrape-token-for-tests",
        )
        assert with_token.status_code == 200
        settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_open_websockets_are_counted_while_open():
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from prometheus_client import REGISTRY
    from rest_framework_simplejwt.tokens import AccessToken

    from config.asgi import application
    from hms.accounts.tests.factories import UserFactory

    @database_sync_to_async  # a scrape also reads the audit chain heads
    def open_sockets() -> float:
        labels = {"kind": "notifications"}
        return REGISTRY.get_sample_value("hms_websocket_connections", labels) or 0.0

    @database_sync_to_async
    def bearer_headers():
        token = AccessToken.for_user(UserFactory())
        return [(b"authorization", f"Bearer {token}".encode())]

    headers = await bearer_headers()
    before = await open_sockets()
    refused = WebsocketCommunicator(application, "/ws/notifications/", headers=[])
    assert not (await refused.connect())[0]
    assert await open_sockets() == before  # a refused socket was never open

    feed = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    assert (await feed.connect())[0]
    await feed.receive_json_from()  # hello
    assert await open_sockets() == before + 1
    await feed.disconnect()
    assert await open_sockets() == before
