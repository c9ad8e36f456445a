"""The roles of HMS. Every permission decision starts from one of these."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    RECEPTIONIST = "receptionist", "Receptionist"
    PHARMACIST = "pharmacist", "Pharmacist"
    LAB_TECHNICIAN = "lab_technician", "Lab technician"
    RADIOLOGIST = "radiologist", "Radiologist"
    ACCOUNTANT = "accountant", "Accountant"
    PATIENT = "patient", "Patient"


ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset(Role) - {Role.PATIENT}
CLINICIAN_ROLES = frozenset({Role.DOCTOR, Role.NURSE})
