"""The patient registry, the patients' insurance policies and their allergies."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import (
    CareAssignment,
    DuplicateCandidate,
    InsurancePolicy,
    Patient,
    PossibleDuplicate,
)
from hms_desktop.api.dto.patients import Allergy
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources.base import Resource, listing

SEXES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown")]
BLOOD_GROUPS = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]


def duplicate_candidates(error: ApiError) -> list[DuplicateCandidate] | None:
    """The people a registration may duplicate (409 `possible_duplicate`), else None."""
    if error.status != 409 or error.code != "possible_duplicate":
        return None
    return PossibleDuplicate.from_json(error.extra).candidates


class PatientsApi(Resource):
    """The patient registry. Every read is audited on the server."""

    list = listing(Patient, "/api/patients/")

    def get(self, patient_id: str) -> Patient:
        return self._get(Patient, f"/api/patients/{patient_id}/")

    def wristband_pdf(self, patient_id: str) -> bytes:
        """The wristband (name, MRN, birth date, allergy flag, MRN barcode); audited."""
        return self._client.get_bytes(f"/api/patients/{patient_id}/wristband/pdf/")

    def register(self, *, confirm_new_person: bool = False, **fields: Any) -> Patient:
        """Raises ApiError 409 `possible_duplicate` (see duplicate_candidates) unless the
        person was confirmed as new."""
        body = {**fields, "confirm_new_person": confirm_new_person}
        return self._post(Patient, "/api/patients/", body)

    def update(self, patient_id: str, **fields: Any) -> Patient:
        return self._patch(Patient, f"/api/patients/{patient_id}/", fields)

    def insurance(self, patient_id: str) -> list[InsurancePolicy]:
        """The patient's policies (not voided), current ones first."""
        policies = self._rows(InsurancePolicy, f"/api/patients/{patient_id}/insurance/")
        return sorted(policies, key=lambda p: not p.is_current)

    def assign_doctor(self, patient_id: str, doctor_id: str, *, note: str = "") -> CareAssignment:
        return self._post(
            CareAssignment,
            "/api/patients/assign-doctor/",
            {"patient": patient_id, "doctor": doctor_id, "note": note},
        )

    # --- allergies (the chart's allergies section) ------------------------------------------

    def allergies(self, patient_id: str, *, include_voided: bool = False) -> list[Allergy]:
        """The patient's allergies; entries marked entered in error only on request."""
        filters = {"include_voided": "true"} if include_voided else None
        return self._rows(Allergy, f"/api/patients/{patient_id}/allergies/", filters)

    def add_allergy(self, patient_id: str, **fields: Any) -> Allergy:
        """Raises ApiError 409 `allergy_exists` when the substance is already recorded."""
        return self._post(Allergy, f"/api/patients/{patient_id}/allergies/", fields)

    def update_allergy(self, patient_id: str, allergy_id: str, **fields: Any) -> Allergy:
        return self._patch(Allergy, f"/api/patients/{patient_id}/allergies/{allergy_id}/", fields)

    def void_allergy(self, patient_id: str, allergy_id: str, reason: str) -> Allergy:
        """Mark an allergy entered in error; nothing is deleted and the reason is kept."""
        return self._post(
            Allergy,
            f"/api/patients/{patient_id}/allergies/{allergy_id}/void/",
            {"reason": reason},
        )

    def confirm_allergy(self, patient_id: str, allergy_id: str) -> Allergy:
        """Confirm an allergy the patient reported (409 `allergy_not_awaiting_confirmation`
        for any other)."""
        return self._post(Allergy, f"/api/patients/{patient_id}/allergies/{allergy_id}/confirm/")

    def report_allergy(self, patient_id: str, **fields: Any) -> Allergy:
        """A patient reports an allergy on their own chart."""
        return self._post(Allergy, f"/api/patients/{patient_id}/allergies/report/", fields)
