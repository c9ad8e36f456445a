"""Bed-days and ICU days of an admission (the midnight census billing reads)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.inpatient import selectors
from hms.inpatient.apis.common import admission_for
from hms.patients.access import ChartSection


class StayDaysSerializer(serializers.Serializer):
    ward = serializers.CharField(source="ward_name")
    ward_type = serializers.CharField()
    bed = serializers.CharField(source="bed_label")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    days = serializers.IntegerField()
    hours = serializers.FloatField()


class AdmissionBedDaysApi(APIView):
    """Bed-days and ICU days of the admission (midnight census; see
    hms.inpatient.selectors.admission_bed_days, which billing reads)."""

    permission_resource = "bed_days"
    permission_actions = {"GET": "read"}

    class OutputSerializer(serializers.Serializer):
        admission_id = serializers.UUIDField()
        bed_days = serializers.IntegerField()
        icu_days = serializers.IntegerField()
        icu_hours = serializers.FloatField()
        by_ward_type = serializers.DictField(child=serializers.IntegerField())
        stays = StayDaysSerializer(many=True)
        ongoing = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, public_id):
        admission = admission_for(request, public_id, section=ChartSection.BILLING)
        days = selectors.admission_bed_days(admission)
        return Response(
            self.OutputSerializer({**days.__dict__, "admission_id": admission.public_id}).data
        )
