"""Typed data transfer objects for what the server sends. Parsing happens here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar

from hms_desktop.formatting import fmt_decimal
from hms_desktop.roles import role_label

T = TypeVar("T")


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class User:
    id: str
    username: str
    role: str
    role_display: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    is_active: bool = True
    last_login: datetime | None = None
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        return cls(
            id=str(data["id"]),
            username=data["username"],
            role=data["role"],
            role_display=data.get("role_display") or role_label(data["role"]),
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            is_active=bool(data.get("is_active", True)),
            last_login=parse_datetime(data.get("last_login")),
            created_at=parse_datetime(data.get("created_at")),
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


@dataclass(frozen=True)
class LoginResult:
    access: str
    refresh: str
    user: User


@dataclass(frozen=True)
class AuditEvent:
    id: str
    sequence: int
    occurred_at: datetime | None
    actor_username: str
    actor_role: str
    action: str
    resource_type: str
    object_id: str
    patient_id: str
    ip: str
    request_id: str
    outcome: str
    detail: Any = None
    hash: str = ""
    actor_id: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEvent:
        return cls(
            id=str(data["id"]),
            sequence=int(data.get("sequence") or 0),
            occurred_at=parse_datetime(data.get("occurred_at")),
            actor_username=data.get("actor_username") or "",
            actor_role=data.get("actor_role") or "",
            action=data.get("action") or "",
            resource_type=data.get("resource_type") or "",
            object_id=data.get("object_id") or "",
            patient_id=data.get("patient_id") or "",
            ip=data.get("ip") or "",
            request_id=data.get("request_id") or "",
            outcome=data.get("outcome") or "",
            detail=data.get("detail"),
            hash=data.get("hash") or "",
            actor_id=data.get("actor_id"),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list: `{"count", "next", "previous", "results"}`."""

    count: int
    results: list[T]
    page: int = 1
    next_page: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], item: Any, page: int) -> Page[T]:
        return cls(
            count=int(data.get("count") or 0),
            results=[item(row) for row in data.get("results") or []],
            page=page,
            next_page=page + 1 if data.get("next") else None,
        )


@dataclass(frozen=True)
class Health:
    ok: bool
    status: str
    checks: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], http_ok: bool) -> Health:
        return cls(
            ok=http_ok and data.get("status") == "ok",
            status=str(data.get("status") or ("ok" if http_ok else "unavailable")),
            checks=dict(data.get("checks") or {}),
        )

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check.get("ok", False)]


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Patient:
    """A registry entry; list rows carry the summary, detail answers fill the rest."""

    id: str
    mrn: str
    first_name: str
    last_name: str
    middle_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    phone: str = ""
    email: str = ""
    address_line: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    national_id: str = ""
    blood_group: str = ""
    has_portal_account: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    detailed: bool = False

    EDITABLE = (
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country",
        "national_id",
        "blood_group",
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Patient:
        text = {name: data.get(name) or "" for name in cls.EDITABLE if name != "date_of_birth"}
        return cls(
            id=str(data["id"]),
            mrn=data.get("mrn") or "",
            date_of_birth=parse_date(data.get("date_of_birth")),
            has_portal_account=data.get("has_portal_account"),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            detailed="created_at" in data,
            **text,
        )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def list_name(self) -> str:
        given = " ".join(p for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name}, {given}" if given else self.last_name

    def age(self, today: date | None = None) -> int | None:
        if self.date_of_birth is None:
            return None
        today = today or date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    mrn: str
    name: str
    date_of_birth: date | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DuplicateCandidate:
        return cls(
            id=str(data.get("id") or ""),
            mrn=data.get("mrn") or "",
            name=data.get("name") or "",
            date_of_birth=parse_date(data.get("date_of_birth")),
        )


@dataclass(frozen=True)
class Doctor:
    id: str
    first_name: str
    last_name: str
    display_name: str
    specialization: str = ""
    department: str = ""
    available: bool = True
    license_number: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Doctor:
        return cls(
            id=str(data["id"]),
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            display_name=data.get("display_name") or "",
            specialization=data.get("specialization") or "",
            department=data.get("department") or "",
            available=bool(data.get("available", True)),
            license_number=data.get("license_number") or "",
        )


def parse_time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


@dataclass(frozen=True)
class PersonRef:
    """Someone an answer refers to: `{"id", "name"}` (doctors, staff who acted)."""

    id: str
    name: str

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PersonRef | None:
        if not data:
            return None
        return cls(id=str(data.get("id") or ""), name=data.get("name") or "")


@dataclass(frozen=True)
class PatientRef:
    """A patient as other records name them: `{"id", "mrn", "name"}`."""

    id: str
    mrn: str
    name: str

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PatientRef | None:
        if not data:
            return None
        return cls(
            id=str(data.get("id") or ""), mrn=data.get("mrn") or "", name=data.get("name") or ""
        )


class AppointmentStatus:
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    LABELS: dict[str, str] = {
        BOOKED: "Booked",
        CHECKED_IN: "Checked in",
        IN_PROGRESS: "In progress",
        COMPLETED: "Completed",
        NO_SHOW: "No-show",
        CANCELLED: "Cancelled",
    }


@dataclass(frozen=True)
class Appointment:
    id: str
    patient: PatientRef
    doctor: PersonRef
    date: date
    slot: time
    start_at: datetime | None
    end_at: datetime | None
    status: str
    status_display: str = ""
    reason: str = ""
    booked_by: PersonRef | None = None
    checked_in_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    encounter_id: str | None = None
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Appointment:
        status = data.get("status") or ""
        return cls(
            id=str(data["id"]),
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            doctor=PersonRef.from_json(data.get("doctor")) or PersonRef("", ""),
            date=date.fromisoformat(data["date"]),
            slot=time.fromisoformat(data["slot"]),
            start_at=parse_datetime(data.get("start_at")),
            end_at=parse_datetime(data.get("end_at")),
            status=status,
            status_display=data.get("status_display")
            or AppointmentStatus.LABELS.get(status, status),
            reason=data.get("reason") or "",
            booked_by=PersonRef.from_json(data.get("booked_by")),
            checked_in_at=parse_datetime(data.get("checked_in_at")),
            started_at=parse_datetime(data.get("started_at")),
            completed_at=parse_datetime(data.get("completed_at")),
            cancelled_at=parse_datetime(data.get("cancelled_at")),
            cancel_reason=data.get("cancel_reason") or "",
            encounter_id=data.get("encounter_id"),
            created_at=parse_datetime(data.get("created_at")),
        )

    @property
    def slot_text(self) -> str:
        return self.slot.strftime("%H:%M")

    @property
    def is_due(self) -> bool:
        """The start time has passed (a no-show can be recorded)."""
        return self.start_at is not None and self.start_at <= datetime.now(UTC)


@dataclass(frozen=True)
class Slot:
    """A free slot in the hospital's time zone."""

    date: date
    start: time
    end: time
    start_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(
            date=date.fromisoformat(data["date"]),
            start=time.fromisoformat(data["start"]),
            end=time.fromisoformat(data["end"]),
            start_at=parse_datetime(data.get("start_at")),
        )

    @property
    def label(self) -> str:
        return self.start.strftime("%H:%M")


@dataclass(frozen=True)
class Availability:
    doctor: PersonRef | None
    time_zone: str
    date_from: date | None
    date_to: date | None
    slot_minutes: int | None
    slots: list[Slot]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Availability:
        return cls(
            doctor=PersonRef.from_json(data.get("doctor")),
            time_zone=data.get("time_zone") or "",
            date_from=parse_date(data.get("date_from")),
            date_to=parse_date(data.get("date_to")),
            slot_minutes=data.get("slot_minutes"),
            slots=[Slot.from_json(s) for s in data.get("slots") or []],
        )


@dataclass(frozen=True)
class SummaryPage(Page[T]):
    """A page of a worklist that also carries counts for the whole list (`summary`)."""

    summary: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], item: Any, page: int) -> SummaryPage[T]:
        base = Page.from_json(data, item, page)
        return cls(
            count=base.count,
            results=base.results,
            page=page,
            next_page=base.next_page,
            summary={k: int(v) for k, v in (data.get("summary") or {}).items()},
        )


@dataclass(frozen=True)
class QueuePage(SummaryPage[Appointment]):
    """A page of the day's queue, with the day and the counts per status for the whole day."""

    day: date | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], item: Any, page: int) -> QueuePage:
        base = SummaryPage.from_json(data, item, page)
        return cls(
            count=base.count,
            results=base.results,
            page=page,
            next_page=base.next_page,
            summary=base.summary,
            day=parse_date(data.get("date")),
        )


def parse_decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# --- Pharmacy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrugRef:
    id: str
    generic_name: str
    brand_name: str = ""
    strength: str = ""
    form: str = ""
    unit: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DrugRef:
        data = data or {}
        return cls(
            id=str(data.get("id") or ""),
            generic_name=data.get("generic_name") or "",
            brand_name=data.get("brand_name") or "",
            strength=data.get("strength") or "",
            form=data.get("form") or "",
            unit=data.get("unit") or "",
        )

    @property
    def label(self) -> str:
        """`Amoxicillin 500 mg capsule (Amoxil)`."""
        text = " ".join(p for p in (self.generic_name, self.strength, self.form) if p)
        return f"{text} ({self.brand_name})" if self.brand_name else text


@dataclass(frozen=True)
class Drug(DrugRef):
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

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Drug:
        data = data or {}
        ref = DrugRef.from_json(data)
        return cls(
            id=ref.id,
            generic_name=ref.generic_name,
            brand_name=ref.brand_name,
            strength=ref.strength,
            form=ref.form,
            unit=ref.unit,
            route=data.get("route") or "",
            atc_code=data.get("atc_code") or "",
            drug_class=data.get("drug_class") or "",
            dose_unit=data.get("dose_unit") or "",
            reorder_level=int(data.get("reorder_level") or 0),
            price=parse_decimal(data.get("price")),
            currency=data.get("currency") or "",
            active=bool(data.get("active", True)),
            on_hand=data.get("on_hand"),
            on_hand_pharmacy=data.get("on_hand_pharmacy"),
            low_stock=data.get("low_stock"),
        )


@dataclass(frozen=True)
class StockBatch:
    id: str
    drug: DrugRef
    lot_number: str
    expiry_date: date | None
    location: str
    quantity: int
    unit_cost: Decimal | None = None
    supplier: str = ""
    received_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StockBatch:
        return cls(
            id=str(data["id"]),
            drug=DrugRef.from_json(data.get("drug")),
            lot_number=data.get("lot_number") or "",
            expiry_date=parse_date(data.get("expiry_date")),
            location=data.get("location") or "",
            quantity=int(data.get("quantity") or 0),
            unit_cost=parse_decimal(data.get("unit_cost")),
            supplier=data.get("supplier") or "",
            received_at=parse_datetime(data.get("received_at")),
        )

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
class StockMovement:
    """One row of the append-only stock ledger."""

    id: str
    kind: str
    quantity: int
    balance_after: int
    reason: str
    reference: str
    occurred_at: datetime | None
    batch_id: str
    lot_number: str
    location: str
    drug_id: str
    drug_name: str
    dispense_id: str | None = None
    actor: PersonRef | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StockMovement:
        return cls(
            id=str(data["id"]),
            kind=data.get("kind") or "",
            quantity=int(data.get("quantity") or 0),
            balance_after=int(data.get("balance_after") or 0),
            reason=data.get("reason") or "",
            reference=data.get("reference") or "",
            occurred_at=parse_datetime(data.get("occurred_at")),
            batch_id=str(data.get("batch") or ""),
            lot_number=data.get("lot_number") or "",
            location=data.get("location") or "",
            drug_id=str(data.get("drug") or ""),
            drug_name=data.get("drug_name") or "",
            dispense_id=data.get("dispense"),
            actor=PersonRef.from_json(data.get("actor")),
        )

    @property
    def kind_display(self) -> str:
        return MOVEMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PrescriptionItem:
    id: str
    drug: DrugRef
    dose: Decimal | None
    dose_unit: str
    route: str
    frequency: str
    frequency_display: str
    duration_days: int | None
    quantity: int
    quantity_dispensed: int
    remaining: int
    instructions: str = ""
    start_date: date | None = None
    on_hand: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrescriptionItem:
        return cls(
            id=str(data["id"]),
            drug=DrugRef.from_json(data.get("drug")),
            dose=parse_decimal(data.get("dose")),
            dose_unit=data.get("dose_unit") or "",
            route=data.get("route") or "",
            frequency=data.get("frequency") or "",
            frequency_display=data.get("frequency_display") or data.get("frequency") or "",
            duration_days=data.get("duration_days"),
            quantity=int(data.get("quantity") or 0),
            quantity_dispensed=int(data.get("quantity_dispensed") or 0),
            remaining=int(data.get("remaining") or 0),
            instructions=data.get("instructions") or "",
            start_date=parse_date(data.get("start_date")),
            on_hand=data.get("on_hand"),
        )

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
class SafetyWarning:
    code: str
    severity: str
    message: str
    drug: str = ""
    other: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SafetyWarning:
        return cls(
            code=data.get("code") or "",
            severity=data.get("severity") or "",
            message=data.get("message") or "",
            drug=data.get("drug") or "",
            other=data.get("other") or "",
        )


@dataclass(frozen=True)
class DispenseLine:
    id: str
    item_id: str
    drug: str
    batch_id: str
    lot_number: str
    expiry_date: date | None
    quantity: int
    returned_quantity: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DispenseLine:
        return cls(
            id=str(data["id"]),
            item_id=str(data.get("item") or ""),
            drug=data.get("drug") or "",
            batch_id=str(data.get("batch") or ""),
            lot_number=data.get("lot_number") or "",
            expiry_date=parse_date(data.get("expiry_date")),
            quantity=int(data.get("quantity") or 0),
            returned_quantity=int(data.get("returned_quantity") or 0),
        )


@dataclass(frozen=True)
class Dispense:
    id: str
    dispensed_at: datetime | None
    dispensed_by: PersonRef | None
    note: str
    lines: list[DispenseLine]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dispense:
        return cls(
            id=str(data["id"]),
            dispensed_at=parse_datetime(data.get("dispensed_at")),
            dispensed_by=PersonRef.from_json(data.get("dispensed_by")),
            note=data.get("note") or "",
            lines=[DispenseLine.from_json(line) for line in data.get("lines") or []],
        )

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
class Prescription:
    id: str
    patient: PatientRef
    prescriber: PersonRef | None
    status: str
    status_display: str
    prescribed_at: datetime | None
    note: str
    items: list[PrescriptionItem]
    safety_warnings: list[SafetyWarning] = field(default_factory=list)
    override_reason: str = ""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    encounter_id: str | None = None
    dispenses: list[Dispense] | None = None  # only in the detail answer

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Prescription:
        status = data.get("status") or ""
        dispenses = data.get("dispenses")
        return cls(
            id=str(data["id"]),
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            prescriber=PersonRef.from_json(data.get("prescriber")),
            status=status,
            status_display=data.get("status_display") or PRESCRIPTION_STATUSES.get(status, status),
            prescribed_at=parse_datetime(data.get("prescribed_at")),
            note=data.get("note") or "",
            items=[PrescriptionItem.from_json(i) for i in data.get("items") or []],
            safety_warnings=[SafetyWarning.from_json(w) for w in data.get("safety_warnings") or []],
            override_reason=data.get("override_reason") or "",
            cancelled_at=parse_datetime(data.get("cancelled_at")),
            cancel_reason=data.get("cancel_reason") or "",
            encounter_id=data.get("encounter_id"),
            dispenses=None if dispenses is None else [Dispense.from_json(d) for d in dispenses],
        )

    @property
    def drugs(self) -> str:
        return ", ".join(item.drug.generic_name for item in self.items)

    @property
    def remaining(self) -> int:
        return sum(item.remaining for item in self.items)


@dataclass(frozen=True)
class DispenseResult:
    dispense: Dispense
    shortfalls: list[dict[str, Any]]
    prescription: Prescription

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DispenseResult:
        return cls(
            dispense=Dispense.from_json(data["dispense"]),
            shortfalls=list(data.get("shortfalls") or []),
            prescription=Prescription.from_json(data["prescription"]),
        )


@dataclass(frozen=True)
class StockAlert:
    kind: str  # low_stock, expiring, expired
    severity: str  # critical, warning, info
    title: str
    message: str
    drug: DrugRef
    on_hand: int
    reorder_level: int
    days_to_expiry: int | None = None
    batch_id: str | None = None
    lot_number: str = ""
    expiry_date: date | None = None
    location: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StockAlert:
        batch = data.get("batch") or {}
        return cls(
            kind=data.get("kind") or "",
            severity=data.get("severity") or "",
            title=data.get("title") or "",
            message=data.get("message") or "",
            drug=DrugRef.from_json(data.get("drug")),
            on_hand=int(data.get("on_hand") or 0),
            reorder_level=int(data.get("reorder_level") or 0),
            days_to_expiry=data.get("days_to_expiry"),
            batch_id=batch.get("id"),
            lot_number=batch.get("lot_number") or "",
            expiry_date=parse_date(batch.get("expiry_date")),
            location=batch.get("location") or "",
        )


# --- Laboratory -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabTestRef:
    id: str
    code: str
    loinc_code: str
    name: str
    kind: str = ""  # numeric, text, panel
    specimen_type: str = ""
    unit: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LabTestRef:
        data = data or {}
        return cls(
            id=str(data.get("id") or ""),
            code=data.get("code") or "",
            loinc_code=data.get("loinc_code") or "",
            name=data.get("name") or "",
            kind=data.get("kind") or "",
            specimen_type=data.get("specimen_type") or "",
            unit=data.get("unit") or "",
        )


@dataclass(frozen=True)
class ReferenceRange:
    sex: str  # any, female, male
    age_from: str  # "", "30d", "6m", "18y"
    age_to: str
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReferenceRange:
        return cls(
            sex=data.get("sex") or "any",
            age_from=data.get("age_from") or "",
            age_to=data.get("age_to") or "",
            low=parse_decimal(data.get("low")),
            high=parse_decimal(data.get("high")),
            critical_low=parse_decimal(data.get("critical_low")),
            critical_high=parse_decimal(data.get("critical_high")),
        )


@dataclass(frozen=True)
class LabTest(LabTestRef):
    """A catalogue entry with what result entry needs: units, answers, ranges, components."""

    decimals: int = 0
    alt_units: dict[str, Decimal] = field(default_factory=dict)
    allowed_values: list[str] = field(default_factory=list)
    normal_values: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)  # codes of a panel's analytes
    reference_ranges: list[ReferenceRange] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LabTest:
        data = data or {}
        ref = LabTestRef.from_json(data)
        return cls(
            **{name: getattr(ref, name) for name in LabTestRef.__dataclass_fields__},
            decimals=int(data.get("decimals") or 0),
            alt_units={k: Decimal(str(v)) for k, v in (data.get("alt_units") or {}).items()},
            allowed_values=list(data.get("allowed_values") or []),
            normal_values=list(data.get("normal_values") or []),
            components=[c.get("code") or "" for c in data.get("components") or []],
            reference_ranges=[
                ReferenceRange.from_json(r) for r in data.get("reference_ranges") or []
            ],
        )

    @property
    def units(self) -> list[str]:
        return [self.unit, *[u for u in self.alt_units if u != self.unit]] if self.unit else []


LAB_FLAGS: dict[str, str] = {
    "normal": "Normal",
    "low": "Low",
    "high": "High",
    "critical_low": "Critically low",
    "critical_high": "Critically high",
    "abnormal": "Abnormal",
    "": "No reference range",
}
CRITICAL_LAB_FLAGS = frozenset({"critical_low", "critical_high"})


@dataclass(frozen=True)
class LabResult:
    id: str
    test: LabTestRef
    version: int
    status: str  # pending, verified, superseded
    value: str
    unit: str
    flag: str
    flag_display: str
    critical: bool
    reference_range: str = ""
    range_basis: str = ""
    comment: str = ""
    entered_by: PersonRef | None = None
    entered_at: datetime | None = None
    verified_by: PersonRef | None = None
    verified_at: datetime | None = None
    amends: str | None = None
    superseded_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabResult:
        flag = data.get("flag") or ""
        return cls(
            id=str(data["id"]),
            test=LabTestRef.from_json(data.get("test")),
            version=int(data.get("version") or 1),
            status=data.get("status") or "",
            value=data.get("value") or "",
            unit=data.get("unit") or "",
            flag=flag,
            flag_display=data.get("flag_display") or LAB_FLAGS.get(flag, flag),
            critical=bool(data.get("critical")),
            reference_range=data.get("reference_range") or "",
            range_basis=data.get("range_basis") or "",
            comment=data.get("comment") or "",
            entered_by=PersonRef.from_json(data.get("entered_by")),
            entered_at=parse_datetime(data.get("entered_at")),
            verified_by=PersonRef.from_json(data.get("verified_by")),
            verified_at=parse_datetime(data.get("verified_at")),
            amends=data.get("amends"),
            superseded_at=parse_datetime(data.get("superseded_at")),
        )


LAB_ORDER_STATUSES: dict[str, str] = {
    "ordered": "Ordered",
    "specimen_collected": "Specimen collected",
    "in_progress": "In progress",
    "resulted": "Resulted",
    "verified": "Verified",
    "cancelled": "Cancelled",
}
LAB_PRIORITIES: dict[str, str] = {"stat": "STAT", "urgent": "Urgent", "routine": "Routine"}


@dataclass(frozen=True)
class LabPatient(PatientRef):
    """A patient as an order shows them: with what reference ranges depend on."""

    date_of_birth: date | None = None
    sex: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LabPatient:
        data = data or {}
        return cls(
            id=str(data.get("id") or ""),
            mrn=data.get("mrn") or "",
            name=data.get("name") or "",
            date_of_birth=parse_date(data.get("date_of_birth")),
            sex=data.get("sex") or "",
        )


@dataclass(frozen=True)
class LabOrder:
    id: str
    placer_number: str
    filler_number: str
    patient: LabPatient
    test: LabTestRef
    priority: str
    status: str
    status_display: str
    ordering_doctor: PersonRef | None
    ordered_by: PersonRef | None
    clinical_notes: str
    ordered_at: datetime | None
    collected_at: datetime | None = None
    started_at: datetime | None = None
    resulted_at: datetime | None = None
    verified_at: datetime | None = None
    verified_by: PersonRef | None = None
    turnaround_minutes: int | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    results_released: bool = False
    has_critical: bool = False
    results: list[LabResult] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabOrder:
        status = data.get("status") or ""
        return cls(
            id=str(data["id"]),
            placer_number=data.get("placer_number") or "",
            filler_number=data.get("filler_number") or "",
            patient=LabPatient.from_json(data.get("patient")),
            test=LabTestRef.from_json(data.get("test")),
            priority=data.get("priority") or "",
            status=status,
            status_display=data.get("status_display") or LAB_ORDER_STATUSES.get(status, status),
            ordering_doctor=PersonRef.from_json(data.get("ordering_doctor")),
            ordered_by=PersonRef.from_json(data.get("ordered_by")),
            clinical_notes=data.get("clinical_notes") or "",
            ordered_at=parse_datetime(data.get("ordered_at")),
            collected_at=parse_datetime(data.get("collected_at")),
            started_at=parse_datetime(data.get("started_at")),
            resulted_at=parse_datetime(data.get("resulted_at")),
            verified_at=parse_datetime(data.get("verified_at")),
            verified_by=PersonRef.from_json(data.get("verified_by")),
            turnaround_minutes=data.get("turnaround_minutes"),
            cancelled_at=parse_datetime(data.get("cancelled_at")),
            cancel_reason=data.get("cancel_reason") or "",
            results_released=bool(data.get("results_released")),
            has_critical=bool(data.get("has_critical")),
            results=[LabResult.from_json(r) for r in data.get("results") or []],
        )

    @property
    def priority_display(self) -> str:
        return LAB_PRIORITIES.get(self.priority, self.priority)

    @property
    def current_results(self) -> list[LabResult]:
        """The latest version of each analyte (superseded versions left out)."""
        latest: dict[str, LabResult] = {}
        for result in self.results:
            if result.superseded_at is not None:
                continue
            known = latest.get(result.test.code)
            if known is None or result.version > known.version:
                latest[result.test.code] = result
        return list(latest.values())


# --- Wards, beds and admissions ---------------------------------------------------------------

BED_STATUSES: dict[str, str] = {
    "available": "Available",
    "occupied": "Occupied",
    "cleaning": "Cleaning",
    "maintenance": "Maintenance",
    "reserved": "Reserved",
}
ADMITTABLE_BED_STATUSES = frozenset({"available", "reserved"})
ICU_WARD_TYPES = frozenset({"icu"})


@dataclass(frozen=True)
class WardRef:
    id: str
    name: str
    code: str = ""
    type: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> WardRef:
        data = data or {}
        return cls(
            id=str(data.get("id") or ""),
            name=data.get("name") or "",
            code=data.get("code") or "",
            type=data.get("type") or "",
        )

    @property
    def is_icu(self) -> bool:
        return self.type in ICU_WARD_TYPES


@dataclass(frozen=True)
class Occupant:
    admission_id: str
    patient: PatientRef
    attending_doctor: PersonRef | None
    admitted_at: datetime | None
    days_admitted: int

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Occupant | None:
        if not data:
            return None
        return cls(
            admission_id=str(data.get("admission_id") or ""),
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            attending_doctor=PersonRef.from_json(data.get("attending_doctor")),
            admitted_at=parse_datetime(data.get("admitted_at")),
            days_admitted=int(data.get("days_admitted") or 0),
        )


WARD_TYPES = {
    "general": "General",
    "medical": "Medical",
    "surgical": "Surgical",
    "maternity": "Maternity",
    "paediatric": "Paediatric",
    "neonatal": "Neonatal",
    "icu": "Intensive care",
    "hdu": "High dependency",
    "isolation": "Isolation",
    "psychiatric": "Psychiatric",
    "other": "Other",
}


@dataclass(frozen=True)
class Ward:
    id: str
    name: str
    code: str
    type: str
    type_display: str
    floor: str
    active: bool
    bed_count: int | None
    free_count: int | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ward:
        return cls(
            id=str(data["id"]),
            name=data.get("name") or "",
            code=data.get("code") or "",
            type=data.get("type") or "",
            type_display=data.get("type_display") or "",
            floor=data.get("floor") or "",
            active=bool(data.get("active", True)),
            bed_count=data.get("bed_count"),
            free_count=data.get("free_count"),
        )


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    active: bool
    bed_count: int | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Room:
        return cls(
            id=str(data["id"]),
            name=data.get("name") or "",
            active=bool(data.get("active", True)),
            bed_count=data.get("bed_count"),
        )


@dataclass(frozen=True)
class NurseAssignment:
    id: str
    nurse: PersonRef | None
    starts_on: date | None
    ends_on: date | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NurseAssignment:
        return cls(
            id=str(data["id"]),
            nurse=PersonRef.from_json(data.get("nurse")),
            starts_on=parse_date(data.get("starts_on")),
            ends_on=parse_date(data.get("ends_on")),
        )


@dataclass(frozen=True)
class Bed:
    """A bed, on the board (with its occupant) or in a list (with its ward)."""

    id: str
    label: str
    room: str
    status: str
    status_note: str = ""
    ward: WardRef | None = None
    occupant: Occupant | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], ward: WardRef | None = None) -> Bed:
        return cls(
            id=str(data["id"]),
            label=data.get("label") or "",
            room=data.get("room") or "",
            status=data.get("status") or "",
            status_note=data.get("status_note") or "",
            ward=WardRef.from_json(data["ward"]) if data.get("ward") else ward,
            occupant=Occupant.from_json(data.get("occupant")),
        )

    @property
    def status_display(self) -> str:
        return BED_STATUSES.get(self.status, self.status)

    @property
    def place(self) -> str:
        """`Medical ward · Room 2 · Bed B`."""
        ward = self.ward.name if self.ward else ""
        return " · ".join(p for p in (ward, self.room, f"Bed {self.label}") if p)

    @property
    def admittable(self) -> bool:
        return self.status in ADMITTABLE_BED_STATUSES


@dataclass(frozen=True)
class BoardWard(WardRef):
    counts: dict[str, int] = field(default_factory=dict)
    beds: list[Bed] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BoardWard:
        data = data or {}
        ref = WardRef.from_json(data)
        return cls(
            id=ref.id,
            name=ref.name,
            code=ref.code,
            type=ref.type,
            counts={k: int(v) for k, v in (data.get("counts") or {}).items()},
            beds=[Bed.from_json(b, ward=ref) for b in data.get("beds") or []],
        )

    @property
    def total(self) -> int:
        return self.counts.get("total", len(self.beds))

    @property
    def occupied(self) -> int:
        return self.counts.get("occupied", 0)


ADMISSION_TYPES: dict[str, str] = {
    "emergency": "Emergency",
    "elective": "Elective",
    "maternity": "Maternity",
    "transfer_in": "Transfer from another hospital",
}
DISPOSITIONS: dict[str, str] = {
    "home": "Home",
    "transferred": "Transferred to another facility",
    "self_discharge": "Self-discharge (against medical advice)",
    "deceased": "Deceased",
    "other": "Other",
}
STAY_KINDS: dict[str, str] = {
    "admission": "Admitted",
    "transfer": "Transferred",
    "icu_admission": "Into ICU",
    "icu_discharge": "Out of ICU",
}


@dataclass(frozen=True)
class Stay:
    id: str
    kind: str
    ward: WardRef
    bed_label: str
    room: str
    started_at: datetime | None
    ended_at: datetime | None
    reason: str = ""
    moved_by: PersonRef | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stay:
        bed = data.get("bed") or {}
        return cls(
            id=str(data["id"]),
            kind=data.get("kind") or "",
            ward=WardRef.from_json(data.get("ward")),
            bed_label=bed.get("label") or "",
            room=bed.get("room") or "",
            started_at=parse_datetime(data.get("started_at")),
            ended_at=parse_datetime(data.get("ended_at")),
            reason=data.get("reason") or "",
            moved_by=PersonRef.from_json(data.get("moved_by")),
        )


@dataclass(frozen=True)
class Admission:
    id: str
    patient: PatientRef
    attending_doctor: PersonRef | None
    ward: WardRef
    bed_id: str
    bed_label: str
    room: str
    status: str
    admission_type: str
    reason: str
    admitted_at: datetime | None
    days_admitted: int
    in_icu: bool
    spo2_scale: int = 1
    discharged_at: datetime | None = None
    discharge_disposition: str = ""
    admitted_by: PersonRef | None = None
    stays: list[Stay] | None = None  # detail only
    has_discharge_summary: bool | None = None  # detail only
    # ICU list only
    in_icu_since: datetime | None = None
    latest_news2: int | None = None
    latest_news2_at: datetime | None = None
    latest_gcs: int | None = None
    latest_gcs_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Admission:
        bed = data.get("bed") or {}
        stays = data.get("stays")
        return cls(
            id=str(data["id"]),
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            attending_doctor=PersonRef.from_json(data.get("attending_doctor")),
            ward=WardRef.from_json(data.get("ward")),
            bed_id=str(bed.get("id") or ""),
            bed_label=bed.get("label") or "",
            room=bed.get("room") or "",
            status=data.get("status") or "",
            admission_type=data.get("admission_type") or "",
            reason=data.get("reason") or "",
            admitted_at=parse_datetime(data.get("admitted_at")),
            days_admitted=int(data.get("days_admitted") or 0),
            in_icu=bool(data.get("in_icu")),
            spo2_scale=int(data.get("spo2_scale") or 1),
            discharged_at=parse_datetime(data.get("discharged_at")),
            discharge_disposition=data.get("discharge_disposition") or "",
            admitted_by=PersonRef.from_json(data.get("admitted_by")),
            stays=None if stays is None else [Stay.from_json(s) for s in stays],
            has_discharge_summary=data.get("has_discharge_summary"),
            in_icu_since=parse_datetime(data.get("in_icu_since")),
            latest_news2=data.get("latest_news2"),
            latest_news2_at=parse_datetime(data.get("latest_news2_at")),
            latest_gcs=data.get("latest_gcs"),
            latest_gcs_at=parse_datetime(data.get("latest_gcs_at")),
        )

    @property
    def place(self) -> str:
        return " · ".join(p for p in (self.ward.name, self.room, f"Bed {self.bed_label}") if p)


CONSCIOUSNESS_LEVELS: dict[str, str] = {
    "A": "Alert",
    "C": "New confusion",
    "V": "Responds to voice",
    "P": "Responds to pain",
    "U": "Unresponsive",
}
NEWS2_RISKS: dict[str, str] = {
    "low": "Low",
    "low_medium": "Low-medium",
    "medium": "Medium",
    "high": "High",
}


@dataclass(frozen=True)
class Observation:
    id: str
    measured_at: datetime | None
    recorded_by: PersonRef | None
    respiratory_rate: int
    spo2: int
    on_oxygen: bool
    systolic_bp: int
    diastolic_bp: int
    pulse: int
    consciousness: str
    temperature_c: Decimal | None
    spo2_scale: int
    news2_score: int
    news2_risk: str
    news2_single_three: bool = False
    news2_components: dict[str, int] = field(default_factory=dict)
    alert_sent: bool = False
    voided: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        return cls(
            id=str(data["id"]),
            measured_at=parse_datetime(data.get("measured_at")),
            recorded_by=PersonRef.from_json(data.get("recorded_by")),
            respiratory_rate=int(data.get("respiratory_rate") or 0),
            spo2=int(data.get("spo2") or 0),
            on_oxygen=bool(data.get("on_oxygen")),
            systolic_bp=int(data.get("systolic_bp") or 0),
            diastolic_bp=int(data.get("diastolic_bp") or 0),
            pulse=int(data.get("pulse") or 0),
            consciousness=data.get("consciousness") or "",
            temperature_c=parse_decimal(data.get("temperature_c")),
            spo2_scale=int(data.get("spo2_scale") or 1),
            news2_score=int(data.get("news2_score") or 0),
            news2_risk=data.get("news2_risk") or "",
            news2_single_three=bool(data.get("news2_single_three")),
            news2_components={k: int(v) for k, v in (data.get("news2_components") or {}).items()},
            alert_sent=bool(data.get("alert_sent")),
            voided=bool(data.get("voided")),
        )


# --- Radiology --------------------------------------------------------------------------------

MODALITIES: dict[str, str] = {
    "xray": "X-ray",
    "ct": "CT",
    "mri": "MRI",
    "us": "Ultrasound",
    "mammo": "Mammography",
    "fluoro": "Fluoroscopy",
}
IMAGING_STATUSES: dict[str, str] = {
    "ordered": "Ordered",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "acquired": "Images acquired",
    "reported": "Reported",
    "cancelled": "Cancelled",
}
OPEN_IMAGING_STATUSES = ("ordered", "scheduled", "in_progress", "acquired")


@dataclass(frozen=True)
class Procedure:
    id: str
    code: str
    name: str
    modality: str = ""
    body_part: str = ""
    with_contrast: bool = False
    active: bool = True

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Procedure:
        data = data or {}
        return cls(
            id=str(data.get("id") or ""),
            code=data.get("code") or "",
            name=data.get("name") or "",
            modality=data.get("modality") or "",
            body_part=data.get("body_part") or "",
            with_contrast=bool(data.get("with_contrast")),
            active=bool(data.get("active", True)),
        )


@dataclass(frozen=True)
class ImagingReport:
    id: str
    kind: str  # report, addendum
    status: str  # draft, final
    findings: str
    impression: str
    critical: bool
    amends: str | None = None
    author: PersonRef | None = None
    finalized_at: datetime | None = None
    finalized_by: PersonRef | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImagingReport:
        return cls(
            id=str(data["id"]),
            kind=data.get("kind") or "report",
            status=data.get("status") or "",
            findings=data.get("findings") or "",
            impression=data.get("impression") or "",
            critical=bool(data.get("critical")),
            amends=data.get("amends"),
            author=PersonRef.from_json(data.get("author")),
            finalized_at=parse_datetime(data.get("finalized_at")),
            finalized_by=PersonRef.from_json(data.get("finalized_by")),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
        )

    @property
    def is_final(self) -> bool:
        return self.status == "final"


@dataclass(frozen=True)
class ImagingImage:
    id: str
    modality: str
    study_date: date | None
    body_part: str
    study_description: str
    series_description: str
    series_number: int | None
    instance_number: int | None
    rows: int | None
    columns: int | None
    window_center: float | None
    window_width: float | None
    window_source: str
    preview_url: str | None
    preview_error: str = ""
    dicom_url: str = ""
    size: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImagingImage:
        return cls(
            id=str(data["id"]),
            modality=data.get("modality") or "",
            study_date=parse_date(data.get("study_date")),
            body_part=data.get("body_part") or "",
            study_description=data.get("study_description") or "",
            series_description=data.get("series_description") or "",
            series_number=data.get("series_number"),
            instance_number=data.get("instance_number"),
            rows=data.get("rows"),
            columns=data.get("columns"),
            window_center=data.get("window_center"),
            window_width=data.get("window_width"),
            window_source=data.get("window_source") or "",
            preview_url=data.get("preview_url"),
            preview_error=data.get("preview_error") or "",
            dicom_url=data.get("dicom_url") or "",
            size=int(data.get("size") or 0),
        )

    @property
    def caption(self) -> str:
        parts = [self.modality]
        if self.series_number is not None:
            parts.append(f"series {self.series_number}")
        if self.instance_number is not None:
            parts.append(f"image {self.instance_number}")
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class ImagingOrder:
    id: str
    accession_number: str
    patient: LabPatient
    procedure: Procedure
    modality: str
    modality_display: str
    priority: str
    laterality: str
    clinical_indication: str
    notes: str
    status: str
    status_display: str
    ordering_doctor: PersonRef | None
    requested_by: PersonRef | None = None
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    acquired_at: datetime | None = None
    reported_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    image_count: int = 0
    report_status: str | None = None
    created_at: datetime | None = None
    images: list[ImagingImage] | None = None  # detail only
    reports: list[ImagingReport] | None = None  # detail only
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImagingOrder:
        status = data.get("status") or ""
        modality = data.get("modality") or ""
        images, reports = data.get("images"), data.get("reports")
        return cls(
            id=str(data["id"]),
            accession_number=data.get("accession_number") or "",
            patient=LabPatient.from_json(data.get("patient")),
            procedure=Procedure.from_json(data.get("procedure")),
            modality=modality,
            modality_display=data.get("modality_display") or MODALITIES.get(modality, modality),
            priority=data.get("priority") or "",
            laterality=data.get("laterality") or "",
            clinical_indication=data.get("clinical_indication") or "",
            notes=data.get("notes") or "",
            status=status,
            status_display=data.get("status_display") or IMAGING_STATUSES.get(status, status),
            ordering_doctor=PersonRef.from_json(data.get("ordering_doctor")),
            requested_by=PersonRef.from_json(data.get("requested_by")),
            scheduled_at=parse_datetime(data.get("scheduled_at")),
            started_at=parse_datetime(data.get("started_at")),
            acquired_at=parse_datetime(data.get("acquired_at")),
            reported_at=parse_datetime(data.get("reported_at")),
            cancelled_at=parse_datetime(data.get("cancelled_at")),
            cancel_reason=data.get("cancel_reason") or "",
            image_count=int(data.get("image_count") or 0),
            report_status=data.get("report_status"),
            created_at=parse_datetime(data.get("created_at")),
            images=None if images is None else [ImagingImage.from_json(i) for i in images],
            reports=None if reports is None else [ImagingReport.from_json(r) for r in reports],
            warnings=list(data.get("warnings") or []),
        )

    @property
    def priority_display(self) -> str:
        return LAB_PRIORITIES.get(self.priority, self.priority)

    @property
    def report(self) -> ImagingReport | None:
        """The report itself (not its addenda)."""
        return next((r for r in self.reports or [] if r.kind == "report"), None)

    @property
    def addenda(self) -> list[ImagingReport]:
        return [r for r in self.reports or [] if r.kind == "addendum"]


# --- Billing ----------------------------------------------------------------------------------

TARIFF_CATEGORIES: dict[str, str] = {
    "consultation": "Consultation",
    "lab_test": "Laboratory test",
    "radiology": "Radiology procedure",
    "drug": "Drug",
    "bed_day": "Bed-day",
    "procedure": "Procedure",
    "other": "Other",
}
INVOICE_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "issued": "Issued",
    "partially_paid": "Partially paid",
    "paid": "Paid",
    "void": "Void",
}
PAYMENT_METHODS: dict[str, str] = {
    "cash": "Cash",
    "card": "Card",
    "mobile_money": "Mobile money",
    "bank_transfer": "Bank transfer",
    "insurance": "Insurance",
}


def _money(value: Any) -> Decimal:
    return parse_decimal(value) or Decimal("0.00")


@dataclass(frozen=True)
class Tariff:
    id: str
    code: str
    category: str
    name: str
    price: Decimal
    currency: str
    tax_rate: Decimal
    valid_from: date | None
    valid_until: date | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tariff:
        return cls(
            id=str(data["id"]),
            code=data.get("code") or "",
            category=data.get("category") or "",
            name=data.get("name") or "",
            price=_money(data.get("price")),
            currency=data.get("currency") or "",
            tax_rate=_money(data.get("tax_rate")),
            valid_from=parse_date(data.get("valid_from")),
            valid_until=parse_date(data.get("valid_until")),
        )

    @property
    def category_display(self) -> str:
        return TARIFF_CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class Charge:
    id: str
    patient: PatientRef
    source_type: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    currency: str
    occurred_at: datetime | None
    status: str
    reason: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Charge:
        return cls(
            id=str(data["id"]),
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            source_type=data.get("source_type") or "",
            code=data.get("code") or "",
            description=data.get("description") or "",
            quantity=_money(data.get("quantity")),
            unit_price=_money(data.get("unit_price")),
            tax_rate=_money(data.get("tax_rate")),
            currency=data.get("currency") or "",
            occurred_at=parse_datetime(data.get("occurred_at")),
            status=data.get("status") or "",
            reason=data.get("reason") or "",
        )

    @property
    def amount(self) -> Decimal:
        """Before tax (the invoice rounds and taxes each line)."""
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class InvoiceLine:
    id: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    discount_reason: str
    tax_amount: Decimal
    total: Decimal

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InvoiceLine:
        return cls(
            id=str(data["id"]),
            code=data.get("code") or "",
            description=data.get("description") or "",
            quantity=_money(data.get("quantity")),
            unit_price=_money(data.get("unit_price")),
            subtotal=_money(data.get("subtotal")),
            discount_amount=_money(data.get("discount_amount")),
            discount_reason=data.get("discount_reason") or "",
            tax_amount=_money(data.get("tax_amount")),
            total=_money(data.get("total")),
        )


@dataclass(frozen=True)
class Payment:
    id: str
    receipt_number: str
    invoice_id: str
    invoice_number: str
    method: str
    amount: Decimal
    refunded_amount: Decimal
    currency: str
    reference: str
    received_at: datetime | None
    received_by: PersonRef | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Payment:
        return cls(
            id=str(data["id"]),
            receipt_number=data.get("receipt_number") or "",
            invoice_id=str(data.get("invoice_id") or ""),
            invoice_number=data.get("invoice_number") or "",
            method=data.get("method") or "",
            amount=_money(data.get("amount")),
            refunded_amount=_money(data.get("refunded_amount")),
            currency=data.get("currency") or "",
            reference=data.get("reference") or "",
            received_at=parse_datetime(data.get("received_at")),
            received_by=PersonRef.from_json(data.get("received_by")),
        )

    @property
    def method_display(self) -> str:
        return PAYMENT_METHODS.get(self.method, self.method)

    @property
    def refundable(self) -> Decimal:
        """What is left of the payment to give back (insurance settlements are not refunded
        at the desk)."""
        return Decimal("0.00") if self.method == "insurance" else self.amount - self.refunded_amount


@dataclass(frozen=True)
class Refund:
    id: str
    payment_id: str
    receipt_number: str
    invoice_number: str
    amount: Decimal
    method: str
    reason: str
    refunded_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Refund:
        return cls(
            id=str(data["id"]),
            payment_id=str(data.get("payment_id") or ""),
            receipt_number=data.get("receipt_number") or "",
            invoice_number=data.get("invoice_number") or "",
            amount=_money(data.get("amount")),
            method=data.get("method") or "",
            reason=data.get("reason") or "",
            refunded_at=parse_datetime(data.get("refunded_at")),
        )


DOSE_STATES = {
    "given": "Given",
    "held": "Held",
    "refused": "Refused",
    "due": "Due",
    "overdue": "Overdue",
    "upcoming": "Upcoming",
}


@dataclass(frozen=True)
class MarDose:
    """One scheduled dose on the medication administration record, with what was done."""

    prescription_item: str
    drug: str
    dose: str
    route: str
    scheduled_at: datetime | None
    state: str
    record_id: str = ""
    recorded_by: PersonRef | None = None
    administered_at: datetime | None = None
    reason: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MarDose:
        record = data.get("record") or {}
        return cls(
            prescription_item=str(data.get("prescription_item") or ""),
            drug=data.get("drug") or "",
            dose=data.get("dose") or "",
            route=data.get("route") or "",
            scheduled_at=parse_datetime(data.get("scheduled_at")),
            state=data.get("state") or "",
            record_id=str(record.get("id") or ""),
            recorded_by=PersonRef.from_json(record.get("recorded_by")),
            administered_at=parse_datetime(record.get("administered_at")),
            reason=record.get("reason") or "",
        )

    @property
    def state_display(self) -> str:
        return DOSE_STATES.get(self.state, self.state)

    @property
    def recorded(self) -> bool:
        return self.state in ("given", "held", "refused")


CLAIM_STATUSES = {
    "submitted": "Submitted",
    "approved": "Approved",
    "partially_approved": "Partly approved",
    "rejected": "Rejected",
    "paid": "Paid",
}


@dataclass(frozen=True)
class ClaimSummary:
    """An insurance claim on an invoice: what the payer is asked for, what it approved and
    paid; the co-pay is the patient's part."""

    id: str
    payer: str
    status: str
    copay_percent: Decimal
    copay_amount: Decimal
    claimed_amount: Decimal
    approved_amount: Decimal
    paid_amount: Decimal
    submitted_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClaimSummary:
        return cls(
            id=str(data["id"]),
            payer=data.get("payer") or "",
            status=data.get("status") or "",
            copay_percent=Decimal(str(data.get("copay_percent") or "0")),
            copay_amount=_money(data.get("copay_amount")),
            claimed_amount=_money(data.get("claimed_amount")),
            approved_amount=_money(data.get("approved_amount")),
            paid_amount=_money(data.get("paid_amount")),
            submitted_at=parse_datetime(data.get("submitted_at")),
        )

    @property
    def status_display(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)

    @property
    def decided(self) -> bool:
        return self.status != "submitted"


@dataclass(frozen=True)
class InsurancePolicy:
    id: str
    payer: str
    plan_name: str
    policy_number: str
    valid_until: date | None
    is_current: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InsurancePolicy:
        return cls(
            id=str(data["id"]),
            payer=data.get("payer") or "",
            plan_name=data.get("plan_name") or "",
            policy_number=data.get("policy_number") or "",
            valid_until=parse_date(data.get("valid_until")),
            is_current=bool(data.get("is_current")),
        )

    @property
    def label(self) -> str:
        plan = f" · {self.plan_name}" if self.plan_name else ""
        return f"{self.payer}{plan} ({self.policy_number})"


@dataclass(frozen=True)
class Invoice:
    id: str
    number: str
    patient: PatientRef
    status: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    issued_at: datetime | None
    due_date: date | None
    created_at: datetime | None
    notes: str = ""
    lines: list[InvoiceLine] | None = None  # detail only
    payments: list[Payment] | None = None  # detail only
    void_reason: str = ""
    claims: list[ClaimSummary] | None = None  # detail only

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Invoice:
        lines, payments, claims = data.get("lines"), data.get("payments"), data.get("claims")
        return cls(
            id=str(data["id"]),
            number=data.get("number") or "",
            patient=PatientRef.from_json(data.get("patient")) or PatientRef("", "", ""),
            status=data.get("status") or "",
            currency=data.get("currency") or "",
            subtotal=_money(data.get("subtotal")),
            discount_total=_money(data.get("discount_total")),
            tax_total=_money(data.get("tax_total")),
            total=_money(data.get("total")),
            amount_paid=_money(data.get("amount_paid")),
            balance=_money(data.get("balance")),
            issued_at=parse_datetime(data.get("issued_at")),
            due_date=parse_date(data.get("due_date")),
            created_at=parse_datetime(data.get("created_at")),
            notes=data.get("notes") or "",
            lines=None if lines is None else [InvoiceLine.from_json(x) for x in lines],
            payments=None if payments is None else [Payment.from_json(p) for p in payments],
            void_reason=data.get("void_reason") or "",
            claims=None if claims is None else [ClaimSummary.from_json(c) for c in claims],
        )

    @property
    def status_display(self) -> str:
        return INVOICE_STATUSES.get(self.status, self.status)

    @property
    def label(self) -> str:
        return self.number or "Draft"
