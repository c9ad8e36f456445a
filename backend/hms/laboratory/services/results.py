"""Results: entry and interpretation, verification by a second person, amendment."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.core.services import notification_create
from hms.core.wording import with_article
from hms.laboratory import ranges, units
from hms.laboratory.events import LabOrderVerified
from hms.laboratory.models import (
    CRITICAL_FLAGS,
    Hl7Message,
    LabOrder,
    LabOrderStatus,
    LabResult,
    LabTest,
    LabTestKind,
    LabVerifierGrant,
    ResultFlag,
    ResultSource,
)
from hms.laboratory.services.common import (
    RESULT_RESOURCE,
    _audit,
    _lock,
    _require_lab_technician,
    _transition,
    order_link,
)


def analytes_of(test: LabTest) -> list[LabTest]:
    """What results an order of `test` has: its components (a panel) or itself."""
    if test.kind == LabTestKind.PANEL:
        links = test.component_links.select_related("test").prefetch_related(
            "test__reference_ranges"
        )
        return [link.test for link in links]
    return [LabTest.objects.prefetch_related("reference_ranges").get(pk=test.pk)]


@dataclass
class ResultInput:
    test: LabTest
    value: object
    unit: str = ""
    comment: str = ""
    external_flag: str = ""


@dataclass
class _Interpreted:
    value_numeric: object
    comparator: str
    value_text: str
    unit: str
    reported_value: str
    reported_unit: str
    flag: str
    applied: ranges.AppliedRange | None


def _interpret(*, order: LabOrder, item: ResultInput, index: int) -> _Interpreted:
    """Check the value against the test (unit, allowed answers) and flag it from the range
    that fits the patient's sex and age on the collection date."""
    test = item.test
    raw = "" if item.value is None else str(item.value).strip()
    field = {"results": {index: {"value": None}}}
    if test.kind == LabTestKind.TEXT:
        if not raw:
            field["results"][index]["value"] = ["A result is required."]
            raise ApplicationError(
                f"{test.name}: give a result.", code="result_required", fields=field
            )
        allowed = {v.lower(): v for v in test.allowed_values}
        if allowed and raw.lower() not in allowed:
            field["results"][index]["value"] = [f"One of: {', '.join(test.allowed_values)}."]
            raise ApplicationError(
                f"{test.name}: {raw!r} is not an accepted answer "
                f"({', '.join(test.allowed_values)}).",
                code="invalid_result",
                fields=field,
            )
        value = allowed.get(raw.lower(), raw)[:200]
        return _Interpreted(
            value_numeric=None,
            comparator="",
            value_text=value,
            unit="",
            reported_value=raw[:64],
            reported_unit=item.unit[:32],
            flag=ranges.flag_text(value, test.normal_values),
            applied=None,
        )
    try:
        parsed = units.parse_number(raw)
        value = units.to_test_unit(test, parsed.value, item.unit)
    except units.UnitError as exc:
        mismatch = isinstance(exc, units.UnitMismatchError)
        code, key = ("unit_mismatch", "unit") if mismatch else ("invalid_result", "value")
        field["results"][index] = {key: [str(exc)]}
        raise ApplicationError(f"{test.name}: {exc}", code=code, fields=field) from exc
    patient = order.patient
    on = timezone.localdate(order.collected_at or timezone.now())
    applied = ranges.select_range(
        list(test.reference_ranges.all()), sex=patient.sex, birth=patient.date_of_birth, on=on
    )
    return _Interpreted(
        value_numeric=value,
        comparator=parsed.comparator,
        value_text="",
        unit=test.unit,
        reported_value=raw[:64],
        reported_unit=(item.unit or test.unit)[:32],
        flag=ranges.flag_numeric(value, applied),
        applied=applied,
    )


def _apply(result: LabResult, interpreted: _Interpreted) -> None:
    applied = interpreted.applied
    result.value_numeric = interpreted.value_numeric
    result.comparator = interpreted.comparator
    result.value_text = interpreted.value_text
    result.unit = interpreted.unit
    result.reported_value = interpreted.reported_value
    result.reported_unit = interpreted.reported_unit
    result.flag = interpreted.flag
    result.reference_low = applied.low if applied else None
    result.reference_high = applied.high if applied else None
    result.critical_low = applied.critical_low if applied else None
    result.critical_high = applied.critical_high if applied else None
    result.reference_text = applied.text if applied else ", ".join(result.test.normal_values)[:120]
    result.range_basis = (applied.basis if applied else "")[:120]


def _refresh_critical(order: LabOrder) -> None:
    """Any current result (the pending version, else the current verified one) critical?"""
    current = {}
    for result in order.results.filter(superseded_at__isnull=True).order_by("version"):
        current[result.test_id] = result
    order.has_critical = any(r.flag in CRITICAL_FLAGS for r in current.values())


@transaction.atomic
def lab_results_enter(
    *,
    actor: User | None,
    order: LabOrder,
    results: list[ResultInput],
    source: ResultSource | str = ResultSource.MANUAL,
    hl7_message: Hl7Message | None = None,
    entered_at: datetime | None = None,
) -> LabOrder:
    """Enter (or, before verification, correct) results. The order moves to in_progress
    (from specimen_collected) and to resulted once every analyte has a value."""
    _require_lab_technician(actor)
    order = _lock(order)
    if order.status == LabOrderStatus.VERIFIED:
        raise ConflictError(
            "These results are verified; correct one by amending it.", code="already_verified"
        )
    if order.status == LabOrderStatus.SPECIMEN_COLLECTED:
        _transition(order, LabOrderStatus.IN_PROGRESS)
        order.started_at = timezone.now()
    if order.status not in (LabOrderStatus.IN_PROGRESS, LabOrderStatus.RESULTED):
        raise ConflictError(
            "Results cannot be entered for "
            + with_article(order.get_status_display().lower())
            + " order"
            + (" (record the specimen collection first)." if order.status == "ordered" else "."),
            code="invalid_transition",
            extra={"from": order.status, "to": LabOrderStatus.RESULTED.value},
        )
    if not results:
        raise ApplicationError(
            "Give at least one result.", code="validation_error", fields={"results": ["Empty."]}
        )
    expected = {t.pk: t for t in analytes_of(order.test)}
    seen = set()
    for index, item in enumerate(results):
        if item.test.pk not in expected:
            names = ", ".join(t.code for t in expected.values())
            raise ApplicationError(
                f"{item.test.code} is not part of this order ({order.test.code}: {names}).",
                code="test_not_in_order",
                fields={"results": {index: {"test": [f"Not in this order ({names})."]}}},
            )
        if item.test.pk in seen:
            raise ApplicationError(
                f"{item.test.code} is given twice.",
                code="duplicate_test",
                fields={"results": {index: {"test": ["Given twice."]}}},
            )
        seen.add(item.test.pk)
        item.test = expected[item.test.pk]

    entered_at = entered_at or timezone.now()
    pending = {r.test_id: r for r in order.results.filter(verified_at__isnull=True)}
    changed = []
    for index, item in enumerate(results):
        interpreted = _interpret(order=order, item=item, index=index)
        result = pending.get(item.test.pk) or LabResult(order=order, test=item.test, version=1)
        result.test = item.test
        _apply(result, interpreted)
        result.comment = item.comment
        result.external_flag = item.external_flag[:8]
        result.source = source
        result.hl7_message = hl7_message
        result.entered_by = actor
        result.entered_at = entered_at
        result.save()
        changed.append(result)

    have = set(order.results.values_list("test_id", flat=True))
    if order.status == LabOrderStatus.IN_PROGRESS and have >= set(expected):
        _transition(order, LabOrderStatus.RESULTED)
        order.resulted_at = entered_at
    _refresh_critical(order)
    order.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        resource=RESULT_RESOURCE,
        detail={
            "status": order.status,
            "source": str(source),
            "results": {r.test.code: {"value": r.display_value, "flag": r.flag} for r in changed},
        },
    )
    return order


def active_verifier_grant(user) -> LabVerifierGrant | None:
    return LabVerifierGrant.objects.filter(user=user, revoked_at__isnull=True).first()


def _check_second_person(*, actor: User, pending: list[LabResult]) -> bool:
    """True when the actor verifies results they entered (allowed by a grant)."""
    own = [r for r in pending if r.entered_by_id == actor.pk]
    if not own:
        return False
    if active_verifier_grant(actor) is None:
        raise ForbiddenError(
            "Results are verified by a second person: you entered "
            f"{', '.join(sorted(r.test.code for r in own))}. Ask another lab technician, or an "
            "admin for a self-verification grant.",
            code="second_person_required",
        )
    return True


def _notify_doctor(*, order: LabOrder, verified: list[LabResult], amended: bool) -> None:
    patient = order.patient
    who = f"{patient.display_name} ({patient.mrn})"
    for result in verified:
        if result.flag in CRITICAL_FLAGS:
            notification_create(
                recipient=order.ordering_doctor,
                kind="lab_critical_result",
                severity="critical",
                title=f"Critical result: {result.test.name} {result.display_value} "
                f"{result.unit} — {who}",
                body=(
                    f"{result.get_flag_display()} {result.test.name} of {result.display_value} "
                    f"{result.unit} (critical {_limits(result)}) for {who}, order "
                    f"{order.placer_number}" + (", amended result." if amended else ".")
                ),
                link=order_link(order),
                patient_id=patient.public_id,
                dedupe_key=f"lab_critical:{result.public_id}",
            )
    abnormal = sum(1 for r in verified if r.flag not in ("", ResultFlag.NORMAL))
    notification_create(
        recipient=order.ordering_doctor,
        kind="lab_result_amended" if amended else "lab_result_verified",
        severity="warning" if amended else "info",
        title=f"{'Amended' if amended else 'Results'}: {order.test.name} — {who}",
        body=f"{len(verified)} result(s), {abnormal} outside the reference range.",
        link=order_link(order),
        patient_id=patient.public_id,
        dedupe_key=f"lab_verified:{order.public_id}:{verified[0].public_id}",
    )


def _limits(result: LabResult) -> str:
    parts = []
    if result.critical_low is not None:
        parts.append(f"below {format(result.critical_low.normalize(), 'f')}")
    if result.critical_high is not None:
        parts.append(f"above {format(result.critical_high.normalize(), 'f')}")
    return " or ".join(parts)


@transaction.atomic
def lab_order_verify(*, actor: User, order: LabOrder) -> LabOrder:
    """Verify a resulted order, or (on a verified order) its pending amendments."""
    _require_lab_technician(actor)
    order = _lock(order)
    pending = list(order.results.filter(verified_at__isnull=True).select_related("test"))
    amending = order.status == LabOrderStatus.VERIFIED
    if not amending:
        _transition(order, LabOrderStatus.VERIFIED)
    elif not pending:
        raise ConflictError("Nothing is waiting for verification.", code="nothing_to_verify")
    self_verified = _check_second_person(actor=actor, pending=pending)
    now = timezone.now()
    if amending:
        # Keep the originals, marked superseded, before the amendments become current.
        LabResult.objects.filter(
            pk__in=[r.amends_id for r in pending if r.amends_id], superseded_at__isnull=True
        ).update(superseded_at=now)
    for result in pending:
        result.verified_at, result.verified_by = now, actor
        result.save(update_fields=["verified_at", "verified_by", "updated_at"])
    if not amending:
        order.verified_at, order.verified_by = now, actor
        order.turnaround = now - order.ordered_at
    _refresh_critical(order)
    order.save()
    if not amending:
        publish(LabOrderVerified(actor=actor, order=order, verified_at=now))  # billed once
    _notify_doctor(order=order, verified=pending, amended=amending)
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        resource=RESULT_RESOURCE,
        detail={
            "verified": [f"{r.test.code} v{r.version}" for r in pending],
            "amendment": amending,
            "self_verified": self_verified,
            "critical": [r.test.code for r in pending if r.flag in CRITICAL_FLAGS],
            **({"turnaround_minutes": _minutes(order.turnaround)} if not amending else {}),
        },
    )
    return order


def _minutes(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds() // 60)


@transaction.atomic
def lab_result_amend(
    *,
    actor: User | None,
    result: LabResult,
    value,
    unit: str = "",
    comment: str = "",
    reason: str,
    source: ResultSource | str = ResultSource.MANUAL,
    hl7_message: Hl7Message | None = None,
) -> LabResult:
    """Correct a verified result: a new version amending it. The verified one stays as it
    was (and current) until the amendment is verified."""
    _require_lab_technician(actor)
    order = _lock(result.order)
    result = LabResult.objects.select_related("test").get(pk=result.pk)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            "Say why the result is amended.",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    if order.status != LabOrderStatus.VERIFIED or result.verified_at is None:
        raise ConflictError(
            "Only verified results are amended; before verification, enter the corrected "
            "value instead.",
            code="not_verified",
        )
    if result.superseded_at is not None:
        raise ConflictError(
            "This version has been replaced; amend the current one.", code="superseded"
        )
    if order.results.filter(test=result.test, verified_at__isnull=True).exists():
        raise ConflictError(
            "An amendment of this result is already waiting for verification.",
            code="amendment_pending",
        )
    interpreted = _interpret(
        order=order, item=ResultInput(test=result.test, value=value, unit=unit), index=0
    )
    latest = order.results.filter(test=result.test).aggregate(v=Max("version"))["v"] or 0
    amendment = LabResult(
        order=order,
        test=result.test,
        version=latest + 1,
        amends=result,
        amendment_reason=reason,
        comment=comment,
        source=source,
        hl7_message=hl7_message,
        entered_by=actor,
        entered_at=timezone.now(),
    )
    _apply(amendment, interpreted)
    amendment.save()
    _refresh_critical(order)
    order.save(update_fields=["has_critical", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        resource=RESULT_RESOURCE,
        oid=amendment.public_id,
        detail={
            "amends": str(result.public_id),
            "test": result.test.code,
            "from": result.display_value,
            "to": amendment.display_value,
            "flag": amendment.flag,
            "reason": reason,
        },
    )
    return amendment
