"""The formulary search and dose preset endpoints the desktop prescribing screen uses."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.pharmacy.models import DrugDosePreset, DrugForm
from hms.pharmacy.tests.factories import DrugFactory, add_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def amoxicillin():
    drug = DrugFactory(
        generic_name="Amoxicillin", strength="500 mg", form=DrugForm.CAPSULE, unit="capsule"
    )
    add_stock(drug, 30)
    DrugDosePreset.objects.create(drug=drug, label="Adult", dose=Decimal(500), frequency="tds")
    return drug


def test_a_doctor_searches_the_formulary(client_for, amoxicillin):
    DrugFactory(generic_name="Ampicillin")
    response = client_for(Role.DOCTOR).get("/api/pharmacy/drugs/search/", {"q": "amox 500"})
    assert response.status_code == 200
    [row] = response.data["results"]
    assert row["id"] == str(amoxicillin.public_id)
    assert row["on_hand_pharmacy"] == 30
    assert [(p["label"], p["dose"], p["frequency"]) for p in row["presets"]] == [
        ("Adult", "500.0000", "tds")
    ]
    assert client_for(Role.DOCTOR).get("/api/pharmacy/drugs/search/?q=a").data["results"] == []


def test_search_input_is_checked(client_for):
    response = client_for(Role.DOCTOR).get("/api/pharmacy/drugs/search/", {"q": "x" * 101})
    assert response.status_code == 400


def test_search_costs_the_same_for_one_and_twenty_drugs(client_for, amoxicillin):
    client = client_for(Role.DOCTOR)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/pharmacy/drugs/search/?q=amox").status_code == 200
        return len(captured)

    one = queries()
    for n in range(25):
        drug = DrugFactory(generic_name=f"Amoxtest {n}")
        DrugDosePreset.objects.create(drug=drug, label="Adult", dose=1, frequency="od")
    # ranked ids, the rows with their stock, the presets
    assert queries() == one == 3


def test_the_pharmacist_adds_a_preset_and_prescribers_read_them(client_for, amoxicillin):
    url = f"/api/pharmacy/drugs/{amoxicillin.public_id}/presets/"
    pharmacist = client_for(Role.PHARMACIST)
    created = pharmacist.post(
        url,
        {"label": "Child", "dose": "250", "frequency": "tds", "duration_days": 5, "position": 1},
        format="json",
    )
    assert created.status_code == 201
    assert AuditEvent.objects.filter(resource_type="drug_dose_preset").count() == 1
    listed = client_for(Role.DOCTOR).get(url)
    assert [p["label"] for p in listed.data["results"]] == ["Adult", "Child"]
    bad = pharmacist.post(url, {"label": "x", "dose": "0", "frequency": "daily"}, format="json")
    assert bad.status_code == 400 and {"dose", "frequency"} <= set(bad.data["fields"])
    assert client_for(Role.DOCTOR).post(url, {}, format="json").status_code == 403
