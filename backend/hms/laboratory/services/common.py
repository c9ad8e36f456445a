"""What the laboratory writes share: the audit record, the order lock, the status flow."""

from hms.core.errors import ConflictError, ForbiddenError
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.core.wording import with_article
from hms.laboratory.models import ALLOWED_TRANSITIONS, LabOrder, LabOrderStatus

ORDER_RESOURCE = "lab_order"
RESULT_RESOURCE = "lab_result"
GRANT_RESOURCE = "lab_verifier_grant"


def _audit(*, actor, action, order: LabOrder, detail: dict | None = None, resource=None, oid=None):
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource or ORDER_RESOURCE,
        object_id=oid or order.public_id,
        patient_id=order.patient.public_id,
        detail=detail,
        **({"actor_username": "hl7-interface"} if actor is None else {}),
    )


def order_link(order: LabOrder) -> str:
    return f"/api/lab/orders/{order.public_id}/"


def _lock(order: LabOrder) -> LabOrder:
    return (
        LabOrder.objects.select_for_update()
        .select_related("patient", "test", "ordering_doctor")
        .get(pk=order.pk)
    )


def _transition(order: LabOrder, target: LabOrderStatus) -> None:
    if target not in ALLOWED_TRANSITIONS[order.status]:
        raise ConflictError(
            f"{with_article(order.get_status_display().lower(), capital=True)} order cannot become "
            f"{target.label.lower()}.",
            code="invalid_transition",
            extra={"from": order.status, "to": target.value},
        )
    order.status = target


def _require_lab_technician(actor) -> None:
    if actor is not None and getattr(actor, "role", None) != Role.LAB_TECHNICIAN:
        raise ForbiddenError(
            "Only lab technicians enter and verify results.", code="not_lab_technician"
        )
