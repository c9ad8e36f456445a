"""The patients in intensive care now."""

from django.db.models import OuterRef, QuerySet, Subquery

from hms.inpatient.models import (
    ICU_WARD_TYPES,
    Admission,
    AdmissionStatus,
    BedStay,
    GcsAssessment,
    Observation,
)
from hms.inpatient.selectors.admissions import admission_relations


def icu_list() -> QuerySet[Admission]:
    """Patients in intensive care now, with their latest NEWS2 and GCS (annotations, so the
    list costs the same whatever its length)."""
    latest_observation = Observation.objects.filter(admission=OuterRef("pk")).order_by(
        "-measured_at", "-id"
    )
    latest_gcs = GcsAssessment.objects.filter(admission=OuterRef("pk")).order_by(
        "-assessed_at", "-id"
    )
    icu_since = (
        BedStay.objects.filter(admission=OuterRef("pk"), ward__type__in=ICU_WARD_TYPES)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    return (
        admission_relations(
            Admission.objects.filter(status=AdmissionStatus.ACTIVE, ward__type__in=ICU_WARD_TYPES)
        )
        .annotate(
            latest_news2=Subquery(latest_observation.values("news2_score")[:1]),
            latest_news2_at=Subquery(latest_observation.values("measured_at")[:1]),
            latest_gcs=Subquery(latest_gcs.values("total")[:1]),
            latest_gcs_at=Subquery(latest_gcs.values("assessed_at")[:1]),
            in_icu_since=Subquery(icu_since),
        )
        .order_by("ward__name", "bed__label", "id")
    )
