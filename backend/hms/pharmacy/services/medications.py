"""A patient's medicines as the chart shows them: stopping one, renewing one.

A medicine is one item of a prescription. Stopping it keeps the row (who, when, why) and the
pharmacy dispenses nothing more of it; renewing it writes a new prescription for the same drug,
dose, route and frequency through `prescription_create`, so every safety check runs again."""

from django.db import transaction

from hms.accounts.models import User
from hms.core.errors import ForbiddenError
from hms.core.roles import Role
from hms.pharmacy.models import Prescription, PrescriptionItem
from hms.pharmacy.services.prescriptions import item_stop, prescription_create
from hms.pharmacy.services.stock import _require_reason


def _require_doctor(actor: User, *, what: str) -> None:
    if getattr(actor, "role", None) != Role.DOCTOR:
        raise ForbiddenError(f"Only doctors {what}.", code="not_a_prescriber")


@transaction.atomic
def medication_stop(*, actor: User, item: PrescriptionItem, reason: str) -> PrescriptionItem:
    """Stop a current medicine, with a reason (audited). Only doctors stop medicines."""
    _require_doctor(actor, what="stop medicines")
    reason = _require_reason(reason, what="a stopped medicine needs a reason")
    return item_stop(actor=actor, item=item, reason=reason)


@transaction.atomic
def medication_renew(
    *,
    actor: User,
    item: PrescriptionItem,
    encounter=None,
    override_reason: str = "",
    note: str = "",
) -> Prescription:
    """A new prescription for the same medicine (drug, dose, route, frequency, course length,
    quantity and instructions), starting today. It goes through the prescribing service: a
    severe warning still needs an override reason (409 `safety_override_required`)."""
    _require_doctor(actor, what="renew medicines")
    item = PrescriptionItem.objects.select_related("drug", "prescription__patient").get(pk=item.pk)
    patient = item.prescription.patient
    return prescription_create(
        actor=actor,
        patient=patient,
        encounter=encounter,
        note=note or f"Renewal of {item.drug.generic_name}.",
        override_reason=override_reason,
        renewal_of=item,
        items=[
            {
                "drug": item.drug,
                "dose": item.dose,
                "dose_unit": item.dose_unit,
                "route": item.route,
                "frequency": item.frequency,
                "duration_days": item.duration_days,
                "quantity": item.quantity,
                "instructions": item.instructions,
            }
        ],
    )
