"""Wards, rooms and beds; admissions with their bed stays (transfer history) and discharge
summaries; nursing and ICU charts; the medication administration record (MAR).

Invariants held by the database, not only by Python:
- a bed holds at most one active admission, and a patient has at most one active admission
  (partial unique constraints `admission_one_active_per_bed` / `_per_patient`);
- an admission has at most one open bed stay, and a bed at most one open stay;
- a scheduled dose is recorded at most once (`mar_one_record_per_dose`).
The services also lock the bed (and patient) rows, so a lost race answers a clean 409.

Nothing clinical is deleted: chart entries and administrations are voided with a reason
(`VoidableModel` from the medical record), admissions are discharged, beds and wards are
deactivated. Every change of an admission or a discharge summary is a kept version.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel, VoidableModel
from hms.core.models import voided_consistent_constraint as _voided_consistent

# --- Structure -------------------------------------------------------------------------------


class WardType(models.TextChoices):
    GENERAL = "general", "General"
    MEDICAL = "medical", "Medical"
    SURGICAL = "surgical", "Surgical"
    MATERNITY = "maternity", "Maternity"
    PAEDIATRIC = "paediatric", "Paediatric"
    NEONATAL = "neonatal", "Neonatal"
    ICU = "icu", "Intensive care (ICU)"
    HDU = "hdu", "High dependency (HDU)"
    ISOLATION = "isolation", "Isolation"
    PSYCHIATRIC = "psychiatric", "Psychiatric"
    OTHER = "other", "Other"


# The ward types whose days are counted as ICU days (billing) and listed at /api/icu/.
ICU_WARD_TYPES = frozenset({WardType.ICU})


class Ward(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(max_length=16, unique=True, help_text="Short code, e.g. ICU, W3")
    type = models.CharField(max_length=16, choices=WardType.choices)
    floor = models.CharField(max_length=32, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["type", "active"], name="ward_type_active")]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=WardType.values), name="ward_type_valid")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_icu(self) -> bool:
        return self.type in ICU_WARD_TYPES

    def delete(self, *args, **kwargs):
        raise PermissionError("Wards are deactivated, never deleted.")


class Room(TimeStampedModel):
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=64)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["ward_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "name"], name="room_unique_name_in_ward")
        ]

    def __str__(self) -> str:
        return f"{self.ward_id}/{self.name}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Rooms are deactivated, never deleted.")


class BedStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    OCCUPIED = "occupied", "Occupied"
    CLEANING = "cleaning", "Cleaning"
    MAINTENANCE = "maintenance", "Maintenance"
    RESERVED = "reserved", "Reserved"


# Statuses a patient may be admitted or transferred into.
ADMITTABLE_BED_STATUSES = frozenset({BedStatus.AVAILABLE, BedStatus.RESERVED})


class Bed(TimeStampedModel):
    """A bed in a room. `ward` repeats the room's ward (kept in step by the services) so the
    board and the ward filters need no join through rooms. A label names one bed in its ward
    (staff say "bed MED-A-B1-2", not which room it is in), so it is unique per ward. `status`
    is `occupied` exactly when an active admission lies in it (the admission services change
    both under a row lock)."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="beds")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="beds")
    label = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=BedStatus.choices, default=BedStatus.AVAILABLE)
    status_note = models.CharField(max_length=255, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ward_id", "room_id", "label", "id"]
        indexes = [models.Index(fields=["ward", "status"], name="bed_ward_status")]
        constraints = [
            models.UniqueConstraint(fields=["ward", "label"], name="bed_unique_label_in_ward"),
            models.CheckConstraint(
                condition=Q(status__in=BedStatus.values), name="bed_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Bed {self.label} ({self.status})"

    def delete(self, *args, **kwargs):
        raise PermissionError("Beds are deactivated, never deleted.")


class NurseWardAssignment(TimeStampedModel):
    """A nurse works on a ward from `starts_on` to `ends_on` (inclusive; open-ended when
    empty). Managed by admins. While it runs, the patients lying on that ward are in the nurse's
    care (hms.inpatient.care), so the nurse may chart for them without break-the-glass."""

    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ward_assignments"
    )
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="nurse_assignments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["ward_id", "starts_on", "id"]
        indexes = [
            models.Index(fields=["nurse", "starts_on"], name="nurse_assignment_nurse"),
            models.Index(fields=["ward", "starts_on"], name="nurse_assignment_ward"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="nurse_assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Nurse {self.nurse_id} on ward {self.ward_id} from {self.starts_on}"


# --- Admissions ------------------------------------------------------------------------------


class AdmissionStatus(models.TextChoices):
    ACTIVE = "active", "Admitted"
    DISCHARGED = "discharged", "Discharged"


class AdmissionType(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    ELECTIVE = "elective", "Elective"
    MATERNITY = "maternity", "Maternity"
    TRANSFER_IN = "transfer_in", "Transfer from another hospital"


class DischargeDisposition(models.TextChoices):
    HOME = "home", "Home"
    TRANSFERRED = "transferred", "Transferred to another facility"
    SELF_DISCHARGE = "self_discharge", "Self-discharge (against medical advice)"
    DECEASED = "deceased", "Deceased"
    OTHER = "other", "Other"


class Admission(TimeStampedModel):
    """One inpatient stay, from admission to discharge. Opens an inpatient encounter in the
    medical record (closed at discharge). `ward`/`bed` are where the patient lies now (the last
    bed after discharge); the way there is in `stays`."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="admissions"
    )
    encounter = models.OneToOneField(
        "clinical.Encounter", on_delete=models.PROTECT, related_name="admission"
    )
    attending_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attended_admissions"
    )
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="admissions")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="admissions")
    status = models.CharField(
        max_length=16, choices=AdmissionStatus.choices, default=AdmissionStatus.ACTIVE
    )
    admission_type = models.CharField(
        max_length=16, choices=AdmissionType.choices, default=AdmissionType.EMERGENCY
    )
    reason = models.TextField()
    admitted_at = models.DateTimeField()
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # NEWS2 SpO2 scale: 1 unless a doctor prescribes scale 2 (hypercapnic respiratory failure).
    spo2_scale = models.PositiveSmallIntegerField(default=1)
    spo2_scale_reason = models.CharField(max_length=255, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discharge_disposition = models.CharField(
        max_length=16, choices=DischargeDisposition.choices, blank=True
    )
    discharge_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-admitted_at", "-id"]
        indexes = [
            models.Index(fields=["ward", "status"], name="admission_ward_status"),
            models.Index(fields=["attending_doctor", "status"], name="admission_doctor_status"),
            models.Index(fields=["patient", "-admitted_at"], name="admission_patient_time"),
            models.Index(fields=["status", "-admitted_at"], name="admission_status_time"),
            models.Index(fields=["discharged_at"], name="admission_discharged_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"],
                condition=Q(status="active"),
                name="admission_one_active_per_bed",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                name="admission_one_active_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AdmissionStatus.values), name="admission_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active", discharged_at__isnull=True)
                | Q(status="discharged", discharged_at__gte=F("admitted_at")),
                name="admission_discharge_consistent",
            ),
            models.CheckConstraint(
                condition=Q(spo2_scale__in=[1, 2]), name="admission_spo2_scale_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Admission of {self.patient_id} on {self.admitted_at:%Y-%m-%d} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == AdmissionStatus.ACTIVE

    def delete(self, *args, **kwargs):
        raise PermissionError("Admissions are discharged, never deleted.")


class StayKind(models.TextChoices):
    ADMISSION = "admission", "Admission"
    TRANSFER = "transfer", "Transfer"
    ICU_ADMISSION = "icu_admission", "Admission to ICU"
    ICU_DISCHARGE = "icu_discharge", "Discharge from ICU"


class BedStay(TimeStampedModel):
    """The admission lay in `bed` (on `ward`) from `started_at` until `ended_at`. The first
    stay starts with the admission; each transfer ends one and starts the next; discharge ends
    the last. Bed-days and ICU days are counted from these rows."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="stays")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="stays")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="stays")
    kind = models.CharField(max_length=16, choices=StayKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["admission_id", "started_at", "id"]
        indexes = [
            models.Index(fields=["admission", "started_at"], name="stay_admission_time"),
            models.Index(fields=["ward", "started_at"], name="stay_ward_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["admission"],
                condition=Q(ended_at__isnull=True),
                name="stay_one_open_per_admission",
            ),
            models.UniqueConstraint(
                fields=["bed"], condition=Q(ended_at__isnull=True), name="stay_one_open_per_bed"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="stay_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(kind__in=StayKind.values), name="stay_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Stay of admission {self.admission_id} in bed {self.bed_id} from {self.started_at}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Bed stays are history; they are never deleted.")


class DischargeSummaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Signed"


class DischargeSummary(TimeStampedModel):
    """Written by a doctor before discharge: ICD-10 diagnoses (`[{code, title}]`, at least
    one), procedures (`[str]`), medications on discharge (`[{drug, dose, frequency, duration,
    instructions}]`), the follow-up plan (with an optional date and clinic) and instructions
    for the patient. Empty lists mean "none" and are stated explicitly. A draft may be
    incomplete; signing checks it is complete, and only a signed summary lets the ward
    discharge the patient. Amendments keep every version."""

    admission = models.OneToOneField(
        Admission, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    status = models.CharField(
        max_length=8, choices=DischargeSummaryStatus.choices, default=DischargeSummaryStatus.DRAFT
    )
    diagnoses = models.JSONField(default=list)
    procedures = models.JSONField(default=list)
    medications_on_discharge = models.JSONField(default=list)
    follow_up = models.TextField(blank=True)
    follow_up_date = models.DateField(null=True, blank=True)
    follow_up_clinic = models.CharField(max_length=120, blank=True)
    instructions = models.TextField(blank=True)
    hospital_course = models.TextField(blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "discharge summaries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True)
                | Q(status="final", signed_at__isnull=False, signed_by__isnull=False),
                name="discharge_summary_signed_when_final",
            )
        ]

    def __str__(self) -> str:
        return f"Discharge summary of admission {self.admission_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Discharge summaries are amended, never deleted.")


# --- Charts ----------------------------------------------------------------------------------


class Consciousness(models.TextChoices):
    """ACVPU, as on the NEWS2 chart."""

    ALERT = "A", "Alert"
    CONFUSION = "C", "New confusion"
    VOICE = "V", "Responds to voice"
    PAIN = "P", "Responds to pain"
    UNRESPONSIVE = "U", "Unresponsive"


class News2Risk(models.TextChoices):
    LOW = "low", "Low (0-4)"
    LOW_MEDIUM = "low_medium", "Low-medium (3 in a single parameter)"
    MEDIUM = "medium", "Medium (5-6)"
    HIGH = "high", "High (7 or more)"


class Observation(VoidableModel):
    """One set of vital signs on the observation chart, scored with NEWS2 (hms.inpatient.news2).
    The measurements also go into the medical record as a `clinical.VitalSigns` row."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="observations")
    vital_signs = models.OneToOneField(
        "clinical.VitalSigns",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inpatient_observation",
    )
    measured_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    respiratory_rate = models.PositiveSmallIntegerField(help_text="breaths/min")
    spo2 = models.PositiveSmallIntegerField(help_text="%")
    on_oxygen = models.BooleanField(default=False)
    oxygen_flow_l_min = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    oxygen_device = models.CharField(max_length=32, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(help_text="mmHg")
    diastolic_bp = models.PositiveSmallIntegerField(help_text="mmHg")
    pulse = models.PositiveSmallIntegerField(help_text="beats/min")
    consciousness = models.CharField(max_length=1, choices=Consciousness.choices)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, help_text="°C")
    spo2_scale = models.PositiveSmallIntegerField(default=1)
    news2_score = models.PositiveSmallIntegerField()
    news2_risk = models.CharField(max_length=16, choices=News2Risk.choices)
    news2_single_three = models.BooleanField(default=False)
    news2_components = models.JSONField(default=dict)
    alert_sent = models.BooleanField(default=False)

    class Meta(VoidableModel.Meta):
        ordering = ["-measured_at", "-id"]
        indexes = [models.Index(fields=["admission", "measured_at"], name="observation_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(spo2_scale__in=[1, 2]), name="observation_spo2_scale_valid"
            ),
            models.CheckConstraint(
                condition=Q(news2_risk__in=News2Risk.values), name="observation_risk_valid"
            ),
            models.CheckConstraint(
                condition=Q(consciousness__in=Consciousness.values),
                name="observation_consciousness_valid",
            ),
            models.CheckConstraint(condition=Q(spo2__lte=100), name="observation_spo2_range"),
            _voided_consistent("observation_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"Observations {self.measured_at:%Y-%m-%d %H:%M} NEWS2 {self.news2_score}"


class FluidDirection(models.TextChoices):
    IN = "in", "Intake"
    OUT = "out", "Output"


class FluidKind(models.TextChoices):
    ORAL = "oral", "Oral"
    IV = "iv", "Intravenous"
    ENTERAL = "enteral", "Enteral (tube feed)"
    BLOOD = "blood", "Blood product"
    URINE = "urine", "Urine"
    DRAIN = "drain", "Drain"
    VOMIT = "vomit", "Vomit"
    STOOL = "stool", "Stool"
    NG_ASPIRATE = "ng_aspirate", "NG aspirate"
    OTHER = "other", "Other"


FLUID_KINDS_BY_DIRECTION = {
    FluidDirection.IN: frozenset(
        {FluidKind.ORAL, FluidKind.IV, FluidKind.ENTERAL, FluidKind.BLOOD, FluidKind.OTHER}
    ),
    FluidDirection.OUT: frozenset(
        {
            FluidKind.URINE,
            FluidKind.DRAIN,
            FluidKind.VOMIT,
            FluidKind.STOOL,
            FluidKind.NG_ASPIRATE,
            FluidKind.OTHER,
        }
    ),
}
MAX_FLUID_ENTRY_ML = 10_000


class FluidEntry(VoidableModel):
    """One line of the fluid balance chart: volume in or out."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="fluids")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=FluidDirection.choices)
    kind = models.CharField(max_length=16, choices=FluidKind.choices)
    volume_ml = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)

    class Meta(VoidableModel.Meta):
        verbose_name_plural = "fluid entries"
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["admission", "recorded_at"], name="fluid_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(volume_ml__gte=1, volume_ml__lte=MAX_FLUID_ENTRY_ML),
                name="fluid_volume_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    direction=FluidDirection.IN,
                    kind__in=sorted(FLUID_KINDS_BY_DIRECTION[FluidDirection.IN]),
                )
                | Q(
                    direction=FluidDirection.OUT,
                    kind__in=sorted(FLUID_KINDS_BY_DIRECTION[FluidDirection.OUT]),
                ),
                name="fluid_kind_matches_direction",
            ),
            _voided_consistent("fluid_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.volume_ml} ml {self.kind}"


class GcsAssessment(VoidableModel):
    """Glasgow Coma Scale: eyes 1-4, verbal 1-5, motor 1-6; total 3-15."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="gcs")
    assessed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    eye = models.PositiveSmallIntegerField()
    verbal = models.PositiveSmallIntegerField()
    motor = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    pupils = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta(VoidableModel.Meta):
        verbose_name = "GCS assessment"
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["admission", "assessed_at"], name="gcs_time")]
        constraints = [
            models.CheckConstraint(condition=Q(eye__gte=1, eye__lte=4), name="gcs_eye_range"),
            models.CheckConstraint(
                condition=Q(verbal__gte=1, verbal__lte=5), name="gcs_verbal_range"
            ),
            models.CheckConstraint(condition=Q(motor__gte=1, motor__lte=6), name="gcs_motor_range"),
            models.CheckConstraint(
                condition=Q(total=F("eye") + F("verbal") + F("motor")), name="gcs_total_is_sum"
            ),
            _voided_consistent("gcs_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"GCS {self.total} (E{self.eye} V{self.verbal} M{self.motor})"


class NursingNote(VoidableModel):
    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="nursing_notes")
    written_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["admission", "written_at"], name="nursing_note_time")]
        constraints = [_voided_consistent("nursing_note_void_consistent")]

    def __str__(self) -> str:
        return f"Nursing note {self.written_at:%Y-%m-%d %H:%M}"


# --- Medication administration record ----------------------------------------------------------


class AdministrationStatus(models.TextChoices):
    GIVEN = "given", "Given"
    HELD = "held", "Held"
    REFUSED = "refused", "Refused"


class MedicationAdministration(VoidableModel):
    """What happened to one dose of a prescription item: given, held or refused. Scheduled
    doses carry their `scheduled_at` (one record per dose, by constraint); an as-needed (PRN)
    administration has none."""

    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, related_name="administrations"
    )
    prescription_item = models.ForeignKey(
        "pharmacy.PrescriptionItem", on_delete=models.PROTECT, related_name="administrations"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=AdministrationStatus.choices)
    administered_at = models.DateTimeField(help_text="When it was given, held or refused.")
    dose = models.CharField(max_length=64, blank=True, help_text="As given, e.g. 500 mg")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(VoidableModel.Meta):
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(fields=["admission", "scheduled_at"], name="mar_admission_scheduled"),
            models.Index(fields=["admission", "administered_at"], name="mar_admission_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription_item", "scheduled_at"],
                condition=Q(scheduled_at__isnull=False, voided_at__isnull=True),
                name="mar_one_record_per_dose",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AdministrationStatus.values), name="mar_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=AdministrationStatus.GIVEN) | ~Q(reason=""),
                name="mar_held_or_refused_has_reason",
            ),
            _voided_consistent("mar_void_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.prescription_item_id} at {self.administered_at}"
