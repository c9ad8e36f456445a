"""A doctor's own patients (the doctor directory itself lives in hms.accounts)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.patients import selectors
from hms.patients.apis.patients import PatientCardSerializer, audit_patient_list


class DoctorMyPatientsApi(APIView):
    """The signed-in doctor's assigned patients (`?q=` searches them)."""

    permission_resource = "doctors"
    permission_actions = {"GET": "my_patients"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)

    @extend_schema(parameters=[FilterSerializer], responses=PatientCardSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.doctor_patient_list(doctor=request.user, filters=filters),
            serializer_class=PatientCardSerializer,
            request=request,
            view=self,
        )
        audit_patient_list(
            request=request,
            response=response,
            resource_type="patient_list",
            filters=filters,
        )
        return response
