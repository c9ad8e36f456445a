"""The ICU list: the patients in intensive care now, with their latest NEWS2 and GCS."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hms.core.pagination import audit_page, paginated_response
from hms.inpatient import selectors
from hms.inpatient.apis.admissions import AdmissionOutputSerializer


class IcuAdmissionSerializer(AdmissionOutputSerializer):
    in_icu_since = serializers.DateTimeField(allow_null=True)
    latest_news2 = serializers.IntegerField(allow_null=True)
    latest_news2_at = serializers.DateTimeField(allow_null=True)
    latest_gcs = serializers.IntegerField(allow_null=True)
    latest_gcs_at = serializers.DateTimeField(allow_null=True)


class IcuListApi(APIView):
    """GET /api/icu/: the patients in intensive care now, with their latest NEWS2 and GCS (no
    other route gives these; the admission list's `icu` filter gives the admissions only)."""

    permission_resource = "icu"
    permission_actions = {"GET": "list"}

    @extend_schema(responses=IcuAdmissionSerializer(many=True))
    def get(self, request):
        response = paginated_response(
            queryset=selectors.icu_list(),
            serializer_class=IcuAdmissionSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "icu_list")
        return response
