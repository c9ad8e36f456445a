"""The laboratory: the test catalogue, orders and their results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hms_desktop.api.dto.common import PatientRef, PersonRef
from hms_desktop.api.dto.convert import Dto, completed, json_key


@dataclass(frozen=True)
class LabTestRef(Dto):
    id: str
    code: str
    loinc_code: str
    name: str
    kind: str = ""  # numeric, text, panel
    specimen_type: str = ""
    unit: str = ""


@dataclass(frozen=True)
class ReferenceRange(Dto):
    sex: str = "any"  # any, female, male
    age_from: str = ""  # "", "30d", "6m", "18y"
    age_to: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None


def _component_codes(components: list[dict[str, Any]]) -> list[str]:
    return [component.get("code") or "" for component in components]


@dataclass(frozen=True)
class LabTest(LabTestRef):
    """A catalogue entry with what result entry needs: units, answers, ranges, components."""

    decimals: int = 0
    alt_units: dict[str, Decimal] = field(default_factory=dict)
    allowed_values: list[str] = field(default_factory=list)
    normal_values: list[str] = field(default_factory=list)
    # The codes of a panel's analytes (the server sends each as an object).
    components: list[str] = field(
        default_factory=list, metadata=json_key("components", parse=_component_codes)
    )
    reference_ranges: list[ReferenceRange] = field(default_factory=list)

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
class LabResult(Dto):
    unread = frozenset(
        {
            "amendment_reason",
            "comparator",
            "critical_high",
            "critical_low",
            "external_flag",
            "reference_high",
            "reference_low",
            "reported_unit",
            "reported_value",
            "source",
            "value_numeric",
            "value_text",
        }
    )

    id: str
    test: LabTestRef
    version: int
    status: str  # pending, verified, superseded
    value: str
    unit: str
    flag: str
    flag_display: str = field(
        metadata=completed(lambda r: r.flag_display or LAB_FLAGS.get(r.flag, r.flag))
    )
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


@dataclass(frozen=True)
class LabOrder(Dto):
    unread = frozenset({"encounter"})

    id: str
    placer_number: str
    filler_number: str
    patient: LabPatient
    test: LabTestRef
    priority: str
    status: str
    status_display: str = field(
        metadata=completed(lambda o: o.status_display or LAB_ORDER_STATUSES.get(o.status, o.status))
    )
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


@dataclass(frozen=True)
class LabRequestResult(Dto):
    """`POST /lab/request/`: one order per test or panel asked for."""

    orders: list[LabOrder]
