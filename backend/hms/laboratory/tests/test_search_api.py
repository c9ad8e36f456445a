"""The lab catalogue search endpoint: panels first, then tests grouped by department."""

import pytest

from hms.core.roles import Role
from hms.laboratory.catalog import catalog_load_shipped
from hms.laboratory.models import LabTest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue():
    if not LabTest.objects.exists():
        catalog_load_shipped()


def test_search_answers_panels_and_department_groups(client_for):
    response = client_for(Role.DOCTOR).get("/api/lab/tests/search/", {"q": "blood"})
    assert response.status_code == 200
    assert [p["code"] for p in response.data["panels"]] == ["CBC"]
    assert response.data["panels"][0]["components"][:3] == ["WBC", "RBC", "HGB"]
    assert [
        (g["department"], [t["code"] for t in g["tests"]]) for g in response.data["groups"]
    ] == [
        ("haematology", ["RBC", "WBC"]),
        ("urinalysis", ["UBLD"]),
    ]
    assert response.data["truncated"] is False


def test_chosen_tests_are_excluded_and_bad_ids_refused(client_for):
    client = client_for(Role.NURSE)
    cbc = LabTest.objects.get(code="CBC")
    response = client.get(f"/api/lab/tests/search/?q=blood&exclude={cbc.public_id}")
    assert response.data["panels"] == []
    assert client.get("/api/lab/tests/search/?exclude=nonsense").status_code == 400
