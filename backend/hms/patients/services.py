"""Writes for the patient registry, doctors, care assignments and break-the-glass.

Every function is transactional, validates before saving and records its audit event last.
Audit details name the fields that changed, never their values (no PHI in the audit log
beyond ids).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.accounts.services import patient_user_create, user_create
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.locks import lock_or_create, partial_unique_lock, partial_unique_lock_table
from hms.core.models import AuditAction
from hms.core.plausible_dates import date_of_birth_check, day_check
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.core.transactions import service_transaction
from hms.patients import names
from hms.patients.access import user_has_care_relationship
from hms.patients.encryption import keyed_hash
from hms.patients.models import (
    Allergy,
    AllergyStatus,
    BreakGlassGrant,
    CareAssignment,
    DoctorProfile,
    EmergencyContact,
    InsurancePolicy,
    MrnCounter,
    Patient,
    Sex,
)
from hms.patients.mrn import mrn_format
from hms.patients.selectors import patient_possible_duplicates

DEFAULT_BREAK_GLASS_HOURS = 12
BREAK_GLASS_REASON_MIN_LENGTH = 10
MAX_DUPLICATE_CANDIDATES = 10


def _changed_names(changed: dict) -> list[str]:
    return sorted(changed)


def _apply(instance, changes: dict, allowed: frozenset[str]) -> dict:
    changed = {}
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(f"{field} cannot be changed here.", code="field_not_editable")
        if getattr(instance, field) != value:
            changed[field] = True
            setattr(instance, field, value)
    return changed


# --- MRN -------------------------------------------------------------------------------------


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


# --- Patients --------------------------------------------------------------------------------

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
    changed = _apply(patient, changes, PATIENT_EDITABLE_FIELDS)
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
            detail={"changed": _changed_names(changed)},
        )
    return patient


# --- Chart sub-records: contacts, allergies, insurance ---------------------------------------


def _void(*, actor: User, record, reason: str, resource_type: str, extra_updates=()):
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give a reason for voiding.",
            code="validation_error",
            fields={"reason": ["This field is required."]},
        )
    record = type(record).all_objects.select_for_update().get(pk=record.pk)
    if record.voided_at is not None:
        raise ConflictError("This record is already voided.", code="already_voided")
    record.voided_at = timezone.now()
    record.voided_by = actor
    record.void_reason = reason
    for field, value in extra_updates:
        setattr(record, field, value)
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.VOID,
        resource_type=resource_type,
        object_id=record.public_id,
        patient_id=record.patient.public_id,
        detail={"reason": reason},
    )
    return record


CONTACT_FIELDS = frozenset(
    {"name", "relationship", "phone", "email", "address", "is_primary", "note"}
)


@transaction.atomic
def contact_create(*, actor: User, patient: Patient, name: str, phone: str, **fields):
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {sorted(unknown)}", code="field_not_editable")
    contact = EmergencyContact(
        patient=patient, name=name.strip(), phone=phone.strip(), created_by=actor, **fields
    )
    if contact.is_primary:
        EmergencyContact.objects.filter(patient=patient, is_primary=True).update(is_primary=False)
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="patient_contact",
        object_id=contact.public_id,
        patient_id=patient.public_id,
    )
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: EmergencyContact, **changes) -> EmergencyContact:
    contact = EmergencyContact.objects.select_for_update().get(pk=contact.pk)
    changed = _apply(contact, changes, CONTACT_FIELDS)
    if changed:
        if changes.get("is_primary"):
            EmergencyContact.objects.filter(patient_id=contact.patient_id, is_primary=True).exclude(
                pk=contact.pk
            ).update(is_primary=False)
        contact.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="patient_contact",
            object_id=contact.public_id,
            patient_id=contact.patient.public_id,
            detail={"changed": _changed_names(changed)},
        )
    return contact


@transaction.atomic
def contact_void(*, actor: User, contact: EmergencyContact, reason: str) -> EmergencyContact:
    return _void(actor=actor, record=contact, reason=reason, resource_type="patient_contact")


ALLERGY_FIELDS = frozenset(
    {"substance", "category", "reaction", "severity", "status", "onset_date", "note"}
)


def _allergy_conflict(substance: str) -> ConflictError:
    return ConflictError(
        f"The chart already records an allergy to {substance!r}; update that entry instead.",
        code="allergy_exists",
        fields={"substance": ["Already recorded for this patient."]},
    )


def _check_allergy_status(status: str) -> None:
    if status == AllergyStatus.ENTERED_IN_ERROR:
        raise ApplicationError(
            "To mark an allergy as entered in error, void it with a reason.",
            code="validation_error",
            fields={"status": ["Use the void action for entered-in-error."]},
        )


@transaction.atomic
def allergy_create(*, actor: User, patient: Patient, substance: str, **fields) -> Allergy:
    unknown = set(fields) - ALLERGY_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {sorted(unknown)}", code="field_not_editable")
    _check_allergy_status(fields.get("status", AllergyStatus.ACTIVE))
    if fields.get("onset_date") is not None:
        day_check(fields["onset_date"], field="onset_date", patient=patient)
    substance = substance.strip()
    allergy = Allergy(
        patient=patient,
        substance=substance,
        substance_norm=names.name_normalise(substance),
        created_by=actor,
        **fields,
    )
    # Where the live-allergy constraint cannot exist (MySQL/MariaDB), writers for one patient
    # queue on the patient's row before this check.
    partial_unique_lock(Patient.objects.filter(pk=patient.pk))
    if Allergy.objects.filter(patient=patient, substance_norm=allergy.substance_norm).exists():
        raise _allergy_conflict(substance)
    try:
        with transaction.atomic():
            allergy.save()
    except IntegrityError as exc:  # lost a race with the same substance
        raise _allergy_conflict(substance) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="allergy",
        object_id=allergy.public_id,
        patient_id=patient.public_id,
    )
    return allergy


@transaction.atomic
def allergy_update(*, actor: User, allergy: Allergy, **changes) -> Allergy:
    allergy = Allergy.objects.select_for_update().get(pk=allergy.pk)
    if "status" in changes:
        _check_allergy_status(changes["status"])
    if changes.get("onset_date") is not None:
        day_check(changes["onset_date"], field="onset_date", patient=allergy.patient)
    changed = _apply(allergy, changes, ALLERGY_FIELDS)
    if changed:
        if "substance" in changed:
            allergy.substance = allergy.substance.strip()
            allergy.substance_norm = names.name_normalise(allergy.substance)
            partial_unique_lock(Patient.objects.filter(pk=allergy.patient_id))  # as in create
            if (
                Allergy.objects.filter(
                    patient_id=allergy.patient_id, substance_norm=allergy.substance_norm
                )
                .exclude(pk=allergy.pk)
                .exists()
            ):
                raise _allergy_conflict(allergy.substance)
        allergy.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="allergy",
            object_id=allergy.public_id,
            patient_id=allergy.patient.public_id,
            detail={"changed": _changed_names(changed)},
        )
    return allergy


@transaction.atomic
def allergy_void(*, actor: User, allergy: Allergy, reason: str) -> Allergy:
    return _void(
        actor=actor,
        record=allergy,
        reason=reason,
        resource_type="allergy",
        extra_updates=[("status", AllergyStatus.ENTERED_IN_ERROR)],
    )


INSURANCE_FIELDS = frozenset(
    {
        "payer",
        "plan_name",
        "policy_number",
        "holder_name",
        "valid_from",
        "valid_until",
        "is_primary",
    }
)


def _validate_policy(policy: InsurancePolicy) -> None:
    if policy.valid_until and policy.valid_until < policy.valid_from:
        raise ApplicationError(
            "The policy cannot end before it starts.",
            code="validation_error",
            fields={"valid_until": ["Must be on or after valid_from."]},
        )
    if not policy.policy_number.strip():
        raise ApplicationError(
            "Enter the policy number.",
            code="validation_error",
            fields={"policy_number": ["This field is required."]},
        )


@transaction.atomic
def insurance_policy_create(
    *, actor: User, patient: Patient, payer: str, policy_number: str, valid_from: date, **fields
) -> InsurancePolicy:
    unknown = set(fields) - INSURANCE_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {sorted(unknown)}", code="field_not_editable")
    policy = InsurancePolicy(
        patient=patient,
        payer=payer.strip(),
        policy_number=policy_number.strip(),
        valid_from=valid_from,
        created_by=actor,
        **fields,
    )
    _validate_policy(policy)
    policy.policy_number_hash = keyed_hash(policy.policy_number)
    if policy.is_primary:
        InsurancePolicy.objects.filter(patient=patient, is_primary=True).update(is_primary=False)
    policy.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="insurance_policy",
        object_id=policy.public_id,
        patient_id=patient.public_id,
    )
    return policy


@transaction.atomic
def insurance_policy_update(*, actor: User, policy: InsurancePolicy, **changes) -> InsurancePolicy:
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    changed = _apply(policy, changes, INSURANCE_FIELDS)
    if changed:
        _validate_policy(policy)
        policy.policy_number_hash = keyed_hash(policy.policy_number)
        if changes.get("is_primary"):
            InsurancePolicy.objects.filter(patient_id=policy.patient_id, is_primary=True).exclude(
                pk=policy.pk
            ).update(is_primary=False)
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="insurance_policy",
            object_id=policy.public_id,
            patient_id=policy.patient.public_id,
            detail={"changed": _changed_names(changed)},
        )
    return policy


@transaction.atomic
def insurance_policy_void(*, actor: User, policy: InsurancePolicy, reason: str) -> InsurancePolicy:
    return _void(actor=actor, record=policy, reason=reason, resource_type="insurance_policy")


# --- Doctors ---------------------------------------------------------------------------------

DOCTOR_PROFILE_FIELDS = frozenset(
    {"specialization", "department", "bio", "available", "license_number"}
)
DOCTOR_SELF_EDITABLE_FIELDS = frozenset({"bio", "available"})


def _license_taken(license_number: str, *, exclude_pk: int | None = None) -> bool:
    if not license_number:
        return False
    # Where the unique-licence constraint cannot exist (MySQL/MariaDB), licence writers queue
    # here until the caller's transaction ends, so the answer stays true until then.
    partial_unique_lock_table(DoctorProfile)
    taken = DoctorProfile.objects.filter(license_number=license_number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _license_conflict() -> ConflictError:
    return ConflictError(
        "Another doctor has this license number.",
        code="license_taken",
        fields={"license_number": ["Already used by another doctor."]},
    )


@transaction.atomic
def doctor_register(
    *,
    actor: User,
    username: str,
    password: str,
    specialization: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    department: str = "",
    bio: str = "",
    available: bool = True,
    license_number: str = "",
) -> DoctorProfile:
    """An administrator registers a doctor: the account and the profile, together or not at
    all."""
    license_number = license_number.strip()
    if _license_taken(license_number):
        raise _license_conflict()
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        role=Role.DOCTOR,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    profile = DoctorProfile(
        user=user,
        specialization=specialization.strip(),
        department=department.strip(),
        bio=bio,
        available=available,
        license_number=license_number,
    )
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise _license_conflict() from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="doctor_profile",
        object_id=user.public_id,
        detail={"specialization": profile.specialization},
    )
    return profile


@transaction.atomic
def doctor_profile_update(*, actor: User, profile: DoctorProfile, **changes) -> DoctorProfile:
    """An admin edits any doctor's profile; a doctor edits their own bio and availability."""
    profile = DoctorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if actor.role == Role.ADMIN:
        allowed = DOCTOR_PROFILE_FIELDS
    elif actor.role == Role.DOCTOR and actor.pk == profile.user_id:
        allowed = DOCTOR_SELF_EDITABLE_FIELDS
        not_allowed = sorted(set(changes) - allowed)
        if not_allowed:
            raise ForbiddenError(
                f"Only an administrator can change {', '.join(not_allowed)}.",
                code="field_not_editable",
                fields={field: ["Only an administrator can change this."] for field in not_allowed},
            )
    else:
        raise ForbiddenError("You can edit only your own profile.", code="not_own_profile")
    if "license_number" in changes:
        changes["license_number"] = changes["license_number"].strip()
        if _license_taken(changes["license_number"], exclude_pk=profile.pk):
            raise _license_conflict()
    changed = _apply(profile, changes, allowed)
    if changed:
        try:
            with transaction.atomic():  # a savepoint: the licence's unique constraint
                profile.save()
        except IntegrityError as exc:
            # Another doctor took this licence number since the check above.
            raise _license_conflict() from exc
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="doctor_profile",
            object_id=profile.user.public_id,
            detail={"changed": _changed_names(changed)},
        )
    return profile


# --- Care assignments ------------------------------------------------------------------------


def _already_assigned() -> ConflictError:
    return ConflictError(
        "This patient is already assigned to this doctor.", code="already_assigned"
    )


@transaction.atomic
def care_assignment_create(
    *, actor: User, patient: Patient, doctor: User, note: str = ""
) -> CareAssignment:
    """Assign a patient to a doctor (one active assignment per pair, enforced by the
    database)."""
    if doctor.role != Role.DOCTOR or not doctor.is_active:
        raise ApplicationError(
            "Patients can be assigned only to an active doctor.",
            code="validation_error",
            fields={"doctor": ["Not an active doctor."]},
        )
    # Where the one-active-per-pair constraint cannot exist (MySQL/MariaDB), assignments of one
    # patient queue on the patient's row before this check.
    partial_unique_lock(Patient.objects.filter(pk=patient.pk))
    if CareAssignment.objects.filter(patient=patient, doctor=doctor, active=True).exists():
        raise _already_assigned()
    assignment = CareAssignment(patient=patient, doctor=doctor, assigned_by=actor, note=note)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent request assigned the same pair
        raise _already_assigned() from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="care_assignment",
        object_id=assignment.public_id,
        patient_id=patient.public_id,
        detail={"doctor": str(doctor.public_id)},
    )
    return assignment


@transaction.atomic
def care_assignment_end(*, actor: User, assignment: CareAssignment) -> CareAssignment:
    assignment = CareAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.active:
        raise ConflictError("This assignment has already ended.", code="already_ended")
    assignment.active = False
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    assignment.save(update_fields=["active", "ended_at", "ended_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="care_assignment",
        object_id=assignment.public_id,
        patient_id=assignment.patient.public_id,
        detail={"ended": True},
    )
    return assignment


# --- Break-the-glass -------------------------------------------------------------------------


def break_glass_hours() -> int:
    return int(getattr(settings, "BREAK_GLASS_HOURS", DEFAULT_BREAK_GLASS_HOURS))


@transaction.atomic
def break_glass_grant_create(*, user: User, patient: Patient, reason: str) -> BreakGlassGrant:
    """Emergency access to a chart outside the clinician's care, for BREAK_GLASS_HOURS."""
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ApplicationError(
            f"Give the reason for emergency access (at least {BREAK_GLASS_REASON_MIN_LENGTH} "
            "characters).",
            code="validation_error",
            fields={"reason": [f"At least {BREAK_GLASS_REASON_MIN_LENGTH} characters."]},
        )
    if user_has_care_relationship(user=user, patient=patient):
        raise ConflictError(
            "This patient is already in your care; no emergency access is needed.",
            code="break_glass_not_needed",
        )
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=break_glass_hours()),
    )
    audit_record(
        actor=user,
        action=AuditAction.EMERGENCY_ACCESS,
        resource_type="break_glass_grant",
        object_id=grant.public_id,
        patient_id=patient.public_id,
        detail={"reason": reason, "expires_at": grant.expires_at.isoformat()},
    )
    return grant


@transaction.atomic
def break_glass_grant_review(
    *, actor: User, grant: BreakGlassGrant, note: str = ""
) -> BreakGlassGrant:
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ConflictError("This emergency access was already reviewed.", code="already_reviewed")
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = actor
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="break_glass_grant",
        object_id=grant.public_id,
        patient_id=grant.patient.public_id,
        detail={"reviewed": True},
    )
    return grant
