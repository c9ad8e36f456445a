"""Wards and beds, admissions, transfers, discharges, the ICU, observations and the MAR."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hms_desktop.api.dto import (
    Admission,
    Bed,
    BoardWard,
    DoseRecord,
    MarDay,
    MarDose,
    NurseAssignment,
    Observation,
    Page,
    Room,
    Ward,
)
from hms_desktop.api.resources.base import DEFAULT_PAGE_SIZE, ONE_PAGE, Resource, listing


class InpatientApi(Resource):
    """Wards and beds, admissions, transfers, discharges, the ICU and its observation chart."""

    # --- wards, rooms and beds ---

    wards = listing(Ward, "/api/wards/", page_size=ONE_PAGE, booleans=True)

    def create_ward(self, **fields: Any) -> Ward:
        """`name`, `code`, `type` (admin)."""
        return self._post(Ward, "/api/wards/", fields)

    def rooms(self, ward_id: str) -> list[Room]:
        return self._rows(Room, f"/api/wards/{ward_id}/rooms/")

    def add_room(self, ward_id: str, *, name: str) -> Room:
        return self._post(Room, f"/api/wards/{ward_id}/rooms/", {"name": name})

    def add_bed(self, *, room: str, label: str) -> Bed:
        """409 when the room already has a bed with this label."""
        return self._post(Bed, "/api/beds/", {"room": room, "label": label})

    def ward_nurses(self, ward_id: str) -> list[NurseAssignment]:
        return self._rows(NurseAssignment, f"/api/wards/{ward_id}/nurses/")

    def assign_nurse(self, ward_id: str, *, nurse: str) -> NurseAssignment:
        """From today, open-ended: the ward's patients are in the nurse's care."""
        return self._post(NurseAssignment, f"/api/wards/{ward_id}/nurses/", {"nurse": nurse})

    def board(self, **filters: Any) -> list[BoardWard]:
        """Every ward with its beds and who lies in each (wards are few: one page of 100)."""
        return self._rows(BoardWard, "/api/beds/board/", filters)

    # `status`, `ward`, `ward_type`.
    beds = listing(Bed, "/api/beds/", page_size=ONE_PAGE)

    def free_beds(self, **filters: Any) -> list[Bed]:
        """Beds a patient can be put in now (available or reserved)."""
        beds = [
            *self.beds(status="available", **filters).results,
            *self.beds(status="reserved", **filters).results,
        ]
        return sorted(beds, key=lambda b: (b.ward.name if b.ward else "", b.room, b.label))

    def set_bed_status(self, bed_id: str, *, status: str, note: str = "") -> Bed:
        return self._post(Bed, f"/api/beds/{bed_id}/status/", {"status": status, "note": note})

    # --- admissions ---

    admissions = listing(Admission, "/api/admissions/", booleans=True)

    def admission(self, admission_id: str) -> Admission:
        """With its stays (the way through the hospital) and whether the discharge summary
        exists and is signed (`discharge_summary_status`)."""
        return self._get(Admission, f"/api/admissions/{admission_id}/")

    def admit(self, **fields: Any) -> Admission:
        """`patient`, `bed`, `attending_doctor`, `reason`, `admission_type`. 409
        `bed_not_available` / `patient_already_admitted`."""
        return self._post(Admission, "/api/patients/admit/", fields)

    def transfer(self, admission_id: str, **fields: Any) -> Admission:
        """`bed`, `reason`, `attending_doctor` (handover)."""
        return self._post(Admission, f"/api/admissions/{admission_id}/transfer/", fields)

    def discharge(self, admission_id: str, **fields: Any) -> Admission:
        """`disposition`, `note`. 409 `discharge_summary_required` until the doctor wrote the
        summary, `discharge_summary_unsigned` while it is a draft."""
        return self._post(Admission, f"/api/admissions/{admission_id}/discharge/", fields)

    # --- the medication administration record ---

    def mar(self, admission_id: str, *, day: date | None = None) -> list[MarDose]:
        """The day's scheduled doses (default today) with their state. 403
        `break_glass_required` for a patient not in the user's care."""
        params = {"date": day.isoformat() if day else None}
        return self._get(MarDay, f"/api/admissions/{admission_id}/mar/", params).doses

    def record_dose(
        self,
        admission_id: str,
        *,
        prescription_item: str,
        scheduled_at: datetime,
        status: str,
        reason: str = "",
    ) -> DoseRecord:
        """`status` given/held/refused (a reason for held and refused). 409
        `dose_already_recorded`."""
        body = {
            "prescription_item": prescription_item,
            "scheduled_at": scheduled_at.isoformat(),
            "status": status,
            "reason": reason,
        }
        return self._post(DoseRecord, f"/api/admissions/{admission_id}/mar/", body)

    # --- the ICU and its observation chart ---

    def icu(self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page[Admission]:
        """Patients in intensive care now, with their latest NEWS2 and GCS."""
        return self._page(Admission, "/api/icu/", page=page, page_size=page_size)

    def icu_admit(self, **fields: Any) -> Admission:
        """`patient`, `bed` (an ICU bed), `reason`, `attending_doctor` (if not on a ward)."""
        return self._post(Admission, "/api/icu/admit/", fields)

    def icu_discharge(self, **fields: Any) -> Admission:
        """Step down to a ward: `admission`, `bed`, `reason`."""
        return self._post(Admission, "/api/icu/discharge/", fields)

    def observations(
        self, admission_id: str, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[Observation]:
        path = f"/api/admissions/{admission_id}/observations/"
        return self._page(Observation, path, page=page, page_size=page_size)

    def record_observation(self, admission_id: str, **fields: Any) -> Observation:
        """A full set of vitals; the server scores NEWS2 and alerts the doctor at 5+."""
        return self._post(Observation, f"/api/admissions/{admission_id}/observations/", fields)
