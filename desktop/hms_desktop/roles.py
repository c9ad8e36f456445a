"""The server's role names and their labels, for display and for the staff-account form.

What a role may do is not decided here: screens ask the capabilities the server sends at
sign-in (`AppContext.may`)."""

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


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())
