"""Helpers shared by billing's API views: the patient check, PDF responses."""

from django.http import HttpResponse

from hms.patients.access import ChartSection, patient_get_for_user

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


def _billing_patient(request, patient_public_id, *, purpose: str = "read"):
    return patient_get_for_user(
        user=request.user,
        patient_public_id=patient_public_id,
        section=ChartSection.BILLING,
        purpose=purpose,
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
