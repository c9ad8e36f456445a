"""Public self-registration: a patient account and its chart."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.apis import PasswordField, UserOutputSerializer
from hms.accounts.models import User
from hms.core.roles import Role
from hms.core.throttling import SharedScopedRateThrottle
from hms.patients import services


class RegisterApi(APIView):
    """Public self-registration; always creates a patient account."""

    permission_resource = "auth"
    permission_actions = {"POST": "register"}
    authentication_classes = []
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "register"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = PasswordField()
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        first_name = serializers.CharField(max_length=150, required=False, default="")
        last_name = serializers.CharField(max_length=150, required=False, default="")
        phone = serializers.CharField(max_length=32, required=False, default="")
        role = serializers.ChoiceField(
            choices=[Role.PATIENT], required=False, help_text="Only 'patient' is accepted."
        )
        # For the chart created with the account (hms.patients).
        date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
        sex = serializers.ChoiceField(
            choices=["female", "male", "other", "unknown"], required=False, default="unknown"
        )

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("role", None)
        user = services.patient_account_register(**fields)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)
