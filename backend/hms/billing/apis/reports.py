"""Billing reports: the daily cash report and accounts receivable ageing."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import user_find
from hms.billing import reports
from hms.billing.apis.common import MONEY
from hms.core.errors import NotFoundError
from hms.core.query_params import query_params
from hms.core.roles import Role


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
        report = reports.daily_cash_report(
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
        report = reports.ar_ageing_report(as_of=filters.get("as_of") or timezone.localdate())
        return Response(self.OutputSerializer(report).data)
