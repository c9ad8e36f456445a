"""An overdue critical alert to a doctor goes to their colleagues on duty: the other doctors of
the same department whose working hours (weekly schedule, leave and extra sessions) include
this moment (hms.core.escalation). Asked after the ward's nurses."""

from django.utils import timezone

from hms.accounts.models import User
from hms.appointments.scheduling import hospital_tz
from hms.appointments.selectors import doctor_day_ranges
from hms.core.escalation import register_escalation_resolver
from hms.core.roles import Role


@register_escalation_resolver("colleagues_on_duty", order=20, audience="a colleague on duty")
def _colleagues_on_duty(notification) -> list:
    recipient = notification.recipient
    department = getattr(getattr(recipient, "doctor_profile", None), "department", "")
    if recipient.role != Role.DOCTOR or not department:
        return []
    now = timezone.localtime(timezone.now(), hospital_tz())
    colleagues = (
        User.objects.filter(role=Role.DOCTOR, is_active=True, doctor_profile__department=department)
        .exclude(pk=recipient.pk)
        .select_related("schedule")
        .order_by("id")
    )
    return [
        colleague
        for colleague in colleagues
        if any(
            block.start <= now.time() < block.end
            for block in doctor_day_ranges(doctor=colleague, day=now.date())[1]
        )
    ]
