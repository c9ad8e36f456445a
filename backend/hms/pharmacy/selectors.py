"""Reads for the formulary, stock, prescriptions and alerts, each with its access scope."""

import uuid
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hms.core.errors import NotFoundError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.access import ChartSection, patient_get_for_user, patients_in_care_of
from hms.patients.models import Patient
from hms.patients.names import name_normalise
from hms.pharmacy.drug_classes import normalise_class
from hms.pharmacy.models import (
    OPEN_PRESCRIPTION_STATUSES,
    Dispense,
    DispenseLine,
    Drug,
    DrugDosePreset,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
    StockBatch,
    StockMovement,
)

EXPIRY_ALERT_DAYS = 90
DISPENSING_LOCATION = "pharmacy"


# --- Current therapy (also read by hms.inpatient for the medication administration record) ---


def active_prescription_items_for_patient(patient, *, today: date | None = None):
    """The patient's current medication items, oldest first: each with `drug` loaded and
    `dose`, `dose_unit`, `route`, `frequency`, `duration_days`, `start_date`, `instructions`,
    `end_date` (None: until stopped) and the `prescription` (status, prescriber).

    Current = prescription not cancelled, medicine not stopped, started, and within its
    duration. Returns a list (one query, whatever the number of items)."""
    today = today or timezone.localdate()
    rows = (
        PrescriptionItem.objects.filter(
            prescription__patient=patient, start_date__lte=today, stopped_at__isnull=True
        )
        .exclude(prescription__status=PrescriptionStatus.CANCELLED)
        .select_related("drug", "prescription", "prescription__prescriber")
        .order_by("start_date", "id")
    )
    current = []
    for item in rows:
        item.end_date = (
            item.start_date + timedelta(days=item.duration_days)
            if item.duration_days is not None
            else None
        )
        if item.end_date is None or item.end_date > today:
            current.append(item)
    return current


class MedicationStatus:
    ACTIVE = "active"  # not stopped, course not over (it may start later)
    STOPPED = "stopped"  # stopped from the chart, or its prescription cancelled
    COMPLETED = "completed"  # the course's days are over

    CHOICES = [(ACTIVE, "Active"), (STOPPED, "Stopped"), (COMPLETED, "Completed")]
    ORDER = {ACTIVE: 0, STOPPED: 1, COMPLETED: 2}


def medication_facts(item: PrescriptionItem, *, today: date | None = None) -> PrescriptionItem:
    """Set what the chart shows of one medicine: `end_date`, `status`, and (stopped) `ended_at`,
    `ended_by`, `end_reason` (a cancelled prescription stops all its medicines)."""
    today = today or timezone.localdate()
    prescription = item.prescription
    item.end_date = (
        item.start_date + timedelta(days=item.duration_days)
        if item.duration_days is not None
        else None
    )
    item.ended_at = item.ended_by = None
    item.end_reason = ""
    if item.stopped_at is not None:
        item.status = MedicationStatus.STOPPED
        item.ended_at, item.ended_by, item.end_reason = (
            item.stopped_at,
            item.stopped_by,
            item.stop_reason,
        )
    elif prescription.status == PrescriptionStatus.CANCELLED:
        item.status = MedicationStatus.STOPPED
        item.ended_at, item.ended_by, item.end_reason = (
            prescription.cancelled_at,
            prescription.cancelled_by,
            prescription.cancel_reason,
        )
    elif item.end_date is not None and item.end_date <= today:
        item.status = MedicationStatus.COMPLETED
    else:
        item.status = MedicationStatus.ACTIVE
    return item


def medication_list(
    *, patient: Patient, status: str | None = None, today: date | None = None
) -> list[PrescriptionItem]:
    """Every medicine ever prescribed to the patient (or those with `status`: active, stopped,
    completed): active first (by start date), then stopped and completed, newest first. Each
    carries `drug`, `prescription` (prescriber, who cancelled), `stopped_by`, `renewal_of` and
    the facts of `medication_facts`. One query, whatever the number of medicines."""
    today = today or timezone.localdate()
    rows = PrescriptionItem.objects.filter(prescription__patient=patient).select_related(
        "drug",
        "prescription",
        "prescription__prescriber",
        "prescription__cancelled_by",
        "stopped_by",
        "renewal_of",
    )
    stopped = Q(stopped_at__isnull=False) | Q(prescription__status=PrescriptionStatus.CANCELLED)
    if status == MedicationStatus.STOPPED:
        rows = rows.filter(stopped)
    elif status in (MedicationStatus.ACTIVE, MedicationStatus.COMPLETED):
        rows = rows.exclude(stopped)
    items = [medication_facts(item, today=today) for item in rows]
    if status:
        items = [item for item in items if item.status == status]
    items.sort(key=lambda i: (i.start_date.toordinal(), i.pk), reverse=True)
    items.sort(key=lambda i: MedicationStatus.ORDER[i.status])
    return items


def medication_get(*, patient: Patient, public_id) -> PrescriptionItem:
    """One medicine of this patient's chart (404 for any other id)."""
    item = (
        PrescriptionItem.objects.filter(prescription__patient=patient, public_id=public_id)
        .select_related(
            "drug", "prescription", "prescription__prescriber", "prescription__cancelled_by"
        )
        .select_related("stopped_by")
        .first()
    )
    if item is None:
        raise NotFoundError("No medicine with this id on this chart.", code="medication_not_found")
    return medication_facts(item, today=timezone.localdate())


# --- Formulary and stock -------------------------------------------------------------------


def _usable_stock_subquery(*, drug_ref, today: date, location: str | None = None):
    """Units of the drug in non-expired batches (at one location, or anywhere)."""
    batches = StockBatch.objects.filter(drug=drug_ref, expiry_date__gt=today)
    if location is not None:
        batches = batches.filter(location=location)
    return Coalesce(
        Subquery(
            batches.order_by().values("drug").annotate(total=Sum("quantity")).values("total"),
            output_field=IntegerField(),
        ),
        0,
    )


def drugs_with_stock(*, today: date | None = None) -> QuerySet[Drug]:
    """Drugs annotated with `on_hand` (non-expired units, every location) and
    `on_hand_pharmacy` (at the dispensing counter)."""
    today = today or timezone.localdate()
    return Drug.objects.annotate(
        on_hand=_usable_stock_subquery(drug_ref=OuterRef("pk"), today=today),
        on_hand_pharmacy=_usable_stock_subquery(
            drug_ref=OuterRef("pk"), today=today, location=DISPENSING_LOCATION
        ),
    )


def drug_list(*, filters: dict | None = None) -> QuerySet[Drug]:
    filters = filters or {}
    queryset = drugs_with_stock()
    if not filters.get("include_inactive"):
        queryset = queryset.filter(active=True)
    if q := (filters.get("q") or "").strip():
        norm = name_normalise(q)
        queryset = queryset.filter(
            Q(generic_name_norm__startswith=norm)
            | Q(brand_name__istartswith=q)
            | Q(atc_code__istartswith=q)
        )
    if drug_class := filters.get("drug_class"):
        queryset = queryset.filter(drug_class_norm=normalise_class(drug_class))
    if atc := filters.get("atc"):
        queryset = queryset.filter(atc_code__startswith=atc.upper())
    if filters.get("low_stock"):
        queryset = queryset.filter(on_hand__lt=F("reorder_level"))
    return queryset.order_by("generic_name_norm", "strength", "id")


DRUG_SEARCH_MIN_LENGTH = 2
DRUG_SEARCH_LIMIT = 20
DRUG_SEARCH_MAX_WORDS = 5


def drug_search(*, q: str, limit: int = DRUG_SEARCH_LIMIT) -> list[Drug]:
    """Active drugs matching what a prescriber types, best first, at most `limit`: every word
    of `q` must begin a word of the drug's generic name, brand, strength, ATC code or form
    (so "amox 500" finds "Amoxicillin 500 mg"); ATC codes also match from their start.

    Rank: generic name starts with the whole query; then brand or another word starts with
    it; then the rest (each word matched somewhere), by name and strength within a rank.
    Each drug comes with `on_hand` / `on_hand_pharmacy` (the stock hint) and its active
    dose presets. Three queries whatever the formulary's size: the ranked ids (LIMIT), the
    rows with their stock, the presets. Queries shorter than two characters find nothing."""
    norm = name_normalise(q or "")
    if len(norm.replace(" ", "")) < DRUG_SEARCH_MIN_LENGTH:
        return []
    words = norm.split()[:DRUG_SEARCH_MAX_WORDS]
    matches = Drug.objects.filter(active=True)
    for word in words:
        # A word begins the column or follows a space: one LIKE each, served on PostgreSQL by
        # the trigram index, elsewhere a scan of one narrow column.
        matches = matches.filter(
            Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
        )
    rank = Case(
        When(generic_name_norm__startswith=norm, then=Value(0)),
        When(search_text__contains=f" {norm}", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ids = list(
        matches.annotate(rank=rank)
        .order_by("rank", "generic_name_norm", "strength_amount", "strength", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    rows = (
        drugs_with_stock()
        .filter(id__in=ids)
        .prefetch_related(
            Prefetch(
                "dose_presets",
                queryset=DrugDosePreset.objects.filter(active=True).order_by("position", "id"),
                to_attr="active_presets",
            )
        )
    )
    by_id = {drug.id: drug for drug in rows}
    return [by_id[i] for i in ids if i in by_id]


def drug_strengths(*, drug: Drug) -> list[Drug]:
    """The active products of the same generic medicine and form family (other strengths and
    forms), strongest last, with their stock: the prescriber's strength presets."""
    return list(
        drugs_with_stock()
        .filter(active=True, generic_name_norm=drug.generic_name_norm)
        .order_by("form", "strength_amount", "strength", "id")
    )


def drug_dose_presets(*, drug: Drug) -> list[DrugDosePreset]:
    """The active dose presets of a drug, in their order."""
    return list(DrugDosePreset.objects.filter(drug=drug, active=True).order_by("position", "id"))


def drugs_by_public_ids(public_ids) -> dict[str, Drug]:
    """Active drugs named by their ids (what a submitted prescription form chose), keyed by
    the id as text, with their stock. One query, whatever the formulary's size."""
    wanted = {str(i) for i in public_ids if i}
    if not wanted:
        return {}
    valid = []
    for value in wanted:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    rows = drugs_with_stock().filter(active=True, public_id__in=valid)
    return {str(drug.public_id): drug for drug in rows}


def drug_get(*, public_id, include_inactive: bool = True) -> Drug:
    queryset = drugs_with_stock()
    if not include_inactive:
        queryset = queryset.filter(active=True)
    drug = queryset.filter(public_id=public_id).first()
    if drug is None:
        raise NotFoundError("No drug with this id in the formulary.", code="drug_not_found")
    return drug


def batch_list(*, filters: dict | None = None) -> QuerySet[StockBatch]:
    filters = filters or {}
    queryset = StockBatch.objects.select_related("drug")
    if drug := filters.get("drug"):
        queryset = queryset.filter(drug__public_id=drug)
    if location := filters.get("location"):
        queryset = queryset.filter(location=location)
    if not filters.get("include_empty"):
        queryset = queryset.filter(quantity__gt=0)
    if (days := filters.get("expiring_within")) is not None:
        queryset = queryset.filter(expiry_date__lte=timezone.localdate() + timedelta(days=days))
    return queryset.order_by("expiry_date", "id")


def batch_get(*, public_id) -> StockBatch:
    batch = StockBatch.objects.select_related("drug").filter(public_id=public_id).first()
    if batch is None:
        raise NotFoundError("No stock batch with this id.", code="batch_not_found")
    return batch


def movement_list(*, filters: dict | None = None) -> QuerySet[StockMovement]:
    filters = filters or {}
    queryset = StockMovement.objects.select_related("batch", "drug", "actor", "dispense")
    if drug := filters.get("drug"):
        queryset = queryset.filter(drug__public_id=drug)
    if batch := filters.get("batch"):
        queryset = queryset.filter(batch__public_id=batch)
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    if since := filters.get("since"):
        queryset = queryset.filter(occurred_at__gte=since)
    if until := filters.get("until"):
        queryset = queryset.filter(occurred_at__lt=until)
    return queryset.order_by("-occurred_at", "-id")


def stock_mismatches() -> QuerySet[StockBatch]:
    """Batches whose quantity differs from the sum of their ledger rows (should be none)."""
    ledger = Coalesce(
        Subquery(
            StockMovement.objects.filter(batch=OuterRef("pk"))
            .order_by()
            .values("batch")
            .annotate(total=Sum("quantity"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )
    return (
        StockBatch.objects.annotate(ledger_total=ledger)
        .exclude(quantity=F("ledger_total"))
        .select_related("drug")
        .order_by("pk")
    )


def stock_alerts(*, today: date | None = None, days: int = EXPIRY_ALERT_DAYS) -> list[dict]:
    """Low-stock drugs (non-expired units below the reorder level), then batches with stock
    that expire within `days` (or have expired). Two queries."""
    today = today or timezone.localdate()
    alerts = []
    low = (
        drugs_with_stock(today=today)
        .filter(active=True, reorder_level__gt=0, on_hand__lt=F("reorder_level"))
        .order_by("generic_name_norm", "id")
    )
    for drug in low:
        alerts.append(
            {
                "kind": "low_stock",
                "severity": "critical" if drug.on_hand == 0 else "warning",
                "drug": drug,
                "batch": None,
                "on_hand": drug.on_hand,
                "reorder_level": drug.reorder_level,
                "days_to_expiry": None,
                "title": f"Low stock: {drug.display_name}",
                "message": f"{drug.on_hand} {drug.unit}(s) in stock, reorder level "
                f"{drug.reorder_level}.",
            }
        )
    expiring = (
        StockBatch.objects.filter(quantity__gt=0, expiry_date__lte=today + timedelta(days=days))
        .select_related("drug")
        .order_by("expiry_date", "id")
    )
    for batch in expiring:
        days_left = (batch.expiry_date - today).days
        expired = days_left <= 0
        alerts.append(
            {
                "kind": "expired" if expired else "expiring",
                "severity": "critical" if expired else ("warning" if days_left <= 30 else "info"),
                "drug": batch.drug,
                "batch": batch,
                "on_hand": batch.quantity,
                "reorder_level": batch.drug.reorder_level,
                "days_to_expiry": days_left,
                "title": (
                    f"Expired: {batch.drug.display_name} lot {batch.lot_number}"
                    if expired
                    else f"Expiring in {days_left} days: {batch.drug.display_name} "
                    f"lot {batch.lot_number}"
                ),
                "message": f"{batch.quantity} {batch.drug.unit}(s) at {batch.location}, "
                f"expiry {batch.expiry_date.isoformat()}.",
            }
        )
    return alerts


# --- Prescriptions ---------------------------------------------------------------------------


def _prescription_relations(queryset: QuerySet[Prescription], *, today: date | None = None):
    today = today or timezone.localdate()
    items = PrescriptionItem.objects.select_related("drug").annotate(
        on_hand=_usable_stock_subquery(
            drug_ref=OuterRef("drug_id"), today=today, location=DISPENSING_LOCATION
        )
    )
    return queryset.select_related("patient", "prescriber", "encounter").prefetch_related(
        Prefetch("items", queryset=items.order_by("id"))
    )


def prescriptions_visible_to(*, user) -> QuerySet[Prescription]:
    """Patients: their own. Doctors and nurses: those they wrote and those of patients in
    their care. Pharmacists: every prescription (the pharmacy fills them all)."""

    queryset = _prescription_relations(Prescription.objects.all())
    role = getattr(user, "role", None)
    if role == Role.PATIENT:
        return queryset.filter(patient__user=user)
    if role == Role.PHARMACIST:
        return queryset
    if role in (Role.DOCTOR, Role.NURSE):
        in_care = patients_in_care_of(user=user).values("pk")
        return queryset.filter(Q(prescriber=user) | Q(patient__in=in_care))
    return queryset.none()


def prescription_list(*, user, filters: dict | None = None) -> QuerySet[Prescription]:
    filters = filters or {}
    if patient := filters.get("patient_obj"):
        queryset = _prescription_relations(Prescription.objects.filter(patient=patient))
    else:
        queryset = prescriptions_visible_to(user=user)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if filters.get("mine"):
        queryset = queryset.filter(prescriber=user)
    if since := filters.get("since"):
        queryset = queryset.filter(prescribed_at__gte=since)
    if until := filters.get("until"):
        queryset = queryset.filter(prescribed_at__lt=until)
    return queryset.order_by("-prescribed_at", "-id")


def pharmacy_worklist(*, filters: dict | None = None) -> QuerySet[Prescription]:
    """Prescriptions the pharmacy still has to fill, oldest first."""
    filters = filters or {}
    statuses = [filters["status"]] if filters.get("status") else OPEN_PRESCRIPTION_STATUSES
    queryset = _prescription_relations(Prescription.objects.filter(status__in=statuses))
    if patient := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient)
    if prescriber := filters.get("prescriber"):
        queryset = queryset.filter(prescriber__public_id=prescriber)
    return queryset.order_by("prescribed_at", "id")


def medications_patient_for_user(*, user, patient_public_id, purpose: str = "read") -> Patient:
    """Open a patient's medications for `user`. Everyone goes through the chart access module
    (section `medications`), except the pharmacist filling prescriptions, who is not in the
    medications section of the table: their read is checked here and audited the same way."""

    if getattr(user, "role", None) == Role.PHARMACIST and purpose == "read":
        patient = Patient.objects.filter(public_id=patient_public_id).first()
        if patient is None:
            raise NotFoundError("No patient with this id.", code="patient_not_found")
        audit_record(
            actor=user,
            action=AuditAction.READ,
            resource_type=ChartSection.MEDICATIONS.value,
            object_id=patient.public_id,
            patient_id=patient.public_id,
            detail={"via": "pharmacy"},
        )
        return patient
    return patient_get_for_user(
        user=user,
        patient_public_id=patient_public_id,
        section=ChartSection.MEDICATIONS,
        purpose=purpose,
    )


def prescription_get_for_user(*, user, public_id, purpose: str = "read") -> Prescription:
    """The prescription, if the user may open its patient's medications (404 otherwise, or
    403 from the chart rules: section, care relationship, break-the-glass)."""
    prescription = _prescription_relations(Prescription.objects.filter(public_id=public_id)).first()
    if prescription is None:
        raise NotFoundError("No prescription with this id.", code="prescription_not_found")
    try:
        medications_patient_for_user(
            user=user, patient_public_id=prescription.patient.public_id, purpose=purpose
        )
    except NotFoundError as exc:
        raise NotFoundError("No prescription with this id.", code="prescription_not_found") from exc
    return prescription


def prescription_dispenses(*, prescription: Prescription) -> QuerySet[Dispense]:
    return (
        Dispense.objects.filter(prescription=prescription)
        .select_related("dispensed_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=DispenseLine.objects.select_related("batch", "item__drug").order_by("id"),
            )
        )
        .order_by("dispensed_at", "id")
    )


def dispense_line_get(*, public_id) -> DispenseLine:
    line = (
        DispenseLine.objects.select_related("dispense__prescription__patient", "batch", "item")
        .filter(public_id=public_id)
        .first()
    )
    if line is None:
        raise NotFoundError("No dispensed line with this id.", code="dispense_line_not_found")
    return line


def prescription_status_counts() -> dict[str, int]:
    counts = dict(
        Prescription.objects.filter(status__in=OPEN_PRESCRIPTION_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {status: counts.get(status, 0) for status in OPEN_PRESCRIPTION_STATUSES}


def drugs_by_public_id(*, public_ids) -> dict:
    """The formulary's drugs with these ids, by id (one query)."""
    return {drug.public_id: drug for drug in Drug.objects.filter(public_id__in=public_ids)}


def prescription_dispense_get(*, prescription: Prescription, pk: int) -> Dispense:
    """One dispense of the prescription with its lines (as `prescription_dispenses`)."""
    return prescription_dispenses(prescription=prescription).get(pk=pk)


def encounter_prescriptions(*, encounter) -> QuerySet[Prescription]:
    """The prescriptions written during an encounter (its chart opened by the caller), with
    their items and drugs: two queries."""
    return (
        Prescription.objects.filter(encounter=encounter)
        .select_related("prescriber")
        .prefetch_related(
            Prefetch("items", queryset=PrescriptionItem.objects.select_related("drug"))
        )
        .order_by("prescribed_at", "id")
    )
