"""Laboratory and radiology reports, against hand-counted numbers.

Now is Wednesday 10 March 2027, 12:00 in the hospital's time zone (UTC in the test settings);
the period is 1-9 March.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.models import Notification
from hms.core.roles import Role
from hms.laboratory.models import LabOrder, LabOrderStatus, LabTest
from hms.patients.tests.factories import PatientFactory
from hms.radiology.models import Modality, OrderStatus
from hms.radiology.tests.factories import ImagingOrderFactory, ImagingProcedureFactory
from hms.reporting.models import LabDailyFact
from hms.reporting.registry import ReportFilters
from hms.reporting.reports.diagnostics import (
    critical_results,
    diagnostic_turnaround,
    diagnostic_volumes,
)
from hms.reporting.summaries import plan, refresh

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = ReportFilters(date_from=date(2027, 3, 1), date_to=date(2027, 3, 9))

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of March 2027."""
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def doctor():
    return UserFactory(role=Role.DOCTOR, first_name="Grace", last_name="Hopper")


@pytest.fixture
def technician():
    return UserFactory(role=Role.LAB_TECHNICIAN)


@pytest.fixture
def patient():
    return PatientFactory()


def lab_test(code: str, name: str) -> LabTest:
    return LabTest.objects.create(
        code=code, loinc_code=f"{code}-0", name=name, specimen_type="serum_plasma", kind="numeric"
    )


_placer = iter(range(1, 10_000))


def lab_order(test, *, doctor, patient, ordered_at, verified_after=None, by=None, cancelled=False):
    """An order placed at `ordered_at`; verified `verified_after` later, or cancelled."""
    order = LabOrder(
        patient=patient,
        test=test,
        placer_number=f"RPT{next(_placer):06d}",
        ordering_doctor=doctor,
        ordered_by=doctor,
        ordered_at=ordered_at,
    )
    if verified_after is not None:
        order.status = LabOrderStatus.VERIFIED
        order.collected_at = ordered_at
        order.verified_at = ordered_at + verified_after
        order.verified_by = by
        order.turnaround = verified_after
    if cancelled:
        order.status = LabOrderStatus.CANCELLED
        order.cancelled_at = ordered_at + timedelta(minutes=5)
        order.cancelled_by = doctor
    order.save()
    return order


def imaging_order(procedure, *, doctor, created_at, reported_after=None):
    order = ImagingOrderFactory(procedure=procedure, ordering_doctor=doctor)
    fields = {"created_at": created_at}
    if reported_after is not None:
        fields.update(status=OrderStatus.REPORTED, reported_at=created_at + reported_after)
    type(order).objects.filter(pk=order.pk).update(**fields)
    return order


def critical_alert(recipient, *, kind, created_at, acknowledged_after=None, severity="critical"):
    alert = Notification.objects.create(
        recipient=recipient, kind=kind, severity=severity, title="Critical result"
    )
    fields = {"created_at": created_at}
    if acknowledged_after is not None:
        fields.update(acknowledged_at=created_at + acknowledged_after, acknowledged_by=recipient)
    Notification.objects.filter(pk=alert.pk).update(**fields)
    return alert


@pytest.fixture
def lab_activity(doctor, technician, patient):
    """Potassium: 3 orders on 2 March (one cancelled), 1 on 5 March, 1 on 20 February (outside),
    and 1 on 9 March at 23:30 verified on 10 March (today, outside). Verified in the period:
    turnarounds 30, 45 and 120 minutes. Glucose: 1 order on 9 March, verified after 61.5 min."""
    k = lab_test("RK", "Potassium")
    glu = lab_test("RGLU", "Glucose")
    common = {"doctor": doctor, "patient": patient, "by": technician}
    lab_order(k, ordered_at=at(2, 8), verified_after=timedelta(minutes=30), **common)
    lab_order(k, ordered_at=at(2, 10), verified_after=timedelta(minutes=45), **common)
    lab_order(k, ordered_at=at(2, 11), cancelled=True, **common)
    lab_order(k, ordered_at=at(5, 7), verified_after=timedelta(minutes=120), **common)
    lab_order(k, ordered_at=datetime(2027, 2, 20, 9, tzinfo=UTC), **common)
    lab_order(k, ordered_at=at(9, 23, 30), verified_after=timedelta(minutes=40), **common)
    lab_order(glu, ordered_at=at(9, 8), verified_after=timedelta(minutes=61, seconds=30), **common)
    return k, glu


@pytest.fixture
def imaging_activity(doctor):
    """CT: 2 orders on 3 March reported after 60 and 180 minutes; MRI: 1 order on 4 March, not
    reported; X-ray: 1 order on 28 February reported on 1 March after 1 day (1440 min)."""
    ct = ImagingProcedureFactory(code="RPT-CT", modality=Modality.CT)
    mri = ImagingProcedureFactory(code="RPT-MR", modality=Modality.MRI)
    xray = ImagingProcedureFactory(code="RPT-XR", modality=Modality.XRAY)
    imaging_order(ct, doctor=doctor, created_at=at(3, 9), reported_after=timedelta(minutes=60))
    imaging_order(ct, doctor=doctor, created_at=at(3, 10), reported_after=timedelta(minutes=180))
    imaging_order(mri, doctor=doctor, created_at=at(4, 9))
    imaging_order(
        xray,
        doctor=doctor,
        created_at=datetime(2027, 2, 28, 12, tzinfo=UTC),
        reported_after=timedelta(days=1),
    )


def rows_by(section, key):
    return {row[key]: row for row in section.rows}


def test_volumes_count_orders_placed_and_completed_in_the_period(lab_activity, imaging_activity):
    result = diagnostic_volumes(PERIOD, None)

    figures = {f.key: f.value for f in result.figures}
    # Lab placed: potassium 2 + 1 (cancelled) + 1 + 1 (9 March 23:30) = 5, glucose 1 -> 6.
    # Verified in the period: potassium 30, 45, 120 min (the 23:30 one on 10 March is not);
    # glucose 1 -> 4.
    assert figures["lab_ordered"] == 6
    assert figures["lab_verified"] == 4
    # Imaging placed: CT 2 + MRI 1 = 3 (X-ray was ordered in February); reported: CT 2 + the
    # X-ray on 1 March = 3.
    assert figures["imaging_ordered"] == 3
    assert figures["imaging_reported"] == 3
    lab = rows_by(result.sections[0], "test")
    assert (lab["RK"]["ordered"], lab["RK"]["verified"]) == (5, 3)
    assert (lab["RGLU"]["ordered"], lab["RGLU"]["verified"]) == (1, 1)
    assert [row["test"] for row in result.sections[0].rows] == ["RK", "RGLU"]
    imaging = rows_by(result.sections[1], "modality")
    assert imaging == {
        "X-ray": {"modality": "X-ray", "ordered": 0, "reported": 1},
        "CT": {"modality": "CT", "ordered": 2, "reported": 2},
        "MRI": {"modality": "MRI", "ordered": 1, "reported": 0},
    }


def test_turnaround_median_and_90th_percentile(lab_activity, imaging_activity):
    result = diagnostic_turnaround(PERIOD, None)

    lab = rows_by(result.sections[0], "test")
    # Potassium 30, 45, 120 (nearest rank): median rank ceil(1.5) = 2 -> 45; p90 rank
    # ceil(2.7) = 3 -> 120.
    assert lab["RK"] == {
        "test": "RK",
        "name": "Potassium",
        "completed": 3,
        "median": Decimal("45.0"),
        "p90": Decimal("120.0"),
    }
    # Glucose 61.5 min counts as 61 whole minutes.
    assert (lab["RGLU"]["median"], lab["RGLU"]["p90"]) == (Decimal("61.0"), Decimal("61.0"))
    imaging = rows_by(result.sections[1], "modality")
    # CT 60 and 180: median rank 1 -> 60, p90 rank ceil(1.8) = 2 -> 180. X-ray 1440.
    assert (imaging["CT"]["median"], imaging["CT"]["p90"]) == (Decimal("60.0"), Decimal("180.0"))
    assert imaging["X-ray"]["median"] == Decimal("1440.0")
    assert "MRI" not in imaging  # nothing reported
    figures = {f.key: f.value for f in result.figures}
    # All lab: 30, 45, 61, 120 -> median rank 2 -> 45; p90 rank ceil(3.6) = 4 -> 120.
    assert figures["median"] == Decimal("45.0")
    assert figures["p90"] == Decimal("120.0")
    # All imaging: 60, 180, 1440 -> median rank 2 -> 180; p90 rank ceil(2.7) = 3 -> 1440.
    assert figures["imaging_median"] == Decimal("180.0")
    assert figures["imaging_p90"] == Decimal("1440.0")


def test_an_empty_period_has_no_percentiles():
    result = diagnostic_turnaround(PERIOD, None)

    assert result.sections[0].rows == [] and result.sections[1].rows == []
    assert {f.key: f.value for f in result.figures}["median"] is None


@pytest.fixture
def alerts(doctor):
    """Lab critical values: 2 March acknowledged after 10 min, 3 March after 30 min, 4 March
    never; radiology critical report on 6 March acknowledged after 90 min, and one on 9 March
    at 23:00 acknowledged on 10 March (today) after 120 min. Not critical: an info radiology
    report and an escalated copy of the 2 March alert."""
    first = critical_alert(
        doctor,
        kind="lab_critical_result",
        created_at=at(2),
        acknowledged_after=timedelta(minutes=10),
    )
    critical_alert(
        doctor,
        kind="lab_critical_result",
        created_at=at(3),
        acknowledged_after=timedelta(minutes=30),
    )
    critical_alert(doctor, kind="lab_critical_result", created_at=at(4))
    critical_alert(
        doctor,
        kind="radiology_report_final",
        created_at=at(6),
        acknowledged_after=timedelta(minutes=90),
    )
    critical_alert(
        doctor,
        kind="radiology_report_final",
        created_at=at(9, 23),
        acknowledged_after=timedelta(minutes=120),
    )
    critical_alert(doctor, kind="radiology_report_final", created_at=at(5), severity="info")
    copy = critical_alert(
        UserFactory(role=Role.DOCTOR), kind="lab_critical_result", created_at=at(2, 10)
    )
    Notification.objects.filter(pk=copy.pk).update(escalation_of=first)


def test_critical_results_and_time_to_acknowledgement(alerts):
    result = critical_results(PERIOD, None)

    rows = rows_by(result.sections[0], "source")
    lab = rows["Laboratory critical values"]
    # Raised 3, acknowledged in the period 2 (10 and 30 min): median rank 1 -> 10, p90 rank 2
    # -> 30.
    assert (lab["raised"], lab["acknowledged"], lab["unacknowledged"]) == (3, 2, 1)
    assert (lab["median"], lab["p90"]) == (Decimal("10.0"), Decimal("30.0"))
    imaging = rows["Critical imaging findings"]
    # Raised 2 (6 and 9 March); the 9 March one was acknowledged today, outside the period.
    assert (imaging["raised"], imaging["acknowledged"], imaging["unacknowledged"]) == (2, 1, 0)
    assert imaging["median"] == Decimal("90.0")
    figures = {f.key: f.value for f in result.figures}
    # Acknowledged in the period: 10, 30, 90 -> median rank 2 -> 30, p90 rank 3 -> 90.
    assert figures == {
        "raised": 5,
        "ack_median": Decimal("30.0"),
        "ack_p90": Decimal("90.0"),
        "unacknowledged": 1,
    }
    per_day = {row["day"]: row for row in result.sections[1].rows}
    assert len(per_day) == 9
    assert per_day[date(2027, 3, 2)] == {"day": date(2027, 3, 2), "raised": 1, "acknowledged": 1}
    assert per_day[date(2027, 3, 1)]["raised"] == 0


def numbers(result):
    """What a reader sees of a result: the figures and every section's rows."""
    return (
        [(f.key, f.value) for f in result.figures],
        [(s.id, s.rows) for s in result.sections],
    )


SUMMARIES = ["diagnostics_lab", "diagnostics_radiology", "diagnostics_critical"]
REPORTS = (diagnostic_volumes, diagnostic_turnaround, critical_results)


def test_summaries_give_the_numbers_of_the_live_rows(lab_activity, imaging_activity, alerts):
    # Given the reports computed from the live rows, for the period and up to today
    with_today = ReportFilters(date_from=date(2027, 2, 15), date_to=date(2027, 3, 10))
    live = [numbers(compute(f, None)) for f in (PERIOD, with_today) for compute in REPORTS]
    assert plan("diagnostics_lab", PERIOD.date_from, PERIOD.date_to).summary is None

    # When the summaries are built (from the first order, 20 February, up to yesterday)
    refresh(SUMMARIES)

    # Then the days up to yesterday come from fact rows, today from the live rows, and the
    # numbers do not change.
    assert plan("diagnostics_lab", PERIOD.date_from, PERIOD.date_to).live is None
    mixed = plan("diagnostics_critical", with_today.date_from, with_today.date_to)
    assert mixed.live == (date(2027, 3, 10), date(2027, 3, 10))
    assert LabDailyFact.objects.filter(day=date(2027, 2, 20)).exists()
    summarised = [numbers(compute(f, None)) for f in (PERIOD, with_today) for compute in REPORTS]
    assert summarised == live


def test_building_a_day_twice_keeps_one_set_of_facts(lab_activity):
    refresh(["diagnostics_lab"])
    rows = LabDailyFact.objects.count()

    refresh(["diagnostics_lab"], date_from=date(2027, 3, 1), date_to=date(2027, 3, 9))

    # Potassium 2 March: 3 placed, 2 verified (30 and 45 min).
    fact = LabDailyFact.objects.get(day=date(2027, 3, 2), test=lab_activity[0])
    assert (fact.ordered, fact.completed, fact.minutes) == (3, 2, {"30": 1, "45": 1})
    assert LabDailyFact.objects.count() == rows
