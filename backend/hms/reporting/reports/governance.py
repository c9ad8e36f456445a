"""Governance (administrators only): break-the-glass uses, refused requests, chart readers.

Read from the break-the-glass grants and the audit log. Rows name staff (who used emergency
access, who reads charts) but never a patient: readers are counted by reads and by how many
different patients' charts they opened.

- Break-the-glass: grants made in the period and their review state now.
- Refused requests: audit events with the outcome `denied` (403s, and charts refused), by the
  resource asked for and the role of the user refused.
- Chart readers: audit `read` events of one patient's chart by staff (a patient reading their
  own chart is not counted), on the day of the read.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.timezone import localdate

from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.roles import Role
from hms.patients.models import BreakGlassGrant
from hms.reporting.facts import DayFacts, FactTable, daily_fact_summary, facts_for_range
from hms.reporting.models import ChartReadDailyFact, DeniedAccessDailyFact
from hms.reporting.periods import day_bounds, local_day
from hms.reporting.registry import (
    Chart,
    Column,
    Figure,
    ReportFilters,
    ReportResult,
    Section,
    Series,
    report,
)

TOP_READERS = 25
ROLE_LABELS = dict(Role.choices)


def _role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role) if role else "Not signed in"


def _first_day(queryset) -> date | None:
    first = queryset.aggregate(first=Min("occurred_at"))["first"]
    return localdate(first) if first is not None else None


# --- Break-the-glass -----------------------------------------------------------------------


@report(
    slug="break-glass",
    title="Break-the-glass access",
    family="governance",
    description="Emergency access to charts outside the user's care, and whether an "
    "administrator has reviewed each use.",
)
def break_glass(filters: ReportFilters, user) -> ReportResult:
    start, end = day_bounds(filters.date_from, filters.date_to)
    grants = list(
        BreakGlassGrant.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("user", "reviewed_by")
        .order_by("created_at", "id")
    )
    uses = [
        {
            "granted_at": timezone.localtime(g.created_at).strftime("%Y-%m-%d %H:%M"),
            "staff": g.user.display_name,
            "role": _role_label(g.user.role),
            "state": "Reviewed" if g.reviewed_at else "Awaiting review",
            "reviewed_by": g.reviewed_by.display_name if g.reviewed_by else "",
        }
        for g in grants
    ]
    by_user: dict[int, dict] = {}
    for g in grants:
        row = by_user.setdefault(
            g.user_id,
            {
                "staff": g.user.display_name,
                "role": _role_label(g.user.role),
                "uses": 0,
                "reviewed": 0,
                "awaiting": 0,
            },
        )
        row["uses"] += 1
        row["reviewed" if g.reviewed_at else "awaiting"] += 1
    user_rows = sorted(by_user.values(), key=lambda r: (-r["uses"], r["staff"]))
    reviewed = sum(1 for g in grants if g.reviewed_at)
    return ReportResult(
        slug="break-glass",
        title="Break-the-glass access",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure("uses", "Emergency accesses", len(grants)),
            Figure("reviewed", "Reviewed", reviewed),
            Figure("awaiting", "Awaiting review", len(grants) - reviewed),
        ],
        sections=[
            Section(
                id="by_user",
                title="By staff member",
                columns=(
                    Column("staff", "Staff", "text"),
                    Column("role", "Role", "text"),
                    Column("uses", "Uses"),
                    Column("reviewed", "Reviewed"),
                    Column("awaiting", "Awaiting review"),
                ),
                rows=user_rows,
                chart=Chart(
                    kind="stacked_bar",
                    title="Break-the-glass uses by staff member",
                    x="staff",
                    series=(Series("reviewed", "Reviewed"), Series("awaiting", "Awaiting review")),
                    y_label="Uses",
                ),
            ),
            Section(
                id="uses",
                title="Each use",
                columns=(
                    Column("granted_at", "Opened at", "text"),
                    Column("staff", "Staff", "text"),
                    Column("role", "Role", "text"),
                    Column("state", "Review", "text"),
                    Column("reviewed_by", "Reviewed by", "text"),
                ),
                rows=uses,
                note="The patient is not named here; the review page of each use shows it.",
            ),
        ],
    )


# --- Refused requests ----------------------------------------------------------------------


def _denied_events():
    return AuditEvent.objects.filter(outcome=AuditOutcome.DENIED)


def denied_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, resource_type, actor_role): {"denied"}} from the audit log."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("denied",))
    rows = (
        _denied_events()
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(day=local_day("occurred_at"))
        .values("day", "resource_type", "actor_role")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        facts.add((row["day"], row["resource_type"], row["actor_role"]), denied=row["n"])
    return facts


daily_fact_summary(
    "governance_denied",
    table=FactTable(
        DeniedAccessDailyFact, ("resource_type", "actor_role"), ("denied",), minutes=False
    ),
    live=denied_day_facts,
    first_day=lambda: _first_day(_denied_events()),
)


@report(
    slug="denied-access",
    title="Refused requests",
    family="governance",
    description="Requests the permission rules refused (audit log), by resource and by the "
    "role of the user.",
)
def denied_access(filters: ReportFilters, user) -> ReportResult:
    facts, as_of = facts_for_range("governance_denied", denied_day_facts, filters)
    by_resource = facts.totals_by(lambda key: key[1])
    by_role = facts.totals_by(lambda key: key[2])
    resource_rows = sorted(
        ({"resource": name, "denied": t["denied"]} for name, t in by_resource.items()),
        key=lambda r: (-r["denied"], r["resource"]),
    )
    role_rows = sorted(
        ({"role": _role_label(role), "denied": t["denied"]} for role, t in by_role.items()),
        key=lambda r: (-r["denied"], r["role"]),
    )
    per_day = [
        {"day": day, "denied": t["denied"]}
        for day, t in facts.totals_by_day(filters.date_from, filters.date_to).items()
    ]
    return ReportResult(
        slug="denied-access",
        title="Refused requests",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("denied", "Refused requests", facts.grand_total()["denied"]),
            Figure("resources", "Resources involved", len(resource_rows)),
        ],
        sections=[
            Section(
                id="by_resource",
                title="By resource",
                columns=(Column("resource", "Resource", "text"), Column("denied", "Refused")),
                rows=resource_rows,
                chart=Chart(
                    kind="bar",
                    title="Refused requests by resource",
                    x="resource",
                    series=(Series("denied", "Refused"),),
                    y_label="Requests",
                ),
            ),
            Section(
                id="by_role",
                title="By role of the user",
                columns=(Column("role", "Role", "text"), Column("denied", "Refused")),
                rows=role_rows,
                chart=Chart(
                    kind="pie",
                    title="Refused requests by role",
                    x="role",
                    series=(Series("denied", "Refused"),),
                    y_label="Requests",
                ),
            ),
            Section(
                id="per_day",
                title="Per day",
                columns=(Column("day", "Day", "date"), Column("denied", "Refused")),
                rows=per_day,
                chart=Chart(
                    kind="line",
                    title="Refused requests per day",
                    x="day",
                    series=(Series("denied", "Refused"),),
                    y_label="Requests per day",
                ),
            ),
        ],
    )


# --- Chart readers -------------------------------------------------------------------------


def _chart_reads():
    return (
        AuditEvent.objects.filter(action=AuditAction.READ, outcome=AuditOutcome.SUCCESS)
        .exclude(patient_id="")
        .exclude(actor__isnull=True)
        .exclude(actor_role=Role.PATIENT)
    )


def chart_read_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, reader_id, patient_id): {"reads"}} from the audit log."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("reads",))
    rows = (
        _chart_reads()
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(day=local_day("occurred_at"))
        .values("day", "actor_id", "patient_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        facts.add((row["day"], row["actor_id"], row["patient_id"]), reads=row["n"])
    return facts


daily_fact_summary(
    "governance_chart_reads",
    table=FactTable(ChartReadDailyFact, ("reader_id", "patient_id"), ("reads",), minutes=False),
    live=chart_read_day_facts,
    first_day=lambda: _first_day(_chart_reads()),
)


@report(
    slug="record-readers",
    title="Most active chart readers",
    family="governance",
    description="Staff who read the most patient charts: reads and how many different "
    "patients. Counts only; no patient is named.",
)
def record_readers(filters: ReportFilters, user) -> ReportResult:
    facts, as_of = facts_for_range(
        "governance_chart_reads", chart_read_day_facts, filters, by_day=False
    )
    reads = facts.totals_by(lambda key: key[1])
    patients = Counter(reader for reader, _ in {(key[1], key[2]) for key in facts.rows})
    top = sorted(reads, key=lambda reader: (-reads[reader]["reads"], reader))[:TOP_READERS]
    staff = get_user_model().objects.in_bulk(top)
    rows = [
        {
            "staff": staff[reader].display_name,
            "username": staff[reader].username,
            "role": _role_label(staff[reader].role),
            "reads": reads[reader]["reads"],
            "patients": patients[reader],
        }
        for reader in top
    ]
    return ReportResult(
        slug="record-readers",
        title="Most active chart readers",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("reads", "Chart reads", facts.grand_total()["reads"]),
            Figure("readers", "Staff who read charts", len(reads)),
            Figure("patients", "Different patients", len({key[2] for key in facts.rows})),
        ],
        sections=[
            Section(
                id="readers",
                title=f"The {TOP_READERS} most active readers",
                columns=(
                    Column("staff", "Staff", "text"),
                    Column("username", "Username", "text"),
                    Column("role", "Role", "text"),
                    Column("reads", "Reads"),
                    Column("patients", "Different patients"),
                ),
                rows=rows,
                chart=Chart(
                    kind="bar",
                    title="Chart reads by staff member",
                    x="staff",
                    series=(Series("reads", "Reads"), Series("patients", "Different patients")),
                    y_label="Reads / patients",
                ),
                note="A read is one audited opening of a section of one patient's chart.",
            )
        ],
    )
