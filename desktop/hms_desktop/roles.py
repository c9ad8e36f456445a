"""The server's roles, as the client knows them (mirrors hms.core.roles without importing it)."""

from __future__ import annotations

ADMIN = "admin"
DOCTOR = "doctor"
NURSE = "nurse"
RECEPTIONIST = "receptionist"
PHARMACIST = "pharmacist"
LAB_TECHNICIAN = "lab_technician"
RADIOLOGIST = "radiologist"
ACCOUNTANT = "accountant"
PATIENT = "patient"

ROLE_LABELS: dict[str, str] = {
    ADMIN: "Administrator",
    DOCTOR: "Doctor",
    NURSE: "Nurse",
    RECEPTIONIST: "Receptionist",
    PHARMACIST: "Pharmacist",
    LAB_TECHNICIAN: "Lab technician",
    RADIOLOGIST: "Radiologist",
    ACCOUNTANT: "Accountant",
    PATIENT: "Patient",
}

ALL_ROLES = frozenset(ROLE_LABELS)
STAFF_ROLES = ALL_ROLES - {PATIENT}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())
