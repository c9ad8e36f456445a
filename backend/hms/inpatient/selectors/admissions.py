"""Admissions, each read within the user's scope (hms.patients.access)."""

from django.db.models import Prefetch, QuerySet

from hms.accounts.models import User
from hms.core.errors import NotFoundError
from hms.inpatient.models import ICU_WARD_TYPES, Admission, AdmissionStatus, BedStay
from hms.patients.access import (
    CARE_BOUND_ROLES,
    ChartSection,
    patient_get_for_user,
    patients_visible_to,
)


def admission_relations(queryset: QuerySet[Admission]) -> QuerySet[Admission]:
    return queryset.select_related(
        "patient", "attending_doctor", "ward", "bed", "bed__room", "encounter", "admitted_by"
    )


def admissions_visible_to(*, user: User) -> QuerySet[Admission]:
    """Patients see their own admissions; staff allowed to list admissions see those of the
    patients they may find (hms.patients.access.patients_visible_to)."""
    return admission_relations(Admission.objects.filter(patient__in=patients_visible_to(user=user)))


def admission_list(*, user: User, filters: dict | None = None) -> QuerySet[Admission]:
    """Admissions this user may list. With `patient`, that patient's hospital stays are read
    from their chart (404 for another patient's id): for a doctor or nurse the stays, with
    their reasons for admission, are part of the clinical record, so a patient outside their
    care answers 403 `break_glass_required`; the front desk reads them as registration data.
    """
    filters = filters or {}
    queryset = admissions_visible_to(user=user)
    if patient_id := filters.get("patient"):
        section = (
            ChartSection.CLINICAL if user.role in CARE_BOUND_ROLES else ChartSection.DEMOGRAPHICS
        )
        patient = patient_get_for_user(user=user, patient_public_id=patient_id, section=section)
        queryset = queryset.filter(patient=patient)
    if ward_id := filters.get("ward"):
        queryset = queryset.filter(ward__public_id=ward_id)
    if doctor_id := filters.get("attending_doctor"):
        queryset = queryset.filter(attending_doctor__public_id=doctor_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if filters.get("icu"):
        queryset = queryset.filter(ward__type__in=ICU_WARD_TYPES)
    if since := filters.get("since"):
        queryset = queryset.filter(admitted_at__gte=since)
    if until := filters.get("until"):
        queryset = queryset.filter(admitted_at__lt=until)
    return queryset.order_by("-admitted_at", "-id")


def admission_get_for_user(*, user: User, public_id) -> Admission:
    """Someone else's admission answers 404, like one that does not exist."""
    admission = admissions_visible_to(user=user).filter(public_id=public_id).first()
    if admission is None:
        raise NotFoundError("No admission with this id.", code="admission_not_found")
    return admission


def active_admission_of(*, patient) -> Admission | None:
    return admission_relations(
        Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE)
    ).first()


def admission_detail(*, admission: Admission) -> Admission:
    """The admission with its stays (transfer history) and whether a summary exists."""
    return (
        admission_relations(Admission.objects.filter(pk=admission.pk))
        .prefetch_related(
            Prefetch(
                "stays",
                queryset=BedStay.objects.select_related(
                    "bed", "bed__room", "ward", "moved_by"
                ).order_by("started_at", "id"),
            )
        )
        .select_related("discharge_summary", "discharged_by")
        .get()
    )
