"""Reads for the patient registry and care assignments. Scope comes from hms.patients.access."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, connections, transaction
from django.db.models import BooleanField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from hms.accounts.models import User
from hms.core.errors import NotFoundError
from hms.patients import names
from hms.patients.access import patients_in_care_of, patients_visible_to
from hms.patients.models import (
    Allergy,
    AllergyStatus,
    BreakGlassGrant,
    CareAssignment,
    EmergencyContact,
    InsurancePolicy,
    Patient,
)
from hms.patients.mrn import mrn_normalise

# --- Search ---------------------------------------------------------------------------------

MIN_NAME_QUERY_LENGTH = 2
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
_HIGHEST_CHAR = "\U0010ffff"


def _prefix(field: str, value: str) -> Q:
    """`field` starts with `value`, phrased so each database uses its btree index.

    The search columns hold lowercase normalised text, so the comparison can be exact.
    PostgreSQL: LIKE 'x%' on "C"-collated columns (migration 0004). MySQL: its
    case-insensitive LIKE (Django's LIKE BINARY would skip the index). SQLite: a range scan,
    because SQLite never uses an index for LIKE ... ESCAPE, which Django always emits.
    """
    vendor = connection.vendor
    if vendor == "postgresql":
        return Q(**{f"{field}__startswith": value})
    if vendor == "mysql":
        return Q(**{f"{field}__istartswith": value})
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + _HIGHEST_CHAR})


# Each tier is read in the order of one index (models.Patient.Meta.indexes).
LAST_ORDER = ("last_name_norm", "first_name_norm", "id")
FIRST_ORDER = ("first_name_norm", "last_name_norm", "id")
FULL_ORDER = ("full_name_norm", "id")
REVERSE_ORDER = ("reverse_name_norm", "id")
PHONE_ORDER = ("phone_digits", "id")


@dataclass(frozen=True)
class SearchTier:
    """One rank of matches: its condition and the index order it is read in."""

    name: str
    condition: Q
    order_by: tuple[str, ...]


@lru_cache(maxsize=8)
def _trigram_index_present(alias: str) -> bool:
    """Did migration 0002 manage to create the trigram index (PostgreSQL with pg_trgm)?"""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'patient_full_trgm'")
        return cursor.fetchone() is not None


SIMILAR_NAME_THRESHOLD = 0.4  # pg_trgm similarity; its default 0.3 lets in far too much
SIMILAR_NAME_LIMIT = 25


def patient_similar_names(queryset: QuerySet[Patient], q: str) -> list[Patient] | None:
    """PostgreSQL with pg_trgm: up to SIMILAR_NAME_LIMIT patients whose name is most similar
    to `q` ("jhon smith"), through the GIN trigram index. None where that is not available or
    `q` is not a name. Meant for when no prefix matched: suggestions, not a full result set.
    """
    raw = (q or "").strip()
    normalised = names.name_normalise(raw.replace(",", " "))
    if (
        connection.vendor != "postgresql"
        or len(normalised.replace(" ", "")) < 4
        or _PHONE_LIKE.match(raw)
        or mrn_normalise(raw)
        or not _trigram_index_present(connection.alias)
    ):
        return None

    # The % operator is what the GIN index serves (Django has no lookup for it unless
    # django.contrib.postgres is installed); its threshold is a setting, raised for this
    # transaction only.
    similar = RawSQL(
        '"patients_patient"."full_name_norm" %% %s', (normalised,), output_field=BooleanField()
    )
    similarity = TrigramSimilarity("full_name_norm", Value(normalised))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(SIMILAR_NAME_THRESHOLD)],
        )
        return list(queryset.filter(similar).order_by(similarity.desc(), "id")[:SIMILAR_NAME_LIMIT])


def patient_search_tiers(q: str) -> list[SearchTier]:
    """The ranked tiers for a search string, best first; each excludes the ones before it.

    MRN (exact, check digit verified) > phone prefix > full name prefix ("first last", then
    "last first" / "last, first") > last name prefix > first name prefix. A one-word query
    cannot match the full-name tiers without matching the single-name ones, and a query of
    several words cannot match a single name without matching a full name, so each query uses
    only the tiers that can differ.
    """
    raw = (q or "").strip()
    tiers: list[SearchTier] = []
    if not raw:
        return tiers
    if mrn := mrn_normalise(raw):
        tiers.append(SearchTier("mrn", Q(mrn=mrn), ("id",)))
    if _PHONE_LIKE.match(raw):
        digits = names.phone_digits(raw)
        if len(digits) >= 4:
            tiers.append(SearchTier("phone", _prefix("phone_digits", digits), PHONE_ORDER))
        return tiers  # digits are never a name
    if tiers:
        return tiers  # an MRN is never a name either
    if "," in raw:
        last, first = raw.split(",", 1)
        reverse = " ".join(
            p for p in (names.name_normalise(last), names.name_normalise(first)) if p
        )
        if len(reverse) >= MIN_NAME_QUERY_LENGTH:
            tiers.append(
                SearchTier("reverse_name", _prefix("reverse_name_norm", reverse), REVERSE_ORDER)
            )
        return tiers
    normalised = names.name_normalise(raw)
    if len(normalised) < MIN_NAME_QUERY_LENGTH:
        return tiers
    if " " in normalised:
        full = _prefix("full_name_norm", normalised)
        tiers.append(SearchTier("full_name", full, FULL_ORDER))
        tiers.append(
            SearchTier(
                "reverse_name", _prefix("reverse_name_norm", normalised) & ~full, REVERSE_ORDER
            )
        )
        return tiers
    last = _prefix("last_name_norm", normalised)
    tiers.append(SearchTier("last_name", last, LAST_ORDER))
    tiers.append(
        SearchTier("first_name", _prefix("first_name_norm", normalised) & ~last, FIRST_ORDER)
    )
    return tiers


class TieredResults:
    """Search results: the tiers' querysets concatenated, best tier first.

    Pagination asks for `count()` (one COUNT per tier, an index-only scan where the database
    can) and one slice (each tier it overlaps is read in index order with OFFSET/LIMIT). So a
    page costs the same whether a prefix matches ten patients or a hundred thousand: nothing
    fetches or sorts every match.
    """

    ordered = True

    def __init__(self, querysets: list[QuerySet[Patient]], fallback=None):
        self.querysets: list = list(querysets)
        self.fallback = fallback  # () -> list | None, asked only when every tier is empty
        self._counts: list[int] | None = None

    def _tier_counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [queryset.count() for queryset in self.querysets]
            if self.fallback is not None and not any(self._counts):
                rows = self.fallback()
                if rows:
                    self.querysets.append(rows)
                    self._counts.append(len(rows))
        return self._counts

    def count(self) -> int:
        return sum(self._tier_counts())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        self._tier_counts()
        for queryset in self.querysets:
            yield from queryset

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item : item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        if item.step not in (None, 1):
            raise ValueError("TieredResults does not support slice steps.")
        start = item.start or 0
        stop = item.stop
        rows: list[Patient] = []
        offset = 0
        for queryset, size in zip(self.querysets, self._tier_counts(), strict=True):
            if stop is not None and offset >= stop:
                break
            low = max(start - offset, 0)
            high = size if stop is None else min(stop - offset, size)
            if low < high:
                rows.extend(queryset[low:high])
            offset += size
        return rows


def patient_search(queryset: QuerySet[Patient], q: str) -> TieredResults:
    """Matches of `q` within `queryset`, ranked (see patient_search_tiers); when nothing
    matches by prefix, the most similar names (PostgreSQL with pg_trgm)."""
    tiers = [
        queryset.filter(tier.condition).order_by(*tier.order_by) for tier in patient_search_tiers(q)
    ]
    return TieredResults(tiers, fallback=lambda: patient_similar_names(queryset, q))


# --- Patients --------------------------------------------------------------------------------


def patient_list(*, user: User, filters: dict | None = None) -> "QuerySet[Patient] | TieredResults":
    """Patients this user may find, filtered; ranked tiers when searching with `q`."""
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


# --- Assignments -----------------------------------------------------------------------------


def patient_in_registry_find(*, user: User, public_id) -> Patient | None:
    """A patient this user may find in the registry (`patients_visible_to`), or None."""
    return patients_visible_to(user=user).filter(public_id=public_id).first()


def patient_find(*, public_id) -> Patient | None:
    """A patient by id with no access check: only for writes whose permission does not depend
    on reading the chart (assigning a doctor, granting break-the-glass)."""
    return Patient.objects.filter(public_id=public_id).first()


def doctor_patient_list(
    *, doctor: User, filters: dict | None = None
) -> "QuerySet[Patient] | TieredResults":
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


def patient_has_active_allergies(*, patient) -> bool:
    """Whether the patient has an active (not voided) allergy on record: the wristband's flag.
    One query."""
    return Allergy.objects.filter(patient=patient, status=AllergyStatus.ACTIVE).exists()
