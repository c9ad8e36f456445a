"""The pharmacy: drugs, stock, prescriptions, dispensing and stock alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hms_desktop.api.dto.common import PatientRef, PersonRef
from hms_desktop.api.dto.convert import Dto, completed, json_key
from hms_desktop.formatting import fmt_decimal


@dataclass(frozen=True)
class DrugRef(Dto):
    id: str
    generic_name: str
    brand_name: str = ""
    strength: str = ""
    form: str = ""
    unit: str = ""

    @property
    def label(self) -> str:
        """`Amoxicillin 500 mg capsule (Amoxil)`."""
        text = " ".join(p for p in (self.generic_name, self.strength, self.form) if p)
        return f"{text} ({self.brand_name})" if self.brand_name else text


@dataclass(frozen=True)
class Drug(DrugRef):
    unread = frozenset({"max_daily_dose", "strength_amount", "usual_dose_max", "usual_dose_min"})

    route: str = ""
    atc_code: str = ""
    drug_class: str = ""
    dose_unit: str = ""
    reorder_level: int = 0
    price: Decimal | None = None
    currency: str = ""
    active: bool = True
    on_hand: int | None = None
    on_hand_pharmacy: int | None = None
    low_stock: bool | None = None


@dataclass(frozen=True)
class StockBatch(Dto):
    id: str
    drug: DrugRef
    lot_number: str
    expiry_date: date | None
    location: str
    quantity: int
    unit_cost: Decimal | None = None
    supplier: str = ""
    received_at: datetime | None = None

    def days_to_expiry(self, today: date | None = None) -> int | None:
        if self.expiry_date is None:
            return None
        return (self.expiry_date - (today or date.today())).days


MOVEMENT_KINDS: dict[str, str] = {
    "receipt": "Receipt",
    "dispense": "Dispense",
    "return": "Return",
    "adjustment": "Adjustment",
    "expiry_write_off": "Expiry write-off",
    "transfer": "Transfer",
}


@dataclass(frozen=True)
class StockMovement(Dto):
    """One row of the append-only stock ledger."""

    id: str
    kind: str
    quantity: int
    balance_after: int
    reason: str
    reference: str
    occurred_at: datetime | None
    batch_id: str = field(metadata=json_key("batch"))
    lot_number: str
    location: str
    drug_id: str = field(metadata=json_key("drug"))
    drug_name: str
    dispense_id: str | None = field(default=None, metadata=json_key("dispense"))
    actor: PersonRef | None = None

    @property
    def kind_display(self) -> str:
        return MOVEMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PrescriptionItem(Dto):
    id: str
    drug: DrugRef
    dose: Decimal | None
    dose_unit: str
    route: str
    frequency: str
    frequency_display: str = field(metadata=completed(lambda i: i.frequency_display or i.frequency))
    duration_days: int | None
    quantity: int
    quantity_dispensed: int
    remaining: int
    instructions: str = ""
    start_date: date | None = None
    # Stopped from the chart by a doctor: nothing more is dispensed.
    stopped_at: datetime | None = None
    stop_reason: str = ""
    on_hand: int | None = None

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    @property
    def directions(self) -> str:
        """`500 mg three times a day for 7 days`."""
        dose = f"{fmt_decimal(self.dose)} {self.dose_unit}".strip()
        text = f"{dose} {self.frequency_display.lower()}".strip()
        if self.duration_days:
            text += f" for {self.duration_days} day{'s' if self.duration_days != 1 else ''}"
        return text

    @property
    def short_of_stock(self) -> bool:
        return self.on_hand is not None and self.on_hand < self.remaining


@dataclass(frozen=True)
class SafetyWarning(Dto):
    unread = frozenset({"detail"})

    code: str
    severity: str
    message: str
    drug: str = ""
    other: str = ""


@dataclass(frozen=True)
class DispenseLine(Dto):
    id: str
    item_id: str = field(metadata=json_key("item"))
    drug: str
    batch_id: str = field(metadata=json_key("batch"))
    lot_number: str
    expiry_date: date | None
    quantity: int
    returned_quantity: int = 0


@dataclass(frozen=True)
class Dispense(Dto):
    id: str
    dispensed_at: datetime | None
    dispensed_by: PersonRef | None
    note: str
    lines: list[DispenseLine]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


PRESCRIPTION_STATUSES: dict[str, str] = {
    "active": "Active",
    "partially_dispensed": "Partially dispensed",
    "dispensed": "Dispensed",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class Prescription(Dto):
    id: str
    patient: PatientRef
    prescriber: PersonRef | None
    status: str
    status_display: str = field(
        metadata=completed(
            lambda p: p.status_display or PRESCRIPTION_STATUSES.get(p.status, p.status)
        )
    )
    prescribed_at: datetime | None
    note: str
    items: list[PrescriptionItem]
    safety_warnings: list[SafetyWarning] = field(default_factory=list)
    override_reason: str = ""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    encounter_id: str | None = None
    dispenses: list[Dispense] | None = None  # only in the detail answer

    @property
    def drugs(self) -> str:
        return ", ".join(item.drug.generic_name for item in self.items)

    @property
    def remaining(self) -> int:
        return sum(item.remaining for item in self.items)


@dataclass(frozen=True)
class DispenseResult(Dto):
    dispense: Dispense
    shortfalls: list[dict[str, Any]]
    prescription: Prescription


@dataclass(frozen=True)
class StockAlert(Dto):
    unread = frozenset({"batch.quantity"})

    kind: str  # low_stock, expiring, expired
    severity: str  # critical, warning, info
    title: str
    message: str
    drug: DrugRef
    on_hand: int
    reorder_level: int
    days_to_expiry: int | None = None
    # The batch an expiry alert is about (`{"batch": {...}}`; null for low stock).
    batch_id: str | None = field(default=None, metadata=json_key("batch", "id"))
    lot_number: str = field(default="", metadata=json_key("batch", "lot_number"))
    expiry_date: date | None = field(default=None, metadata=json_key("batch", "expiry_date"))
    location: str = field(default="", metadata=json_key("batch", "location"))
