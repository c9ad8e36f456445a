"""The reports API: catalogue, one report's JSON, filter validation and who may read what."""

import pytest

from hms.core.roles import Role
from hms.reporting.registry import report_list
from hms.reporting.tests.conftest import hospital_week

pytestmark = pytest.mark.django_db

MOVEMENTS = "/api/reports/inpatient-movements/"


@pytest.fixture
def movements(ward, medical_beds, icu_beds):
    return hospital_week(ward, medical_beds, icu_beds)


class TestReport:
    def test_the_json_shape_and_hand_checked_counts(self, client_for, movements):
        response = client_for(Role.ADMIN).get(
            MOVEMENTS, {"date_from": "2027-03-05", "date_to": "2027-03-10"}
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["slug"] == "inpatient-movements"
        assert body["family"] == "inpatient" and body["family_display"] == "Inpatient"
        assert body["filters"] == {
            "date_from": "2027-03-05",
            "date_to": "2027-03-10",
            "ward": None,
            "department": None,
            "doctor": None,
            "payer": None,
        }
        assert body["accepted_filters"] == ["date_from", "date_to", "ward"]
        figures = {f["key"]: f["value"] for f in body["figures"]}
        # Admissions A, B, C, E, D; discharges A (8th) and B (9th, died).
        assert figures == {"admissions": 5, "discharges": 2, "deaths": 1}
        (per_day,) = body["sections"]
        assert [c["key"] for c in per_day["columns"]] == [
            "day",
            "admissions",
            "discharges",
            "deaths",
        ]
        assert per_day["rows"] == [
            {"day": "2027-03-05", "admissions": 1, "discharges": 0, "deaths": 0},
            {"day": "2027-03-06", "admissions": 1, "discharges": 0, "deaths": 0},
            {"day": "2027-03-07", "admissions": 0, "discharges": 0, "deaths": 0},
            {"day": "2027-03-08", "admissions": 0, "discharges": 1, "deaths": 0},
            {"day": "2027-03-09", "admissions": 2, "discharges": 1, "deaths": 1},
            {"day": "2027-03-10", "admissions": 1, "discharges": 0, "deaths": 0},
        ]
        assert per_day["chart"]["kind"] == "line" and per_day["chart"]["x"] == "day"
        assert per_day["chart"]["y_starts_at_zero"] is True

    def test_the_ward_filter(self, client_for, movements, icu):
        body = (
            client_for(Role.ACCOUNTANT)
            .get(
                MOVEMENTS,
                {"date_from": "2027-03-05", "date_to": "2027-03-10", "ward": icu.public_id},
            )
            .json()
        )
        # E was admitted straight to ICU; B was admitted on the medical ward and died in ICU.
        assert {f["key"]: f["value"] for f in body["figures"]} == {
            "admissions": 1,
            "discharges": 1,
            "deaths": 1,
        }
        assert body["filters"]["ward"] == str(icu.public_id)

    def test_default_range_is_the_30_days_ending_today(self, client_for, clock):
        body = client_for(Role.ADMIN).get(MOVEMENTS).json()
        assert body["filters"]["date_from"] == "2027-02-09"  # 10 Mar - 29 days
        assert body["filters"]["date_to"] == "2027-03-10"
        assert len(body["sections"][0]["rows"]) == 30

    def test_a_filter_the_report_does_not_take_is_ignored(self, client_for, clock):
        response = client_for(Role.ADMIN).get(MOVEMENTS, {"doctor": "not-a-uuid"})
        assert response.status_code == 200
        assert response.json()["filters"]["doctor"] is None


class TestBadFilters:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"date_from": "2027-13-01"}, "date_from"),
            ({"date_to": "yesterday"}, "date_to"),
            ({"date_from": "2027-03-10", "date_to": "2027-03-09"}, "date_to"),
            ({"date_from": "2023-01-01", "date_to": "2027-03-10"}, "date_from"),
            ({"date_from": "9999-12-31"}, "date_from"),
            ({"ward": "not-a-uuid"}, "ward"),
            ({"ward": "00000000-0000-0000-0000-0000deadbeef"}, "ward"),
        ],
    )
    def test_400_names_the_field(self, client_for, clock, params, field):
        response = client_for(Role.ADMIN).get(MOVEMENTS, params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in body["fields"]

    def test_three_years_exactly_is_allowed(self, client_for, clock):
        response = client_for(Role.ADMIN).get(
            MOVEMENTS, {"date_from": "2024-03-11", "date_to": "2027-03-10"}
        )
        assert response.status_code == 200


class TestWhoMayRead:
    @pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
    def test_management_and_the_books_read_reports(self, client_for, clock, role):
        assert client_for(role).get(MOVEMENTS).status_code == 200
        assert client_for(role).get("/api/reports/").status_code == 200

    @pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ACCOUNTANT)])
    def test_other_roles_are_refused(self, client_for, clock, role):
        assert client_for(role).get(MOVEMENTS).status_code == 403
        assert client_for(role).get("/api/reports/").status_code == 403

    def test_anonymous_is_refused(self, api_client, clock):
        assert api_client.get(MOVEMENTS).status_code in (401, 403)


class TestCatalogue:
    def test_items_and_pagination(self, client_for, clock):
        client = client_for(Role.ADMIN)
        body = client.get("/api/reports/").json()
        assert body["count"] == len(report_list())
        item = next(i for i in body["results"] if i["slug"] == "inpatient-movements")
        assert item == {
            "slug": "inpatient-movements",
            "title": "Admissions, discharges and deaths",
            "family": "inpatient",
            "family_display": "Inpatient",
            "description": item["description"],
            "accepted_filters": ["date_from", "date_to", "ward"],
            "url": "/api/reports/inpatient-movements/",
            "export_formats": ["csv", "xlsx"],
        }
        one = client.get("/api/reports/", {"page_size": 1}).json()
        assert len(one["results"]) == 1 and one["count"] == body["count"]

    def test_governance_reports_are_listed_only_to_admins(self, client_for, clock):
        listed = {
            i["family"]
            for i in client_for(Role.ACCOUNTANT)
            .get("/api/reports/", {"page_size": 100})
            .json()["results"]
        }
        assert "governance" not in listed

    @pytest.mark.parametrize("page_size", [1, 50])
    def test_query_count_does_not_grow_with_page_size(
        self, client_for, clock, django_assert_num_queries, page_size
    ):
        client = client_for(Role.ADMIN)
        # The catalogue is the registry filtered by the role table: no query at all (the
        # client is authenticated without a session).
        with django_assert_num_queries(0):
            response = client.get("/api/reports/", {"page_size": page_size})
        assert response.status_code == 200
