"""Writes of the reporting app: scheduled reports.

A schedule sends one report, over the previous day, week (Monday to Sunday) or calendar month,
as an XLSX attachment to every active user holding one of its recipient roles who has an e-mail
address. Recipient roles must be roles the permission table lets read the report's family, so
a schedule never mails a report to someone who could not open it. Runs are due at
SEND_HOUR local time the day after a period ends; beat looks every 15 minutes
(`send_due_report_schedules`). Each (schedule, period) is sent at most once: the run row is
inserted, under a unique constraint, in the transaction that sends, so two workers (or a retry)
cannot both send it.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from hms.accounts.models import User
from hms.core.errors import ApplicationError
from hms.core.models import AuditAction
from hms.core.permissions import rule_for
from hms.core.services import audit_record
from hms.reporting import exports
from hms.reporting.models import ReportFrequency, ReportSchedule, ReportScheduleRun
from hms.reporting.registry import report_get
from hms.reporting.selectors import PERMISSION_RESOURCE, report_filters_parse

SEND_HOUR = 6  # local time a due schedule is sent, the day after its period ends
PRESET_FILTERS = ("ward", "department", "doctor", "payer")  # dates come from the period


# --- Periods -----------------------------------------------------------------------------------


def period_before(frequency: str, today: date) -> tuple[date, date]:
    """The last whole period that ended before `today`."""
    if frequency == ReportFrequency.DAILY:
        day = today - timedelta(days=1)
        return day, day
    if frequency == ReportFrequency.WEEKLY:
        this_monday = today - timedelta(days=today.weekday())
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    first_of_month = today.replace(day=1)
    last = first_of_month - timedelta(days=1)
    return last.replace(day=1), last


def next_run_after(frequency: str, moment: datetime) -> datetime:
    """The first sending time (SEND_HOUR local, the day after a period ends) after `moment`."""
    local = timezone.localtime(moment)
    day = local.date()
    while True:
        if frequency == ReportFrequency.DAILY:
            candidate = day
        elif frequency == ReportFrequency.WEEKLY:
            candidate = day + timedelta(days=(7 - day.weekday()) % 7)  # a Monday
        else:
            candidate = day if day.day == 1 else _first_of_next_month(day)
        at = timezone.make_aware(datetime.combine(candidate, time(SEND_HOUR)))
        if at > moment:
            return at
        day = candidate + timedelta(days=1)


def _first_of_next_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) + timedelta(days=1)


# --- Validation --------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_schedule", fields={field: [message]})


def roles_allowed_for(slug: str) -> set[str]:
    report = report_get(slug)
    rule = rule_for(PERMISSION_RESOURCE, report.family) if report else None
    return {str(role) for role in rule} if isinstance(rule, frozenset | set) else set()


def _clean(*, report_slug: str, frequency: str, filters: dict, recipient_roles: list) -> dict:
    report = report_get(report_slug)
    if report is None:
        raise _invalid("report", "No report with this name.")
    if frequency not in ReportFrequency.values:
        raise _invalid("frequency", f"One of {', '.join(ReportFrequency.values)}.")
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    unknown = sorted(set(filters) - (set(report.filters) & set(PRESET_FILTERS)))
    if unknown:
        raise _invalid("filters", f"This report does not take: {', '.join(unknown)}.")
    # The same validation as a request's (unknown ward or doctor: 400 on "filters").
    try:
        report_filters_parse({k: str(v) for k, v in filters.items()}, accepted=report.filters)
    except serializers.ValidationError as error:  # naming the filter
        raise ApplicationError(
            "A preset filter is not valid.",
            code="invalid_schedule",
            fields={"filters": error.detail},
        ) from error
    roles = sorted({str(role) for role in recipient_roles or []})
    allowed = roles_allowed_for(report_slug)
    if not roles:
        raise _invalid("recipient_roles", "At least one role receives the report.")
    refused = [role for role in roles if role not in allowed]
    if refused:
        raise _invalid(
            "recipient_roles",
            f"Not allowed to read this report: {', '.join(refused)} "
            f"(allowed: {', '.join(sorted(allowed))}).",
        )
    return {
        "report_slug": report_slug,
        "frequency": frequency,
        "filters": {k: str(v) for k, v in sorted(filters.items())},
        "recipient_roles": roles,
    }


def _audit(*, actor, action, schedule: ReportSchedule, detail: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type="report_schedule",
        object_id=schedule.public_id,
        detail={"report": schedule.report_slug, **(detail or {})},
    )


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def schedule_create(
    *,
    actor,
    report_slug: str,
    frequency: str,
    recipient_roles: list[str],
    filters: dict | None = None,
    active: bool = True,
) -> ReportSchedule:
    data = _clean(
        report_slug=report_slug,
        frequency=frequency,
        filters=filters or {},
        recipient_roles=recipient_roles,
    )
    schedule = ReportSchedule.objects.create(
        **data,
        active=active,
        created_by=actor,
        next_run_at=next_run_after(frequency, timezone.now()),
    )
    _audit(actor=actor, action=AuditAction.CREATE, schedule=schedule, detail=data)
    return schedule


@transaction.atomic
def schedule_update(*, actor, schedule: ReportSchedule, **changes: Any) -> ReportSchedule:
    """Change a schedule's report, frequency, filters, recipients or active flag."""
    schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    data = _clean(
        report_slug=changes.get("report_slug", schedule.report_slug),
        frequency=changes.get("frequency", schedule.frequency),
        filters=changes.get("filters", schedule.filters),
        recipient_roles=changes.get("recipient_roles", schedule.recipient_roles),
    )
    before = {key: getattr(schedule, key) for key in (*data, "active")}
    for key, value in data.items():
        setattr(schedule, key, value)
    if "active" in changes:
        schedule.active = bool(changes["active"])
    if data["frequency"] != before["frequency"] or (schedule.active and not before["active"]):
        schedule.next_run_at = next_run_after(schedule.frequency, timezone.now())
    schedule.save()
    changed = {
        key: getattr(schedule, key) for key in before if getattr(schedule, key) != before[key]
    }
    _audit(actor=actor, action=AuditAction.UPDATE, schedule=schedule, detail={"changed": changed})
    return schedule


def schedule_deactivate(*, actor, schedule: ReportSchedule) -> ReportSchedule:
    return schedule_update(actor=actor, schedule=schedule, active=False)


@transaction.atomic
def schedule_delete(*, actor, schedule: ReportSchedule) -> None:
    """Remove a schedule and its run records (the audit log keeps what was sent)."""
    _audit(actor=actor, action=AuditAction.VOID, schedule=schedule, detail={"deleted": True})
    schedule.runs.all().delete()
    schedule.delete()


def schedule_recipients(schedule: ReportSchedule) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=schedule.recipient_roles)
        .exclude(email="")
        .order_by("email", "id")
    )


def schedule_run(
    *, schedule: ReportSchedule, now: datetime | None = None
) -> ReportScheduleRun | None:
    """Send the schedule's report over the period that ended before today, once. None when
    that period was already sent (or the schedule is gone or inactive)."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (
            ReportSchedule.objects.select_for_update().filter(pk=schedule.pk, active=True).first()
        )
        if schedule is None or report_get(schedule.report_slug) is None:
            return None  # gone, paused, or its report no longer exists
        period_from, period_to = period_before(schedule.frequency, timezone.localdate(now))
        try:
            with transaction.atomic():
                run = ReportScheduleRun.objects.create(
                    schedule=schedule, period_from=period_from, period_to=period_to, ran_at=now
                )
        except IntegrityError:
            run = None  # this period went out already
        schedule.last_run_at = now if run else schedule.last_run_at
        schedule.next_run_at = next_run_after(schedule.frequency, now)
        schedule.save(update_fields=["last_run_at", "next_run_at", "updated_at"])
        if run is None:
            return None
        report = report_get(schedule.report_slug)
        filters = report_filters_parse(
            {**schedule.filters, "date_from": period_from, "date_to": period_to},
            accepted=report.filters,
        )
        result = report.compute(filters, schedule.created_by)
        recipients = schedule_recipients(schedule)
        with exports.report_xlsx_file(result) as handle:
            attachment = handle.read()
        filename = exports.export_filename(result, "xlsx")
        for user in recipients:
            message = EmailMessage(
                subject=f"{result.title}, {period_from.isoformat()} to {period_to.isoformat()}",
                body=(
                    f"The {schedule.get_frequency_display().lower()} report "
                    f'"{result.title}" for {period_from.isoformat()} to '
                    f"{period_to.isoformat()} is attached.\n"
                ),
                to=[user.email],
            )
            message.attach(filename, attachment, exports.XLSX_TYPE)
            message.send()
        run.recipients = len(recipients)
        run.save(update_fields=["recipients"])
        audit_record(
            actor=None,
            actor_username="scheduler",
            action=AuditAction.EXPORT,
            resource_type="report",
            object_id=schedule.report_slug,
            detail={
                "slug": schedule.report_slug,
                "format": "xlsx",
                "schedule": str(schedule.public_id),
                "filters": exports.filters_json(filters),
                "recipients": [u.email for u in recipients],
            },
        )
        return run


def schedules_send_due(*, now: datetime | None = None) -> int:
    """Send every active schedule whose time has come; the number of reports sent."""
    now = now or timezone.now()
    due = ReportSchedule.objects.filter(active=True, next_run_at__lte=now).order_by("pk")
    return sum(1 for schedule in due if schedule_run(schedule=schedule, now=now))
