"""Thin API views for tariffs, charges, invoices, payments, refunds, claims, PDFs and reports.

Every view that touches one patient's bill asks hms.patients.access (section BILLING) before it
reads or writes, which also audits the access; lists audit one event per page.
"""

from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import user_find
from hms.billing import pdf, selectors, services
from hms.billing.models import (
    ChargeSource,
    ChargeStatus,
    ClaimStatus,
    InvoiceStatus,
    PaymentMethod,
    TariffCategory,
)
from hms.core.errors import NotFoundError
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.roles import Role
from hms.core.serializers import UserRefSerializer
from hms.core.services import audit_page_read
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.serializers import PatientRefSerializer

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


def _billing_patient(request, patient_public_id, *, purpose: str = "read"):
    return patient_get_for_user(
        user=request.user,
        patient_public_id=patient_public_id,
        section=ChartSection.BILLING,
        purpose=purpose,
    )


def _audit_page(request, response, resource_type: str, patient_ids) -> None:
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted({str(pid) for pid in patient_ids}),
        count=response.data.get("count"),
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Tariffs -------------------------------------------------------------------------------


class TariffOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    category = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class TariffListCreateApi(APIView):
    """The price list. POST opens a new price version for a code (closing the current one the
    day before `valid_from`); charges keep the version valid on the day they occurred."""

    permission_resource = "billing_tariffs"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=TariffCategory.choices, required=False)
        code = serializers.CharField(required=False)
        q = serializers.CharField(required=False)
        valid_on = serializers.DateField(required=False)

    class InputSerializer(serializers.Serializer):
        code = serializers.RegexField(r"^[A-Za-z0-9.\-]{2,64}$")
        category = serializers.ChoiceField(choices=TariffCategory.choices)
        name = serializers.CharField(max_length=200)
        price = serializers.DecimalField(**MONEY, min_value=0)
        tax_rate = serializers.DecimalField(**RATE, required=False, default=0)
        valid_from = serializers.DateField(required=False)
        currency = serializers.CharField(max_length=3, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=TariffOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.tariff_list(filters=filters),
            serializer_class=TariffOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: TariffOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        params.setdefault("valid_from", timezone.localdate())
        tariff = services.tariff_set_price(actor=request.user, **params)
        return Response(TariffOutputSerializer(tariff).data, status=status.HTTP_201_CREATED)


class TariffDetailApi(APIView):
    permission_resource = "billing_tariffs"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=TariffOutputSerializer)
    def get(self, request, public_id):
        return Response(TariffOutputSerializer(selectors.tariff_get(public_id=public_id)).data)


class TariffEndApi(APIView):
    """Stop a price version after `valid_until` (nothing is deleted)."""

    permission_resource = "billing_tariffs"
    permission_actions = {"POST": "update"}

    class InputSerializer(serializers.Serializer):
        valid_until = serializers.DateField()

    @extend_schema(request=InputSerializer, responses=TariffOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tariff = services.tariff_end(
            actor=request.user,
            tariff=selectors.tariff_get(public_id=public_id),
            **data.validated_data,
        )
        return Response(TariffOutputSerializer(tariff).data)


# --- Charges -------------------------------------------------------------------------------


class ChargeOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    source_type = serializers.CharField()
    source_id = serializers.CharField()
    code = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = serializers.DecimalField(**MONEY)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    currency = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    status = serializers.CharField()
    reason = serializers.CharField()
    void_reason = serializers.CharField()


class ChargeListCreateApi(APIView):
    """Charges posted by the modules (and by hand). POST is a manual charge: a tariff code, or a
    description and a unit price, always with a reason; `idempotency_key` makes retries safe."""

    permission_resource = "billing_charges"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=ChargeStatus.choices, required=False)
        source_type = serializers.ChoiceField(choices=ChargeSource.choices, required=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        reason = serializers.CharField(max_length=1000)
        tariff_code = serializers.CharField(max_length=64, required=False)
        description = serializers.CharField(max_length=255, required=False)
        unit_price = serializers.DecimalField(**MONEY, min_value=0, required=False)
        quantity = serializers.DecimalField(
            max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, default=1
        )
        tax_rate = serializers.DecimalField(**RATE, required=False)
        occurred_at = serializers.DateTimeField(required=False)
        idempotency_key = serializers.CharField(max_length=64, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=ChargeOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.charge_list(user=request.user, filters=filters),
            serializer_class=ChargeOutputSerializer,
            request=request,
            view=self,
        )
        _audit_page(
            request,
            response,
            "billing_charge_list",
            (r["patient"]["id"] for r in response.data["results"]),
        )
        return response

    @extend_schema(request=InputSerializer, responses={201: ChargeOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        patient = _billing_patient(request, params.pop("patient"), purpose="write")
        charge = services.charge_post_manual(actor=request.user, patient=patient, **params)
        return Response(ChargeOutputSerializer(charge).data, status=status.HTTP_201_CREATED)


class ChargeDetailApi(APIView):
    permission_resource = "billing_charges"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ChargeOutputSerializer)
    def get(self, request, public_id):
        charge = selectors.charge_get_for_user(user=request.user, public_id=public_id)
        _billing_patient(request, charge.patient.public_id)
        return Response(ChargeOutputSerializer(charge).data)


class ChargeVoidApi(APIView):
    permission_resource = "billing_charges"
    permission_actions = {"POST": "void"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=ChargeOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge = selectors.charge_get_for_user(user=request.user, public_id=public_id)
        _billing_patient(request, charge.patient.public_id, purpose="write")
        charge = services.charge_void(actor=request.user, charge=charge, **data.validated_data)
        return Response(ChargeOutputSerializer(charge).data)


# --- Invoices ------------------------------------------------------------------------------


class InvoiceSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    patient = PatientRefSerializer()
    status = serializers.CharField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(**MONEY)
    discount_total = serializers.DecimalField(**MONEY)
    tax_total = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    amount_paid = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY)
    issued_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    created_at = serializers.DateTimeField()


class InvoiceLineSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    charge_id = serializers.UUIDField(source="charge.public_id")
    position = serializers.IntegerField()
    code = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = serializers.DecimalField(**MONEY)
    subtotal = serializers.DecimalField(**MONEY)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    discount_amount = serializers.DecimalField(**MONEY)
    discount_reason = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax_amount = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    released_at = serializers.DateTimeField()


class RefundOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    amount = serializers.DecimalField(**MONEY)
    method = serializers.CharField()
    reason = serializers.CharField()
    refunded_at = serializers.DateTimeField()


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    receipt_number = serializers.CharField()
    invoice_id = serializers.UUIDField(source="invoice.public_id")
    invoice_number = serializers.CharField(source="invoice.number")
    method = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    refunded_amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    reference = serializers.CharField()
    received_by = UserRefSerializer()
    received_at = serializers.DateTimeField()
    claim_id = serializers.UUIDField(source="claim.public_id", default=None)


class InvoicePaymentSerializer(PaymentOutputSerializer):
    refunds = RefundOutputSerializer(many=True, source="refunds.all")


class ClaimSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    payer = serializers.CharField()
    status = serializers.CharField()
    copay_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    copay_amount = serializers.DecimalField(**MONEY)
    claimed_amount = serializers.DecimalField(**MONEY)
    approved_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)
    submitted_at = serializers.DateTimeField()


class InvoiceDetailSerializer(InvoiceSummarySerializer):
    notes = serializers.CharField()
    lines = serializers.SerializerMethodField()
    payments = InvoicePaymentSerializer(many=True, source="payments.all")
    claims = ClaimSummarySerializer(many=True, source="claims.all")
    issued_by = UserRefSerializer(allow_null=True)
    voided_at = serializers.DateTimeField()
    void_reason = serializers.CharField()

    def get_lines(self, invoice) -> list:
        # A void invoice shows the lines it had; otherwise released (removed) lines are hidden.
        lines = [
            line
            for line in invoice.lines.all()
            if invoice.status == InvoiceStatus.VOID or line.released_at is None
        ]
        return InvoiceLineSerializer(lines, many=True).data


def _invoice_detail(request, public_id):
    invoice = selectors.invoice_get_for_user(user=request.user, public_id=public_id)
    _billing_patient(request, invoice.patient.public_id)
    return invoice


def _invoice_for_write(request, public_id):
    invoice = selectors.invoice_get_for_user(user=request.user, public_id=public_id)
    _billing_patient(request, invoice.patient.public_id, purpose="write")
    return invoice


def _invoice_response(request, invoice, *, created: bool = False):
    invoice = selectors.invoice_get_for_user(user=request.user, public_id=invoice.public_id)
    return Response(
        InvoiceDetailSerializer(invoice).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class InvoiceListCreateApi(APIView):
    """Invoices: the billing desk sees all; a patient their own (drafts excluded). POST makes a
    draft from the patient's unbilled charges (all, or those named in `charges`)."""

    permission_resource = "billing_invoices"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)
        number = serializers.CharField(required=False)
        issued_from = serializers.DateField(required=False)
        issued_to = serializers.DateField(required=False)
        outstanding = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        charges = serializers.ListField(
            child=serializers.UUIDField(), required=False, allow_empty=False, max_length=500
        )
        notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=InvoiceSummarySerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.invoice_list(user=request.user, filters=filters),
            serializer_class=InvoiceSummarySerializer,
            request=request,
            view=self,
        )
        _audit_page(
            request,
            response,
            "billing_invoice_list",
            (r["patient"]["id"] for r in response.data["results"]),
        )
        return response

    @extend_schema(request=InputSerializer, responses={201: InvoiceDetailSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = _billing_patient(request, params["patient"], purpose="write")
        invoice = services.invoice_create(
            actor=request.user,
            patient=patient,
            charge_ids=params.get("charges"),
            notes=params.get("notes", ""),
        )
        return _invoice_response(request, invoice, created=True)


class InvoiceDetailApi(APIView):
    permission_resource = "billing_invoices"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=InvoiceDetailSerializer)
    def get(self, request, public_id):
        return Response(InvoiceDetailSerializer(_invoice_detail(request, public_id)).data)


class InvoiceAddChargesApi(APIView):
    """Add unbilled charges of the same patient to a draft (all of them if none are named)."""

    permission_resource = "billing_invoices"
    permission_actions = {"POST": "update"}

    class InputSerializer(serializers.Serializer):
        charges = serializers.ListField(
            child=serializers.UUIDField(), required=False, allow_empty=False, max_length=500
        )

    @extend_schema(request=InputSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = _invoice_for_write(request, public_id)
        invoice = services.invoice_add_charges(
            actor=request.user, invoice=invoice, charge_ids=data.validated_data.get("charges")
        )
        return _invoice_response(request, invoice)


class InvoiceLineDiscountApi(APIView):
    """Discount one line of a draft: `discount_amount` or `discount_percent`, with a reason."""

    permission_resource = "billing_invoices"
    permission_actions = {"POST": "update"}

    class InputSerializer(serializers.Serializer):
        discount_amount = serializers.DecimalField(**MONEY, min_value=0, required=False)
        discount_percent = serializers.DecimalField(**RATE, required=False)
        reason = serializers.CharField(max_length=255)

    @extend_schema(request=InputSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, public_id, line_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = _invoice_for_write(request, public_id)
        invoice = services.invoice_line_discount(
            actor=request.user, invoice=invoice, line_id=line_id, **data.validated_data
        )
        return _invoice_response(request, invoice)


class InvoiceLineRemoveApi(APIView):
    """Take a line off a draft; its charge can be billed again."""

    permission_resource = "billing_invoices"
    permission_actions = {"POST": "update"}

    @extend_schema(request=None, responses=InvoiceDetailSerializer)
    def post(self, request, public_id, line_id):
        invoice = _invoice_for_write(request, public_id)
        invoice = services.invoice_line_remove(actor=request.user, invoice=invoice, line_id=line_id)
        return _invoice_response(request, invoice)


class InvoiceIssueApi(APIView):
    """Number the draft (INV-<year>-<6 digits>, no gaps) and freeze it."""

    permission_resource = "billing_invoices"
    permission_actions = {"POST": "issue"}

    class InputSerializer(serializers.Serializer):
        due_date = serializers.DateField(required=False)

    @extend_schema(request=InputSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = _invoice_for_write(request, public_id)
        invoice = services.invoice_issue(
            actor=request.user, invoice=invoice, due_date=data.validated_data.get("due_date")
        )
        return _invoice_response(request, invoice)


class InvoiceVoidApi(APIView):
    """Void with a reason; the invoice, its number and its lines are kept."""

    permission_resource = "billing_invoices"
    permission_actions = {"POST": "void"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = _invoice_for_write(request, public_id)
        invoice = services.invoice_void(actor=request.user, invoice=invoice, **data.validated_data)
        return _invoice_response(request, invoice)


class InvoicePdfApi(APIView):
    """The invoice as a PDF (a patient: their own only)."""

    permission_resource = "billing_invoices"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        invoice = _invoice_detail(request, public_id)
        name = invoice.number or f"draft-{invoice.public_id}"
        return _pdf_response(pdf.invoice_pdf(invoice), f"{name}.pdf")


# --- Payments and refunds ------------------------------------------------------------------


class PaymentListCreateApi(APIView):
    """Payments (a patient: their own). POST takes a payment on an issued invoice and numbers
    its receipt; it may not exceed what the patient still owes."""

    permission_resource = "billing_payments"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        invoice = serializers.UUIDField(required=False)
        patient = serializers.UUIDField(required=False)
        method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
        date = serializers.DateField(required=False)

    class InputSerializer(serializers.Serializer):
        invoice = serializers.UUIDField()
        amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
        method = serializers.ChoiceField(choices=PaymentMethod.choices)
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=PaymentOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        queryset = selectors.payment_list(user=request.user, filters=filters)
        response = paginated_response(
            queryset=queryset.select_related("claim"),
            serializer_class=PaymentOutputSerializer,
            request=request,
            view=self,
        )
        _audit_page(request, response, "billing_payment_list", [])
        return response

    @extend_schema(request=InputSerializer, responses={201: PaymentOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        invoice = _invoice_for_write(request, params.pop("invoice"))
        payment = services.payment_record(actor=request.user, invoice=invoice, **params)
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)


def _payment_detail(request, public_id):
    payment = selectors.payment_get_for_user(user=request.user, public_id=public_id)
    _billing_patient(request, payment.invoice.patient.public_id)
    return payment


class PaymentDetailApi(APIView):
    permission_resource = "billing_payments"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=InvoicePaymentSerializer)
    def get(self, request, public_id):
        return Response(InvoicePaymentSerializer(_payment_detail(request, public_id)).data)


class ReceiptPdfApi(APIView):
    """A payment's receipt as a PDF (a patient: their own only)."""

    permission_resource = "billing_payments"
    permission_actions = {"GET": "receipt"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        payment = _payment_detail(request, public_id)
        return _pdf_response(pdf.receipt_pdf(payment), f"{payment.receipt_number}.pdf")


class RefundOutputFullSerializer(RefundOutputSerializer):
    payment_id = serializers.UUIDField(source="payment.public_id")
    receipt_number = serializers.CharField(source="payment.receipt_number")
    invoice_number = serializers.CharField(source="payment.invoice.number")
    refunded_by = UserRefSerializer()


class RefundListCreateApi(APIView):
    """Refunds. POST gives back part or all of one payment, never more than is left of it."""

    permission_resource = "billing_refunds"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        payment = serializers.UUIDField(required=False)
        invoice = serializers.UUIDField(required=False)

    class InputSerializer(serializers.Serializer):
        payment = serializers.UUIDField()
        amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
        reason = serializers.CharField(max_length=1000)
        method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=RefundOutputFullSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.refund_list(user=request.user, filters=filters),
            serializer_class=RefundOutputFullSerializer,
            request=request,
            view=self,
        )
        _audit_page(request, response, "billing_refund_list", [])
        return response

    @extend_schema(request=InputSerializer, responses={201: RefundOutputFullSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        payment = selectors.payment_get_for_user(user=request.user, public_id=params.pop("payment"))
        _billing_patient(request, payment.invoice.patient.public_id, purpose="write")
        refund = services.refund_create(actor=request.user, payment=payment, **params)
        return Response(RefundOutputFullSerializer(refund).data, status=status.HTTP_201_CREATED)


# --- Claims --------------------------------------------------------------------------------


class ClaimLineSerializer(serializers.Serializer):
    invoice_line_id = serializers.UUIDField(source="invoice_line.public_id")
    description = serializers.CharField(source="invoice_line.description")
    line_total = serializers.DecimalField(**MONEY)
    copay_amount = serializers.DecimalField(**MONEY)
    claimed_amount = serializers.DecimalField(**MONEY)


class ClaimOutputSerializer(ClaimSummarySerializer):
    invoice_id = serializers.UUIDField(source="invoice.public_id")
    invoice_number = serializers.CharField(source="invoice.number")
    patient = PatientRefSerializer(source="invoice.patient")
    policy_id = serializers.UUIDField(source="policy.public_id")
    plan_name = serializers.CharField(source="policy.plan_name")
    payer_reference = serializers.CharField()
    decision_note = serializers.CharField()
    decided_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()


class ClaimDetailSerializer(ClaimOutputSerializer):
    lines = ClaimLineSerializer(many=True, source="lines.all")


def _claim_response(request, claim):
    claim = selectors.claim_get_for_user(user=request.user, public_id=claim.public_id)
    return ClaimDetailSerializer(claim).data


class ClaimListCreateApi(APIView):
    """Insurance claims. POST builds one from an issued invoice's lines and one of the patient's
    policies, splitting each line into the co-pay and the claimed amount."""

    permission_resource = "billing_claims"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ClaimStatus.choices, required=False)
        invoice = serializers.UUIDField(required=False)
        payer = serializers.CharField(required=False)

    class InputSerializer(serializers.Serializer):
        invoice = serializers.UUIDField()
        policy = serializers.UUIDField()
        copay_percent = serializers.DecimalField(**RATE, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=ClaimOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.claim_list(user=request.user, filters=filters),
            serializer_class=ClaimOutputSerializer,
            request=request,
            view=self,
        )
        _audit_page(
            request,
            response,
            "billing_claim_list",
            (r["patient"]["id"] for r in response.data["results"]),
        )
        return response

    @extend_schema(request=InputSerializer, responses={201: ClaimDetailSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        invoice = _invoice_for_write(request, params["invoice"])
        policy = selectors.insurance_policy_of_patient_find(
            patient=invoice.patient, public_id=params["policy"]
        )
        if policy is None:
            raise NotFoundError(
                "The patient has no policy with this id.",
                code="policy_not_found",
                fields={"policy": ["Not a policy of this patient."]},
            )
        claim = services.claim_submit(
            actor=request.user,
            invoice=invoice,
            policy=policy,
            copay_percent=params.get("copay_percent"),
        )
        return Response(_claim_response(request, claim), status=status.HTTP_201_CREATED)


def _claim_for(request, public_id, *, purpose="read"):
    claim = selectors.claim_get_for_user(user=request.user, public_id=public_id)
    _billing_patient(request, claim.invoice.patient.public_id, purpose=purpose)
    return claim


class ClaimDetailApi(APIView):
    permission_resource = "billing_claims"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ClaimDetailSerializer)
    def get(self, request, public_id):
        return Response(ClaimDetailSerializer(_claim_for(request, public_id)).data)


class ClaimApproveApi(APIView):
    """The payer approved all (`approved`) or part (`partially_approved`) of the claim."""

    permission_resource = "billing_claims"
    permission_actions = {"POST": "decide"}

    class InputSerializer(serializers.Serializer):
        approved_amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
        payer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=ClaimDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _claim_for(request, public_id, purpose="write")
        claim = services.claim_approve(actor=request.user, claim=claim, **data.validated_data)
        return Response(_claim_response(request, claim))


class ClaimRejectApi(APIView):
    permission_resource = "billing_claims"
    permission_actions = {"POST": "decide"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)
        payer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=ClaimDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _claim_for(request, public_id, purpose="write")
        claim = services.claim_reject(actor=request.user, claim=claim, **data.validated_data)
        return Response(_claim_response(request, claim))


class ClaimSettleApi(APIView):
    """The payer paid: the approved amount is posted to the invoice as an insurance payment."""

    permission_resource = "billing_claims"
    permission_actions = {"POST": "settle"}

    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=ClaimDetailSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _claim_for(request, public_id, purpose="write")
        claim = services.claim_settle(actor=request.user, claim=claim, **data.validated_data)
        return Response(_claim_response(request, claim))


# --- Reports -------------------------------------------------------------------------------


class CashRowSerializer(serializers.Serializer):
    cashier = serializers.DictField()
    method = serializers.CharField()
    payments = serializers.IntegerField()
    received = serializers.DecimalField(**MONEY)
    refunds = serializers.IntegerField()
    refunded = serializers.DecimalField(**MONEY)
    net = serializers.DecimalField(**MONEY)


class MethodTotalSerializer(serializers.Serializer):
    method = serializers.CharField()
    net = serializers.DecimalField(**MONEY)


class DailyCashReportApi(APIView):
    """Money taken and refunded on one day (`?date=`, default today) per cashier and method.
    A receptionist sees their own takings; accountants and admins everyone's (`?cashier=`)."""

    permission_resource = "billing_reports"
    permission_actions = {"GET": "daily_cash"}

    class FilterSerializer(serializers.Serializer):
        date = serializers.DateField(required=False)
        cashier = serializers.UUIDField(required=False)

    class OutputSerializer(serializers.Serializer):
        date = serializers.DateField()
        currency = serializers.CharField()
        rows = CashRowSerializer(many=True)
        totals_by_method = MethodTotalSerializer(many=True)
        total_received = serializers.DecimalField(**MONEY)
        total_refunded = serializers.DecimalField(**MONEY)
        total_net = serializers.DecimalField(**MONEY)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request):

        params = query_params(self.FilterSerializer, request)
        cashier = None
        if request.user.role == Role.RECEPTIONIST:
            cashier = request.user
        elif "cashier" in params:
            cashier = user_find(public_id=params["cashier"])
            if cashier is None:
                raise NotFoundError("No user with this id.", code="cashier_not_found")
        report = selectors.daily_cash_report(
            day=params.get("date") or timezone.localdate(), cashier=cashier
        )
        return Response(self.OutputSerializer(report).data)


class AgeingBucketSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    invoices = serializers.IntegerField()
    balance = serializers.DecimalField(**MONEY)
    insurance = serializers.DecimalField(**MONEY)
    patient = serializers.DecimalField(**MONEY)


class ArAgeingReportApi(APIView):
    """Accounts receivable by days past due (0-30, 31-60, 61-90, 90+) on `?as_of=` (today)."""

    permission_resource = "billing_reports"
    permission_actions = {"GET": "ar_ageing"}

    class FilterSerializer(serializers.Serializer):
        as_of = serializers.DateField(required=False)

    class OutputSerializer(serializers.Serializer):
        as_of = serializers.DateField()
        currency = serializers.CharField()
        buckets = AgeingBucketSerializer(many=True)
        total_balance = serializers.DecimalField(**MONEY)
        invoices = serializers.IntegerField()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        report = selectors.ar_ageing_report(as_of=filters.get("as_of") or timezone.localdate())
        return Response(self.OutputSerializer(report).data)
