"""The test catalog: tests, panels and their reference ranges."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.laboratory import selectors
from hms.laboratory.apis.common import LabTestOutputSerializer
from hms.laboratory.models import LabTestKind, SpecimenType


class LabTestListApi(APIView):
    """The test catalog (tests and panels, with LOINC codes, units and reference ranges)."""

    permission_resource = "lab_tests"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, help_text="Code, LOINC code or name")
        specimen_type = serializers.ChoiceField(choices=SpecimenType.choices, required=False)
        kind = serializers.ChoiceField(choices=LabTestKind.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=LabTestOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.lab_test_list(filters=query_params(self.FilterSerializer, request)),
            serializer_class=LabTestOutputSerializer,
            request=request,
            view=self,
        )


class LabTestDetailApi(APIView):
    permission_resource = "lab_tests"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=LabTestOutputSerializer)
    def get(self, request, ref):
        return Response(LabTestOutputSerializer(selectors.lab_test_get(ref=ref)).data)
