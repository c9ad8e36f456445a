"""A patient's emergency contacts, allergies and insurance policies: add, change, void."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.plausible_dates import day_check
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients import names
from hms.patients.encryption import keyed_hash
from hms.patients.models import (
    Allergy,
    AllergySource,
    AllergyStatus,
    EmergencyContact,
    InsurancePolicy,
    Patient,
)
from hms.patients.services.base import apply_changes, changed_names


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
    changed = apply_changes(contact, changes, CONTACT_FIELDS)
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
            detail={"changed": changed_names(changed)},
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


# Who confirms an allergy a patient reported.
ALLERGY_CONFIRMERS = frozenset({Role.DOCTOR, Role.NURSE})
# What a patient may say when reporting an allergy from the portal.
ALLERGY_REPORT_FIELDS = frozenset({"category", "reaction", "severity", "onset_date", "note"})


@transaction.atomic
def allergy_create(*, actor: User, patient: Patient, substance: str, **fields) -> Allergy:
    unknown = set(fields) - ALLERGY_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {sorted(unknown)}", code="field_not_editable")
    return _allergy_add(actor=actor, patient=patient, substance=substance, fields=fields)


def _allergy_add(
    *,
    actor: User,
    patient: Patient,
    substance: str,
    fields: dict,
    source: AllergySource = AllergySource.CLINICIAN,
) -> Allergy:
    _check_allergy_status(fields.get("status", AllergyStatus.ACTIVE))
    if fields.get("onset_date") is not None:
        day_check(fields["onset_date"], field="onset_date", patient=patient)
    substance = substance.strip()
    if not substance:
        raise ApplicationError(
            "Name the substance.",
            code="validation_error",
            fields={"substance": ["This field is required."]},
        )
    allergy = Allergy(
        patient=patient,
        substance=substance,
        substance_norm=names.name_normalise(substance),
        created_by=actor,
        source=source,
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
        detail={"source": str(source)},
    )
    return allergy


@transaction.atomic
def allergy_report(*, actor: User, patient: Patient, substance: str, **fields) -> Allergy:
    """A patient reports an allergy of their own from the portal. It is active at once (the
    prescribing safety checks count it) and shows as patient-reported until a doctor or nurse
    confirms it."""
    if getattr(actor, "role", None) != Role.PATIENT or patient.user_id != actor.pk:
        raise ForbiddenError(
            "Patients report allergies on their own chart only.", code="not_own_chart"
        )
    unknown = set(fields) - ALLERGY_REPORT_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {sorted(unknown)}", code="field_not_editable")
    return _allergy_add(
        actor=actor,
        patient=patient,
        substance=substance,
        fields=fields,
        source=AllergySource.PATIENT,
    )


@transaction.atomic
def allergy_confirm(*, actor: User, allergy: Allergy) -> Allergy:
    """A doctor or nurse confirms an allergy the patient reported: who and when are kept and
    audited; from then on it reads as any recorded allergy."""
    if getattr(actor, "role", None) not in ALLERGY_CONFIRMERS:
        raise ForbiddenError(
            "Only doctors and nurses confirm allergies.", code="not_an_allergy_confirmer"
        )
    allergy = Allergy.all_objects.select_for_update().get(pk=allergy.pk)
    if allergy.voided_at is not None:
        raise ConflictError("This allergy was entered in error.", code="record_voided")
    if not allergy.patient_reported:
        raise ConflictError(
            "Only an unconfirmed patient-reported allergy can be confirmed.",
            code="allergy_not_awaiting_confirmation",
        )
    allergy.confirmed_at = timezone.now()
    allergy.confirmed_by = actor
    allergy.save(update_fields=["confirmed_at", "confirmed_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="allergy_confirmation",
        object_id=allergy.public_id,
        patient_id=allergy.patient.public_id,
        detail={"substance": allergy.substance},
    )
    return allergy


@transaction.atomic
def allergy_update(*, actor: User, allergy: Allergy, **changes) -> Allergy:
    allergy = Allergy.objects.select_for_update().get(pk=allergy.pk)
    if "status" in changes:
        _check_allergy_status(changes["status"])
    if changes.get("onset_date") is not None:
        day_check(changes["onset_date"], field="onset_date", patient=allergy.patient)
    changed = apply_changes(allergy, changes, ALLERGY_FIELDS)
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
            detail={"changed": changed_names(changed)},
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
    changed = apply_changes(policy, changes, INSURANCE_FIELDS)
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
            detail={"changed": changed_names(changed)},
        )
    return policy


@transaction.atomic
def insurance_policy_void(*, actor: User, policy: InsurancePolicy, reason: str) -> InsurancePolicy:
    return _void(actor=actor, record=policy, reason=reason, resource_type="insurance_policy")
