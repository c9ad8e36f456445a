"""HL7 v2 ORU^R01 (unsolicited observation result) import, answered with an original-mode ACK.

    outcome = hl7_oru_import(raw=text, actor=request.user)   # or actor=None from the command
    outcome.ack_code   # "AA", "AE" or "AR"
    outcome.ack        # the ACK message (ER7 text, segments separated by \r)

What is checked, and what each failure answers (nothing is stored on any failure: the whole
message is one transaction, and a rejection is only written to the audit log):

- AR (the message is rejected as such): not HL7 / unparsable, not ORU^R01, no control id
  (MSH-10), an unsupported version (MSH-12) or a processing id other than P (MSH-11);
- AE (the content cannot be applied): no PID or MRN, unknown patient (PID-3, MR identifier),
  a date of birth (PID-7) that differs from the chart, an OBR without a known order (placer
  number OBR-2 / ORC-2, else filler number OBR-3 / ORC-3), an order of another patient, an
  ordered test (OBR-4, LOINC) that differs from the order's, a cancelled order, an OBX whose
  code (OBX-3) is not an analyte of the order, a value or unit (OBX-5/6) the test does not
  accept, an unsupported result status (OBX-11 other than F, P, R, C), a final result for an
  order already verified (send a correction, OBX-11 = C), and for an order whose specimen
  collection is not yet recorded: no collection time (OBR-7), or one in the future, before the
  order was placed or before the patient's birth (the collection is recorded at that time
  before the results).

Matched results are stored like typed ones (flagged from the patient's reference range,
unverified until a lab technician verifies them). A resent message (same sender and control
id) is acknowledged AA again without being applied twice.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import hl7
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.core.errors import ApplicationError
from hms.core.locks import partial_unique_lock_table
from hms.core.models import AuditAction, AuditOutcome
from hms.core.services import audit_record
from hms.laboratory import services
from hms.laboratory.models import (
    Hl7Message,
    LabOrder,
    LabOrderStatus,
    LabResult,
    LabTest,
    ResultSource,
)
from hms.patients.models import Patient

logger = logging.getLogger(__name__)

SUPPORTED_VERSIONS = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8"}
ACCEPTED_RESULT_STATUSES = {"F", "P", "R", "C"}
VALUE_TYPES = {"NM", "SN", "ST", "TX", "FT", "CWE", "CE", "CNE"}
# HL7 table 0357 (message error condition codes).
ERR_SEGMENT_SEQUENCE = ("100", "Segment sequence error")
ERR_REQUIRED_MISSING = ("101", "Required field missing")
ERR_DATA_TYPE = ("102", "Data type error")
ERR_TABLE_VALUE = ("103", "Table value not found")
ERR_UNSUPPORTED_TYPE = ("200", "Unsupported message type")
ERR_UNSUPPORTED_EVENT = ("201", "Unsupported event code")
ERR_UNSUPPORTED_PROCESSING = ("202", "Unsupported processing id")
ERR_UNSUPPORTED_VERSION = ("203", "Unsupported version id")
ERR_UNKNOWN_KEY = ("204", "Unknown key identifier")
ERR_DUPLICATE_KEY = ("205", "Duplicate key identifier")
ERR_INTERNAL = ("207", "Application internal error")


class Hl7Rejection(Exception):
    def __init__(self, ack_code: str, message: str, error=ERR_INTERNAL, location: str = ""):
        super().__init__(message)
        self.ack_code = ack_code
        self.message = message
        self.error = error
        self.location = location


def _reject(message: str, error=ERR_INTERNAL, location: str = "") -> Hl7Rejection:
    return Hl7Rejection("AR", message, error, location)


def _error(message: str, error=ERR_INTERNAL, location: str = "") -> Hl7Rejection:
    return Hl7Rejection("AE", message, error, location)


@dataclass
class Hl7Outcome:
    ack_code: str
    text: str
    ack: str
    control_id: str = ""
    orders: list[LabOrder] = field(default_factory=list)
    results: int = 0
    duplicate: bool = False
    error_location: str = ""

    @property
    def accepted(self) -> bool:
        return self.ack_code == "AA"


# --- Reading fields --------------------------------------------------------------------------


def _get(segment, field_num: int, rep: int = 1, comp: int = 1, sub: int = 1) -> str:
    """A field value (unescaped), "" when absent; never raises for a short segment."""
    try:
        return str(segment.extract_field(1, field_num, rep, comp, sub)).strip()
    except (IndexError, AttributeError, TypeError):
        return ""


def _repetitions(segment, field_num: int) -> int:
    try:
        value = segment(field_num)
    except (IndexError, TypeError):
        return 0
    if isinstance(value, hl7.Field):
        return max(1, sum(1 for _ in value)) if len(value) else 0
    return 1 if str(value) else 0


def _timestamp(value: str, *, location: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = hl7.parse_datetime(value)
    except (ValueError, TypeError) as exc:
        raise _error(
            f"{location}: {value!r} is not an HL7 date/time.", ERR_DATA_TYPE, location
        ) from exc
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _normalise(raw: str) -> str:
    text = (raw or "").replace("\x0b", "").replace("\x1c", "").lstrip("\ufeff").strip()
    return text.replace("\r\n", "\r").replace("\n", "\r")


# --- The ACK ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Escape HL7 delimiters (the ACK always uses the standard |^~\\& encoding)."""
    field_sep, comp, rep, esc, sub = "|", "^", "~", "\\", "&"
    out = []
    for char in str(text):
        if char == esc:
            out.append(f"{esc}E{esc}")
        elif char == field_sep:
            out.append(f"{esc}F{esc}")
        elif char == comp:
            out.append(f"{esc}S{esc}")
        elif char == sub:
            out.append(f"{esc}T{esc}")
        elif char == rep:
            out.append(f"{esc}R{esc}")
        elif char in "\r\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _location(location: str) -> str:
    """ERR-2 (ERL: segment^sequence^field): components stay components."""
    return "^".join(_escape(part) for part in location.split("^"))


def build_ack(
    message, *, ack_code: str, text: str, error=None, location: str = ""
) -> tuple[str, str]:
    """(ACK text, its control id). `message` may be None when the input was not parsable."""
    msh = message.segment("MSH") if message is not None else None
    value = (lambda n, c=1: _get(msh, n, 1, c)) if msh is not None else (lambda n, c=1: "")
    control_id = "ACK" + secrets.token_hex(6).upper()
    now = timezone.localtime().strftime("%Y%m%d%H%M%S%z")
    trigger = value(9, 2) or "R01"
    version = value(12) if value(12) in SUPPORTED_VERSIONS else "2.5.1"
    fields = [
        "MSH",
        "^~\\&",
        _escape(value(5) or "HMS"),
        _escape(value(6) or "HMS"),
        _escape(value(3)),
        _escape(value(4)),
        now,
        "",
        f"ACK^{_escape(trigger)}^ACK",
        control_id,
        "P",
        version,
    ]
    segments = ["|".join(fields), f"MSA|{ack_code}|{_escape(value(10))}|{_escape(text[:80])}"]
    if error is not None and ack_code != "AA":
        code, name = error
        segments.append(
            f"ERR||{_location(location)}|{code}^{_escape(name)}^HL70357|E||||{_escape(text)}"
        )
    return "\r".join(segments) + "\r", control_id


# --- Applying the message --------------------------------------------------------------------


def _test_matches(test: LabTest, code: str) -> bool:
    return code and (
        code == test.loinc_code or code.upper() == test.code or code in (test.alias_codes or [])
    )


def _patient(pid) -> Patient:
    mrn = ""
    for rep in range(1, _repetitions(pid, 3) + 1):
        if _get(pid, 3, rep, 5).upper() == "MR":
            mrn = _get(pid, 3, rep, 1)
            break
    mrn = (mrn or _get(pid, 3, 1, 1)).upper()
    if not mrn:
        raise _error("PID-3 carries no patient identifier (MRN).", ERR_REQUIRED_MISSING, "PID^1^3")
    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        raise _error(f"Unknown patient: no chart with MRN {mrn}.", ERR_UNKNOWN_KEY, "PID^1^3")
    birth = _get(pid, 7)[:8]
    if birth and patient.date_of_birth and birth != patient.date_of_birth.strftime("%Y%m%d"):
        raise _error(
            f"Patient mismatch: the date of birth in PID-7 ({birth}) is not that of MRN {mrn}.",
            ERR_UNKNOWN_KEY,
            "PID^1^7",
        )
    return patient


@dataclass
class _Group:
    obr: object
    obr_index: int
    orc: object | None
    observations: list = field(default_factory=list)  # [(obx, [nte, ...])]


def _groups(message) -> list[_Group]:
    groups: list[_Group] = []
    last_orc = None
    obr_count = 0
    for segment in message:
        name = str(segment[0]).strip()
        if name == "ORC":
            last_orc = segment
        elif name == "OBR":
            obr_count += 1
            groups.append(_Group(obr=segment, obr_index=obr_count, orc=last_orc))
            last_orc = None
        elif name == "OBX":
            if not groups:
                raise _error("An OBX comes before any OBR.", ERR_SEGMENT_SEQUENCE, "OBX")
            groups[-1].observations.append((segment, []))
        elif name == "NTE" and groups and groups[-1].observations:
            groups[-1].observations[-1][1].append(segment)
    return groups


def _order(group: _Group, patient: Patient) -> LabOrder:
    where = f"OBR^{group.obr_index}"
    placer = _get(group.obr, 2) or (_get(group.orc, 2) if group.orc is not None else "")
    filler = _get(group.obr, 3) or (_get(group.orc, 3) if group.orc is not None else "")
    if not placer and not filler:
        raise _error(
            f"{where}: no placer (OBR-2) or filler (OBR-3) order number.",
            ERR_REQUIRED_MISSING,
            f"{where}^2",
        )
    order = None
    if placer:
        order = (
            LabOrder.objects.select_related("patient", "test")
            .filter(placer_number=placer.upper())
            .first()
        )
    if order is None and filler:
        order = (
            LabOrder.objects.select_related("patient", "test").filter(filler_number=filler).first()
        )
    if order is None:
        raise _error(
            f"{where}: unknown order (placer {placer or '-'}, filler {filler or '-'}).",
            ERR_UNKNOWN_KEY,
            f"{where}^2",
        )
    if order.patient_id != patient.pk:
        raise _error(
            f"{where}: patient mismatch: order {order.placer_number} belongs to another "
            "patient than the one in PID.",
            ERR_UNKNOWN_KEY,
            "PID^1^3",
        )
    if filler:
        if order.filler_number and order.filler_number != filler:
            raise _error(
                f"{where}: filler number {filler} does not match order {order.placer_number} "
                f"({order.filler_number}).",
                ERR_UNKNOWN_KEY,
                f"{where}^3",
            )
        if not order.filler_number:
            # Where the unique-filler constraint cannot exist (MySQL/MariaDB), filler numbers
            # are claimed one message at a time, so this check is final.
            partial_unique_lock_table(LabOrder)
            if LabOrder.objects.filter(filler_number=filler).exclude(pk=order.pk).exists():
                raise _error(
                    f"{where}: filler number {filler} is already used by another order.",
                    ERR_DUPLICATE_KEY,
                    f"{where}^3",
                )
            LabOrder.objects.filter(pk=order.pk).update(filler_number=filler)
            order.filler_number = filler
    service_code, system = _get(group.obr, 4, 1, 1), _get(group.obr, 4, 1, 3).upper()
    if service_code and system == "LN" and not _test_matches(order.test, service_code):
        raise _error(
            f"{where}: OBR-4 {service_code} is not the ordered test "
            f"({order.test.code}, LOINC {order.test.loinc_code}).",
            ERR_UNKNOWN_KEY,
            f"{where}^4",
        )
    if order.status == LabOrderStatus.CANCELLED:
        raise _error(f"{where}: order {order.placer_number} is cancelled.", ERR_UNKNOWN_KEY, where)
    return order


def _value(obx, value_type: str) -> str:
    if value_type == "SN":
        comparator, number = _get(obx, 5, 1, 1), _get(obx, 5, 1, 2)
        if _get(obx, 5, 1, 3):
            raise _error(
                "OBX-5: ratios and ranges (SN with a separator) are not supported.",
                ERR_DATA_TYPE,
                "OBX^5",
            )
        return f"{comparator if comparator != '=' else ''}{number}"
    if value_type in ("CWE", "CE", "CNE"):
        return _get(obx, 5, 1, 2) or _get(obx, 5, 1, 1)
    return _get(obx, 5)


def _observations(group: _Group, order: LabOrder) -> list[tuple[services.ResultInput, str]]:
    analytes = services.analytes_of(order.test)
    inputs = []
    for index, (obx, notes) in enumerate(group.observations, 1):
        where = f"OBX^{index}"
        value_type = _get(obx, 2).upper()
        if value_type not in VALUE_TYPES:
            raise _error(
                f"{where}: value type {value_type or '(none)'} is not supported.",
                ERR_TABLE_VALUE,
                f"{where}^2",
            )
        code = _get(obx, 3, 1, 1)
        test = next((t for t in analytes if _test_matches(t, code)), None)
        if test is None:
            raise _error(
                f"{where}: {code or '(no code)'} {_get(obx, 3, 1, 2)} is not part of order "
                f"{order.placer_number} ({order.test.code}).",
                ERR_UNKNOWN_KEY,
                f"{where}^3",
            )
        status = _get(obx, 11).upper() or "F"
        if status not in ACCEPTED_RESULT_STATUSES:
            raise _error(
                f"{where}: result status {status} is not supported (F, P, R or C).",
                ERR_TABLE_VALUE,
                f"{where}^11",
            )
        unit = _get(obx, 6, 1, 1)
        value = _value(obx, value_type)
        if test.kind == "numeric" and value_type in ("NM", "SN") and not unit and test.unit:
            raise _error(
                f"{where}: {test.name} needs its unit in OBX-6 ({test.unit}).",
                ERR_REQUIRED_MISSING,
                f"{where}^6",
            )
        comment = " ".join(_get(nte, 3) for nte in notes).strip()
        inputs.append(
            (
                services.ResultInput(
                    test=test,
                    value=value,
                    unit=unit,
                    comment=comment,
                    external_flag=_get(obx, 8),
                ),
                status,
            )
        )
    if not inputs:
        raise _error(
            f"OBR^{group.obr_index}: no results (OBX) for order {order.placer_number}.",
            ERR_REQUIRED_MISSING,
            f"OBR^{group.obr_index}",
        )
    return inputs


def _collect(*, group: _Group, order: LabOrder, actor) -> LabOrder:
    """Results for an order whose specimen collection was not recorded: the collection step is
    recorded first, at the time the sender gives (OBR-7), which must be a plausible one."""
    where = f"OBR^{group.obr_index}^7"
    collected = _timestamp(_get(group.obr, 7), location=where)
    if collected is None:
        raise _error(
            f"{where}: the specimen collection time is required; order {order.placer_number} "
            "has no collection recorded.",
            ERR_REQUIRED_MISSING,
            where,
        )
    try:
        return services.lab_order_collect(actor=actor, order=order, collected_at=collected)
    except ApplicationError as exc:
        if "collected_at" not in exc.fields:
            raise
        reasons = " ".join(str(m) for m in exc.fields["collected_at"])
        raise _error(
            f"{where}: collection time {collected.isoformat()} rejected: {reasons}",
            ERR_DATA_TYPE,
            where,
        ) from exc


def _apply_group(*, group: _Group, patient, actor, message: Hl7Message, sender: str) -> tuple:
    order = _order(group, patient)
    observations = _observations(group, order)
    if order.status == LabOrderStatus.VERIFIED:
        finals = [i.test.code for i, status in observations if status != "C"]
        if finals:
            raise _error(
                f"OBR^{group.obr_index}: order {order.placer_number} is already verified; "
                f"send corrections (OBX-11 = C) for {', '.join(finals)}.",
                ERR_DUPLICATE_KEY,
                f"OBR^{group.obr_index}",
            )
        for item, _ in observations:
            current = LabResult.objects.get(
                order=order, test=item.test, verified_at__isnull=False, superseded_at__isnull=True
            )
            services.lab_result_amend(
                actor=actor,
                result=current,
                value=item.value,
                unit=item.unit,
                comment=item.comment,
                reason=f"Corrected result from {sender} (message {message.control_id})",
                source=ResultSource.HL7,
                hl7_message=message,
            )
        return order, len(observations)
    if order.status == LabOrderStatus.ORDERED:
        order = _collect(group=group, order=order, actor=actor)
    order = services.lab_results_enter(
        actor=actor,
        order=order,
        results=[item for item, _ in observations],
        source=ResultSource.HL7,
        hl7_message=message,
    )
    return order, len(observations)


def _parse(text: str):
    if not text.startswith("MSH"):
        raise _reject(
            "Not an HL7 v2 message: it must start with an MSH segment.", ERR_SEGMENT_SEQUENCE, "MSH"
        )
    try:
        message = hl7.parse(text)
        msh = message.segment("MSH")
    except Exception as exc:  # the parser raises several exception types for bad input
        raise _reject(f"Malformed HL7 message: {exc}", ERR_SEGMENT_SEQUENCE, "MSH") from exc
    if _get(msh, 9, 1, 1).upper() != "ORU":
        raise _reject(
            f"Unsupported message type {_get(msh, 9, 1, 1) or '(none)'}: only ORU^R01 is accepted.",
            ERR_UNSUPPORTED_TYPE,
            "MSH^1^9",
        )
    if _get(msh, 9, 1, 2).upper() != "R01":
        raise _reject(
            f"Unsupported event {_get(msh, 9, 1, 2) or '(none)'}: only ORU^R01 is accepted.",
            ERR_UNSUPPORTED_EVENT,
            "MSH^1^9",
        )
    if not _get(msh, 10):
        raise _reject("MSH-10 (message control id) is missing.", ERR_REQUIRED_MISSING, "MSH^1^10")
    if _get(msh, 12, 1, 1) not in SUPPORTED_VERSIONS:
        raise _reject(
            f"Unsupported HL7 version {_get(msh, 12, 1, 1) or '(none)'}.",
            ERR_UNSUPPORTED_VERSION,
            "MSH^1^12",
        )
    if _get(msh, 11, 1, 1).upper() not in ("P", ""):
        raise _reject(
            f"Processing id {_get(msh, 11, 1, 1)} is not accepted: only production (P) results "
            "are stored.",
            ERR_UNSUPPORTED_PROCESSING,
            "MSH^1^11",
        )
    return message


def _store_and_apply(*, message, raw: str, actor) -> Hl7Outcome:
    msh = message.segment("MSH")
    control_id = _get(msh, 10)
    sender = "^".join(p for p in (_get(msh, 3), _get(msh, 4)) if p) or "the sender"
    pids = message.segments("PID") if any(str(s[0]) == "PID" for s in message) else []
    if len(pids) != 1:
        raise _error(
            "The message must carry exactly one patient (PID)."
            if pids
            else "No patient (PID segment) in the message.",
            ERR_REQUIRED_MISSING if not pids else ERR_SEGMENT_SEQUENCE,
            "PID",
        )
    stored = Hl7Message.objects.create(
        control_id=control_id[:64],
        sending_application=_get(msh, 3)[:180],
        sending_facility=_get(msh, 4)[:180],
        message_type="ORU^R01",
        version=_get(msh, 12, 1, 1)[:8],
        raw=raw,
        received_at=timezone.now(),
        received_by=actor,
    )
    patient = _patient(pids[0])
    groups = _groups(message)
    if not groups:
        raise _error("No order (OBR segment) in the message.", ERR_REQUIRED_MISSING, "OBR")
    orders, count = [], 0
    for group in groups:
        order, n = _apply_group(
            group=group, patient=patient, actor=actor, message=stored, sender=sender
        )
        orders.append(order)
        count += n
    stored.result_count = count
    stored.save(update_fields=["result_count", "updated_at"])
    audit_record(
        actor=actor,
        actor_username=None if actor is not None else f"hl7:{sender}",
        action=AuditAction.CREATE,
        resource_type="lab_hl7_message",
        object_id=stored.public_id,
        patient_id=patient.public_id,
        detail={
            "control_id": control_id,
            "sender": sender,
            "orders": [o.placer_number for o in orders],
            "results": count,
            "ack": "AA",
        },
    )
    text = f"{count} result(s) stored for {len(orders)} order(s)."
    ack, _ = build_ack(message, ack_code="AA", text=text)
    return Hl7Outcome("AA", text, ack, control_id=control_id, orders=orders, results=count)


def _already_received(message) -> bool:
    msh = message.segment("MSH")
    return Hl7Message.objects.filter(
        sending_application=_get(msh, 3)[:180],
        sending_facility=_get(msh, 4)[:180],
        control_id=_get(msh, 10)[:64],
    ).exists()


def _duplicate(message) -> Hl7Outcome:
    text = "Duplicate message: already received and processed; nothing changed."
    ack, _ = build_ack(message, ack_code="AA", text=text)
    return Hl7Outcome("AA", text, ack, control_id=_get(message.segment("MSH"), 10), duplicate=True)


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


def split_messages(text: str) -> list[str]:
    """A file of several messages (one after another, optionally in a FHS/BHS batch): one
    string per message, each starting with MSH."""
    messages, current = [], []
    for line in _normalise(text).split("\r"):
        if not line.strip():
            continue
        name = line[:3]
        if name in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if name == "MSH" and current:
            messages.append("\r".join(current))
            current = []
        current.append(line)
    if current:
        messages.append("\r".join(current))
    return messages
