"""Pharmacy reports, against hand-counted numbers.

Now is Wednesday 10 March 2027, 12:00 in the hospital's time zone (UTC in the test settings);
the period is 1-9 March.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.pharmacy.models import Dispense, MovementKind, Prescription, StockBatch, StockMovement
from hms.pharmacy.tests.factories import DrugFactory, add_stock
from hms.reporting.models import MedicineDailyFact
from hms.reporting.registry import ReportFilters
from hms.reporting.reports.pharmacy import (
    medicine_consumption,
    near_expiry,
    safety_overrides,
    stock_value,
)
from hms.reporting.summaries import refresh

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = ReportFilters(date_from=date(2027, 3, 1), date_to=date(2027, 3, 9))

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def figures(result):
    return {f.key: f.value for f in result.figures}


@pytest.fixture
def drugs():
    return DrugFactory(generic_name="Alphacillin"), DrugFactory(generic_name="Betazol")


def batch(drug, units, *, cost, expiry):
    stock = add_stock(drug, units, expiry=expiry)
    StockBatch.objects.filter(pk=stock.pk).update(unit_cost=Decimal(cost))
    return stock


def move(stock, kind, units, when):
    StockMovement.objects.create(
        batch=stock,
        drug=stock.drug,
        kind=kind,
        quantity=units,
        balance_after=0,
        occurred_at=when,
    )


@pytest.fixture
def ledger(drugs):
    """Alphacillin: dispensed 10 (2 March) and 5 (4 March), 3 handed back (5 March); outside
    the period 7 on 28 February and 2 today. Betazol: dispensed 4 (3 March), 1 handed back on
    9 March of a February dispense."""
    alpha, beta = drugs
    a = batch(alpha, 500, cost="0.05", expiry=date(2028, 1, 1))
    b = batch(beta, 500, cost="0.05", expiry=date(2028, 1, 1))
    move(a, MovementKind.DISPENSE, -10, at(2))
    move(a, MovementKind.DISPENSE, -5, at(4))
    move(a, MovementKind.RETURN, 3, at(5))
    move(a, MovementKind.DISPENSE, -7, at(28, month=2))
    move(a, MovementKind.DISPENSE, -2, at(10, 8))
    move(b, MovementKind.DISPENSE, -4, at(3))
    move(b, MovementKind.RETURN, 1, at(9, 23))


def test_consumption_is_dispensed_minus_returned(ledger):
    result = medicine_consumption(PERIOD, None)

    rows = {r["medicine"].split()[0]: r for r in result.sections[0].rows}
    # Alphacillin 10 + 5 = 15 dispensed, 3 back: 12; Betazol 4 dispensed, 1 back: 3.
    assert (rows["Alphacillin"]["dispensed"], rows["Alphacillin"]["returned"]) == (15, 3)
    assert rows["Alphacillin"]["consumed"] == 12
    assert (rows["Betazol"]["dispensed"], rows["Betazol"]["returned"]) == (4, 1)
    assert rows["Betazol"]["consumed"] == 3
    assert figures(result) == {"medicines": 2, "dispensed": 19, "returned": 4}


def test_consumption_from_summaries_equals_the_live_rows(ledger):
    ranges = [PERIOD, ReportFilters(date_from=date(2027, 2, 1), date_to=date(2027, 3, 10))]
    live = [medicine_consumption(f, None) for f in ranges]

    refresh(["pharmacy_medicines"])

    assert MedicineDailyFact.objects.filter(day=date(2027, 2, 28)).exists()
    summarised = [medicine_consumption(f, None) for f in ranges]
    for before, after in zip(live, summarised, strict=True):
        assert figures(after) == figures(before)
        assert after.sections[0].rows == before.sections[0].rows
    # February to today: Alphacillin 7 + 15 + 2 = 24 dispensed.
    assert figures(summarised[1])["dispensed"] == 24 + 4


@pytest.fixture
def stock(drugs):
    """Alphacillin: 100 at 0.05 expiring 15 April (36 days), 20 at 1.25 expiring 8 June (90
    days). Betazol: 40 at 0.50 expiring 9 June (91 days), 6 at 2.00 expired on 1 March, and an
    empty expired batch."""
    alpha, beta = drugs
    batch(alpha, 100, cost="0.05", expiry=date(2027, 4, 15))
    batch(alpha, 20, cost="1.25", expiry=date(2027, 6, 8))
    batch(beta, 40, cost="0.50", expiry=date(2027, 6, 9))
    batch(beta, 6, cost="2.00", expiry=date(2027, 3, 1))
    batch(beta, 0, cost="2.00", expiry=date(2027, 2, 1))


def test_stock_value_now(stock):
    result = stock_value(PERIOD, None)

    # Alphacillin 100 x 0.05 + 20 x 1.25 = 5 + 25 = 30.00 (120 units);
    # Betazol 40 x 0.50 + 6 x 2.00 = 20 + 12 = 32.00 (46 units); the empty batch is not stock.
    rows = [
        (r["medicine"].split()[0], r["batches"], r["units"], r["value"])
        for r in result.sections[0].rows
    ]
    assert rows == [
        ("Betazol", 2, 46, Decimal("32.00")),
        ("Alphacillin", 2, 120, Decimal("30.00")),
    ]
    assert figures(result) == {"value": Decimal("62.00"), "medicines": 2, "batches": 4}


def test_batches_near_expiry(stock):
    result = near_expiry(PERIOD, None)

    expiring, expired = result.sections
    # 15 April (36 days) and 8 June (90 days, the last day included); 9 June is beyond.
    assert [(r["expiry"], r["days_left"], r["units"], r["value"]) for r in expiring.rows] == [
        (date(2027, 4, 15), 36, 100, Decimal("5.00")),
        (date(2027, 6, 8), 90, 20, Decimal("25.00")),
    ]
    assert [(r["expiry"], r["units"], r["value"]) for r in expired.rows] == [
        (date(2027, 3, 1), 6, Decimal("12.00"))
    ]
    assert figures(result) == {
        "batches": 2,
        "value": Decimal("30.00"),
        "expired": 1,
        "expired_value": Decimal("12.00"),
    }


def warning(severity, code):
    return {"code": code, "severity": severity, "message": code, "drug": "x", "other": ""}


@pytest.fixture
def prescribers():
    return DoctorProfileFactory(department="Medicine").user, DoctorProfileFactory(
        department="Surgery"
    ).user


@pytest.fixture
def prescriptions(prescribers):
    """Medicine's doctor: 2 March severe allergy + moderate interaction, overridden, dispensed;
    4 March moderate duplicate, dispensed; 5 March low dose; 5 March no warning; 20 February
    severe (outside). Surgery's doctor: 3 March severe dose, overridden, not dispensed."""
    medicine, surgery = prescribers
    patient = PatientFactory()
    pharmacist = UserFactory(role=Role.PHARMACIST)

    def write(doctor, when, warnings, reason="", dispensed=False):
        rx = Prescription.objects.create(
            patient=patient,
            prescriber=doctor,
            prescribed_at=when,
            safety_warnings=warnings,
            override_reason=reason,
        )
        if dispensed:
            Dispense.objects.create(prescription=rx, dispensed_by=pharmacist, dispensed_at=when)

    reason = "Benefit outweighs the risk, monitored."
    write(
        medicine,
        at(2),
        [warning("severe", "allergy"), warning("moderate", "interaction")],
        reason,
        dispensed=True,
    )
    write(surgery, at(3), [warning("severe", "dose_high")], reason)
    write(medicine, at(4), [warning("moderate", "duplicate_drug")], dispensed=True)
    write(medicine, at(5), [warning("low", "dose_low")])
    write(medicine, at(5), [])
    write(medicine, at(20, month=2), [warning("severe", "allergy")], reason)


def test_prescriptions_over_safety_warnings(prescriptions):
    result = safety_overrides(PERIOD, None)

    by_severity, by_warning = result.sections
    # Severe: 2 March (overridden, dispensed) and 3 March (overridden); moderate: 4 March
    # (dispensed; the 2 March one counts under severe); low: 5 March.
    assert [
        (r["severity"], r["prescriptions"], r["overridden"], r["dispensed"])
        for r in by_severity.rows
    ] == [
        ("Severe", 2, 2, 1),
        ("Moderate", 1, 0, 1),
        ("Low", 1, 0, 0),
    ]
    assert [(r["severity"], r["warning"], r["warnings"]) for r in by_warning.rows] == [
        ("Severe", "allergy", 1),
        ("Severe", "dose high", 1),
        ("Moderate", "duplicate drug", 1),
        ("Moderate", "interaction", 1),
        ("Low", "dose low", 1),
    ]
    assert figures(result) == {"prescriptions": 4, "overridden": 2, "overridden_dispensed": 1}


def test_safety_overrides_by_doctor_and_department(prescriptions, prescribers):
    _, surgery = prescribers

    mine = safety_overrides(ReportFilters(**vars(PERIOD) | {"doctor": surgery}), None)
    department = safety_overrides(
        ReportFilters(date_from=PERIOD.date_from, date_to=PERIOD.date_to, department="Medicine"),
        None,
    )

    # Surgery: the 3 March severe dose only. Medicine: 2, 4 and 5 March.
    assert figures(mine) == {"prescriptions": 1, "overridden": 1, "overridden_dispensed": 0}
    assert figures(department)["prescriptions"] == 3
