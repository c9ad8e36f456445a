"""Wards, rooms and beds, admissions and stays, observations, the medication record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from hms_desktop.api.dto.common import PatientRef, PersonRef
from hms_desktop.api.dto.convert import Dto, completed, json_key

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
class WardRef(Dto):
    id: str
    name: str
    code: str = ""
    type: str = ""

    @property
    def is_icu(self) -> bool:
        return self.type in ICU_WARD_TYPES


@dataclass(frozen=True)
class Occupant(Dto):
    admission_id: str
    patient: PatientRef
    attending_doctor: PersonRef | None
    admitted_at: datetime | None
    days_admitted: int


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
class Ward(Dto):
    unread = frozenset({"phone"})

    id: str
    name: str
    code: str
    type: str
    type_display: str
    floor: str
    active: bool
    bed_count: int | None
    free_count: int | None


@dataclass(frozen=True)
class Room(Dto):
    unread = frozenset({"ward"})

    id: str
    name: str
    active: bool
    bed_count: int | None


@dataclass(frozen=True)
class NurseAssignment(Dto):
    unread = frozenset({"assigned_by", "note", "ward"})

    id: str
    nurse: PersonRef | None
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True)
class Bed(Dto):
    """A bed, on the board (with its occupant) or in a list (with its ward)."""

    unread = frozenset({"active", "room_id", "status_changed_at"})

    id: str
    label: str
    room: str
    status: str
    status_note: str = ""
    ward: WardRef | None = None
    occupant: Occupant | None = None

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


def _beds_in(ward: BoardWard) -> list[Bed]:
    """A board's beds come without their ward: it is the one they are listed under."""
    ref = WardRef(id=ward.id, name=ward.name, code=ward.code, type=ward.type)
    return [bed if bed.ward else replace(bed, ward=ref) for bed in ward.beds]


@dataclass(frozen=True)
class BoardWard(WardRef):
    counts: dict[str, int] = field(default_factory=dict)
    beds: list[Bed] = field(default_factory=list, metadata=completed(_beds_in))

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
class Stay(Dto):
    unread = frozenset({"bed.id"})

    id: str
    kind: str
    ward: WardRef
    bed_label: str = field(metadata=json_key("bed", "label"))
    room: str = field(metadata=json_key("bed", "room"))
    started_at: datetime | None
    ended_at: datetime | None
    reason: str = ""
    moved_by: PersonRef | None = None


@dataclass(frozen=True)
class Admission(Dto):
    unread = frozenset({"discharge_note", "discharged_by", "encounter_id", "spo2_scale_reason"})

    id: str
    patient: PatientRef
    attending_doctor: PersonRef | None
    ward: WardRef
    bed_id: str = field(metadata=json_key("bed", "id"))
    bed_label: str = field(metadata=json_key("bed", "label"))
    room: str = field(metadata=json_key("bed", "room"))
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
    # detail only: None (not written), "draft", or "final" (signed: the ward may discharge)
    discharge_summary_status: str | None = None
    # ICU list only
    in_icu_since: datetime | None = None
    latest_news2: int | None = None
    latest_news2_at: datetime | None = None
    latest_gcs: int | None = None
    latest_gcs_at: datetime | None = None

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
class Observation(Dto):
    unread = frozenset({"oxygen_device", "oxygen_flow_l_min", "void_reason"})

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


DOSE_STATES = {
    "given": "Given",
    "held": "Held",
    "refused": "Refused",
    "due": "Due",
    "overdue": "Overdue",
    "upcoming": "Upcoming",
}


@dataclass(frozen=True)
class MarDose(Dto):
    """One scheduled dose on the medication administration record, with what was done."""

    unread = frozenset(
        {
            "record.dose",
            "record.prescription_item",
            "record.scheduled_at",
            "record.status",
            "record.void_reason",
            "record.voided",
        }
    )

    prescription_item: str
    drug: str
    dose: str
    route: str
    scheduled_at: datetime | None
    state: str
    # What was done (`{"record": {...}}`; null while the dose is still to give).
    record_id: str = field(default="", metadata=json_key("record", "id"))
    recorded_by: PersonRef | None = field(default=None, metadata=json_key("record", "recorded_by"))
    administered_at: datetime | None = field(
        default=None, metadata=json_key("record", "administered_at")
    )
    reason: str = field(default="", metadata=json_key("record", "reason"))

    @property
    def state_display(self) -> str:
        return DOSE_STATES.get(self.state, self.state)

    @property
    def recorded(self) -> bool:
        return self.state in ("given", "held", "refused")


@dataclass(frozen=True)
class DoseRecord(Dto):
    """A dose given, held or refused, as `POST /admissions/{id}/mar/` answers it."""

    id: str
    prescription_item: str
    scheduled_at: datetime | None
    status: str
    administered_at: datetime | None
    dose: str
    reason: str
    recorded_by: PersonRef | None
    voided: bool = False
    void_reason: str = ""


@dataclass(frozen=True)
class MarDay(Dto):
    """`GET /admissions/{id}/mar/`: the scheduled doses of a window (the client shows a day)."""

    unread = frozenset({"items", "prn"})

    admission_id: str
    since: datetime
    until: datetime
    doses: list[MarDose]
