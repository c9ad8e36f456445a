"""Writes for the patient registry, care assignments and break-the-glass, one module per
sub-domain (base: what they share). Every function is transactional, validates before saving
and records its audit event last; audit details name the fields that changed, never their values.

The services are re-exported here: callers write `services.patient_register(...)`.
"""

from hms.patients.services.break_glass import (
    BREAK_GLASS_REASON_MIN_LENGTH,
    DEFAULT_BREAK_GLASS_HOURS,
    break_glass_grant_create,
    break_glass_grant_review,
    break_glass_hours,
)
from hms.patients.services.care import care_assignment_create, care_assignment_end
from hms.patients.services.chart_records import (
    ALLERGY_CONFIRMERS,
    ALLERGY_FIELDS,
    CONTACT_FIELDS,
    INSURANCE_FIELDS,
    allergy_confirm,
    allergy_create,
    allergy_report,
    allergy_update,
    allergy_void,
    contact_create,
    contact_update,
    contact_void,
    insurance_policy_create,
    insurance_policy_update,
    insurance_policy_void,
)
from hms.patients.services.registry import (
    MAX_DUPLICATE_CANDIDATES,
    PATIENT_EDITABLE_FIELDS,
    mrn_allocate,
    mrn_reserve_block,
    patient_account_register,
    patient_chart_create_for_account,
    patient_register,
    patient_set_derived_fields,
    patient_update,
)

__all__ = [
    "ALLERGY_CONFIRMERS",
    "ALLERGY_FIELDS",
    "BREAK_GLASS_REASON_MIN_LENGTH",
    "CONTACT_FIELDS",
    "DEFAULT_BREAK_GLASS_HOURS",
    "INSURANCE_FIELDS",
    "MAX_DUPLICATE_CANDIDATES",
    "PATIENT_EDITABLE_FIELDS",
    "allergy_confirm",
    "allergy_create",
    "allergy_report",
    "allergy_update",
    "allergy_void",
    "break_glass_grant_create",
    "break_glass_grant_review",
    "break_glass_hours",
    "care_assignment_create",
    "care_assignment_end",
    "contact_create",
    "contact_update",
    "contact_void",
    "insurance_policy_create",
    "insurance_policy_update",
    "insurance_policy_void",
    "mrn_allocate",
    "mrn_reserve_block",
    "patient_account_register",
    "patient_chart_create_for_account",
    "patient_register",
    "patient_set_derived_fields",
    "patient_update",
]
