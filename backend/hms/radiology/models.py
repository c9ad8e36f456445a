"""Radiology: the procedure catalogue, imaging orders, their DICOM images and reports.

An order moves ordered → scheduled → in_progress → acquired → reported (or cancelled before it
is reported); only the transitions in ALLOWED_TRANSITIONS exist. Images are DICOM instances
stored under MEDIA_ROOT with a PNG preview; they leave the server only through authorised
views. A report is written as a draft and made final once; a final report never changes:
corrections and additions are addenda, kept as separate rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel


class Modality(models.TextChoices):
    XRAY = "xray", "X-ray"
    CT = "ct", "CT"
    MRI = "mri", "MRI"
    ULTRASOUND = "us", "Ultrasound"
    MAMMOGRAPHY = "mammo", "Mammography"
    FLUOROSCOPY = "fluoro", "Fluoroscopy"


# The DICOM Modality (0008,0060) values an image of each ordered modality may carry.
# Secondary captures (SC, OT: screenshots, reformatted or annotated images) fit any order.
DICOM_MODALITIES: dict[str, frozenset[str]] = {
    Modality.XRAY: frozenset({"CR", "DX", "DR", "RG"}),
    Modality.CT: frozenset({"CT"}),
    Modality.MRI: frozenset({"MR"}),
    Modality.ULTRASOUND: frozenset({"US"}),
    Modality.MAMMOGRAPHY: frozenset({"MG", "DX", "CR"}),
    Modality.FLUOROSCOPY: frozenset({"RF", "XA", "DX"}),
}
SECONDARY_CAPTURE_MODALITIES = frozenset({"SC", "OT"})


class ImagingProcedure(TimeStampedModel):
    """One orderable examination, e.g. "CT head without contrast". Reference data: shipped by a
    data migration, extended by admins; never deleted, only deactivated."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    modality = models.CharField(max_length=8, choices=Modality.choices)
    # DICOM Body Part Examined term (e.g. CHEST, HEAD, ABDOMEN), for display and worklists.
    body_part = models.CharField(max_length=64, blank=True)
    with_contrast = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["modality", "name"]
        indexes = [models.Index(fields=["modality", "active"], name="imaging_proc_modality")]
        constraints = [
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="imaging_proc_modality_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    STAT = "stat", "STAT"


# Worklists show the most urgent first.
PRIORITY_RANK = {Priority.STAT: 0, Priority.URGENT: 1, Priority.ROUTINE: 2}


class Laterality(models.TextChoices):
    NONE = "", "Not applicable"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    ACQUIRED = "acquired", "Images acquired"
    REPORTED = "reported", "Reported"
    CANCELLED = "cancelled", "Cancelled"


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.ORDERED: frozenset(
        {OrderStatus.SCHEDULED, OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}
    ),
    OrderStatus.SCHEDULED: frozenset({OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}),
    OrderStatus.IN_PROGRESS: frozenset(
        {OrderStatus.ACQUIRED, OrderStatus.REPORTED, OrderStatus.CANCELLED}
    ),
    OrderStatus.ACQUIRED: frozenset({OrderStatus.REPORTED}),
    OrderStatus.REPORTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
OPEN_STATUSES = [
    OrderStatus.ORDERED,
    OrderStatus.SCHEDULED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.ACQUIRED,
]
# Images may be added while the examination runs and until the report is final.
IMAGE_UPLOAD_STATUSES = frozenset(OPEN_STATUSES)
# A report is written once the patient has been on the scanner.
REPORTABLE_STATUSES = frozenset({OrderStatus.IN_PROGRESS, OrderStatus.ACQUIRED})


class ImagingOrder(TimeStampedModel):
    """A request for an imaging examination of a patient, from an ordering doctor."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="imaging_orders"
    )
    procedure = models.ForeignKey(ImagingProcedure, on_delete=models.PROTECT, related_name="+")
    # Copied from the procedure so the worklist filters on an indexed column.
    modality = models.CharField(max_length=8, choices=Modality.choices)
    accession_number = models.CharField(max_length=16, unique=True)
    ordering_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imaging_orders"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    encounter = models.ForeignKey(
        "clinical.Encounter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="imaging_orders",
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.ROUTINE)
    laterality = models.CharField(max_length=10, choices=Laterality.choices, blank=True)
    clinical_indication = models.TextField()
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    # Every status change is a kept version.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "priority", "created_at"], name="imaging_worklist"),
            models.Index(fields=["modality", "status", "created_at"], name="imaging_modality"),
            models.Index(fields=["patient", "-created_at"], name="imaging_patient"),
            models.Index(fields=["ordering_doctor", "-created_at"], name="imaging_doctor"),
            models.Index(fields=["scheduled_at"], name="imaging_scheduled"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="imaging_order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="imaging_order_priority_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="imaging_order_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="reported") | Q(reported_at__isnull=False),
                name="imaging_order_reported_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="imaging_order_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.accession_number} {self.procedure_id} for {self.patient_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Imaging orders are cancelled, never deleted.")


class WindowSource(models.TextChoices):
    FILE = "file", "Window centre/width from the file"
    VOI_LUT = "voi_lut", "VOI LUT from the file"
    COMPUTED = "computed", "Computed from the pixel values"
    COLOR = "color", "Colour image (no windowing)"
    NONE = "", "No preview"


class ImagingImage(TimeStampedModel):
    """One DICOM instance (SOP instance) uploaded to an order, with its metadata and preview."""

    order = models.ForeignKey(ImagingOrder, on_delete=models.PROTECT, related_name="images")
    study_instance_uid = models.CharField(max_length=64, db_index=True)
    series_instance_uid = models.CharField(max_length=64)
    sop_instance_uid = models.CharField(max_length=64, unique=True)
    sop_class_uid = models.CharField(max_length=64, blank=True)
    modality = models.CharField(max_length=16)
    study_date = models.DateField(null=True, blank=True)
    body_part = models.CharField(max_length=64, blank=True)
    study_description = models.CharField(max_length=200, blank=True)
    series_description = models.CharField(max_length=200, blank=True)
    series_number = models.IntegerField(null=True, blank=True)
    instance_number = models.IntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    columns = models.PositiveIntegerField(null=True, blank=True)
    number_of_frames = models.PositiveIntegerField(default=1)
    photometric_interpretation = models.CharField(max_length=32, blank=True)
    transfer_syntax_uid = models.CharField(max_length=64, blank=True)
    # The original file (under MEDIA_ROOT, random name, no URL) and the rendered preview.
    file = models.FileField(upload_to="radiology/", max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    preview = models.FileField(upload_to="radiology/", max_length=255, blank=True)
    preview_error = models.CharField(max_length=300, blank=True)
    window_center = models.FloatField(null=True, blank=True)
    window_width = models.FloatField(null=True, blank=True)
    window_source = models.CharField(max_length=10, choices=WindowSource.choices, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["order_id", "series_number", "instance_number", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="imaging_image_order")]

    def __str__(self) -> str:
        return f"{self.modality} {self.sop_instance_uid}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Images of the record are kept.")


class ReportKind(models.TextChoices):
    REPORT = "report", "Report"
    ADDENDUM = "addendum", "Addendum"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class ImagingReport(TimeStampedModel):
    """A radiologist's report of an order, or an addendum to its final report.

    One report per order (draft, then final). Once final it is never edited; an addendum is a
    separate row pointing at it, itself written as a draft and made final.
    """

    order = models.ForeignKey(ImagingOrder, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=8, choices=ReportKind.choices, default=ReportKind.REPORT)
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    findings = models.TextField(blank=True)
    impression = models.TextField(blank=True)
    # A finding that needs the ordering doctor's attention now (notified as critical).
    critical = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Draft edits are kept versions too.
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "kind", "status"], name="imaging_report_order"),
            models.Index(fields=["status", "-finalized_at"], name="imaging_report_final"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="report"), name="imaging_one_report_per_order"
            ),
            models.CheckConstraint(
                condition=(Q(kind="report") & Q(amends__isnull=True))
                | (Q(kind="addendum") & Q(amends__isnull=False)),
                name="imaging_addendum_amends_report",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", finalized_at__isnull=True, finalized_by__isnull=True)
                    | Q(status="final", finalized_at__isnull=False, finalized_by__isnull=False)
                ),
                name="imaging_report_final_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} of order {self.order_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Reports are never deleted.")
