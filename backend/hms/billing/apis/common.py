"""Helpers shared by billing's API views: the patient check, PDF responses."""

from hms.core.documents import pdf_response as _pdf_response
from hms.patients.access import ChartSection, patient_get_for_user

__all__ = ["MONEY", "RATE", "_billing_patient", "_pdf_response"]

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


def _billing_patient(request, patient_public_id, *, purpose: str = "read"):
    return patient_get_for_user(
        user=request.user,
        patient_public_id=patient_public_id,
        section=ChartSection.BILLING,
        purpose=purpose,
    )
