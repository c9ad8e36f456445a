"""The doctor's own schedule, read-only: weekly hours, slot length, and the leave, holidays and
extra sessions ahead. The front desk edits it (Schedules in the desktop client)."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from hms.appointments import selectors as appointment_selectors
from hms.appointments.models import Weekday
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import paginate, portal_page, table_permission

# How far ahead the list of days off and extra sessions looks.
SCHEDULE_HORIZON = timedelta(days=366)


def weekly_hours(schedule) -> list[dict]:
    """Each weekday, Monday first, with its working blocks (none: a day off)."""
    blocks = list(schedule.blocks.all()) if schedule is not None else []
    return [
        {
            "name": label,
            "blocks": sorted((b for b in blocks if b.weekday == value), key=lambda b: b.start_time),
        }
        for value, label in Weekday.choices
    ]


@portal_page(WORKSPACE_ROLES)
@table_permission("doctor_schedules", "read")
def workspace_schedule(request):
    today = timezone.localdate()
    schedule = appointment_selectors.schedule_for(doctor=request.user)
    ahead = appointment_selectors.schedule_exception_list(
        doctor=request.user, start=today, end=today + SCHEDULE_HORIZON
    )
    context = {
        "schedule": schedule,
        "week": weekly_hours(schedule),
        "page": paginate(request, ahead),
        "today": today,
    }
    return render(request, "web/workspace/schedule.html", context)
