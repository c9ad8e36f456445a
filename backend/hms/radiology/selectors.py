"""Reads for radiology, each with its access scope.

Chart access: doctors, nurses and patients open a patient's imaging through the chart's
`orders` section (hms.patients.access: own chart only for patients, care relationship or
break-the-glass for doctors and nurses). Radiologists are not in that section of the table —
they work the department's worklist, every imaging order of every patient — so their access is
decided here by role and audited the same way (resource type `orders`, detail via=radiology).
Drafts are seen only by radiologists; everyone else sees final reports and their addenda.
Patients see a study's images once its report is final.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hms.core.errors import ForbiddenError, NotFoundError
from hms.core.models import AuditAction
from hms.core.permissions import user_may
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.access import ChartSection, patient_get_for_user, patients_in_care_of
from hms.patients.models import Patient
from hms.radiology.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    ImagingImage,
    ImagingOrder,
    ImagingProcedure,
    ImagingReport,
    OrderStatus,
    ReportKind,
    ReportStatus,
)

# --- Access ------------------------------------------------------------------------------------


def works_radiology_worklist(user) -> bool:
    """Radiology staff: every imaging order, drafts included (the worklist permission)."""
    return user_may(user, "radiology_worklist", "list")


def radiology_patient_for_user(*, user, patient_public_id, purpose: str = "read") -> Patient:
    """The patient whose imaging `user` opens, for `purpose` ("read" or "write"). Audited."""
    if works_radiology_worklist(user):
        patient = Patient.objects.select_related("user").filter(public_id=patient_public_id).first()
        if patient is None:
            raise NotFoundError("No patient with this id.", code="patient_not_found")
        audit_record(
            actor=user,
            action=AuditAction.READ,
            resource_type=ChartSection.ORDERS.value,
            object_id=patient.public_id,
            patient_id=patient.public_id,
            detail={"via": "radiology", **({"purpose": purpose} if purpose != "read" else {})},
        )
        return patient
    return patient_get_for_user(
        user=user,
        patient_public_id=patient_public_id,
        section=ChartSection.ORDERS,
        purpose=purpose,
    )


# --- Catalogue --------------------------------------------------------------------------------


def imaging_procedure_list(*, filters: dict | None = None) -> QuerySet[ImagingProcedure]:
    filters = filters or {}
    queryset = ImagingProcedure.objects.all()
    if not filters.get("include_inactive"):
        queryset = queryset.filter(active=True)
    if modality := filters.get("modality"):
        queryset = queryset.filter(modality=modality)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__istartswith=q))
    return queryset.order_by("modality", "name", "id")


def imaging_procedure_find(*, public_id) -> ImagingProcedure | None:
    """A procedure of the catalogue by id, active or not, or None."""
    return ImagingProcedure.objects.filter(public_id=public_id).first()


def imaging_procedure_get(*, public_id) -> ImagingProcedure:
    procedure = ImagingProcedure.objects.filter(public_id=public_id).first()
    if procedure is None:
        raise NotFoundError("No imaging procedure with this id.", code="procedure_not_found")
    return procedure


# --- Orders -----------------------------------------------------------------------------------


def _report_status_subquery(*, drafts_visible: bool):
    reports = ImagingReport.objects.filter(order=OuterRef("pk"), kind=ReportKind.REPORT)
    if not drafts_visible:
        reports = reports.filter(status=ReportStatus.FINAL)
    return Subquery(reports.values("status")[:1])


def _image_count_subquery():
    return Coalesce(
        Subquery(
            ImagingImage.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _with_relations(
    queryset: QuerySet[ImagingOrder], *, drafts_visible: bool = True
) -> QuerySet[ImagingOrder]:
    """One query for a page of orders: the people and the procedure joined, the number of
    images and the report's status as subqueries."""
    return queryset.select_related(
        "patient", "procedure", "ordering_doctor", "requested_by", "encounter"
    ).annotate(
        image_count=_image_count_subquery(),
        report_status=_report_status_subquery(drafts_visible=drafts_visible),
    )


def imaging_orders_visible_to(*, user) -> QuerySet[ImagingOrder]:
    """Radiologists: every order. Patients: their own. Doctors: the orders they placed and
    those of patients in their care. Nurses: those of patients in their care."""
    if works_radiology_worklist(user):
        return _with_relations(ImagingOrder.objects.all())
    queryset = _with_relations(ImagingOrder.objects.all(), drafts_visible=False)
    role = getattr(user, "role", None)
    if role == Role.PATIENT:
        return queryset.filter(patient__user=user)
    if role == Role.DOCTOR:
        in_care = patients_in_care_of(user=user).values("pk")
        return queryset.filter(Q(ordering_doctor=user) | Q(patient__in=in_care))
    if role == Role.NURSE:
        return queryset.filter(patient__in=patients_in_care_of(user=user).values("pk"))
    return queryset.none()


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the hospital's time zone. Day filters compare instants with it
    instead of using `__date`, which MySQL/MariaDB evaluate with CONVERT_TZ: NULL (no match at
    all) unless the server's time zone tables are loaded."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _apply_filters(queryset: QuerySet[ImagingOrder], filters: dict) -> QuerySet[ImagingOrder]:
    if statuses := filters.get("status"):
        queryset = queryset.filter(status__in=statuses)
    if modality := filters.get("modality"):
        queryset = queryset.filter(modality=modality)
    if priority := filters.get("priority"):
        queryset = queryset.filter(priority=priority)
    if patient := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient)
    if procedure := filters.get("procedure"):
        queryset = queryset.filter(procedure__public_id=procedure)
    if doctor := filters.get("ordering_doctor"):
        queryset = queryset.filter(ordering_doctor__public_id=doctor)
    if date_from := filters.get("date_from"):
        queryset = queryset.filter(created_at__gte=_day_start(date_from))
    if date_to := filters.get("date_to"):
        queryset = queryset.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if scheduled := filters.get("scheduled_date"):
        queryset = queryset.filter(
            scheduled_at__gte=_day_start(scheduled),
            scheduled_at__lt=_day_start(scheduled + timedelta(days=1)),
        )
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(accession_number__iexact=q)
            | Q(patient__mrn__iexact=q)
            | Q(patient__last_name__istartswith=q)
            | Q(patient__first_name__istartswith=q)
        )
    return queryset


def imaging_order_list(*, user, filters: dict | None = None) -> QuerySet[ImagingOrder]:
    """Orders this user may list. With `patient`, a clinician's or patient's list opens that
    chart through the access check, as the lab's does: a break-the-glass grant shows the
    patient's orders (audited as emergency access), and a patient outside the user's care
    answers 403 `break_glass_required` instead of an empty page."""
    filters = filters or {}
    patient_id = filters.get("patient")
    if patient_id and not works_radiology_worklist(user):
        patient = radiology_patient_for_user(user=user, patient_public_id=patient_id)
        queryset = _with_relations(
            ImagingOrder.objects.filter(patient=patient), drafts_visible=False
        )
        queryset = _apply_filters(queryset, {k: v for k, v in filters.items() if k != "patient"})
    else:
        queryset = _apply_filters(imaging_orders_visible_to(user=user), filters)
    return queryset.order_by("-created_at", "-id")


def radiology_worklist(*, filters: dict | None = None) -> QuerySet[ImagingOrder]:
    """The department's worklist: open orders (or the statuses asked for), STAT first, then
    urgent, then routine; within a priority by scheduled time, then oldest first."""
    filters = dict(filters or {})
    filters.setdefault("status", None)
    if not filters["status"]:
        filters["status"] = OPEN_STATUSES
    queryset = _apply_filters(_with_relations(ImagingOrder.objects.all()), filters)
    rank = Case(
        *(When(priority=priority, then=Value(value)) for priority, value in PRIORITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    return queryset.annotate(priority_rank=rank).order_by(
        "priority_rank", "scheduled_at", "created_at", "id"
    )


def imaging_order_get(*, public_id, drafts_visible: bool = True) -> ImagingOrder:
    """An order by id with no access decision (for the caller that makes it)."""
    queryset = _with_relations(ImagingOrder.objects.all(), drafts_visible=drafts_visible)
    try:
        order = queryset.select_related("cancelled_by").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        order = None
    if order is None:
        raise NotFoundError("No imaging order with this id.", code="imaging_order_not_found")
    return order


def imaging_order_get_for_user(*, user, public_id, purpose: str = "read") -> ImagingOrder:
    """The order, if `user` may open its patient's imaging; someone else's order answers 404
    for a patient, 403 for a clinician without the patient in their care. Audited."""
    order = imaging_order_get(public_id=public_id, drafts_visible=works_radiology_worklist(user))
    try:
        radiology_patient_for_user(
            user=user, patient_public_id=order.patient.public_id, purpose=purpose
        )
    except NotFoundError as error:
        raise NotFoundError(
            "No imaging order with this id.", code="imaging_order_not_found"
        ) from error
    return order


def imaging_reports_visible(*, user, order: ImagingOrder) -> list[ImagingReport]:
    """The order's report and addenda in the order written; drafts only for radiologists."""
    queryset = ImagingReport.objects.filter(order=order).select_related(
        "author", "finalized_by", "amends"
    )
    if not works_radiology_worklist(user):
        queryset = queryset.filter(status=ReportStatus.FINAL)
    return list(queryset.order_by("created_at", "id"))


def imaging_report_get_for_user(*, user, public_id, purpose: str = "read") -> ImagingReport:
    report = (
        ImagingReport.objects.select_related("order", "author", "finalized_by", "amends")
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise NotFoundError("No imaging report with this id.", code="imaging_report_not_found")
    order = imaging_order_get_for_user(user=user, public_id=report.order.public_id, purpose=purpose)
    if report.status != ReportStatus.FINAL and not works_radiology_worklist(user):
        raise NotFoundError("No imaging report with this id.", code="imaging_report_not_found")
    report.order = order
    return report


def patient_may_see_images(*, user, order: ImagingOrder) -> bool:
    """Images reach the patient with the final report (as results do)."""
    if getattr(user, "role", None) != Role.PATIENT:
        return True
    return order.status == OrderStatus.REPORTED


def imaging_images_for(*, user, order: ImagingOrder) -> QuerySet[ImagingImage]:
    queryset = ImagingImage.objects.filter(order=order).order_by(
        "series_number", "instance_number", "id"
    )
    if not patient_may_see_images(user=user, order=order):
        return queryset.none()
    return queryset


def imaging_image_get_for_user(*, user, public_id) -> ImagingImage:
    image = ImagingImage.objects.select_related("order").filter(public_id=public_id).first()
    if image is None:
        raise NotFoundError("No image with this id.", code="image_not_found")
    order = imaging_order_get_for_user(user=user, public_id=image.order.public_id)
    if not patient_may_see_images(user=user, order=order):
        raise NotFoundError("No image with this id.", code="image_not_found")
    image.order = order
    return image


def imaging_file_open(*, field, what: str):
    """A stored file opened for reading (the caller checked access)."""
    if not field:
        raise NotFoundError(f"This image has no {what}.", code=f"{what}_missing")
    try:
        return field.open("rb")
    except FileNotFoundError as error:
        raise NotFoundError(
            f"The {what} of this image is missing from storage.", code="file_missing"
        ) from error


def orders_prefetch_reports(queryset: QuerySet[ImagingOrder], *, user) -> QuerySet[ImagingOrder]:
    """Attach the visible reports to a page of orders in one more query."""
    reports = ImagingReport.objects.select_related("author", "finalized_by").order_by(
        "created_at", "id"
    )
    if not works_radiology_worklist(user):
        reports = reports.filter(status=ReportStatus.FINAL)
    return queryset.prefetch_related(
        Prefetch("reports", queryset=reports, to_attr="visible_reports")
    )


def final_reports_for_patient(*, patient: Patient) -> QuerySet[ImagingReport]:
    """Every final report and addendum of a patient, newest first (the patient portal)."""
    return (
        ImagingReport.objects.filter(order__patient=patient, status=ReportStatus.FINAL)
        .select_related("order", "order__procedure", "author", "finalized_by", "amends")
        .order_by("-finalized_at", "-id")
    )


def check_may_write_report(user) -> None:
    if not works_radiology_worklist(user):
        raise ForbiddenError("Only radiologists write imaging reports.", code="not_radiologist")


def encounter_imaging_orders(*, encounter) -> QuerySet[ImagingOrder]:
    """The imaging orders placed during an encounter (its chart opened by the caller): one
    query."""
    return (
        ImagingOrder.objects.filter(encounter=encounter)
        .select_related("procedure", "ordering_doctor")
        .order_by("created_at", "id")
    )
