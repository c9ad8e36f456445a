"""The patient registry, care assignments and break-the-glass grants.

Nothing here is hard-deleted: contacts, allergies and insurance policies are voided with a
reason (their default manager hides voided rows; `all_objects` shows them), patients and
allergies keep every version (django-simple-history). Writes go through `services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel
from hms.core.models import VoidableModel as CoreVoidableModel
from hms.patients.encryption import EncryptedTextField


class Sex(models.TextChoices):
    """Administrative sex (FHIR AdministrativeGender)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class BloodGroup(models.TextChoices):
    A_POS = "A+", "A+"
    A_NEG = "A-", "A-"
    B_POS = "B+", "B+"
    B_NEG = "B-", "B-"
    AB_POS = "AB+", "AB+"
    AB_NEG = "AB-", "AB-"
    O_POS = "O+", "O+"
    O_NEG = "O-", "O-"


class MrnCounter(models.Model):
    """The one row the MRN sequence comes from; allocation locks it (SELECT ... FOR UPDATE)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="mrn_counter_singleton")]

    def __str__(self) -> str:
        return f"MRN counter at {self.last_value}"


class Patient(TimeStampedModel):
    mrn = models.CharField("MRN", max_length=16, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    # Search columns, kept in step by the services (hms.patients.names).
    first_name_norm = models.CharField(max_length=100, editable=False)
    last_name_norm = models.CharField(max_length=100, editable=False)
    full_name_norm = models.CharField(max_length=201, editable=False)  # "first last"
    reverse_name_norm = models.CharField(max_length=201, editable=False)  # "last first"
    # Null only for self-registered accounts that did not give it (or unknown, e.g. unconscious).
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=32, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, editable=False)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    national_id = EncryptedTextField(blank=True)
    national_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    blood_group = models.CharField(max_length=3, choices=BloodGroup.choices, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient_chart",
        limit_choices_to={"role": "patient"},
        help_text="The patient's portal account, if any.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "first_name_norm",
            "last_name_norm",
            "full_name_norm",
            "reverse_name_norm",
            "phone_digits",
        ]
    )

    class Meta:
        ordering = ["last_name_norm", "first_name_norm", "id"]
        # Search reads each tier of matches in index order (see selectors.patient_search):
        # a prefix range on the leading column, sorted by the rest, LIMIT one page. On
        # PostgreSQL the normalised columns use the "C" collation (migration 0004), so these
        # plain btree indexes serve both LIKE 'abc%' and ORDER BY.
        indexes = [
            models.Index(fields=["last_name_norm", "first_name_norm", "id"], name="patient_last"),
            models.Index(fields=["first_name_norm", "last_name_norm", "id"], name="patient_first"),
            models.Index(fields=["full_name_norm", "id"], name="patient_full_name"),
            models.Index(fields=["reverse_name_norm", "id"], name="patient_reverse_name"),
            models.Index(fields=["phone_digits", "id"], name="patient_phone"),
            models.Index(fields=["date_of_birth"], name="patient_dob"),
            models.Index(fields=["national_id_hash"], name="patient_national_id_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.mrn} {self.display_name}"

    @property
    def display_name(self) -> str:
        return " ".join(
            part for part in (self.first_name, self.middle_name, self.last_name) if part
        )

    def delete(self, *args, **kwargs):
        raise PermissionError("Patients are never deleted.")


class VoidableModel(CoreVoidableModel):
    """A voidable registry record that also remembers who entered it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(CoreVoidableModel.Meta):
        abstract = True


class EmergencyContact(VoidableModel):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=32)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    is_primary = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta(VoidableModel.Meta):
        ordering = ["-is_primary", "name", "id"]
        indexes = [models.Index(fields=["patient", "voided_at"], name="contact_patient")]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship}) for {self.patient_id}"


class AllergyCategory(models.TextChoices):
    MEDICATION = "medication", "Medication"
    FOOD = "food", "Food"
    ENVIRONMENT = "environment", "Environment"
    BIOLOGIC = "biologic", "Biologic"
    OTHER = "other", "Other"


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    UNKNOWN = "unknown", "Unknown"


class AllergyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class AllergySource(models.TextChoices):
    CLINICIAN = "clinician", "Recorded by staff"
    PATIENT = "patient", "Reported by the patient"


class Allergy(VoidableModel):
    """An allergy or intolerance. Voiding sets the status to entered-in-error.

    One the patient reported from the portal stays "patient-reported" until a doctor or nurse
    confirms it (`confirmed_at`, `confirmed_by`); it counts for the prescribing safety checks
    from the moment it is reported."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=200)
    substance_norm = models.CharField(max_length=200, editable=False)
    category = models.CharField(
        max_length=16, choices=AllergyCategory.choices, default=AllergyCategory.MEDICATION
    )
    reaction = models.CharField(max_length=255, blank=True)
    severity = models.CharField(
        max_length=16, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN
    )
    status = models.CharField(
        max_length=16, choices=AllergyStatus.choices, default=AllergyStatus.ACTIVE
    )
    onset_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(
        max_length=12, choices=AllergySource.choices, default=AllergySource.CLINICIAN
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name_plural = "allergies"
        ordering = ["status", "substance_norm", "id"]
        indexes = [models.Index(fields=["patient", "voided_at"], name="allergy_patient")]
        constraints = [
            # One live record per substance per patient: update it rather than adding another.
            models.UniqueConstraint(
                fields=["patient", "substance_norm"],
                condition=Q(voided_at__isnull=True),
                name="allergy_one_live_per_substance",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, status__in=["active", "inactive"])
                | Q(voided_at__isnull=False, status="entered_in_error"),
                name="allergy_void_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True, confirmed_by__isnull=True)
                | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="allergy_confirmed_has_who",
            ),
            models.CheckConstraint(
                condition=Q(source__in=AllergySource.values), name="allergy_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} ({self.severity}, {self.status})"

    @property
    def patient_reported(self) -> bool:
        """Reported by the patient and not yet confirmed by a doctor or nurse."""
        return self.source == AllergySource.PATIENT and self.confirmed_at is None


class InsurancePolicy(VoidableModel):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="insurance_policies"
    )
    payer = models.CharField(max_length=200)
    plan_name = models.CharField(max_length=200, blank=True)
    policy_number = EncryptedTextField()
    policy_number_hash = models.CharField(max_length=64, editable=False)
    holder_name = models.CharField(max_length=200, blank=True, help_text="Blank: the patient.")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta(VoidableModel.Meta):
        verbose_name_plural = "insurance policies"
        ordering = ["-is_primary", "-valid_from", "id"]
        indexes = [
            models.Index(fields=["patient", "voided_at"], name="insurance_patient"),
            models.Index(fields=["policy_number_hash"], name="insurance_policy_hash"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="insurance_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} policy for {self.patient_id}"


class CareAssignment(TimeStampedModel):
    """A doctor is responsible for a patient until the assignment ends."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_assignments")
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="care_assignments",
        limit_choices_to={"role": "doctor"},
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["doctor", "active"], name="assignment_doctor_active"),
            models.Index(fields=["patient", "active"], name="assignment_patient_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "doctor"],
                condition=Q(active=True),
                name="assignment_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(active=True, ended_at__isnull=True)
                | Q(active=False, ended_at__isnull=False),
                name="assignment_ended_when_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doctor_id} -> {self.patient_id} ({'active' if self.active else 'ended'})"


class BreakGlassGrant(TimeStampedModel):
    """Emergency access of one clinician to one chart for a limited time, reviewed by an admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "patient", "expires_at"], name="breakglass_lookup"),
            models.Index(fields=["reviewed_at", "created_at"], name="breakglass_review"),
        ]

    def __str__(self) -> str:
        return f"Break-glass by {self.user_id} on {self.patient_id} until {self.expires_at}"
