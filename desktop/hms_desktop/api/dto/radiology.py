"""Radiology: the procedure catalogue, imaging orders, their images and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hms_desktop.api.dto.common import PersonRef
from hms_desktop.api.dto.convert import Dto, completed
from hms_desktop.api.dto.lab import LAB_PRIORITIES, LabPatient

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
class Procedure(Dto):
    unread = frozenset({"modality_display"})

    id: str
    code: str
    name: str
    modality: str = ""
    body_part: str = ""
    with_contrast: bool = False
    active: bool = True


@dataclass(frozen=True)
class ImagingReport(Dto):
    unread = frozenset({"order"})

    id: str
    kind: str = field(metadata=completed(lambda r: r.kind or "report"))  # report, addendum
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

    @property
    def is_final(self) -> bool:
        return self.status == "final"


@dataclass(frozen=True)
class ImagingImage(Dto):
    unread = frozenset(
        {
            "created_at",
            "number_of_frames",
            "photometric_interpretation",
            "series_instance_uid",
            "sha256",
            "sop_instance_uid",
            "study_instance_uid",
            "transfer_syntax_uid",
        }
    )

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

    @property
    def caption(self) -> str:
        parts = [self.modality]
        if self.series_number is not None:
            parts.append(f"series {self.series_number}")
        if self.instance_number is not None:
            parts.append(f"image {self.instance_number}")
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class ImagingWarning(Dto):
    """A safety warning on a new imaging order (a contrast allergy)."""

    code: str
    message: str


@dataclass(frozen=True)
class ImagingOrder(Dto):
    unread = frozenset({"encounter"})

    id: str
    accession_number: str
    patient: LabPatient
    procedure: Procedure
    modality: str
    modality_display: str = field(
        metadata=completed(lambda o: o.modality_display or MODALITIES.get(o.modality, o.modality))
    )
    priority: str
    laterality: str
    clinical_indication: str
    notes: str
    status: str
    status_display: str = field(
        metadata=completed(lambda o: o.status_display or IMAGING_STATUSES.get(o.status, o.status))
    )
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
    warnings: list[ImagingWarning] = field(default_factory=list)  # on a new order only

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
