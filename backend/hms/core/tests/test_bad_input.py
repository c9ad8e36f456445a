"""Bad input answers a 400 in the one error shape and writes nothing: bodies nested too deeply
for the JSON decoder, NUL characters in paths and query strings, dates no arithmetic can
handle in query parameters."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.core.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from hms.core.query_params import date_in_range
from hms.core.roles import Role

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"status", "code", "message", "request_id"}
DEEP_BODY = "[" * 5000 + "]" * 5000  # 10 kB: deeper than Python's decoder can recurse


def assert_parse_error(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) >= ERROR_KEYS
    assert body["code"] == "parse_error"


class TestDeeplyNestedJson:
    def test_anonymous_login_refuses_it(self):
        response = APIClient().generic("POST", "/api/login/", DEEP_BODY, "application/json")
        assert_parse_error(response)

    def test_staff_creation_refuses_it_and_creates_nobody(self, admin_client):
        users = User.objects.count()
        response = admin_client.generic("POST", "/api/users/", DEEP_BODY, "application/json")
        assert_parse_error(response)
        assert User.objects.count() == users

    @pytest.mark.parametrize(
        ("role", "path"),
        [
            (Role.DOCTOR, "/api/analyze-prescription/"),  # its own parser list
            (Role.LAB_TECHNICIAN, "/api/lab/hl7/"),  # JSON beside HL7 text
            (Role.RADIOLOGIST, "/api/radiology/update-result/"),
        ],
    )
    def test_views_with_their_own_parsers_refuse_it(self, client_for, role, path):
        method = "PUT" if "update-result" in path else "POST"
        response = client_for(role).generic(method, path, DEEP_BODY, "application/json")
        assert_parse_error(response)

    def test_a_body_just_deeper_than_the_limit_is_refused(self, admin_client):
        body = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
        response = admin_client.generic("POST", "/api/users/", body, "application/json")
        assert_parse_error(response)

    def test_an_ordinary_body_still_reaches_the_serializer(self, admin_client):
        response = admin_client.post("/api/users/", {"username": [[["x"]]]}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"

    def test_depth_is_measured_without_recursion(self):
        deep = []
        for _ in range(10_000):
            deep = [deep]
        assert json_depth_exceeds(deep, MAX_JSON_DEPTH)
        assert not json_depth_exceeds({"a": [{"b": 1}], "c": "d"}, 3)
        assert json_depth_exceeds({"a": [{"b": []}]}, 3)


class TestNulCharacters:
    def test_in_an_api_path_parameter(self, client_for):
        response = client_for(Role.LAB_TECHNICIAN).get("/api/lab/tests/%00/")
        assert response.status_code == 400
        body = response.json()
        assert set(body) >= ERROR_KEYS and "path" in body["fields"]

    def test_in_a_query_parameter(self, client_for):
        response = client_for(Role.RECEPTIONIST).get("/api/patients/", {"q": "ami\x00na"})
        assert response.status_code == 400
        assert "q" in response.json()["fields"]

    def test_in_a_query_parameter_name(self, admin_client):
        response = admin_client.get("/api/users/?role%00=nurse")
        assert response.status_code == 400
        assert "role" in response.json()["fields"]

    def test_in_a_web_page_path(self, make_user):
        client = Client()
        client.force_login(make_user(Role.PATIENT))
        response = client.get("/portal/appointments/%00/")
        assert response.status_code == 400

    def test_in_an_anonymous_request(self):
        assert APIClient().get("/api/schema/?format=%00").status_code == 400


class TestDateRange:
    @pytest.mark.parametrize(
        ("value", "allowed"),
        [
            ("1900-01-01", True),
            ("2199-12-31", True),
            ("1899-12-31", False),
            ("2200-01-01", False),
            ("9999-12-31", False),
            ("0001-01-01", False),
        ],
    )
    def test_bounds(self, value, allowed):
        from datetime import date

        assert date_in_range(date.fromisoformat(value)) is allowed

    def test_a_date_query_parameter_out_of_range_is_a_400_naming_it(self, admin_client):
        response = admin_client.get("/api/audit/", {"since": "9999-12-31T23:59:59Z"})
        assert response.status_code == 400
        assert "since" in response.json()["fields"]
