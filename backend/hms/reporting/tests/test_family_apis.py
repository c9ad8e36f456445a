"""The laboratory/radiology, clinical, pharmacy and governance reports through the API: who
may read them, their filters and the JSON of their values."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.clinical.tests.factories import DiagnosisFactory, EncounterFactory
from hms.core.roles import Role
from hms.pharmacy.models import StockBatch
from hms.pharmacy.tests.factories import DrugFactory, add_stock
from hms.radiology.models import OrderStatus
from hms.radiology.tests.factories import ImagingOrderFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": "2027-03-01", "date_to": "2027-03-09"}
SLUGS = {
    "diagnostics": ["diagnostic-volumes", "diagnostic-turnaround", "critical-results"],
    "clinical": ["diagnoses"],
    "pharmacy": ["medicine-consumption", "stock-value", "near-expiry", "safety-overrides"],
    "governance": ["break-glass", "denied-access", "record-readers"],
}


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


@pytest.mark.parametrize(
    "slug", [s for family, slugs in SLUGS.items() if family != "governance" for s in slugs]
)
def test_management_and_accounts_read_the_reports_others_may_not(client_for, slug):
    url = f"/api/reports/{slug}/"
    assert client_for(Role.ADMIN).get(url, PERIOD).status_code == 200
    assert client_for(Role.ACCOUNTANT).get(url, PERIOD).status_code == 200
    assert client_for(Role.DOCTOR).get(url, PERIOD).status_code == 403
    assert client_for(Role.PHARMACIST).get(url, PERIOD).status_code == 403


@pytest.mark.parametrize("slug", SLUGS["governance"])
def test_governance_reports_are_for_administrators_only(client_for, slug):
    url = f"/api/reports/{slug}/"
    assert client_for(Role.ADMIN).get(url, PERIOD).status_code == 200
    assert client_for(Role.ACCOUNTANT).get(url, PERIOD).status_code == 403


def test_the_catalogue_lists_governance_to_admins_only(client_for):
    def slugs(role):
        body = client_for(role).get("/api/reports/", {"page_size": 100}).json()
        return {item["slug"] for item in body["results"]}

    assert set(SLUGS["governance"]) <= slugs(Role.ADMIN)
    assert slugs(Role.ACCOUNTANT).isdisjoint(SLUGS["governance"])
    assert set(SLUGS["pharmacy"]) <= slugs(Role.ACCOUNTANT)


def test_turnaround_minutes_are_fixed_decimal_strings_or_null(client_for):
    # CT ordered 3 March 09:00, reported 10:30: 90 minutes.
    order = ImagingOrderFactory()
    type(order).objects.filter(pk=order.pk).update(
        created_at=datetime(2027, 3, 3, 9, tzinfo=UTC),
        status=OrderStatus.REPORTED,
        reported_at=datetime(2027, 3, 3, 10, 30, tzinfo=UTC),
    )

    body = client_for(Role.ACCOUNTANT).get("/api/reports/diagnostic-turnaround/", PERIOD).json()

    figures = {f["key"]: f["value"] for f in body["figures"]}
    assert figures["imaging_median"] == "90.0" and figures["median"] is None
    (ct,) = body["sections"][1]["rows"]
    assert ct == {"modality": "CT", "completed": 1, "median": "90.0", "p90": "90.0"}
    assert body["accepted_filters"] == ["date_from", "date_to"]


def test_diagnoses_filtered_by_doctor_and_department(client_for):
    surgeon = DoctorProfileFactory(department="Surgery").user
    other = DoctorProfileFactory(department="Medicine").user
    for doctor in (surgeon, other):
        when = datetime(2027, 3, 4, 9, tzinfo=UTC)
        encounter = EncounterFactory(attending_doctor=doctor, started_at=when)
        DiagnosisFactory(encounter=encounter, diagnosed_at=when, diagnosed_by=doctor)
    client = client_for(Role.ADMIN)
    url = "/api/reports/diagnoses/"

    by_doctor = client.get(url, {**PERIOD, "doctor": str(surgeon.public_id)}).json()
    by_department = client.get(url, {**PERIOD, "department": "Medicine"}).json()
    everyone = client.get(url, PERIOD).json()

    def count(body):
        return {f["key"]: f["value"] for f in body["figures"]}["diagnoses"]

    assert (count(by_doctor), count(by_department), count(everyone)) == (1, 1, 2)
    assert by_doctor["filters"]["doctor"] == str(surgeon.public_id)
    assert everyone["accepted_filters"] == ["date_from", "date_to", "department", "doctor"]


def test_stock_value_is_money_and_takes_no_filter(client_for):
    # 40 units at 0.80 = 32.00.
    batch = add_stock(DrugFactory(), 40, expiry=NOW.date() + timedelta(days=30))
    StockBatch.objects.filter(pk=batch.pk).update(unit_cost=Decimal("0.80"))

    body = client_for(Role.ACCOUNTANT).get("/api/reports/stock-value/").json()

    assert body["accepted_filters"] == []
    assert {f["key"]: f["value"] for f in body["figures"]}["value"] == "32.00"
    assert body["sections"][0]["rows"][0]["value"] == "32.00"
