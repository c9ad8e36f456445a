"""Writes of the laboratory. Each is one transaction, locks the order it changes and writes its
audit event last.

The rules that matter clinically:
- only valid status transitions (models.ALLOWED_TRANSITIONS), otherwise 409
  `invalid_transition`;
- only lab technicians enter, verify and amend results (the permission table says so for the
  API; the services check it again);
- verification takes a second person: a technician who entered (or last changed) any of the
  results being verified may verify them only with an active `LabVerifierGrant`;
- results reach the ordering doctor (and the patient) only once verified; a critical result
  notifies the ordering doctor at that moment;
- after verification a correction is a new version that amends the verified one, which is
  kept; the amendment is verified like any result before it replaces the original."""

from hms.laboratory.services.common import (
    GRANT_RESOURCE,
    ORDER_RESOURCE,
    RESULT_RESOURCE,
    order_link,
)
from hms.laboratory.services.grants import lab_verifier_grant_create, lab_verifier_grant_revoke
from hms.laboratory.services.orders import (
    lab_order_cancel,
    lab_order_collect,
    lab_order_create,
    lab_order_start,
)
from hms.laboratory.services.results import (
    ResultInput,
    active_verifier_grant,
    analytes_of,
    lab_order_verify,
    lab_result_amend,
    lab_results_enter,
)

__all__ = [
    "GRANT_RESOURCE",
    "ORDER_RESOURCE",
    "RESULT_RESOURCE",
    "ResultInput",
    "active_verifier_grant",
    "analytes_of",
    "lab_order_cancel",
    "lab_order_collect",
    "lab_order_create",
    "lab_order_start",
    "lab_order_verify",
    "lab_result_amend",
    "lab_results_enter",
    "lab_verifier_grant_create",
    "lab_verifier_grant_revoke",
    "order_link",
]
