"""Precomputed daily facts for the reports, and the bookkeeping of how fresh they are.

A summary (hms.reporting.summaries) owns one fact table and rewrites one local day's rows at
a time. `SummaryState.complete_through` is the last day whose rows are known to be complete
(every earlier day is built too); `SummaryDirtyDay` lists days a later change touched, which
are served from live rows until the next refresh rebuilds them.
"""

from django.conf import settings
from django.db import models


class SummaryState(models.Model):
    name = models.CharField(max_length=64, unique=True)
    complete_through = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} complete through {self.complete_through}"


class SummaryDirtyDay(models.Model):
    name = models.CharField(max_length=64)
    day = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "day"]
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="summary_dirty_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day} (dirty)"


class InpatientDailyFact(models.Model):
    """One ward's inpatient day (hms.reporting.reports.inpatient).

    admissions / readmissions: admissions whose first bed was on this ward that day
    (readmissions: the patient left hospital in the 30 days before); discharges / deaths and
    `stay_seconds` (their total length of stay): admissions that ended that day on this ward;
    occupied: beds occupied at the midnight census that ends the day; beds: the ward's beds in
    service when the day was summarised."""

    day = models.DateField()
    ward = models.ForeignKey("inpatient.Ward", on_delete=models.PROTECT, related_name="+")
    admissions = models.PositiveIntegerField(default=0)
    readmissions = models.PositiveIntegerField(default=0)
    discharges = models.PositiveIntegerField(default=0)
    deaths = models.PositiveIntegerField(default=0)
    stay_seconds = models.BigIntegerField(default=0)
    occupied = models.PositiveIntegerField(default=0)
    beds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "ward_id"]
        indexes = [
            models.Index(fields=["day"], name="inpatient_fact_day"),
            models.Index(fields=["ward", "day"], name="inpatient_fact_ward_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["day", "ward"], name="inpatient_fact_unique_day_ward")
        ]

    def __str__(self) -> str:
        return f"Ward {self.ward_id} on {self.day}"


class OutpatientDailyFact(models.Model):
    """One doctor's clinic day (hms.reporting.reports.outpatient): the appointments dated that
    day, by the status they had when the day was summarised, and the teleconsults among them."""

    day = models.DateField()
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointments = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    teleconsults = models.PositiveIntegerField(default=0)
    teleconsults_completed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "doctor_id"]
        indexes = [
            models.Index(fields=["day"], name="outpatient_fact_day"),
            models.Index(fields=["doctor", "day"], name="outpatient_fact_doctor_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "doctor"], name="outpatient_fact_unique_day_doctor"
            )
        ]

    def __str__(self) -> str:
        return f"Doctor {self.doctor_id} on {self.day}"


class OutpatientWaitFact(models.Model):
    """A histogram of waits from check-in to the start of the visit: `visits` of the doctor's
    appointments dated `day` waited `minutes` whole minutes (longer waits are kept in the last
    bucket, hms.reporting.reports.outpatient.WAIT_CAP_MINUTES). Percentiles computed from these
    buckets equal those computed from the live rows at one-minute resolution."""

    day = models.DateField()
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField()
    visits = models.PositiveIntegerField()

    class Meta:
        ordering = ["day", "doctor_id", "minutes"]
        indexes = [
            models.Index(fields=["day"], name="outpatient_wait_day"),
            models.Index(fields=["doctor", "day"], name="outpatient_wait_doctor_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "doctor", "minutes"], name="outpatient_wait_unique_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visits} waited {self.minutes} min ({self.doctor_id}, {self.day})"
