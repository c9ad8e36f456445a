"""Registering and editing patients, and the medical record numbers they get.

Every function is transactional, validates before saving and records its audit event last.
Audit details name the fields that changed, never their values (no PHI in the audit log
beyond ids).
"""

from datetime import date

from django.db import transaction

from hms.accounts.models import User
from hms.accounts.services import patient_user_create
from hms.core.errors import ApplicationError, ConflictError
from hms.core.locks import lock_or_create
from hms.core.models import AuditAction
from hms.core.plausible_dates import date_of_birth_check
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.core.transactions import service_transaction
from hms.patients import names
from hms.patients.encryption import keyed_hash
from hms.patients.models import MrnCounter, Patient, Sex
from hms.patients.mrn import mrn_format
from hms.patients.selectors import patient_possible_duplicates
from hms.patients.services.base import apply_changes, changed_names

MAX_DUPLICATE_CANDIDATES = 10


@transaction.atomic
def mrn_reserve_block(*, count: int) -> range:
    """Reserve `count` consecutive MRN sequence numbers. The counter row is locked until the
    caller's transaction ends, so concurrent registrations queue and never share a number."""
    if count < 1:
        raise ValueError("count must be positive")
    counter, _ = lock_or_create(MrnCounter.objects, id=1)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return range(first, first + count)


def mrn_allocate(*, count: int = 1) -> list[str]:
    """`count` new MRNs (formatted, with check digits)."""
    return [mrn_format(sequence) for sequence in mrn_reserve_block(count=count)]


PATIENT_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country",
        "national_id",
        "blood_group",
    }
)


def patient_set_derived_fields(patient: Patient) -> None:
    """Recompute the search and lookup columns from the fields people edit."""
    patient.first_name = patient.first_name.strip()
    patient.middle_name = patient.middle_name.strip()
    patient.last_name = patient.last_name.strip()
    patient.first_name_norm = names.name_normalise(patient.first_name)[:100]
    patient.last_name_norm = names.name_normalise(patient.last_name)[:100]
    patient.full_name_norm = names.full_name_norm(patient.first_name, patient.last_name)
    patient.reverse_name_norm = names.reverse_name_norm(patient.first_name, patient.last_name)
    patient.phone = patient.phone.strip()
    patient.phone_digits = names.phone_digits(patient.phone)
    patient.national_id = (patient.national_id or "").strip()
    patient.national_id_hash = keyed_hash(patient.national_id)


def _validate_patient(patient: Patient) -> None:
    fields = {}
    if not patient.first_name_norm:
        fields["first_name"] = ["Enter a first name."]
    if not patient.last_name_norm:
        fields["last_name"] = ["Enter a last name."]
    try:
        date_of_birth_check(patient.date_of_birth)
    except ApplicationError as error:
        fields.update(error.fields)
    if fields:
        raise ApplicationError("Some fields are invalid.", code="validation_error", fields=fields)


def _duplicate_conflict(candidates: list[Patient]) -> ConflictError:
    return ConflictError(
        "This person may already be registered. Check the candidates; to register a new "
        'person anyway, send the request again with "confirm_new_person": true.',
        code="possible_duplicate",
        extra={
            "candidates": [
                {
                    "id": str(p.public_id),
                    "mrn": p.mrn,
                    "name": p.display_name,
                    "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
                }
                for p in candidates
            ]
        },
    )


@transaction.atomic
def patient_register(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    sex: str = Sex.UNKNOWN,
    middle_name: str = "",
    phone: str = "",
    email: str = "",
    address_line: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
    national_id: str = "",
    blood_group: str = "",
    confirm_new_person: bool = False,
) -> Patient:
    """Register a patient at the desk. Possible duplicates (same normalised name and date of
    birth, or same phone, or same national ID) answer 409 `possible_duplicate` unless the
    caller confirms this is a new person."""
    patient = Patient(
        first_name=first_name,
        middle_name=middle_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        email=email,
        address_line=address_line,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        national_id=national_id,
        blood_group=blood_group,
        created_by=actor,
    )
    patient_set_derived_fields(patient)
    _validate_patient(patient)
    if not confirm_new_person:
        candidates = list(
            patient_possible_duplicates(
                first_name_norm=patient.first_name_norm,
                last_name_norm=patient.last_name_norm,
                date_of_birth=patient.date_of_birth,
                phone_digits=patient.phone_digits,
                national_id_hash=patient.national_id_hash,
            )[:MAX_DUPLICATE_CANDIDATES]
        )
        if candidates:
            raise _duplicate_conflict(candidates)
    (patient.mrn,) = mrn_allocate(count=1)
    patient.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="patient",
        object_id=patient.public_id,
        patient_id=patient.public_id,
        detail={"mrn": patient.mrn, "confirmed_new_person": confirm_new_person},
    )
    return patient


@service_transaction
def patient_account_register(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    date_of_birth: date | None = None,
    sex: str = "",
) -> User:
    """Public self-registration: a patient account (hms.accounts) and its chart, together or
    not at all."""
    user = patient_user_create(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    patient_chart_create_for_account(user=user, date_of_birth=date_of_birth, sex=sex)
    return user


@transaction.atomic
def patient_chart_create_for_account(
    *, user: User, date_of_birth: date | None = None, sex: str = Sex.UNKNOWN
) -> Patient:
    """The chart of a patient who registered themself (POST /api/register/).

    No duplicate check here: linking a new account to an existing chart because the name and
    birth date match would let anyone claim someone else's record. Possible duplicates are
    counted in the audit detail for the front desk to reconcile.
    """
    if user.role != Role.PATIENT:
        raise ApplicationError("Only patient accounts get a chart.", code="invalid_role")
    if Patient.objects.filter(user=user).exists():
        raise ConflictError("This account already has a chart.", code="chart_exists")
    patient = Patient(
        first_name=user.first_name,
        last_name=user.last_name,
        date_of_birth=date_of_birth,
        sex=sex or Sex.UNKNOWN,
        phone=user.phone,
        email=user.email,
        user=user,
        created_by=user,
    )
    patient_set_derived_fields(patient)
    date_of_birth_check(patient.date_of_birth)
    possible = 0
    if patient.last_name_norm:
        possible = patient_possible_duplicates(
            first_name_norm=patient.first_name_norm,
            last_name_norm=patient.last_name_norm,
            date_of_birth=patient.date_of_birth,
            phone_digits=patient.phone_digits,
        ).count()
    (patient.mrn,) = mrn_allocate(count=1)
    patient.save()
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        resource_type="patient",
        object_id=patient.public_id,
        patient_id=patient.public_id,
        detail={"mrn": patient.mrn, "self_registered": True, "possible_duplicates": possible},
    )
    return patient


@transaction.atomic
def patient_update(*, actor: User, patient: Patient, **changes) -> Patient:
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = apply_changes(patient, changes, PATIENT_EDITABLE_FIELDS)
    if changed:
        patient_set_derived_fields(patient)
        _validate_patient(patient)
        patient.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="patient",
            object_id=patient.public_id,
            patient_id=patient.public_id,
            detail={"changed": changed_names(changed)},
        )
    return patient
