"""Reads of stored analyses: each user sees the analyses they asked for."""

from django.db.models import QuerySet

from hms.assistant.models import PrescriptionAnalysis
from hms.core.errors import NotFoundError


def analyses_for_user(*, user) -> QuerySet[PrescriptionAnalysis]:
    return (
        PrescriptionAnalysis.objects.filter(requested_by=user)
        .select_related("patient", "prescription")
        .order_by("-created_at", "-id")
    )


def analysis_get_for_user(*, user, public_id) -> PrescriptionAnalysis:
    analysis = analyses_for_user(user=user).filter(public_id=public_id).first()
    if analysis is None:
        raise NotFoundError("No analysis with this id.", code="analysis_not_found")
    return analysis
