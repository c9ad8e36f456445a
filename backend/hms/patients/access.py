"""Who may see which part of which patient's chart. Every module asks here; nothing else decides.

    from hms.patients.access import ChartSection, patient_get_for_user

    patient = patient_get_for_user(
        user=request.user, patient_public_id=public_id, section=ChartSection.CLINICAL
    )

The rules, in order:

1. A patient-role user reaches only their own chart; any other id answers 404 (as if it did not
   exist), so ids cannot be probed.
2. The role must be allowed the section in the permission table: resource
   "patient_section:<section>", action "read" or "write" (hms.core.permissions). Otherwise 403
   with code `section_forbidden`.
3. Doctors and nurses (CARE_BOUND_ROLES) must have the patient in their care for every
   section but demographics: any care relationship registered with `register_care_relationship`
   (this app registers active doctor assignments; clinical registers encounters; appointments
   and inpatient add theirs). Otherwise they need a valid break-the-glass grant; without one:
   403 with code `break_glass_required` (clients turn it into the break-the-glass prompt).
   Demographics (the registry card: name, MRN, birth date, address; the national ID masked for
   roles that do not register patients) stay open to them as to the front desk: nurses
   register patients, and a clinician must see whose chart they are about to open. Other staff
   roles are not bound by care: they see their allowed sections of any patient.
4. Every answer is audited: a success as a `read` of resource_type=<section> with the patient's
   public id (with detail {"emergency": true} under a break-the-glass grant), a refusal with
   outcome `denied`.

Call it in the API view before the write's transaction starts (a denial audit written inside a
transaction that then rolls back would be lost).
"""

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from hms.core.errors import ForbiddenError, NotFoundError
from hms.core.models import AuditAction, AuditOutcome
from hms.core.permissions import user_may
from hms.core.roles import CLINICIAN_ROLES, Role
from hms.core.selectors import one_or_none
from hms.core.services import audit_record
from hms.patients.models import BreakGlassGrant, CareAssignment, Patient


class ChartSection(models.TextChoices):
    DEMOGRAPHICS = "demographics", "Demographics"
    CONTACTS = "contacts", "Emergency contacts"
    INSURANCE = "insurance", "Insurance"
    ALLERGIES = "allergies", "Allergies"
    APPOINTMENTS = "appointments", "Appointments"
    CLINICAL = "clinical", "Clinical record"
    DOCUMENTS = "documents", "Documents"
    ORDERS = "orders", "Orders and results"
    MEDICATIONS = "medications", "Medications"
    BILLING = "billing", "Billing"


SECTION_RESOURCE_PREFIX = "patient_section:"
# Roles that see a chart only when the patient is in their care (or under break-the-glass)...
CARE_BOUND_ROLES = CLINICIAN_ROLES
# ...except these sections, which they see like the front desk does.
CARE_EXEMPT_SECTIONS = frozenset({"demographics"})


def section_resource(section: ChartSection | str) -> str:
    return f"{SECTION_RESOURCE_PREFIX}{ChartSection(section).value}"


def section_allowed(*, user, section: ChartSection | str, purpose: str = "read") -> bool:
    """Does the role allow this section at all (before patient and care checks)?"""
    return user_may(user, section_resource(section), _table_action(purpose))


def sections_allowed(*, user, purpose: str = "read") -> list[str]:
    return [s.value for s in ChartSection if section_allowed(user=user, section=s, purpose=purpose)]


def _table_action(purpose: str) -> str:
    return "write" if purpose == "write" else "read"


# --- Care relationships ----------------------------------------------------------------------

CareRelationshipFn = Callable[[object], "Q | QuerySet | None"]
_CARE_RELATIONSHIPS: dict[str, CareRelationshipFn] = {}


def register_care_relationship(name: str, fn: CareRelationshipFn | None = None):
    """Register (or replace, by name) a way a clinician can have a patient in their care.

    `fn(user)` returns one of:
      - a QuerySet of patient primary keys, e.g.
        `Encounter.objects.filter(attending=user).values("patient_id")`;
      - a Q over Patient, e.g. `Q(admissions__attending=user, admissions__discharged_at=None)`;
      - None when the relationship cannot apply to this user.
    Each is used as a subquery, so it costs no extra query. Call it from AppConfig.ready();
    usable as a decorator: `@register_care_relationship("encounter")`.
    """
    if fn is None:

        def decorator(func: CareRelationshipFn) -> CareRelationshipFn:
            _CARE_RELATIONSHIPS[name] = func
            return func

        return decorator
    _CARE_RELATIONSHIPS[name] = fn
    return fn


def care_relationship_names() -> list[str]:
    return sorted(_CARE_RELATIONSHIPS)


def _care_condition(user) -> Q | None:
    parts = []
    for fn in _CARE_RELATIONSHIPS.values():
        result = fn(user)
        if result is None:
            continue
        if isinstance(result, Q):
            result = Patient.objects.filter(result).values("pk")
        parts.append(Q(pk__in=result))
    return reduce(or_, parts) if parts else None


def patients_in_care_of(*, user) -> QuerySet[Patient]:
    """Every patient in this user's care through any registered relationship."""
    condition = _care_condition(user)
    if condition is None:
        return Patient.objects.none()
    return Patient.objects.filter(condition)


def user_has_care_relationship(*, user, patient: Patient) -> bool:
    return patients_in_care_of(user=user).filter(pk=patient.pk).exists()


@register_care_relationship("assigned")
def _assigned_patients(user):
    if getattr(user, "role", None) != Role.DOCTOR:
        return None
    return CareAssignment.objects.filter(doctor=user, active=True).values("patient_id")


# --- Break-the-glass -------------------------------------------------------------------------


def active_break_glass_grant(*, user, patient: Patient) -> BreakGlassGrant | None:
    return (
        BreakGlassGrant.objects.filter(user=user, patient=patient, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


# --- The one question ------------------------------------------------------------------------


def _find_patient(patient_public_id) -> Patient | None:
    return one_or_none(Patient.objects.all(), public_id=patient_public_id)


def _deny(*, user, section: ChartSection, purpose: str, requested, patient, reason: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.READ,
        resource_type=section.value,
        object_id=str(requested)[:64],
        patient_id=patient.public_id if patient is not None else "",
        outcome=AuditOutcome.DENIED,
        detail={"reason": reason, **({"purpose": purpose} if purpose != "read" else {})},
    )


def patient_get_for_user(
    *, user, patient_public_id, section: ChartSection | str, purpose: str = "read"
) -> Patient:
    """The patient, if `user` may use `section` of their chart for `purpose` ("read" or
    "write"); raises NotFoundError (404), or ForbiddenError (403, code `section_forbidden` or
    `break_glass_required`). Audited either way. The returned patient carries
    `access_via_break_glass` (bool)."""
    section = ChartSection(section)
    patient = _find_patient(patient_public_id)
    deny = {"user": user, "section": section, "purpose": purpose, "requested": patient_public_id}

    is_patient_role = getattr(user, "role", None) == Role.PATIENT
    if patient is None or (is_patient_role and patient.user_id != user.pk):
        _deny(**deny, patient=patient, reason="not_found" if patient is None else "not_own_chart")
        raise NotFoundError("No patient with this id.", code="patient_not_found", audited=True)

    if not section_allowed(user=user, section=section, purpose=purpose):
        _deny(**deny, patient=patient, reason="section_forbidden")
        verb = "change" if _table_action(purpose) == "write" else "see"
        raise ForbiddenError(
            f"Your role may not {verb} the {section.label.lower()} section of a chart.",
            code="section_forbidden",
            extra={"section": section.value},
            audited=True,
        )

    grant = None
    if (
        getattr(user, "role", None) in CARE_BOUND_ROLES
        and section.value not in CARE_EXEMPT_SECTIONS
        and not user_has_care_relationship(user=user, patient=patient)
    ):
        grant = active_break_glass_grant(user=user, patient=patient)
        if grant is None:
            _deny(**deny, patient=patient, reason="break_glass_required")
            raise ForbiddenError(
                "This patient is not in your care. In an emergency you may open the chart by "
                "giving a reason (break the glass); the access is recorded and reviewed.",
                code="break_glass_required",
                extra={
                    "patient": str(patient.public_id),
                    "break_glass_url": f"/api/patients/{patient.public_id}/break-glass/",
                },
                audited=True,
            )

    patient.access_via_break_glass = grant is not None
    if purpose == "write" and grant is None:
        # The write itself is audited by the service that performs it (with the patient id);
        # a second "read" event here would only double the audit writes of every write.
        return patient
    detail: dict = {}
    if purpose != "read":
        detail["purpose"] = purpose
    if grant is not None:
        detail.update(emergency=True, grant=str(grant.public_id))
    audit_record(
        actor=user,
        action=AuditAction.READ,
        resource_type=section.value,
        object_id=patient.public_id,
        patient_id=patient.public_id,
        detail=detail,
    )
    return patient


def chart_access_summary(*, user, patient: Patient) -> dict:
    """What the chart's other sections will answer this user, for clients to show the right
    tabs and offer break-the-glass before the user hits a 403:

    {"sections": [...readable by the role...], "writable_sections": [...],
     "in_care": bool | None (None: the role is not bound by care),
     "emergency": bool (an active break-the-glass grant), "break_glass_required": bool}
    """
    in_care = emergency = None
    if getattr(user, "role", None) in CARE_BOUND_ROLES:
        in_care = user_has_care_relationship(user=user, patient=patient)
        emergency = not in_care and active_break_glass_grant(user=user, patient=patient) is not None
    return {
        "sections": sections_allowed(user=user),
        "writable_sections": sections_allowed(user=user, purpose="write"),
        "in_care": in_care,
        "emergency": bool(emergency),
        "break_glass_required": in_care is False and not emergency,
    }


def patients_visible_to(*, user) -> QuerySet[Patient]:
    """The patients this user may find in lists and search (the registry card: MRN, names,
    date of birth, sex, phone).

    A patient finds only themself. Staff allowed the demographics section find every patient:
    a clinician must be able to find a patient to ask for break-the-glass. Opening any section
    of a chart still goes through `patient_get_for_user` (care relationship or grant).
    """
    if not (user and user.is_authenticated):
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if section_allowed(user=user, section=ChartSection.DEMOGRAPHICS):
        return Patient.objects.all()
    return Patient.objects.none()
