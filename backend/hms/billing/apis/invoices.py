"""Invoices: list, draft, read, add charges, discount or remove a line, issue, void, PDF."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.billing import pdf, selectors, services
from hms.billing.apis.common import MONEY, RATE, _billing_patient, _pdf_response
from hms.billing.models import InvoiceStatus
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.patients.serializers import PatientRefSerializer


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
        audit_page(request, response, "billing_invoice_list")
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
