"""Reads for the patient registry and doctors. Scope comes from hms.patients.access."""

import re
from datetime import date
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from hms.accounts.models import User
from hms.core.errors import NotFoundError
from hms.core.roles import Role
from hms.patients import names
from hms.patients.access import patients_in_care_of, patients_visible_to
from hms.patients.models import (
    Allergy,
    BreakGlassGrant,
    CareAssignment,
    DoctorProfile,
    EmergencyContact,
    InsurancePolicy,
    Patient,
)
from hms.patients.mrn import mrn_normalise

# --- Search ----------------------------------------------------------------------------------

RANK_MRN = 0
RANK_FULL_NAME = 1  # also: phone number prefix
RANK_LAST_NAME = 2
RANK_FIRST_NAME = 3
MIN_NAME_QUERY_LENGTH = 2
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
_HIGHEST_CHAR = "\U0010ffff"


def _prefix(field: str, value: str) -> Q:
    """`field` starts with `value`, phrased so each database uses its btree index.

    The search columns hold lowercase normalised text, so the comparison can be exact.
    PostgreSQL: LIKE 'x%' on a varchar_pattern_ops index. MySQL: its case-insensitive LIKE
    (Django's LIKE BINARY would skip the index). SQLite: a range scan, because SQLite never
    uses an index for LIKE ... ESCAPE, which Django always emits.
    """
    vendor = connection.vendor
    if vendor == "postgresql":
        return Q(**{f"{field}__startswith": value})
    if vendor == "mysql":
        return Q(**{f"{field}__istartswith": value})
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + _HIGHEST_CHAR})


def patient_search_conditions(q: str) -> list[tuple[Q, int]]:
    """(condition, rank) pairs for a search string; lower rank sorts first.

    MRN (exact, check digit verified) > phone prefix / full name prefix ("first last" or
    "last, first" or "last first") > last name prefix > first name prefix.
    """
    raw = (q or "").strip()
    conditions: list[tuple[Q, int]] = []
    if not raw:
        return conditions
    if mrn := mrn_normalise(raw):
        conditions.append((Q(mrn=mrn), RANK_MRN))
    if _PHONE_LIKE.match(raw):
        digits = names.phone_digits(raw)
        if len(digits) >= 4:
            conditions.append((_prefix("phone_digits", digits), RANK_FULL_NAME))
        return conditions  # digits are never a name
    if "," in raw:
        last, first = raw.split(",", 1)
        reverse = " ".join(
            p for p in (names.name_normalise(last), names.name_normalise(first)) if p
        )
        if len(reverse) >= MIN_NAME_QUERY_LENGTH:
            conditions.append((_prefix("reverse_name_norm", reverse), RANK_FULL_NAME))
        return conditions
    normalised = names.name_normalise(raw)
    if len(normalised) < MIN_NAME_QUERY_LENGTH:
        return conditions
    if " " in normalised:
        conditions.append(
            (
                _prefix("full_name_norm", normalised) | _prefix("reverse_name_norm", normalised),
                RANK_FULL_NAME,
            )
        )
    conditions.append((_prefix("last_name_norm", normalised), RANK_LAST_NAME))
    conditions.append((_prefix("first_name_norm", normalised), RANK_FIRST_NAME))
    return conditions


def patient_search(queryset: QuerySet[Patient], q: str) -> QuerySet[Patient]:
    """Filter and rank `queryset` by the search string (see patient_search_conditions)."""
    conditions = patient_search_conditions(q)
    if not conditions:
        return queryset.none()
    rank = Case(
        *[When(condition, then=Value(rank)) for condition, rank in conditions],
        default=Value(9),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(reduce(or_, (condition for condition, _ in conditions)))
        .annotate(search_rank=rank)
        .order_by("search_rank", "last_name_norm", "first_name_norm", "id")
    )


# --- Patients --------------------------------------------------------------------------------


def patient_list(*, user: User, filters: dict | None = None) -> QuerySet[Patient]:
    """Patients this user may find, filtered; ranked when searching with `q`."""
    filters = filters or {}
    queryset = patients_visible_to(user=user)
    if filters.get("in_my_care"):
        queryset = queryset.filter(pk__in=patients_in_care_of(user=user).values("pk"))
    if sex := filters.get("sex"):
        queryset = queryset.filter(sex=sex)
    if dob := filters.get("date_of_birth"):
        queryset = queryset.filter(date_of_birth=dob)
    if born_after := filters.get("born_after"):
        queryset = queryset.filter(date_of_birth__gte=born_after)
    if born_before := filters.get("born_before"):
        queryset = queryset.filter(date_of_birth__lte=born_before)
    if q := (filters.get("q") or "").strip():
        queryset = patient_search(queryset, q)
    return queryset


def patient_possible_duplicates(
    *,
    first_name_norm: str,
    last_name_norm: str,
    date_of_birth: date | None,
    phone_digits: str = "",
    national_id_hash: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[Patient]:
    """Registered patients who may be the same person: same normalised first and last name
    and date of birth, or the same phone number, or the same national ID."""
    condition = Q(pk__in=[])
    if date_of_birth and first_name_norm and last_name_norm:
        condition |= Q(
            first_name_norm=first_name_norm,
            last_name_norm=last_name_norm,
            date_of_birth=date_of_birth,
        )
    if len(phone_digits) >= 6:
        condition |= Q(phone_digits=phone_digits)
    if national_id_hash:
        condition |= Q(national_id_hash=national_id_hash)
    queryset = Patient.objects.filter(condition)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.order_by("last_name_norm", "first_name_norm", "id")


def patient_for_account(*, user: User) -> Patient:
    patient = Patient.objects.filter(user=user).first()
    if patient is None:
        raise NotFoundError("This account has no chart.", code="patient_not_found")
    return patient


# --- Chart sub-records -----------------------------------------------------------------------


def _records(model, *, patient: Patient, include_voided: bool) -> QuerySet:
    manager = model.all_objects if include_voided else model.objects
    return manager.filter(patient=patient)


def contact_list(*, patient: Patient, include_voided: bool = False) -> QuerySet[EmergencyContact]:
    return _records(EmergencyContact, patient=patient, include_voided=include_voided)


def allergy_list(*, patient: Patient, include_voided: bool = False) -> QuerySet[Allergy]:
    return _records(Allergy, patient=patient, include_voided=include_voided).select_related(
        "created_by"
    )


def insurance_policy_list(
    *, patient: Patient, include_voided: bool = False
) -> QuerySet[InsurancePolicy]:
    return _records(InsurancePolicy, patient=patient, include_voided=include_voided)


def _record_get(model, *, patient: Patient, public_id, label: str):
    record = model.all_objects.filter(patient=patient, public_id=public_id).first()
    if record is None:
        raise NotFoundError(f"No {label} with this id on this chart.", code="not_found")
    record.patient = patient
    return record


def contact_get(*, patient: Patient, public_id) -> EmergencyContact:
    return _record_get(EmergencyContact, patient=patient, public_id=public_id, label="contact")


def allergy_get(*, patient: Patient, public_id) -> Allergy:
    return _record_get(Allergy, patient=patient, public_id=public_id, label="allergy")


def insurance_policy_get(*, patient: Patient, public_id) -> InsurancePolicy:
    return _record_get(
        InsurancePolicy, patient=patient, public_id=public_id, label="insurance policy"
    )


# --- Doctors and assignments -----------------------------------------------------------------


def doctor_list(*, filters: dict | None = None) -> QuerySet[DoctorProfile]:
    filters = filters or {}
    queryset = DoctorProfile.objects.select_related("user").filter(user__is_active=True)
    if specialization := filters.get("specialization"):
        queryset = queryset.filter(specialization__iexact=specialization)
    if department := filters.get("department"):
        queryset = queryset.filter(department__iexact=department)
    if (available := filters.get("available")) is not None:
        queryset = queryset.filter(available=available)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(user__first_name__istartswith=q)
            | Q(user__last_name__istartswith=q)
            | Q(specialization__istartswith=q)
        )
    return queryset.order_by("user__last_name", "user__first_name", "id")


def doctor_get(*, public_id) -> DoctorProfile:
    """A doctor's profile by the doctor's user id (the one id a person has in the API)."""
    profile = DoctorProfile.objects.select_related("user").filter(user__public_id=public_id).first()
    if profile is None:
        raise NotFoundError("No doctor with this id.", code="doctor_not_found")
    return profile


def doctor_user_find(*, public_id) -> User | None:
    return User.objects.filter(public_id=public_id, role=Role.DOCTOR).first()


def patient_find(*, public_id) -> Patient | None:
    """A patient by id with no access check: only for writes whose permission does not depend
    on reading the chart (assigning a doctor, granting break-the-glass)."""
    return Patient.objects.filter(public_id=public_id).first()


def doctor_patient_list(*, doctor: User, filters: dict | None = None) -> QuerySet[Patient]:
    """Patients with an active assignment to this doctor."""
    filters = filters or {}
    queryset = Patient.objects.filter(
        pk__in=CareAssignment.objects.filter(doctor=doctor, active=True).values("patient_id")
    )
    if q := (filters.get("q") or "").strip():
        queryset = patient_search(queryset, q)
    return queryset


def care_assignment_list(*, patient: Patient, include_ended: bool = False):
    queryset = CareAssignment.objects.filter(patient=patient).select_related(
        "patient", "doctor", "assigned_by"
    )
    if not include_ended:
        queryset = queryset.filter(active=True)
    return queryset


def care_assignment_get(*, public_id) -> CareAssignment:
    assignment = (
        CareAssignment.objects.select_related("patient", "doctor")
        .filter(public_id=public_id)
        .first()
    )
    if assignment is None:
        raise NotFoundError("No assignment with this id.", code="not_found")
    return assignment


# --- Break-the-glass review ------------------------------------------------------------------


def break_glass_grant_list(*, filters: dict | None = None) -> QuerySet[BreakGlassGrant]:
    filters = filters or {}
    queryset = BreakGlassGrant.objects.select_related("user", "patient", "reviewed_by")
    if (reviewed := filters.get("reviewed")) is not None:
        queryset = queryset.filter(reviewed_at__isnull=not reviewed)
    if user_id := filters.get("user"):
        queryset = queryset.filter(user__public_id=user_id)
    if patient_id := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient_id)
    if since := filters.get("since"):
        queryset = queryset.filter(created_at__gte=since)
    return queryset.order_by("-created_at", "-id")


def break_glass_grant_get(*, public_id) -> BreakGlassGrant:
    grant = (
        BreakGlassGrant.objects.select_related("user", "patient", "reviewed_by")
        .filter(public_id=public_id)
        .first()
    )
    if grant is None:
        raise NotFoundError("No emergency access with this id.", code="not_found")
    return grant
