"""The import of one message: parse, apply once, answer an ACK (never raise for bad input)."""

import logging

from django.db import IntegrityError, transaction

from hms.core.errors import ApplicationError
from hms.core.models import AuditAction, AuditOutcome
from hms.core.services import audit_record
from hms.laboratory.hl7_oru.ack import Hl7Outcome, build_ack
from hms.laboratory.hl7_oru.applying import _already_received, _duplicate, _store_and_apply
from hms.laboratory.hl7_oru.parsing import (
    ERR_DATA_TYPE,
    ERR_INTERNAL,
    Hl7Rejection,
    _error,
    _get,
    _normalise,
    _parse,
)

logger = logging.getLogger(__name__)


def hl7_oru_import(*, raw: str, actor=None) -> Hl7Outcome:
    """Import one ORU^R01 message; never raises for bad input, answers an ACK instead."""
    message = None
    try:
        message = _parse(_normalise(raw))
        if _already_received(message):
            return _duplicate(message)
        try:
            with transaction.atomic():
                return _store_and_apply(message=message, raw=_normalise(raw), actor=actor)
        except IntegrityError as exc:
            # Two deliveries of one message at once: the other one stored it.
            if _already_received(message):
                return _duplicate(message)
            logger.warning("HL7 import conflict: %s", exc)
            raise _error(
                "A concurrent update conflicted with this message; send it again.",
                ERR_INTERNAL,
            ) from exc
    except Hl7Rejection as rejection:
        failure = rejection
    except ApplicationError as exc:  # a service said no (unit, value, transition...)
        failure = _error(exc.message, ERR_DATA_TYPE if exc.status_code == 400 else ERR_INTERNAL)
    control_id = _get(message.segment("MSH"), 10) if message is not None else ""
    audit_record(
        actor=actor,
        actor_username=None if actor is not None else "hl7-interface",
        action=AuditAction.CREATE,
        resource_type="lab_hl7_message",
        outcome=AuditOutcome.FAILURE,
        detail={
            "control_id": control_id,
            "ack": failure.ack_code,
            "reason": failure.message,
            "location": failure.location,
        },
    )
    ack, _ = build_ack(
        message,
        ack_code=failure.ack_code,
        text=failure.message,
        error=failure.error,
        location=failure.location,
    )
    return Hl7Outcome(
        failure.ack_code,
        failure.message,
        ack,
        control_id=control_id,
        error_location=failure.location,
    )
