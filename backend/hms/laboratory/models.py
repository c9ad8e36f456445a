"""The laboratory: test catalog (LOINC), reference ranges, orders, results, HL7 messages.

Catalog: a `LabTest` is one analyte (numeric or text) or a panel of analytes. Its reference
ranges are per sex and age band, each with optional critical limits; the starter catalog is
shipped in `data/` and loaded by a data migration (`manage.py load_lab_catalog` reloads it).

Orders: one `LabOrder` per ordered test or panel, for one patient, moving
ordered → specimen_collected → in_progress → resulted → verified (or cancelled before it is
resulted). Results: one `LabResult` row per analyte and *version*. Before verification the
pending version is corrected in place (every change kept by django-simple-history); after
verification a correction is a new version that `amends` the verified one, which is kept as it
was and marked superseded when the amendment is verified. Nothing here is ever deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel


class SpecimenType(models.TextChoices):
    WHOLE_BLOOD = "whole_blood", "Whole blood (EDTA)"
    SERUM_PLASMA = "serum_plasma", "Serum or plasma"
    URINE = "urine", "Urine"


class LabTestKind(models.TextChoices):
    NUMERIC = "numeric", "Numeric"
    TEXT = "text", "Text (qualitative)"
    PANEL = "panel", "Panel"


class LabDepartment(models.TextChoices):
    """The laboratory section that runs a test, in the order the order page shows them."""

    BIOCHEMISTRY = "biochemistry", "Biochemistry"
    HAEMATOLOGY = "haematology", "Haematology"
    IMMUNOLOGY = "immunology", "Immunology and serology"
    MICROBIOLOGY = "microbiology", "Microbiology"
    URINALYSIS = "urinalysis", "Urinalysis"
    OTHER = "other", "Other tests"


class LabTest(TimeStampedModel):
    """One orderable test: an analyte with its unit, or a panel of analytes."""

    code = models.CharField(max_length=16, unique=True, help_text="Local short code, e.g. HGB")
    loinc_code = models.CharField("LOINC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    specimen_type = models.CharField(max_length=16, choices=SpecimenType.choices)
    kind = models.CharField(max_length=8, choices=LabTestKind.choices)
    department = models.CharField(
        max_length=16, choices=LabDepartment.choices, default=LabDepartment.OTHER
    )
    # UCUM unit of numeric results; blank for text results, panels and unitless numbers.
    unit = models.CharField(max_length=32, blank=True)
    decimals = models.PositiveSmallIntegerField(default=1)
    # Other units accepted on entry: {"mmol/L": "18.016"} means value(unit) = value x 18.016.
    alt_units = models.JSONField(default=dict, blank=True)
    # Text tests: the accepted answers (empty: free text) and the normal ones.
    allowed_values = models.JSONField(default=list, blank=True)
    normal_values = models.JSONField(default=list, blank=True)
    # Other codes an interface may send for this test (e.g. the moles/volume LOINC).
    alias_codes = models.JSONField(default=list, blank=True)
    components = models.ManyToManyField(
        "self", through="PanelComponent", symmetrical=False, related_name="panels", blank=True
    )
    active = models.BooleanField(default=True)
    # What the order page's search reads: local code, name and LOINC code normalised like
    # names ("hgb hemoglobin 718 7"); set by the catalog loader and the data migrations. A
    # btree serves prefixes everywhere; on PostgreSQL a trigram GIN index serves substrings.
    search_text = models.CharField(max_length=300, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["active", "department", "name"], name="labtest_department_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LabTestKind.values), name="labtest_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(specimen_type__in=SpecimenType.values),
                name="labtest_specimen_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} (LOINC {self.loinc_code})"

    @property
    def is_panel(self) -> bool:
        return self.kind == LabTestKind.PANEL


class PanelComponent(models.Model):
    panel = models.ForeignKey(LabTest, on_delete=models.CASCADE, related_name="component_links")
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="panel_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["panel_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "test"], name="panel_component_unique"),
            models.CheckConstraint(
                condition=~Q(panel=models.F("test")), name="panel_component_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel_id}[{self.position}] = {self.test_id}"


class RangeSex(models.TextChoices):
    ANY = "any", "Any"
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class ReferenceRange(models.Model):
    """The reference interval (and critical limits) of an analyte for a sex and an age band.

    The band is [age_from, age_to): `age_from`/`age_to` are "<n>d", "<n>m" or "<n>y" (days,
    calendar months, calendar years since birth); blank means open. Either bound of the
    interval may be empty (e.g. HDL has only a lower limit), and a band may carry only
    critical limits (e.g. bilirubin in neonates).
    """

    test = models.ForeignKey(LabTest, on_delete=models.CASCADE, related_name="reference_ranges")
    sex = models.CharField(max_length=8, choices=RangeSex.choices, default=RangeSex.ANY)
    age_from = models.CharField(max_length=8, blank=True)
    age_to = models.CharField(max_length=8, blank=True)
    low = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["test_id", "sex", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=models.F("high")),
                name="range_low_not_above_high",
            ),
            models.CheckConstraint(
                condition=Q(critical_low__isnull=True)
                | Q(low__isnull=True)
                | Q(critical_low__lte=models.F("low")),
                name="range_critical_low_below_low",
            ),
            models.CheckConstraint(
                condition=Q(critical_high__isnull=True)
                | Q(high__isnull=True)
                | Q(critical_high__gte=models.F("high")),
                name="range_critical_high_above_high",
            ),
            models.CheckConstraint(condition=Q(sex__in=RangeSex.values), name="range_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.test_id} {self.sex} [{self.age_from or '0'}, {self.age_to or '∞'})"


# --- Orders ----------------------------------------------------------------------------------


class LabOrderStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    SPECIMEN_COLLECTED = "specimen_collected", "Specimen collected"
    IN_PROGRESS = "in_progress", "In progress"
    RESULTED = "resulted", "Resulted"
    VERIFIED = "verified", "Verified"
    CANCELLED = "cancelled", "Cancelled"


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    LabOrderStatus.ORDERED: frozenset(
        {LabOrderStatus.SPECIMEN_COLLECTED, LabOrderStatus.CANCELLED}
    ),
    LabOrderStatus.SPECIMEN_COLLECTED: frozenset(
        {LabOrderStatus.IN_PROGRESS, LabOrderStatus.CANCELLED}
    ),
    LabOrderStatus.IN_PROGRESS: frozenset({LabOrderStatus.RESULTED, LabOrderStatus.CANCELLED}),
    LabOrderStatus.RESULTED: frozenset({LabOrderStatus.VERIFIED}),
    LabOrderStatus.VERIFIED: frozenset(),
    LabOrderStatus.CANCELLED: frozenset(),
}
OPEN_STATUSES = [
    LabOrderStatus.ORDERED,
    LabOrderStatus.SPECIMEN_COLLECTED,
    LabOrderStatus.IN_PROGRESS,
    LabOrderStatus.RESULTED,
]


class LabPriority(models.TextChoices):
    STAT = "stat", "STAT"
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


# The worklist sorts STAT first; the rank is stored so the sort can use an index.
PRIORITY_RANK = {LabPriority.STAT: 0, LabPriority.URGENT: 1, LabPriority.ROUTINE: 2}


class LabOrder(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lab_orders"
    )
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="orders")
    # Placer order number (HMS's own, sent to analysers/LIS); filler number (the lab's).
    placer_number = models.CharField(max_length=22, unique=True, editable=False)
    filler_number = models.CharField(max_length=22, blank=True)
    priority = models.CharField(
        max_length=8, choices=LabPriority.choices, default=LabPriority.ROUTINE
    )
    priority_rank = models.PositiveSmallIntegerField(default=PRIORITY_RANK[LabPriority.ROUTINE])
    status = models.CharField(
        max_length=20, choices=LabOrderStatus.choices, default=LabOrderStatus.ORDERED
    )
    # The doctor responsible for the order, who receives the results.
    ordering_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lab_orders_as_doctor"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    encounter = models.ForeignKey(
        "clinical.Encounter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lab_orders",
    )
    clinical_notes = models.TextField(blank=True)
    ordered_at = models.DateTimeField()
    collected_at = models.DateTimeField(null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Turnaround time: ordered → verified.
    turnaround = models.DurationField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    # Any current result (verified or not) is critical: the worklist shows these first.
    has_critical = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority_rank", "ordered_at", "id"]
        indexes = [
            models.Index(
                fields=["status", "priority_rank", "ordered_at"], name="laborder_worklist"
            ),
            models.Index(fields=["priority_rank", "ordered_at"], name="laborder_priority"),
            models.Index(fields=["ordered_at"], name="laborder_ordered_at"),
            models.Index(fields=["patient", "ordered_at"], name="laborder_patient"),
            models.Index(fields=["ordering_doctor", "ordered_at"], name="laborder_doctor"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["filler_number"],
                condition=~Q(filler_number=""),
                name="laborder_filler_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=LabOrderStatus.values), name="laborder_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority="stat", priority_rank=0)
                | Q(priority="urgent", priority_rank=1)
                | Q(priority="routine", priority_rank=2),
                name="laborder_priority_rank_matches",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | Q(cancelled_at__isnull=False, cancelled_by__isnull=False),
                name="laborder_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified")
                | Q(verified_at__isnull=False, verified_by__isnull=False, turnaround__isnull=False),
                name="laborder_verified_has_verifier",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=["specimen_collected", "in_progress", "resulted", "verified"]
                )
                | Q(collected_at__isnull=False),
                name="laborder_collected_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placer_number} {self.test_id} for {self.patient_id} ({self.status})"

    def delete(self, *args, **kwargs):
        raise PermissionError("Lab orders are cancelled, never deleted.")


# --- Results ---------------------------------------------------------------------------------


class ResultFlag(models.TextChoices):
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"
    HIGH = "high", "High"
    CRITICAL_LOW = "critical_low", "Critically low"
    CRITICAL_HIGH = "critical_high", "Critically high"
    ABNORMAL = "abnormal", "Abnormal"
    # No reference interval applies (none for this age, or unknown sex with no common range).
    NONE = "", "No reference range"


CRITICAL_FLAGS = frozenset({ResultFlag.CRITICAL_LOW, ResultFlag.CRITICAL_HIGH})


class ResultSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    HL7 = "hl7", "HL7 v2 interface"


class Hl7Message(TimeStampedModel):
    """An accepted inbound HL7 v2 message (rejected ones are only audited: nothing stored)."""

    control_id = models.CharField(max_length=64)
    sending_application = models.CharField(max_length=180, blank=True)
    sending_facility = models.CharField(max_length=180, blank=True)
    message_type = models.CharField(max_length=16)
    version = models.CharField(max_length=8, blank=True)
    raw = models.TextField()
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # A resent message (same sender, same control id) is acknowledged, not re-applied.
            models.UniqueConstraint(
                fields=["sending_application", "sending_facility", "control_id"],
                name="hl7_message_unique_control_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.control_id} from {self.sending_application}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Interface messages are kept.")


class Comparator(models.TextChoices):
    LT = "<", "<"
    LE = "<=", "<="
    GT = ">", ">"
    GE = ">=", ">="


class LabResult(TimeStampedModel):
    """One version of the result of one analyte of an order."""

    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="results")
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="results")
    version = models.PositiveSmallIntegerField(default=1)
    # An amendment (a correction after verification) points at the version it corrects.
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )
    amendment_reason = models.TextField(blank=True)
    # The value, in the test's unit (numeric) or as text (qualitative).
    value_numeric = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    value_text = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    # As sent or typed, before conversion to the test's unit.
    reported_value = models.CharField(max_length=64, blank=True)
    reported_unit = models.CharField(max_length=32, blank=True)
    # The interpretation, from the reference range that fitted the patient on collection.
    flag = models.CharField(max_length=16, choices=ResultFlag.choices, blank=True)
    reference_low = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    reference_text = models.CharField(max_length=120, blank=True)
    range_basis = models.CharField(max_length=120, blank=True)
    external_flag = models.CharField(max_length=8, blank=True, help_text="OBX-8 as received")
    comment = models.TextField(blank=True)
    source = models.CharField(
        max_length=8, choices=ResultSource.choices, default=ResultSource.MANUAL
    )
    hl7_message = models.ForeignKey(
        Hl7Message, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    # Null for results that arrived from an interface without a named person.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a verified amendment replaces this version (which is kept as it was).
    superseded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order_id", "test_id", "version"]
        indexes = [
            models.Index(fields=["order", "test", "version"], name="labresult_order"),
            models.Index(fields=["verified_at"], name="labresult_verified_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "test", "version"], name="labresult_version_unique"
            ),
            # At most one version awaiting verification per analyte...
            models.UniqueConstraint(
                fields=["order", "test"],
                condition=Q(verified_at__isnull=True),
                name="labresult_one_pending",
            ),
            # ...and exactly one current verified version once verified.
            models.UniqueConstraint(
                fields=["order", "test"],
                condition=Q(verified_at__isnull=False, superseded_at__isnull=True),
                name="labresult_one_current",
            ),
            models.CheckConstraint(
                condition=Q(value_numeric__isnull=False) | ~Q(value_text=""),
                name="labresult_has_value",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verified_by__isnull=False),
                name="labresult_verified_has_verifier",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="labresult_amendment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(verified_at__isnull=False),
                name="labresult_only_verified_superseded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.test_id} v{self.version}: {self.display_value}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Lab results are amended, never deleted.")

    @property
    def display_value(self) -> str:
        if self.value_numeric is None:
            return self.value_text
        number = format(self.value_numeric.normalize(), "f")
        return f"{self.comparator}{number}"

    @property
    def is_critical(self) -> bool:
        return self.flag in CRITICAL_FLAGS


# --- Verification privilege ------------------------------------------------------------------


class LabVerifierGrant(TimeStampedModel):
    """An explicit privilege, granted by an admin to a lab technician, to verify results they
    entered themselves (e.g. a senior technician on a single-handed night shift).

    Without it verification takes a second person: a lab technician other than the one who
    entered (or last changed) any of the results.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lab_verifier_grants"
    )
    reason = models.CharField(max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_active_grant"
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Self-verification grant for {self.user_id} ({state})"
