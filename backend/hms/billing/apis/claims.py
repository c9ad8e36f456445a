"""Insurance claims: list, submit, read, approve, reject, settle."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.billing import selectors, services
from hms.billing.apis.common import MONEY, RATE, _billing_patient
from hms.billing.apis.invoices import ClaimSummarySerializer, _invoice_for_write
from hms.billing.models import ClaimStatus
from hms.core.errors import NotFoundError
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.patients.serializers import PatientRefSerializer


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
        audit_page(request, response, "billing_claim_list")
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
