"""Precomputed daily facts for the reports, and the bookkeeping of how fresh they are.

A summary (hms.reporting.summaries) owns one fact table and rewrites one local day's rows at
a time. `SummaryState.complete_through` is the last day whose rows are known to be complete
(every earlier day is built too); `SummaryDirtyDay` lists days a later change touched, which
are served from live rows until the next refresh rebuilds them.
"""

from django.conf import settings
from django.db import models

from hms.core.models import TimeStampedModel


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


# --- Fact tables of the diagnostics, clinical, pharmacy and governance reports --------------
# Each holds one summary's facts (hms.reporting.facts): rows of one local day are deleted and
# rewritten together. `minutes` is a histogram of waits in whole minutes ({"45": 2}).


class LabDailyFact(models.Model):
    """Per day and test: orders placed, orders verified and their turnaround."""

    day = models.DateField()
    test = models.ForeignKey("laboratory.LabTest", on_delete=models.CASCADE, related_name="+")
    ordered = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    minutes = models.JSONField(default=dict)

    class Meta:
        ordering = ["day", "test_id"]
        indexes = [models.Index(fields=["day"], name="labfact_day")]
        constraints = [
            models.UniqueConstraint(fields=["day", "test"], name="labfact_day_test_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} test {self.test_id}: {self.ordered} ordered"


class RadiologyDailyFact(models.Model):
    """Per day and modality: orders placed, orders reported and their turnaround."""

    day = models.DateField()
    modality = models.CharField(max_length=8)
    ordered = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    minutes = models.JSONField(default=dict)

    class Meta:
        ordering = ["day", "modality"]
        indexes = [models.Index(fields=["day"], name="radiologyfact_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "modality"], name="radiologyfact_day_modality_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.modality}: {self.ordered} ordered"


class CriticalResultDailyFact(models.Model):
    """Per day and source (lab, radiology): critical alerts raised, acknowledged and the
    time from alert to acknowledgement."""

    day = models.DateField()
    source = models.CharField(max_length=16)
    raised = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    minutes = models.JSONField(default=dict)

    class Meta:
        ordering = ["day", "source"]
        indexes = [models.Index(fields=["day"], name="criticalfact_day")]
        constraints = [
            models.UniqueConstraint(fields=["day", "source"], name="criticalfact_day_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.raised} raised"


class DiagnosisDailyFact(models.Model):
    """Per day, ICD-10 code, diagnosing doctor, age band and sex: diagnoses made (read for the
    doctor filter, through the (doctor, day) index)."""

    day = models.DateField()
    code = models.CharField(max_length=8)
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    age_band = models.CharField(max_length=8)
    sex = models.CharField(max_length=16)
    diagnoses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "code"]
        indexes = [
            models.Index(fields=["day"], name="diagnosisfact_day"),
            models.Index(fields=["doctor", "day"], name="diagnosisfact_doctor_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "code", "doctor", "age_band", "sex"],
                name="diagnosisfact_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.code}: {self.diagnoses}"


class DiagnosisDepartmentDailyFact(models.Model):
    """Per department (its name in lower case, for a case-insensitive match), day, ICD-10
    code, age band and sex: diagnoses made by the department's doctors (the department of
    the doctor when the day was summarised)."""

    department = models.CharField(max_length=100)
    day = models.DateField()
    code = models.CharField(max_length=8)
    age_band = models.CharField(max_length=8)
    sex = models.CharField(max_length=16)
    diagnoses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["department", "day", "code"]
        indexes = [models.Index(fields=["day"], name="diagnosisdeptfact_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "code", "age_band", "sex"],
                name="diagnosisdeptfact_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.day} {self.code}: {self.diagnoses}"


class DiagnosisDailyTotal(models.Model):
    """Per day, ICD-10 code, age band and sex: diagnoses made by anyone (the unfiltered
    report's facts: a few hundred rows a day instead of one per doctor)."""

    day = models.DateField()
    code = models.CharField(max_length=8)
    age_band = models.CharField(max_length=8)
    sex = models.CharField(max_length=16)
    diagnoses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "code", "age_band", "sex"], name="diagnosistotal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.code}: {self.diagnoses}"


class MedicineDailyFact(models.Model):
    """Per day and drug: units dispensed and units handed back."""

    day = models.DateField()
    drug = models.ForeignKey("pharmacy.Drug", on_delete=models.CASCADE, related_name="+")
    dispensed = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "drug_id"]
        indexes = [models.Index(fields=["day"], name="medicinefact_day")]
        constraints = [
            models.UniqueConstraint(fields=["day", "drug"], name="medicinefact_day_drug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} drug {self.drug_id}: {self.dispensed} dispensed"


class DeniedAccessDailyFact(models.Model):
    """Per day, resource and role of the user refused: refused requests (audit log)."""

    day = models.DateField()
    resource_type = models.CharField(max_length=64)
    actor_role = models.CharField(max_length=32)
    denied = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "resource_type", "actor_role"]
        indexes = [models.Index(fields=["day"], name="deniedfact_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "resource_type", "actor_role"], name="deniedfact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.resource_type} {self.actor_role}: {self.denied}"


class ChartReadDailyFact(models.Model):
    """Per day, staff user and patient (public id, never shown): chart reads (audit log)."""

    day = models.DateField()
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient_id = models.CharField(max_length=64)
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "reader_id"]
        indexes = [models.Index(fields=["day"], name="chartreadfact_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "reader", "patient_id"], name="chartreadfact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} reader {self.reader_id}: {self.reads}"


# --- Finance facts (hms.reporting.reports.finance) --------------------------------------------


class FinanceRevenueDailyFact(models.Model):
    """Invoiced revenue of one local day and tariff category: lines of invoices issued that
    day less those of issued invoices voided that day (so a past day never changes)."""

    day = models.DateField()
    category = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.IntegerField()

    class Meta:
        ordering = ["day", "category"]
        indexes = [models.Index(fields=["day"], name="finance_revenue_fact_day")]
        constraints = [
            models.UniqueConstraint(fields=["day", "category"], name="finance_revenue_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.amount}"


class FinanceCashDailyFact(models.Model):
    """Payments received and refunds given back on one local day, by payment method."""

    day = models.DateField()
    method = models.CharField(max_length=16)
    payments = models.IntegerField(default=0)
    received = models.DecimalField(max_digits=16, decimal_places=2)
    refunds = models.IntegerField(default=0)
    refunded = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["day", "method"]
        indexes = [models.Index(fields=["day"], name="finance_cash_fact_day")]
        constraints = [
            models.UniqueConstraint(fields=["day", "method"], name="finance_cash_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.method} {self.received} - {self.refunded}"


# --- Scheduled reports (hms.reporting.services) -----------------------------------------------


class ReportFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class ReportSchedule(TimeStampedModel):
    """A report e-mailed as XLSX to the holders of some roles, over each past period."""

    report_slug = models.CharField(max_length=64)
    frequency = models.CharField(max_length=16, choices=ReportFrequency.choices)
    # Preset filters besides the dates (ward / doctor by public id, department, payer).
    filters = models.JSONField(default=dict, blank=True)
    recipient_roles = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report_slug", "id"]
        indexes = [models.Index(fields=["active", "next_run_at"], name="report_schedule_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=ReportFrequency.values),
                name="report_schedule_frequency_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_slug} {self.frequency}"


class ReportScheduleRun(models.Model):
    """One period of a schedule, sent. Unique per (schedule, period start): never twice."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="runs")
    period_from = models.DateField()
    period_to = models.DateField()
    ran_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_from"], name="report_schedule_run_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_from}..{self.period_to}"
