import json
import re

import pytest
from celery import current_app
from django.test import Client
from rest_framework.test import APIClient

from hms.core.roles import Role

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"status", "code", "message", "request_id"}


class TestErrorShape:
    def test_malformed_json_is_400(self, admin_client):
        response = admin_client.generic("POST", "/api/users/", "{not json", "application/json")
        assert response.status_code == 400
        body = response.json()
        assert set(body) >= ERROR_KEYS and body["code"] == "parse_error"

    def test_json_that_is_not_an_object_is_400(self, admin_client):
        response = admin_client.generic("POST", "/api/users/", "[1, 2]", "application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"

    def test_unknown_api_route_is_json_404(self):
        response = Client().get("/api/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) >= ERROR_KEYS

    def test_missing_slash_gets_a_hint(self):
        response = Client().get("/api/users")
        assert response.status_code == 404
        assert response.json()["extra"]["hint"] == "Did you mean /api/users/ ?"

    def test_wrong_method_is_json_405(self, admin_client):
        response = admin_client.put("/api/login/", {})
        assert response.status_code == 405
        assert response.json()["code"] == "method_not_allowed"

    def test_unauthenticated_is_json_401(self):
        response = APIClient().get("/api/users/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_forbidden_is_json_403(self, client_for):
        response = client_for(Role.NURSE).get("/api/users/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_invalid_page_is_404_not_500(self, admin_client):
        assert admin_client.get("/api/users/", {"page": 99}).status_code == 404
        assert admin_client.get("/api/users/", {"page": "abc"}).status_code == 404

    def test_page_size_is_capped(self, admin_client, make_user):
        for _ in range(3):
            make_user(Role.NURSE)
        body = admin_client.get("/api/users/", {"page_size": 100000}).json()
        assert body["count"] == 4 and len(body["results"]) == 4  # cap is 100; no error

    @pytest.mark.urls("hms.core.tests.urls_with_failure")
    def test_server_error_is_json_without_traceback(self):
        client = Client(raise_request_exception=False)
        response = client.get("/api/test-crash/", HTTP_X_REQUEST_ID="trace-me")
        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "server_error" and body["request_id"] == "trace-me"
        assert "secret internal detail" not in response.content.decode()
        assert "Traceback" not in response.content.decode()


class TestRequestId:
    def test_generated_when_absent(self):
        response = Client().get("/health/")
        assert len(response["X-Request-ID"]) == 32

    def test_kept_when_sane_replaced_when_not(self):
        assert Client().get("/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
        unsafe = Client().get("/health/", HTTP_X_REQUEST_ID="x" * 200 + "\n")["X-Request-ID"]
        assert unsafe != "x" * 200 and len(unsafe) == 32

    def test_error_body_carries_the_same_id(self):
        response = Client().get("/api/nope/", HTTP_X_REQUEST_ID="same-id")
        assert response.json()["request_id"] == "same-id" == response["X-Request-ID"]

    def test_request_log_line_is_json_with_request_id(self):
        import io
        import logging

        from pythonjsonlogger.json import JsonFormatter

        from hms.core.logging import RequestIdFilter

        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
        handler.addFilter(RequestIdFilter())
        logger = logging.getLogger("hms.request")
        logger.addHandler(handler)
        previous_level = logger.level
        logger.setLevel(logging.INFO)
        try:
            Client().get("/health/", HTTP_X_REQUEST_ID="log-me")
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous_level)
        data = json.loads(stream.getvalue().strip().splitlines()[-1])
        assert data["request_id"] == "log-me" and data["path"] == "/health/"
        assert data["status"] == 200 and "duration_ms" in data
        assert data["route"] == "/health/" and data["user_id"] is None


class TestHealth:
    def test_healthy_with_embedded_services(self):
        response = Client().get("/health/")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "cache", "broker"}
        assert all(check["ok"] for check in body["checks"].values())

    def test_unhealthy_when_a_configured_broker_is_down(self, settings):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        original = current_app.conf.broker_url
        # Nothing listens on port 1.
        current_app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"
        try:
            response = Client().get("/health/")
        finally:
            current_app.conf.broker_url = original
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and body["checks"]["broker"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True

    def test_unhealthy_when_cache_fails(self, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
        # (changing CACHES makes Django rebuild its cache handlers)
        response = Client().get("/health/")
        assert response.status_code == 503
        assert response.json()["checks"]["cache"]["ok"] is False

    def test_liveness_asks_nothing_of_the_dependencies(self, settings):
        # A broken cache does not make the process "dead": restarting it would not help.
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
        response = Client().get("/health/live/")
        assert response.status_code == 200 and response.json() == {"status": "ok"}

    def test_readiness_needs_database_and_cache_but_not_the_broker(self, settings):
        assert Client().get("/health/ready/").json()["status"] == "ready"
        settings.CELERY_TASK_ALWAYS_EAGER = False
        original = current_app.conf.broker_url
        current_app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"
        try:
            response = Client().get("/health/ready/")
        finally:
            current_app.conf.broker_url = original
        assert response.status_code == 200
        assert set(response.json()["checks"]) == {"database", "cache"}

    def test_not_ready_when_the_cache_fails(self, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
        response = Client().get("/health/ready/")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"


class TestApiDocs:
    def test_schema_is_generated_without_warnings(self):
        from django.core.management import call_command

        call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")

    def test_swagger_ui_uses_only_local_assets(self):
        response = Client().get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
        # Every asset is ours, and no script names a CDN (matched as a URL: the page's random
        # CSRF token may well spell "cdn").
        assets = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
        assert assets and all(url.startswith("/static/") for url in assets), assets
        assert not re.search(r"""//[^\s"'<>]*(?:cdn|unpkg)""", html, re.IGNORECASE)
        asset = Client().get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
        assert asset.status_code == 200

    def test_schema_endpoint(self):
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert "/api/login/" in response.json()["paths"]
