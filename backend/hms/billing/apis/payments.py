"""Payments and refunds: list, record, read, receipt PDF."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.billing import pdf, selectors, services
from hms.billing.apis.common import MONEY, _billing_patient, _pdf_response
from hms.billing.apis.invoices import (
    InvoicePaymentSerializer,
    PaymentOutputSerializer,
    RefundOutputSerializer,
    _invoice_for_write,
)
from hms.billing.models import PaymentMethod
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer


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
        audit_page(request, response, "billing_payment_list", patient_ids=[])
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
        audit_page(request, response, "billing_refund_list", patient_ids=[])
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
