"""What the radiology writes share: audit resource names, the order lock, the status flow."""

from django.db import connection

from hms.core.errors import ConflictError
from hms.core.services import audit_record
from hms.core.wording import with_article
from hms.radiology.models import ALLOWED_TRANSITIONS, ImagingOrder, OrderStatus

RESOURCE_ORDER = "imaging_order"
RESOURCE_IMAGE = "imaging_image"
RESOURCE_REPORT = "imaging_report"
RESOURCE_PROCEDURE = "imaging_procedure"


def _audit(
    *, actor, action, order: ImagingOrder, resource_type=RESOURCE_ORDER, record=None, detail=None
):
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=(record or order).public_id,
        patient_id=order.patient.public_id,
        detail=detail,
    )


def _lock(order: ImagingOrder) -> ImagingOrder:
    """Lock the order row alone (not its patient, procedure or doctor) and load it with them."""
    orders = ImagingOrder.objects.select_related(
        "patient", "patient__user", "procedure", "ordering_doctor"
    )
    features = connection.features
    if features.has_select_for_update and not features.has_select_for_update_of:
        # MariaDB has no FOR UPDATE OF: a locking join would lock every joined row (each order
        # of the procedure would queue on it), so the order is locked by itself first.
        ImagingOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk").get()
        return orders.get(pk=order.pk)
    return orders.select_for_update(of=("self",)).get(pk=order.pk)


def _transition(order: ImagingOrder, target: OrderStatus) -> None:
    if target not in ALLOWED_TRANSITIONS[order.status]:
        raise ConflictError(
            f"{with_article(order.get_status_display().lower(), capital=True)} imaging order "
            f"cannot become {target.label.lower()}.",
            code="invalid_transition",
            extra={"from": order.status, "to": target.value},
        )
    order.status = target
