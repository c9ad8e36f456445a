"""Reads for billing, scoped to the user: a patient sees only their own invoices, payments and
claims; the billing staff (accountant, receptionist) see everyone's. Other roles see none here
(the permission table keeps them out of the lists anyway)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from hms.billing.models import (
    Charge,
    ClaimLine,
    InsuranceClaim,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    Refund,
    Tariff,
)
from hms.core.errors import NotFoundError
from hms.core.roles import Role
from hms.patients.access import CARE_BOUND_ROLES, ChartSection, section_allowed
from hms.patients.models import InsurancePolicy

# --- Scope ---------------------------------------------------------------------------------


def _patient_scope(user) -> Q | None:
    """A filter over `patient` for what this user may list; None: everything."""
    if getattr(user, "role", None) == Role.PATIENT:
        return Q(patient__user=user)
    if section_allowed(user=user, section=ChartSection.BILLING) and (
        user.role not in CARE_BOUND_ROLES
    ):
        return None
    return Q(pk__in=[])


def _scoped(queryset: QuerySet, user, prefix: str = "") -> QuerySet:
    scope = _patient_scope(user)
    if scope is None:
        return queryset
    if prefix:
        scope = Q(**{f"{prefix}__{key}": value for key, value in scope.children})
    return queryset.filter(scope)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of a local day and of the next one (the range is half-open)."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


# --- Tariffs -------------------------------------------------------------------------------


def tariff_list(*, filters: dict | None = None) -> QuerySet[Tariff]:
    filters = filters or {}
    queryset = Tariff.objects.all()
    if category := filters.get("category"):
        queryset = queryset.filter(category=category)
    if code := filters.get("code"):
        queryset = queryset.filter(code__istartswith=code)
    if q := filters.get("q"):
        queryset = queryset.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if on := filters.get("valid_on"):
        queryset = queryset.filter(valid_from__lte=on).exclude(valid_until__lt=on)
    return queryset.order_by("category", "code", "-valid_from", "id")


def tariff_get(*, public_id) -> Tariff:
    tariff = Tariff.objects.filter(public_id=public_id).first()
    if tariff is None:
        raise NotFoundError("No tariff with this id.", code="tariff_not_found")
    return tariff


# --- Charges -------------------------------------------------------------------------------


def charge_list(*, user, filters: dict | None = None) -> QuerySet[Charge]:
    filters = filters or {}
    queryset = _scoped(Charge.objects.select_related("patient", "tariff"), user)
    if patient_id := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if source_type := filters.get("source_type"):
        queryset = queryset.filter(source_type=source_type)
    return queryset.order_by("-occurred_at", "-id")


def charge_get_for_user(*, user, public_id) -> Charge:
    charge = charge_list(user=user).filter(public_id=public_id).first()
    if charge is None:
        raise NotFoundError("No charge with this id.", code="charge_not_found")
    return charge


# --- Invoices ------------------------------------------------------------------------------


def _invoices_for(user, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    queryset = _scoped(queryset, user)
    if getattr(user, "role", None) == Role.PATIENT:
        queryset = queryset.exclude(status=InvoiceStatus.DRAFT)  # not yet a bill
    return queryset


def invoice_list(*, user, filters: dict | None = None) -> QuerySet[Invoice]:
    filters = filters or {}
    queryset = _invoices_for(user, Invoice.objects.select_related("patient"))
    if patient_id := filters.get("patient"):
        queryset = queryset.filter(patient__public_id=patient_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if number := filters.get("number"):
        queryset = queryset.filter(number__iexact=number)
    # Local-day bounds, not __date: MySQL/MariaDB would need their time zone tables for that.
    if issued_from := filters.get("issued_from"):
        queryset = queryset.filter(issued_at__gte=local_day_bounds(issued_from)[0])
    if issued_to := filters.get("issued_to"):
        queryset = queryset.filter(issued_at__lt=local_day_bounds(issued_to)[1])
    if filters.get("outstanding"):
        queryset = queryset.filter(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID])
    return queryset.order_by("-created_at", "-id")


def _invoice_detail_queryset() -> QuerySet[Invoice]:
    return Invoice.objects.select_related(
        "patient", "created_by", "issued_by", "voided_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.select_related("charge").order_by("position", "id"),
        ),
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("received_by")
            .prefetch_related("refunds")
            .order_by("received_at", "id"),
        ),
        Prefetch("claims", queryset=InsuranceClaim.objects.order_by("submitted_at", "id")),
    )


def invoice_get_for_user(*, user, public_id) -> Invoice:
    """Someone else's invoice answers 404, like one that does not exist."""
    invoice = _invoices_for(user, _invoice_detail_queryset()).filter(public_id=public_id).first()
    if invoice is None:
        raise NotFoundError("No invoice with this id.", code="invoice_not_found")
    return invoice


# --- Payments, refunds, claims -------------------------------------------------------------


def payment_list(*, user, filters: dict | None = None) -> QuerySet[Payment]:
    filters = filters or {}
    queryset = _scoped(
        Payment.objects.select_related("invoice", "invoice__patient", "received_by"),
        user,
        prefix="invoice",
    )
    if invoice_id := filters.get("invoice"):
        queryset = queryset.filter(invoice__public_id=invoice_id)
    if patient_id := filters.get("patient"):
        queryset = queryset.filter(invoice__patient__public_id=patient_id)
    if method := filters.get("method"):
        queryset = queryset.filter(method=method)
    if day := filters.get("date"):
        start, end = local_day_bounds(day)
        queryset = queryset.filter(received_at__gte=start, received_at__lt=end)
    return queryset.order_by("-received_at", "-id")


def payment_get_for_user(*, user, public_id) -> Payment:
    payment = (
        payment_list(user=user)
        .select_related("invoice__issued_by")
        .prefetch_related("refunds")
        .filter(public_id=public_id)
        .first()
    )
    if payment is None:
        raise NotFoundError("No payment with this id.", code="payment_not_found")
    return payment


def refund_list(*, user, filters: dict | None = None) -> QuerySet[Refund]:
    filters = filters or {}
    queryset = _scoped(
        Refund.objects.select_related(
            "payment", "payment__invoice", "payment__invoice__patient", "refunded_by"
        ),
        user,
        prefix="payment__invoice",
    )
    if payment_id := filters.get("payment"):
        queryset = queryset.filter(payment__public_id=payment_id)
    if invoice_id := filters.get("invoice"):
        queryset = queryset.filter(payment__invoice__public_id=invoice_id)
    return queryset.order_by("-refunded_at", "-id")


def claim_list(*, user, filters: dict | None = None) -> QuerySet[InsuranceClaim]:
    filters = filters or {}
    queryset = _scoped(
        InsuranceClaim.objects.select_related("invoice", "invoice__patient", "policy"),
        user,
        prefix="invoice",
    )
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if invoice_id := filters.get("invoice"):
        queryset = queryset.filter(invoice__public_id=invoice_id)
    if payer := filters.get("payer"):
        queryset = queryset.filter(payer__icontains=payer)
    return queryset.order_by("-submitted_at", "-id")


def claim_get_for_user(*, user, public_id) -> InsuranceClaim:
    claim = (
        claim_list(user=user)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.select_related("invoice_line").order_by("id"),
            )
        )
        .filter(public_id=public_id)
        .first()
    )
    if claim is None:
        raise NotFoundError("No claim with this id.", code="claim_not_found")
    return claim


def insurance_policy_of_patient_find(*, patient, public_id) -> InsurancePolicy | None:
    """The patient's policy with this id, or None."""
    return InsurancePolicy.objects.filter(public_id=public_id, patient=patient).first()
