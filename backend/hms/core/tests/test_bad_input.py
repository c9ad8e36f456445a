"""Bad input answers a 400 in the one error shape and writes nothing: dates no arithmetic
can handle in query parameters."""

import pytest

from hms.core.query_params import date_in_range

pytestmark = pytest.mark.django_db


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
