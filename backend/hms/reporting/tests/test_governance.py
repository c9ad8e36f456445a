"""Governance reports, against hand-counted numbers.

Now is Wednesday 10 March 2027, 12:00 in the hospital's time zone (UTC in the test settings);
the period is 1-9 March. Audit events are recorded by moving the clock to their time.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditAction, AuditOutcome
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.models import BreakGlassGrant
from hms.patients.tests.factories import PatientFactory, PatientUserFactory
from hms.reporting.models import ChartReadDailyFact, DeniedAccessDailyFact
from hms.reporting.registry import ReportFilters
from hms.reporting.reports.governance import break_glass, denied_access, record_readers
from hms.reporting.summaries import refresh

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = ReportFilters(date_from=date(2027, 3, 1), date_to=date(2027, 3, 9))

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_instant():
    return NOW


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def figures(result):
    return {f.key: f.value for f in result.figures}


@pytest.fixture
def staff():
    return {
        "grace": UserFactory(role=Role.DOCTOR, first_name="Grace", last_name="Hopper"),
        "ada": UserFactory(role=Role.NURSE, first_name="Ada", last_name="Lovelace"),
        "alan": UserFactory(role=Role.RECEPTIONIST, first_name="Alan", last_name="Turing"),
        "admin": UserFactory(role=Role.ADMIN, first_name="Root", last_name="Admin"),
    }


@pytest.fixture
def grants(staff, frozen_now):
    """Grace: 2 March (reviewed by the admin) and 6 March (awaiting); Ada: 4 March
    (awaiting); Grace on 20 February (outside)."""
    patient = PatientFactory(first_name="Secret", last_name="Person")

    def grant(user, when, reviewed=False):
        frozen_now.move_to(when)
        BreakGlassGrant.objects.create(
            user=user,
            patient=patient,
            reason="Unconscious in the emergency room",
            expires_at=when + timedelta(hours=4),
            reviewed_at=when + timedelta(days=1) if reviewed else None,
            reviewed_by=staff["admin"] if reviewed else None,
        )

    grant(staff["grace"], at(2), reviewed=True)
    grant(staff["grace"], at(6))
    grant(staff["ada"], at(4))
    grant(staff["grace"], at(20, month=2), reviewed=True)
    frozen_now.move_to(NOW)


def test_break_glass_uses_and_review_state(grants):
    result = break_glass(PERIOD, None)

    assert figures(result) == {"uses": 3, "reviewed": 1, "awaiting": 2}
    by_user, uses = result.sections
    assert by_user.rows == [
        {"staff": "Grace Hopper", "role": "Doctor", "uses": 2, "reviewed": 1, "awaiting": 1},
        {"staff": "Ada Lovelace", "role": "Nurse", "uses": 1, "reviewed": 0, "awaiting": 1},
    ]
    assert [(u["granted_at"], u["staff"], u["state"], u["reviewed_by"]) for u in uses.rows] == [
        ("2027-03-02 09:00", "Grace Hopper", "Reviewed", "Root Admin"),
        ("2027-03-04 09:00", "Ada Lovelace", "Awaiting review", ""),
        ("2027-03-06 09:00", "Grace Hopper", "Awaiting review", ""),
    ]
    # The patient is never named.
    assert "Secret" not in repr(result.sections)


@pytest.fixture
def audit_log(staff, frozen_now):
    """Refused: Alan 3x on "vitals" (2, 2 and 3 March), Ada 1x on "prescription" (5 March),
    one anonymous request on "request" (7 March), Alan on 10 March (today). Chart reads:
    Grace reads patient P1 3x (2 and 3 March) and P2 once (4 March); Ada reads P1 twice
    (5 March); Alan reads P3 once (9 March). Not reads: a list page (no patient), a read that
    was refused, a patient reading their own chart, Grace on 28 February."""
    p1, p2, p3 = "p-one", "p-two", "p-three"
    patient_user = PatientUserFactory()

    def event(when, actor, *, resource="demographics", patient="", outcome=AuditOutcome.SUCCESS):
        frozen_now.move_to(when)
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            resource_type=resource,
            patient_id=patient,
            outcome=outcome,
        )

    denied = AuditOutcome.DENIED
    event(at(2, 8), staff["alan"], resource="vitals", patient=p1, outcome=denied)
    event(at(2, 9), staff["alan"], resource="vitals", patient=p1, outcome=denied)
    event(at(3), staff["alan"], resource="vitals", outcome=denied)
    event(at(5), staff["ada"], resource="prescription", outcome=denied)
    event(at(7), None, resource="request", outcome=denied)
    event(at(10, 8), staff["alan"], resource="vitals", outcome=denied)
    event(at(2), staff["grace"], patient=p1)
    event(at(2, 10), staff["grace"], resource="notes", patient=p1)
    event(at(3), staff["grace"], patient=p1)
    event(at(4), staff["grace"], patient=p2)
    event(at(5), staff["ada"], patient=p1)
    event(at(5, 10), staff["ada"], patient=p1)
    event(at(9, 23), staff["alan"], patient=p3)
    event(at(6), staff["grace"], resource="patient_list")
    event(at(6), patient_user, patient=p1)
    event(at(28, month=2), staff["grace"], patient=p3)
    frozen_now.move_to(NOW)


def test_refused_requests_by_resource_and_role(audit_log):
    result = denied_access(PERIOD, None)

    # 3 (vitals, Alan) + 1 (prescription, Ada) + 1 (anonymous) = 5; today's is outside.
    assert figures(result) == {"denied": 5, "resources": 3}
    by_resource, by_role, per_day = result.sections
    assert by_resource.rows == [
        {"resource": "vitals", "denied": 3},
        {"resource": "prescription", "denied": 1},
        {"resource": "request", "denied": 1},
    ]
    assert by_role.rows == [
        {"role": "Receptionist", "denied": 3},
        {"role": "Not signed in", "denied": 1},
        {"role": "Nurse", "denied": 1},
    ]
    assert {r["day"]: r["denied"] for r in per_day.rows}[date(2027, 3, 2)] == 2


def test_most_active_readers_count_reads_and_different_patients(audit_log):
    result = record_readers(PERIOD, None)

    # Grace: P1 x3 + P2 = 4 reads of 2 patients; Ada: P1 x2 = 2 of 1; Alan: P3 = 1 of 1.
    assert [
        (r["staff"], r["role"], r["reads"], r["patients"]) for r in result.sections[0].rows
    ] == [
        ("Grace Hopper", "Doctor", 4, 2),
        ("Ada Lovelace", "Nurse", 2, 1),
        ("Alan Turing", "Receptionist", 1, 1),
    ]
    # 7 reads, 3 readers, patients P1, P2, P3.
    assert figures(result) == {"reads": 7, "readers": 3, "patients": 3}
    assert "p-one" not in repr(result.sections)


def test_summaries_give_the_numbers_of_the_live_rows(audit_log):
    ranges = [PERIOD, ReportFilters(date_from=date(2027, 2, 1), date_to=date(2027, 3, 10))]
    live = [
        (figures(r(f, None)), [s.rows for s in r(f, None).sections])
        for f in ranges
        for r in (denied_access, record_readers)
    ]

    refresh(["governance_denied", "governance_chart_reads"])

    assert DeniedAccessDailyFact.objects.exists() and ChartReadDailyFact.objects.exists()
    summarised = [
        (figures(r(f, None)), [s.rows for s in r(f, None).sections])
        for f in ranges
        for r in (denied_access, record_readers)
    ]
    assert summarised == live
    # February to today: Grace also read P3 on 28 February (5 reads, 3 patients).
    assert live[3][1][0][0]["reads"] == 5 and live[3][1][0][0]["patients"] == 3
