"""The medical record: encounters, visit notes, vital signs, diagnoses, problems, documents.

Nothing here is ever deleted through the application. A mistaken record is *voided*: it keeps
its data, gains voided_at / voided_by / void_reason, drops out of the default manager (so
ordinary lists do not show it) and stays reachable through `all_objects` for the chart and
the timeline, which show it marked as voided. django-simple-history keeps every version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hms.clinical.vitals import VITAL_LIMITS
from hms.core.history import HistoricalRecords
from hms.core.models import VoidableModel, voided_consistent_constraint

# Kept as names of this module: other modules' code and migrations refer to them here.
_voided_consistent = voided_consistent_constraint


class EncounterType(models.TextChoices):
    OUTPATIENT = "outpatient", "Outpatient visit"
    INPATIENT = "inpatient", "Admission (inpatient)"
    TELECONSULT = "teleconsult", "Teleconsultation"
    EMERGENCY = "emergency", "Emergency"


class EncounterStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Encounter(VoidableModel):
    """One contact between a patient and the hospital, led by an attending doctor."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="encounters"
    )
    attending_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attended_encounters"
    )
    type = models.CharField(max_length=16, choices=EncounterType.choices)
    status = models.CharField(
        max_length=8, choices=EncounterStatus.choices, default=EncounterStatus.OPEN
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-started_at"], name="encounter_patient_time"),
            models.Index(fields=["attending_doctor", "status"], name="encounter_doctor_status"),
            models.Index(fields=["status", "-started_at"], name="encounter_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EncounterType.values), name="encounter_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EncounterStatus.values), name="encounter_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="encounter_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status=EncounterStatus.OPEN) | Q(ended_at__isnull=False),
                name="encounter_closed_has_end",
            ),
            _voided_consistent("encounter_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.started_at:%Y-%m-%d} ({self.status})"


class VisitNote(VoidableModel):
    """A doctor's note of a visit, optionally with the prescription as an uploaded document."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="visit_notes"
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_notes"
    )
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="visit_notes"
    )
    # Placeholder until the appointments app exists; becomes a foreign key then.
    appointment_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    visit_date = models.DateTimeField()
    notes = models.TextField()
    prescription = models.ForeignKey(
        "clinical.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["-visit_date", "-id"]
        indexes = [
            models.Index(fields=["patient", "-visit_date"], name="visitnote_patient_time"),
            models.Index(fields=["doctor", "-visit_date"], name="visitnote_doctor_time"),
        ]
        constraints = [_voided_consistent("visitnote_void_consistent")]

    def __str__(self) -> str:
        return f"Visit note {self.visit_date:%Y-%m-%d}"


def _in_range(field: str) -> Q:
    limit = VITAL_LIMITS[field]
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": limit.minimum, f"{field}__lte": limit.maximum}
    )


class VitalSigns(VoidableModel):
    """One set of measurements taken together. BMI is derived from weight and height."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="vitals")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="vitals"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    measured_at = models.DateTimeField()
    systolic_bp = models.PositiveSmallIntegerField(null=True, blank=True, help_text="mmHg")
    diastolic_bp = models.PositiveSmallIntegerField(null=True, blank=True, help_text="mmHg")
    pulse = models.PositiveSmallIntegerField(null=True, blank=True, help_text="beats/min")
    temperature_c = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text="°C"
    )
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True, help_text="%")
    respiratory_rate = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="breaths/min"
    )
    weight_kg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    bmi = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, editable=False, help_text="kg/m²"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name_plural = "vital signs"
        ordering = ["-measured_at", "-id"]
        indexes = [models.Index(fields=["patient", "-measured_at"], name="vitals_patient_time")]
        constraints = [
            *(
                models.CheckConstraint(condition=_in_range(field), name=f"vitals_{field}_range")
                for field in VITAL_LIMITS
            ),
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True)
                | Q(diastolic_bp__isnull=True)
                | Q(systolic_bp__gt=models.F("diastolic_bp")),
                name="vitals_systolic_above_diastolic",
            ),
            models.CheckConstraint(
                condition=~Q(**{f"{field}__isnull": True for field in VITAL_LIMITS}),
                name="vitals_at_least_one_value",
            ),
            _voided_consistent("vitals_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"Vitals {self.measured_at:%Y-%m-%d %H:%M}"


class DiagnosisType(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    CONFIRMED = "confirmed", "Confirmed"


class Diagnosis(VoidableModel):
    """An ICD-10 coded diagnosis made during an encounter."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diagnoses"
    )
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField(max_length=8, db_index=True, help_text="ICD-10 (WHO), e.g. J45.9")
    title = models.CharField(max_length=255, help_text="The WHO title of the code")
    type = models.CharField(
        max_length=12, choices=DiagnosisType.choices, default=DiagnosisType.PROVISIONAL
    )
    notes = models.TextField(blank=True)
    diagnosed_at = models.DateTimeField()
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name_plural = "diagnoses"
        ordering = ["-diagnosed_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-diagnosed_at"], name="diagnosis_patient_time"),
            # The day's diagnoses (the diagnoses report's daily summary).
            models.Index(fields=["diagnosed_at"], name="diagnosis_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=DiagnosisType.values), name="diagnosis_type_valid"
            ),
            _voided_consistent("diagnosis_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.type})"


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"


class Problem(VoidableModel):
    """An entry of the patient's problem list (ongoing conditions across encounters)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="problems"
    )
    code = models.CharField(max_length=8, db_index=True, help_text="ICD-10 (WHO)")
    title = models.CharField(max_length=255)
    status = models.CharField(
        max_length=8, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["status", "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="problem_patient_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="problem_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ProblemStatus.ACTIVE, resolved_date__isnull=True)
                | Q(status=ProblemStatus.RESOLVED, resolved_date__isnull=False),
                name="problem_resolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(onset_date__isnull=True)
                | Q(resolved_date__isnull=True)
                | Q(resolved_date__gte=models.F("onset_date")),
                name="problem_resolved_after_onset",
            ),
            # One active entry per condition; voided entries do not count.
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(status=ProblemStatus.ACTIVE, voided_at__isnull=True),
                name="problem_one_active_per_code",
            ),
            _voided_consistent("problem_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.status})"


class DocumentType(models.TextChoices):
    LAB = "lab", "Lab report"
    SCAN = "scan", "Scan"
    PRESCRIPTION = "prescription", "Prescription"
    OTHER = "other", "Other"


class Document(VoidableModel):
    """An uploaded file of the patient's chart (PDF, PNG, JPEG or DICOM, checked by content)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="documents"
    )
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    appointment_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    doc_type = models.CharField(max_length=16, choices=DocumentType.choices)
    description = models.TextField(blank=True)
    # Stored under MEDIA_ROOT with a random name; served only by the download API.
    file = models.FileField(upload_to="documents/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "doc_type", "-created_at"], name="document_patient_type"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(doc_type__in=DocumentType.values), name="document_type_valid"
            ),
            _voided_consistent("document_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}: {self.original_name}"


# The resource_type of each record in the audit log.
AUDIT_RESOURCE_TYPES: dict[type[VoidableModel], str] = {
    Encounter: "encounter",
    VisitNote: "visit_note",
    VitalSigns: "vital_signs",
    Diagnosis: "diagnosis",
    Problem: "problem",
    Document: "document",
}
