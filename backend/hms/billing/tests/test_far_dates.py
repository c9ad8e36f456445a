"""Report dates no calendar arithmetic can reach are a 400 naming the parameter."""

import pytest

from hms.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/billing/reports/ar-ageing/", "as_of"),
        ("/api/billing/reports/daily-cash/", "date"),
    ],
)
def test_report_dates_out_of_range_are_refused_by_name(client_for, accountant, path, param):
    response = client_for(Role.ACCOUNTANT, user=accountant).get(path, {param: "9999-12-31"})
    assert response.status_code == 400, response.content
    assert param in response.json()["fields"]
