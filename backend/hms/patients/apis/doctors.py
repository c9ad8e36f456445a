"""The doctor directory: list, register and edit doctors; a doctor's own patients."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.models import User
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.patients import selectors, services
from hms.patients.apis.patients import PatientCardSerializer, audit_patient_list


class DoctorProfileOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="user.public_id", help_text="The doctor's user id.")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    display_name = serializers.SerializerMethodField()
    specialization = serializers.CharField()
    department = serializers.CharField()
    bio = serializers.CharField()
    available = serializers.BooleanField()
    license_number = serializers.CharField()

    def get_display_name(self, profile) -> str:
        return f"Dr {profile.user.get_full_name() or profile.user.username}"


class DoctorListCreateApi(APIView):
    """GET: the doctor directory (every signed-in user). POST: an admin registers a doctor."""

    permission_resource = "doctors"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        specialization = serializers.CharField(required=False, max_length=100)
        department = serializers.CharField(required=False, max_length=100)
        available = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, max_length=100)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
        )
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        specialization = serializers.CharField(max_length=100)
        department = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default=""
        )
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        available = serializers.BooleanField(required=False, default=True)
        license_number = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default=""
        )

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(
        parameters=[FilterSerializer], responses=DoctorProfileOutputSerializer(many=True)
    )
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.doctor_list(filters=filters),
            serializer_class=DoctorProfileOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: DoctorProfileOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.doctor_register(actor=request.user, **data.validated_data)
        return Response(DoctorProfileOutputSerializer(profile).data, status=status.HTTP_201_CREATED)


class DoctorDetailApi(APIView):
    """GET: one doctor. PATCH: an admin edits any field; a doctor their own bio/availability."""

    permission_resource = "doctors"

    class InputSerializer(serializers.Serializer):
        specialization = serializers.CharField(max_length=100, required=False)
        department = serializers.CharField(max_length=100, required=False, allow_blank=True)
        bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        available = serializers.BooleanField(required=False)
        license_number = serializers.CharField(max_length=64, required=False, allow_blank=True)

    @extend_schema(responses=DoctorProfileOutputSerializer)
    def get(self, request, public_id):
        return Response(
            DoctorProfileOutputSerializer(selectors.doctor_get(public_id=public_id)).data
        )

    @extend_schema(request=InputSerializer, responses=DoctorProfileOutputSerializer)
    def patch(self, request, public_id):
        profile = selectors.doctor_get(public_id=public_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.doctor_profile_update(
            actor=request.user, profile=profile, **data.validated_data
        )
        return Response(DoctorProfileOutputSerializer(profile).data)


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
