"""The test catalog: tests, panels and their reference ranges."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.laboratory import selectors
from hms.laboratory.apis.common import LabTestOutputSerializer, LabTestRefSerializer
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


class LabTestSearchItemSerializer(LabTestRefSerializer):
    department = serializers.CharField()
    components = serializers.SerializerMethodField()

    def get_components(self, test) -> list[str]:
        return [link.test.code for link in test.component_links.all()]


class LabTestGroupSerializer(serializers.Serializer):
    department = serializers.CharField()
    label = serializers.CharField()
    tests = LabTestSearchItemSerializer(many=True)


class LabTestSearchOutputSerializer(serializers.Serializer):
    panels = LabTestSearchItemSerializer(many=True)
    groups = LabTestGroupSerializer(many=True)
    truncated = serializers.BooleanField(help_text="More tests match than were returned.")


class LabTestSearchApi(APIView):
    """The ordering picker's search: panels first, then tests grouped by department (at most
    20 with words; without words the catalogue in that order, at most 60). Bounded, so not
    paginated; `exclude` leaves out tests already chosen."""

    permission_resource = "lab_tests"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text="Code, name or LOINC"
        )
        exclude = serializers.ListField(
            child=serializers.UUIDField(), required=False, help_text="Ids already chosen"
        )

    @extend_schema(parameters=[FilterSerializer], responses=LabTestSearchOutputSerializer)
    def get(self, request):
        params = self.FilterSerializer(
            data={
                "q": request.query_params.get("q", ""),
                "exclude": request.query_params.getlist("exclude"),
            }
        )
        params.is_valid(raise_exception=True)
        result = selectors.lab_test_search(
            q=params.validated_data.get("q", ""), exclude=params.validated_data.get("exclude", [])
        )
        return Response(LabTestSearchOutputSerializer(result).data)
