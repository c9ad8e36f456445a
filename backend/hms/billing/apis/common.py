"""Helpers shared by billing's API views: the patient check, page audit, PDF responses."""

from django.http import HttpResponse

from hms.core.services import audit_page_read
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


def _audit_page(request, response, resource_type: str, patient_ids) -> None:
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted({str(pid) for pid in patient_ids}),
        count=response.data.get("count"),
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
