"""Formulary, stock batches and their append-only ledger, prescriptions and dispensing.

Stock invariants, enforced by the database:
- a batch's quantity is never negative (check constraint `batch_quantity_not_negative`);
- every change of a batch's quantity is one `StockMovement` row written in the same transaction
  (services.py), so a batch's quantity equals the sum of its movements (`manage.py verify_stock`);
- movements are append-only (no update, no delete through the ORM).

Quantities are whole dispensing units of the drug (`Drug.unit`: tablet, capsule, ml, vial...).
Nothing here is hard-deleted: drugs are deactivated, prescriptions cancelled with a reason.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel


def default_currency() -> str:
    return getattr(settings, "HOSPITAL_CURRENCY", "USD")


class DrugForm(models.TextChoices):
    TABLET = "tablet", "Tablet"
    CAPSULE = "capsule", "Capsule"
    SYRUP = "syrup", "Syrup"
    SUSPENSION = "suspension", "Suspension"
    SOLUTION = "solution", "Oral solution"
    INJECTION = "injection", "Injection"
    INFUSION = "infusion", "Infusion"
    CREAM = "cream", "Cream"
    OINTMENT = "ointment", "Ointment"
    DROPS = "drops", "Drops"
    INHALER = "inhaler", "Inhaler"
    PATCH = "patch", "Patch"
    SUPPOSITORY = "suppository", "Suppository"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    ORAL = "oral", "By mouth"
    SUBLINGUAL = "sublingual", "Under the tongue"
    IV = "iv", "Intravenous"
    IM = "im", "Intramuscular"
    SC = "sc", "Subcutaneous"
    TOPICAL = "topical", "On the skin"
    INHALED = "inhaled", "Inhaled"
    RECTAL = "rectal", "Rectal"
    OPHTHALMIC = "ophthalmic", "In the eye"
    OTIC = "otic", "In the ear"
    NASAL = "nasal", "In the nose"
    TRANSDERMAL = "transdermal", "Skin patch"
    OTHER = "other", "Other"


class Drug(TimeStampedModel):
    """One formulary entry: a product at a strength and form, stocked in `unit`s."""

    generic_name = models.CharField(max_length=200)
    generic_name_norm = models.CharField(max_length=200, editable=False, db_index=True)
    brand_name = models.CharField(max_length=200, blank=True)
    form = models.CharField(max_length=16, choices=DrugForm.choices)
    strength = models.CharField(
        max_length=64, help_text='As labelled, e.g. "500 mg", "250 mg/5 ml"'
    )
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.ORAL)
    atc_code = models.CharField("ATC code", max_length=7, blank=True, db_index=True)
    # For allergy-class and duplicate-therapy checks, e.g. "penicillin", "nsaid", "statin".
    drug_class = models.CharField(max_length=100, blank=True)
    drug_class_norm = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    # What the prescriber's search reads: generic name, brand, strength, ATC code and form,
    # normalised like names ("amoxicillin augmentin 625 mg j01cr02 tablet"), set with the other
    # derived fields. A btree serves prefixes on every database; on PostgreSQL a trigram GIN
    # index (migration 0003) serves the substring match as well.
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    unit = models.CharField(
        max_length=32, default="tablet", help_text="The dispensing unit stock is counted in."
    )
    # Dose checks: one dispensing unit holds `strength_amount` of `dose_unit` (a 500 mg tablet:
    # 500 mg; a 250 mg/5 ml syrup counted in ml: 50 mg). Usual ranges are per administration.
    dose_unit = models.CharField(max_length=16, default="mg")
    strength_amount = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    usual_dose_min = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    usual_dose_max = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    max_daily_dose = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    reorder_level = models.PositiveIntegerField(default=0)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default=default_currency)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["generic_name_norm", "strength", "id"]
        indexes = [
            models.Index(fields=["active", "generic_name_norm"], name="drug_active_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["generic_name_norm", "brand_name", "form", "strength"],
                name="drug_unique_product",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="drug_price_not_negative"),
            models.CheckConstraint(
                condition=Q(usual_dose_min__isnull=True)
                | Q(usual_dose_max__isnull=True)
                | Q(usual_dose_max__gte=F("usual_dose_min")),
                name="drug_usual_dose_range_valid",
            ),
        ]

    def __str__(self) -> str:
        brand = f" ({self.brand_name})" if self.brand_name else ""
        return f"{self.generic_name}{brand} {self.strength} {self.get_form_display().lower()}"

    @property
    def display_name(self) -> str:
        return f"{self.generic_name} {self.strength} {self.get_form_display().lower()}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Drugs are deactivated, never deleted.")


class StockBatch(TimeStampedModel):
    """A lot of one drug at one location. Its quantity changes only with a ledger movement."""

    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="batches")
    lot_number = models.CharField(max_length=64)
    expiry_date = models.DateField()
    location = models.CharField(max_length=64, default="pharmacy")
    quantity = models.IntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    supplier = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["expiry_date", "id"]
        verbose_name_plural = "stock batches"
        indexes = [
            models.Index(fields=["drug", "location", "expiry_date"], name="batch_drug_fefo"),
            models.Index(fields=["expiry_date"], name="batch_expiry"),
        ]
        constraints = [
            # Stock can never go negative, whatever the code above does.
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="batch_quantity_not_negative"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="batch_cost_not_negative"),
            models.UniqueConstraint(
                fields=["drug", "lot_number", "location"], name="batch_unique_lot_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_id} lot {self.lot_number} exp {self.expiry_date} @{self.location}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Batches are kept; write stock off through the ledger.")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    DISPENSE = "dispense", "Dispense"
    RETURN = "return", "Return"
    ADJUSTMENT = "adjustment", "Adjustment"
    EXPIRY_WRITE_OFF = "expiry_write_off", "Expiry write-off"
    TRANSFER = "transfer", "Transfer"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The stock ledger is append-only.")

    def delete(self):
        raise PermissionError("The stock ledger is append-only.")


class StockMovement(models.Model):
    """One line of the stock ledger: a signed change of one batch's quantity."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(StockBatch, on_delete=models.PROTECT, related_name="movements")
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField(help_text="Signed: positive into the batch, negative out.")
    balance_after = models.IntegerField()
    reason = models.TextField(blank=True)
    # A transfer's two rows (out of one batch, into another) share a reference.
    reference = models.CharField(max_length=64, blank=True)
    dispense = models.ForeignKey(
        "Dispense", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["batch", "id"], name="movement_batch"),
            models.Index(fields=["drug", "-occurred_at"], name="movement_drug_time"),
            models.Index(fields=["kind", "-occurred_at"], name="movement_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="movement_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MovementKind.values), name="movement_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["receipt", "return"]) | Q(quantity__gt=0),
                name="movement_inflow_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["dispense", "expiry_write_off"]) | Q(quantity__lt=0),
                name="movement_outflow_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""),
                name="movement_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} batch {self.batch_id} -> {self.balance_after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The stock ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The stock ledger is append-only.")


class PrescriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PARTIALLY_DISPENSED = "partially_dispensed", "Partially dispensed"
    DISPENSED = "dispensed", "Dispensed"
    CANCELLED = "cancelled", "Cancelled"


# Statuses the pharmacy still has work on.
OPEN_PRESCRIPTION_STATUSES = [PrescriptionStatus.ACTIVE, PrescriptionStatus.PARTIALLY_DISPENSED]


class Frequency(models.TextChoices):
    OD = "od", "Once a day"
    BD = "bd", "Twice a day"
    TDS = "tds", "Three times a day"
    QDS = "qds", "Four times a day"
    Q4H = "q4h", "Every 4 hours"
    Q6H = "q6h", "Every 6 hours"
    Q8H = "q8h", "Every 8 hours"
    Q12H = "q12h", "Every 12 hours"
    MANE = "mane", "Every morning"
    NOCTE = "nocte", "At night"
    WEEKLY = "weekly", "Once a week"
    STAT = "stat", "Once, immediately"
    PRN = "prn", "When needed"


# Administrations per day (None: as needed, no fixed number).
DOSES_PER_DAY: dict[str, Decimal | None] = {
    Frequency.OD: Decimal(1),
    Frequency.BD: Decimal(2),
    Frequency.TDS: Decimal(3),
    Frequency.QDS: Decimal(4),
    Frequency.Q4H: Decimal(6),
    Frequency.Q6H: Decimal(4),
    Frequency.Q8H: Decimal(3),
    Frequency.Q12H: Decimal(2),
    Frequency.MANE: Decimal(1),
    Frequency.NOCTE: Decimal(1),
    Frequency.WEEKLY: Decimal(1) / Decimal(7),
    Frequency.STAT: Decimal(1),
    Frequency.PRN: None,
}


class DrugDosePreset(TimeStampedModel):
    """A common way to give one formulary product ("Adult, 500 mg three times a day for 5
    days"), offered to the prescriber as a one-click fill; the pharmacy's dose checks still
    run on what is prescribed."""

    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="dose_presets")
    label = models.CharField(max_length=80, help_text='Who or what it is for, e.g. "Adult"')
    dose = models.DecimalField(max_digits=12, decimal_places=4)
    dose_unit = models.CharField(max_length=16, blank=True, help_text="Empty: the drug's")
    route = models.CharField(
        max_length=16, choices=Route.choices, blank=True, help_text="Empty: the drug's"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    instructions = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["drug_id", "position", "id"]
        indexes = [
            models.Index(fields=["drug", "active", "position"], name="dose_preset_drug"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dose__gt=0), name="dose_preset_dose_positive"),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(duration_days__gte=1),
                name="dose_preset_duration_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_id} {self.label}: {self.dose} {self.dose_unit} {self.frequency}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Dose presets are deactivated, never deleted.")


class Prescription(TimeStampedModel):
    """A doctor's prescription for one patient, sent to the pharmacy."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="prescriptions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prescriptions_written"
    )
    encounter = models.ForeignKey(
        "clinical.Encounter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prescriptions",
    )
    status = models.CharField(
        max_length=20, choices=PrescriptionStatus.choices, default=PrescriptionStatus.ACTIVE
    )
    prescribed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    # The safety warnings shown when it was written (list of {code, severity, message, ...}).
    safety_warnings = models.JSONField(default=list, blank=True)
    # Set when a severe warning was overridden: the prescriber's reason (also audited).
    override_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-prescribed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "prescribed_at"], name="prescription_status_time"),
            models.Index(fields=["patient", "-prescribed_at"], name="prescription_patient_time"),
            models.Index(fields=["prescriber", "-prescribed_at"], name="prescription_prescriber"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PrescriptionStatus.values),
                name="prescription_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="prescription_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Prescription {self.public_id} for {self.patient_id} ({self.status})"

    def delete(self, *args, **kwargs):
        raise PermissionError("Prescriptions are cancelled, never deleted.")


class PrescriptionItem(TimeStampedModel):
    """One drug on a prescription: what to take, how, for how long, and how much to supply."""

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="items")
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="prescription_items")
    dose = models.DecimalField(max_digits=12, decimal_places=4)
    dose_unit = models.CharField(max_length=16)
    route = models.CharField(max_length=16, choices=Route.choices)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    quantity = models.PositiveIntegerField(help_text="Dispensing units to supply.")
    quantity_dispensed = models.PositiveIntegerField(default=0)
    instructions = models.TextField(blank=True)
    start_date = models.DateField()
    # A medicine stopped from the chart: when, by whom and why. A stopped item is no longer
    # current therapy and the pharmacy dispenses nothing more of it.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stop_reason = models.TextField(blank=True)
    # The item this one continues (a renewal written from the chart).
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["drug", "prescription"], name="item_drug")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True, stopped_by__isnull=True, stop_reason="")
                | Q(stopped_at__isnull=False, stopped_by__isnull=False) & ~Q(stop_reason=""),
                name="item_stop_consistent",
            ),
            models.CheckConstraint(condition=Q(dose__gt=0), name="item_dose_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_dispensed__lte=F("quantity")),
                name="item_not_over_dispensed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_id} {self.dose} {self.dose_unit} {self.frequency}"

    @property
    def remaining(self) -> int:
        return self.quantity - self.quantity_dispensed

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None

    def delete(self, *args, **kwargs):
        raise PermissionError("Prescription items are kept; cancel the prescription.")


class Dispense(TimeStampedModel):
    """One visit to the pharmacy counter for a prescription; its lines say what came from
    which batch. The stock movements it posted point back to it."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="dispenses"
    )
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dispensed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-dispensed_at", "-id"]
        indexes = [models.Index(fields=["prescription", "dispensed_at"], name="dispense_rx")]

    def __str__(self) -> str:
        return f"Dispense {self.public_id} of {self.prescription_id}"


class DispenseLine(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispense = models.ForeignKey(Dispense, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(
        PrescriptionItem, on_delete=models.PROTECT, related_name="dispense_lines"
    )
    batch = models.ForeignKey(StockBatch, on_delete=models.PROTECT, related_name="dispense_lines")
    quantity = models.PositiveIntegerField()
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dispense_line_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("quantity")),
                name="dispense_line_not_over_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of batch {self.batch_id} for item {self.item_id}"
