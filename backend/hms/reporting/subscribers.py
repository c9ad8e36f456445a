"""What reporting does when the clinical apps say something happened (hms.core.events).

A change to a past day makes that day's summary rows stale: the day is marked dirty (the
reports serve it from live rows at once) and a refresh of the dirty days is queued once the
change commits. Subscribed in ReportingConfig.ready(); other summaries subscribe the same way.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from hms.appointments.events import AppointmentCompleted
from hms.core.events import subscribe
from hms.inpatient.events import AdmissionDischarged
from hms.reporting import summaries


def queue_dirty_refresh() -> None:
    """Refresh the dirty days once the current transaction commits."""
    from hms.reporting.tasks import refresh_dirty_report_summaries

    transaction.on_commit(refresh_dirty_report_summaries.delay)


def mark_days_dirty(name: str, first: date, last: date) -> None:
    summaries.mark_dirty_range(name, first, last)
    queue_dirty_refresh()


def on_admission_discharged(event: AdmissionDischarged) -> None:
    """Every day of the stay: its census (the last bed stay closed), its discharge and length
    of stay, and an admission recorded late all change with it."""
    admission = event.admission
    first = timezone.localdate(admission.admitted_at)
    last = timezone.localdate(admission.discharged_at or timezone.now())
    mark_days_dirty("inpatient_daily", first, last)


def on_appointment_completed(event: AppointmentCompleted) -> None:
    day = event.appointment.date
    mark_days_dirty("outpatient_daily", day, day)


def subscribe_reporting() -> None:
    subscribe(AdmissionDischarged, on_admission_discharged)
    subscribe(AppointmentCompleted, on_appointment_completed)
