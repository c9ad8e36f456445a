"""The patient registry's API views, one module per sub-domain; the compatibility aliases of
the product brief live in hms.patients.compat.

The views are re-exported here for the URLconf.
"""

from hms.patients.apis.break_glass import (
    BreakGlassGrantListApi,
    BreakGlassGrantReviewApi,
    PatientBreakGlassApi,
)
from hms.patients.apis.care_team import CareAssignmentEndApi, PatientCareTeamApi
from hms.patients.apis.chart_records import (
    AllergyConfirmApi,
    AllergyDetailApi,
    AllergyListCreateApi,
    AllergyReportApi,
    AllergyVoidApi,
    ContactDetailApi,
    ContactListCreateApi,
    ContactVoidApi,
    InsuranceDetailApi,
    InsuranceListCreateApi,
    InsuranceVoidApi,
)
from hms.patients.apis.doctors import DoctorMyPatientsApi
from hms.patients.apis.patients import (
    PatientDetailApi,
    PatientListCreateApi,
    PatientMeApi,
    PatientWristbandPdfApi,
)
from hms.patients.apis.registration import RegisterApi

__all__ = [
    "AllergyConfirmApi",
    "AllergyDetailApi",
    "AllergyListCreateApi",
    "AllergyReportApi",
    "AllergyVoidApi",
    "BreakGlassGrantListApi",
    "BreakGlassGrantReviewApi",
    "CareAssignmentEndApi",
    "ContactDetailApi",
    "ContactListCreateApi",
    "ContactVoidApi",
    "DoctorMyPatientsApi",
    "InsuranceDetailApi",
    "InsuranceListCreateApi",
    "InsuranceVoidApi",
    "PatientBreakGlassApi",
    "PatientCareTeamApi",
    "PatientDetailApi",
    "PatientListCreateApi",
    "PatientMeApi",
    "PatientWristbandPdfApi",
    "RegisterApi",
]
