"""Patients: the registry page (`page`), the registration dialogs (`dialogs`) and the chart's
allergies section (`allergies`)."""

from hms_desktop.views.patients.allergies import AllergiesSection, AllergyDialog
from hms_desktop.views.patients.dialogs import (
    AssignDoctorDialog,
    DateField,
    DuplicatePanel,
    PatientFormDialog,
)
from hms_desktop.views.patients.page import PatientDetails, PatientsPage

__all__ = [
    "AllergiesSection",
    "AllergyDialog",
    "AssignDoctorDialog",
    "DateField",
    "DuplicatePanel",
    "PatientDetails",
    "PatientFormDialog",
    "PatientsPage",
]
