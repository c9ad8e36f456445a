"""Applying a parsed message: patient, orders, observations, stored like typed results."""

from dataclasses import dataclass, field

from django.utils import timezone

from hms.core.errors import ApplicationError
from hms.core.locks import partial_unique_lock_table
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.laboratory import services
from hms.laboratory.hl7_oru.ack import Hl7Outcome, build_ack
from hms.laboratory.hl7_oru.parsing import (
    ACCEPTED_RESULT_STATUSES,
    ERR_DATA_TYPE,
    ERR_DUPLICATE_KEY,
    ERR_REQUIRED_MISSING,
    ERR_SEGMENT_SEQUENCE,
    ERR_TABLE_VALUE,
    ERR_UNKNOWN_KEY,
    VALUE_TYPES,
    _error,
    _get,
    _repetitions,
    _timestamp,
)
from hms.laboratory.models import (
    Hl7Message,
    LabOrder,
    LabOrderStatus,
    LabResult,
    LabTest,
    ResultSource,
)
from hms.patients.models import Patient


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
