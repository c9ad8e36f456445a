"""Patients: the registry page (`page`) and the registration dialogs (`dialogs`)."""

from hms_desktop.views.patients.dialogs import (
    AssignDoctorDialog,
    DateField,
    DuplicatePanel,
    PatientFormDialog,
)
from hms_desktop.views.patients.page import PatientDetails, PatientsPage

__all__ = [
    "AssignDoctorDialog",
    "DateField",
    "DuplicatePanel",
    "PatientDetails",
    "PatientFormDialog",
    "PatientsPage",
]
