"""The patient registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hms_desktop.api.dto.convert import Dto, computed


@dataclass(frozen=True)
class Patient(Dto):
    """A registry entry; list rows carry the summary, detail answers fill the rest."""

    unread = frozenset({"access", "display_name"})

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
    # Only detail answers carry the record's times.
    detailed: bool = field(default=False, metadata=computed(lambda p: p.created_at is not None))

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
class DuplicateCandidate(Dto):
    id: str
    mrn: str
    name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class PossibleDuplicate(Dto):
    """The `extra` of a 409 `possible_duplicate`: the people the registration may repeat."""

    candidates: list[DuplicateCandidate]


@dataclass(frozen=True)
class CareAssignment(Dto):
    """A doctor made responsible for a patient. `patient` and `doctor` are bare ids here (not
    `{"id", "name"}` objects); the doctor's name comes alongside as `doctor_name`."""

    id: str
    patient: str
    doctor: str
    doctor_name: str
    assigned_by: str  # the username of who assigned, "" when unknown
    note: str
    active: bool
    created_at: datetime
    ended_at: datetime | None


ALLERGY_CATEGORIES = [
    ("medication", "Medication"),
    ("food", "Food"),
    ("environment", "Environment"),
    ("biologic", "Biologic"),
    ("other", "Other"),
]
ALLERGY_SEVERITIES = [
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
    ("unknown", "Unknown"),
]
ALLERGY_STATUSES = [
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("entered_in_error", "Entered in error"),
]


@dataclass(frozen=True)
class Allergy(Dto):
    """An allergy on a patient's chart. `source` is `clinician` or `patient`; one the patient
    reported stays `patient_reported` until a doctor or nurse confirms it (then `confirmed_at`
    and `confirmed_by`, the confirmer's display name, are set). Voiding marks it
    `entered_in_error` with the reason kept."""

    id: str
    substance: str
    category: str
    reaction: str
    severity: str
    status: str
    onset_date: date | None
    note: str
    recorded_by: str | None  # the username of who entered it
    source: str
    patient_reported: bool
    confirmed_at: datetime | None
    confirmed_by: str | None
    voided: bool
    void_reason: str
    created_at: datetime
    updated_at: datetime

    @property
    def awaiting_confirmation(self) -> bool:
        return self.patient_reported and self.confirmed_at is None and not self.voided
