"""Reads of the laboratory, each with its joins and its access scope.

Two audiences:
- the laboratory (lab technicians) works on orders: the worklist and any order, with every
  result version, verified or not. Their reads are audited here (one event per page or order).
- the chart side (doctors, nurses, the patient) reads orders through the chart's "orders"
  section (hms.patients.access: own chart, care relationship or break-the-glass) and sees only
  *verified* results.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from hms.clinical.selectors import charts_listable_by
from hms.core.errors import NotFoundError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.laboratory.models import (
    OPEN_STATUSES,
    LabDepartment,
    LabOrder,
    LabResult,
    LabTest,
    LabTestKind,
    LabVerifierGrant,
    PanelComponent,
)
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.names import name_normalise

LAB_ROLES = frozenset({Role.LAB_TECHNICIAN})


def is_lab(user) -> bool:
    return getattr(user, "role", None) in LAB_ROLES


# --- Catalog ---------------------------------------------------------------------------------


def lab_test_list(*, filters: dict | None = None) -> QuerySet[LabTest]:
    filters = filters or {}
    queryset = LabTest.objects.filter(active=True).prefetch_related(
        Prefetch("component_links__test"), "reference_ranges"
    )
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(code__iexact=q) | Q(loinc_code=q) | Q(name__icontains=q))
    if specimen := filters.get("specimen_type"):
        queryset = queryset.filter(specimen_type=specimen)
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name", "id")


LAB_TEST_SEARCH_LIMIT = 20
LAB_TEST_BROWSE_LIMIT = 60
LAB_TEST_SEARCH_MAX_WORDS = 5
_DEPARTMENT_ORDER = {value: index for index, value in enumerate(LabDepartment.values)}
_COMPONENTS = Prefetch(
    "component_links",
    queryset=PanelComponent.objects.select_related("test").order_by("position", "id"),
)


@dataclass
class LabTestGroup:
    department: str
    label: str
    tests: list[LabTest] = field(default_factory=list)


@dataclass
class LabTestSearchResult:
    """What the order page's picker shows: panels first, then tests grouped by department
    (in LabDepartment's order). `truncated`: more tests match than were returned."""

    panels: list[LabTest]
    groups: list[LabTestGroup]
    truncated: bool = False

    @property
    def tests(self) -> list[LabTest]:
        return [*self.panels, *(test for group in self.groups for test in group.tests)]

    def __len__(self) -> int:
        return len(self.panels) + sum(len(group.tests) for group in self.groups)


def lab_test_search(
    *, q: str = "", exclude=(), limit: int = LAB_TEST_SEARCH_LIMIT
) -> LabTestSearchResult:
    """Active catalogue entries for the order page's picker, at most `limit`.

    With words: each must begin a word of the test's code, name or LOINC code ("hb a1c",
    "lipid", "718-7"); the best `limit` matches are kept (local code exact; name starts with
    the query; a word starts with it; the rest), then shown panels first and grouped by
    department, by name within a group. Without words: the catalogue in that order (browse),
    `LAB_TEST_BROWSE_LIMIT` at most. `exclude`: ids (public) already chosen. Two queries
    whatever the catalogue's size: the tests (ranked, LIMIT) and the panels' components."""
    norm = name_normalise(q or "")
    words = norm.split()[:LAB_TEST_SEARCH_MAX_WORDS]
    queryset = LabTest.objects.filter(active=True)
    excluded = [value for value in (_as_uuid(v) for v in exclude) if value is not None]
    if excluded:
        queryset = queryset.exclude(public_id__in=excluded)
    if words:
        for word in words:
            queryset = queryset.filter(
                Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
            )
        rank = Case(
            When(code__iexact=(q or "").strip(), then=Value(0)),
            When(search_text__startswith=norm, then=Value(1)),
            When(search_text__contains=f" {norm}", then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        ordered = queryset.annotate(rank=rank).order_by("rank", "name", "id")
    else:
        limit = max(limit, LAB_TEST_BROWSE_LIMIT)
        department_rank = Case(
            *(When(department=value, then=Value(i)) for value, i in _DEPARTMENT_ORDER.items()),
            default=Value(len(_DEPARTMENT_ORDER)),
            output_field=IntegerField(),
        )
        panels_first = Case(
            When(kind=LabTestKind.PANEL, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        ordered = queryset.annotate(panel_rank=panels_first, department_rank=department_rank)
        ordered = ordered.order_by("panel_rank", "department_rank", "name", "id")
    rows = list(ordered.prefetch_related(_COMPONENTS)[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    panels = [test for test in rows if test.is_panel]
    groups: dict[str, LabTestGroup] = {}
    labels = dict(LabDepartment.choices)
    for test in rows:
        if test.is_panel:
            continue
        if test.department not in groups:
            groups[test.department] = LabTestGroup(
                test.department, labels.get(test.department, test.department)
            )
        groups[test.department].tests.append(test)
    ordered_groups = sorted(
        groups.values(), key=lambda g: _DEPARTMENT_ORDER.get(g.department, len(_DEPARTMENT_ORDER))
    )
    # The best matches were chosen by rank; shown, they read best by name.
    panels.sort(key=lambda t: (t.name.casefold(), t.id))
    if words:
        for group in ordered_groups:
            group.tests.sort(key=lambda t: (t.name.casefold(), t.id))
    return LabTestSearchResult(panels=panels, groups=ordered_groups, truncated=truncated)


def lab_tests_by_public_ids(public_ids) -> dict[str, LabTest]:
    """Active catalogue entries named by their ids (what a submitted order form chose), keyed
    by the id as text. One query."""
    wanted = [value for value in (_as_uuid(v) for v in public_ids) if value is not None]
    if not wanted:
        return {}
    rows = (
        LabTest.objects.filter(active=True, public_id__in=wanted)
        .prefetch_related(_COMPONENTS)
        .order_by("name", "id")
    )
    return {str(test.public_id): test for test in rows}


def _as_uuid(value) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError):
        return None


def lab_test_resolve(ref) -> LabTest | None:
    """A test named by its id (UUID), local code or LOINC code (or a LOINC alias)."""
    text = str(ref or "").strip()
    if not text:
        return None
    try:
        return LabTest.objects.filter(public_id=UUID(text)).first()
    except ValueError:
        pass
    found = LabTest.objects.filter(Q(code__iexact=text) | Q(loinc_code=text)).first()
    return found or _by_alias(text)


def _by_alias(code: str) -> LabTest | None:
    # JSON containment lookups are not portable to SQLite; the catalog is small.
    for pk, aliases in LabTest.objects.values_list("pk", "alias_codes"):
        if code in (aliases or []):
            return LabTest.objects.get(pk=pk)
    return None


def lab_test_get(*, ref) -> LabTest:
    test = lab_test_resolve(ref)
    if test is None:
        raise NotFoundError("No lab test with this id or code.", code="lab_test_not_found")
    return (
        LabTest.objects.prefetch_related("component_links__test", "reference_ranges")
        .filter(pk=test.pk)
        .get()
    )


# --- Orders ----------------------------------------------------------------------------------


def _with_relations(queryset: QuerySet[LabOrder]) -> QuerySet[LabOrder]:
    return queryset.select_related(
        "patient", "test", "ordering_doctor", "ordered_by", "verified_by", "encounter"
    ).prefetch_related(
        "test__component_links",
        Prefetch(
            "results",
            queryset=LabResult.objects.select_related(
                "test", "entered_by", "verified_by", "amends"
            ).order_by("version", "id"),
        ),
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filter_orders(queryset: QuerySet[LabOrder], filters: dict) -> QuerySet[LabOrder]:
    if statuses := filters.get("status"):
        queryset = queryset.filter(status__in=statuses)
    if filters.get("open"):
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if priority := filters.get("priority"):
        queryset = queryset.filter(priority=priority)
    if day := filters.get("date"):
        filters = {**filters, "date_from": day, "date_to": day}
    if date_from := filters.get("date_from"):
        queryset = queryset.filter(ordered_at__gte=_day_start(date_from))
    if date_to := filters.get("date_to"):
        queryset = queryset.filter(ordered_at__lt=_day_start(date_to + timedelta(days=1)))
    if test := filters.get("test"):
        queryset = queryset.filter(Q(test__code__iexact=test) | Q(test__loinc_code=test))
    if filters.get("critical"):
        queryset = queryset.filter(has_critical=True)
    return queryset


def lab_worklist(*, user, filters: dict | None = None) -> QuerySet[LabOrder]:
    """The laboratory's worklist: every order, STAT first, oldest first within a priority.
    Filters: status (several), open, priority, date / date_from / date_to (ordered, in the
    hospital's time zone), test, patient, critical, q (placer/filler number or MRN)."""
    filters = filters or {}
    queryset = _filter_orders(LabOrder.objects.all(), filters)
    if patient_id := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient_id)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(placer_number=q.upper()) | Q(filler_number=q) | Q(patient__mrn=q.upper())
        )
    return _with_relations(queryset).order_by("priority_rank", "ordered_at", "id")


def lab_orders_for_user(*, user, filters: dict | None = None) -> QuerySet[LabOrder]:
    """Orders on the chart side. With `patient`: that chart (opened and audited by the access
    module). Without: the charts this user may list (own chart, patients in care).
    `mine` (doctors): the orders they are the ordering doctor of."""
    filters = filters or {}
    queryset = LabOrder.objects.all()
    if patient_id := filters.get("patient"):
        patient = patient_get_for_user(
            user=user, patient_public_id=patient_id, section=ChartSection.ORDERS
        )
        queryset = queryset.filter(patient=patient)
    else:
        # (The view audits the page: which patients' orders were shown.)
        queryset = queryset.filter(
            patient__in=charts_listable_by(user=user, section=ChartSection.ORDERS).values("pk")
        )
    if filters.get("mine"):
        queryset = queryset.filter(ordering_doctor=user)
    queryset = _filter_orders(queryset, filters)
    return _with_relations(queryset).order_by("-ordered_at", "-id")


ANALYTE_HISTORY_MAX = 200


def analyte_history_for_user(*, user, patient_id, test_ref, limit: int = ANALYTE_HISTORY_MAX):
    """One analyte's results for one patient over time: `(patient, test, results)`, the
    results oldest first by when the specimen was taken (collection, else ordering time), each
    with its order. The chart's orders section is opened (scoped and audited; another patient's id
    answers 404, a patient outside the user's care 403). The chart side sees verified results
    only, the amended (superseded) versions left out; the laboratory sees the current version
    of every entered result. Unknown test: 404 `lab_test_not_found`. Two queries after the
    chart is opened (the test, the results with their orders); at most `limit` results, the
    most recent ones."""
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ORDERS
    )
    test = lab_test_resolve(test_ref)
    if test is None:
        raise NotFoundError("No lab test with this id or code.", code="lab_test_not_found")
    results = LabResult.objects.filter(
        order__patient=patient, test=test, superseded_at__isnull=True
    ).select_related("order", "test")
    if not is_lab(user):
        results = results.filter(verified_at__isnull=False)
    # The most recently ordered `limit`, then in the order the specimens were taken.
    results = list(results.order_by("-order__ordered_at", "-id")[:limit])
    results.sort(key=lambda r: (r.order.collected_at or r.order.ordered_at, r.pk))
    return patient, test, results


def lab_order_get_for_user(*, user, public_id, purpose: str = "read") -> LabOrder:
    """One order. The lab reaches any order (audited here); everyone else through the chart's
    orders section (another patient's order answers 404, like one that does not exist)."""
    order = _with_relations(LabOrder.objects.filter(public_id=public_id)).first()
    if order is None:
        raise NotFoundError("No lab order with this id.", code="lab_order_not_found")
    if is_lab(user):
        if purpose == "read":
            audit_record(
                actor=user,
                action=AuditAction.READ,
                resource_type="lab_order",
                object_id=order.public_id,
                patient_id=order.patient.public_id,
            )
        return order
    patient_get_for_user(
        user=user,
        patient_public_id=order.patient.public_id,
        section=ChartSection.ORDERS,
        purpose=purpose,
    )
    return order


def lab_order_with_relations(*, public_id) -> LabOrder:
    """No access check: for answering after a write the caller was allowed to make."""
    return _with_relations(LabOrder.objects.filter(public_id=public_id)).get()


def lab_result_get_for_lab(*, public_id) -> LabResult:
    result = (
        LabResult.objects.select_related("order", "order__patient", "test")
        .filter(public_id=public_id)
        .first()
    )
    if result is None:
        raise NotFoundError("No lab result with this id.", code="lab_result_not_found")
    return result


def visible_results(order: LabOrder, user) -> list[LabResult]:
    """The result versions this user may see, in the panel's reporting order: the lab sees
    every version; everyone else only verified ones (pending results and amendments are not
    released)."""
    results = list(order.results.all())
    if not is_lab(user):
        results = [r for r in results if r.verified_at is not None]
    if order.test.kind == LabTestKind.PANEL:
        position = {link.test_id: link.position for link in order.test.component_links.all()}
        results.sort(key=lambda r: (position.get(r.test_id, 999), r.version))
    return results


def lab_verifier_grant_list(*, include_revoked: bool = False) -> QuerySet[LabVerifierGrant]:
    queryset = LabVerifierGrant.objects.select_related("user", "granted_by", "revoked_by")
    if not include_revoked:
        queryset = queryset.filter(revoked_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def lab_verifier_grant_find(*, public_id) -> LabVerifierGrant | None:
    return LabVerifierGrant.objects.filter(public_id=public_id).first()


def encounter_lab_orders(*, encounter) -> QuerySet[LabOrder]:
    """The lab orders placed during an encounter (its chart opened by the caller): one query."""
    return (
        LabOrder.objects.filter(encounter=encounter)
        .select_related("test", "ordering_doctor")
        .order_by("ordered_at", "id")
    )
