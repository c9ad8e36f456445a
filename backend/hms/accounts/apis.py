"""Thin API views for accounts: parse, call a service or selector, respond."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenRefreshView

from hms.accounts import selectors, services
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.roles import STAFF_ROLES, Role
from hms.core.throttling import SharedScopedRateThrottle

User = get_user_model()


class UserOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    username = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


# --- Authentication --------------------------------------------------------------------------


class LoginApi(APIView):
    permission_resource = "auth"
    permission_actions = {"POST": "login"}
    authentication_classes = []
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = PasswordField()

    class OutputSerializer(serializers.Serializer):
        access = serializers.CharField()
        refresh = serializers.CharField()
        user = UserOutputSerializer()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.auth_authenticate(request=request, **data.validated_data)
        tokens = services.auth_issue_tokens(user=user)
        return Response(self.OutputSerializer(tokens).data)


class _RefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except User.DoesNotExist as exc:  # the account behind a signed token is gone
            raise AuthenticationFailed("No active account found for the given token.") from exc


class TokenRefreshApi(TokenRefreshView):
    permission_resource = "auth"
    permission_actions = {"POST": "refresh"}
    serializer_class = _RefreshSerializer
    authentication_classes = []


class LogoutApi(APIView):
    permission_resource = "auth"
    permission_actions = {"POST": "logout"}

    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.auth_logout(user=request.user, refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileApi(APIView):
    permission_resource = "profile"

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses=UserOutputSerializer)
    def patch(self, request):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, **data.validated_data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(request=InputSerializer, responses=UserOutputSerializer)
    def put(self, request):
        # Compatibility route `PUT /api/profile/`: every field is optional, so PUT is PATCH.
        return self.patch(request)


class CapabilitiesApi(APIView):
    """What the signed-in user may do and the clinical rules the server applies: clients read
    this once at sign-in instead of keeping their own copy of the role table or the rules."""

    permission_resource = "profile"
    permission_actions = {"GET": "capabilities"}

    class OutputSerializer(serializers.Serializer):
        role = serializers.CharField()
        permissions = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Resource -> the actions the user's role is granted on it.",
        )
        clinical_rules = serializers.DictField(
            help_text="NEWS2 bands (`news2`) and lab flag rules (`lab_flags`), as the server "
            "applies them."
        )

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        capabilities = selectors.user_capabilities(user=request.user)
        return Response(self.OutputSerializer(capabilities).data)


class PasswordChangeApi(APIView):
    permission_resource = "profile"
    permission_actions = {"POST": "change_password"}

    class InputSerializer(serializers.Serializer):
        current_password = PasswordField()
        new_password = PasswordField()

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_change(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Staff administration (admin only) ------------------------------------------------------

STAFF_ROLE_CHOICES = sorted(role.value for role in STAFF_ROLES)


class UserListCreateApi(APIView):
    permission_resource = "users"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, max_length=100)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = PasswordField()
        role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES)
        first_name = serializers.CharField(max_length=150, required=False, default="")
        last_name = serializers.CharField(max_length=150, required=False, default="")
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=32, required=False, default="")

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(parameters=[FilterSerializer], responses=UserOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.user_list(filters=filters),
            serializer_class=UserOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailApi(APIView):
    permission_resource = "users"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, required=False)
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

        def validate_username(self, value):
            User.username_validator(value)
            return value

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request, public_id):
        return Response(UserOutputSerializer(selectors.user_get(public_id=public_id)).data)

    @extend_schema(request=InputSerializer, responses=UserOutputSerializer)
    def patch(self, request, public_id):
        user = selectors.user_get(public_id=public_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update(actor=request.user, user=user, **data.validated_data)
        return Response(UserOutputSerializer(user).data)


class UserDeactivateApi(APIView):
    permission_resource = "users"
    permission_actions = {"POST": "deactivate"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=UserOutputSerializer)
    def post(self, request, public_id):
        user = selectors.user_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_deactivate(actor=request.user, user=user, **data.validated_data)
        return Response(UserOutputSerializer(user).data)


class UserActivateApi(APIView):
    permission_resource = "users"
    permission_actions = {"POST": "activate"}

    @extend_schema(request=None, responses=UserOutputSerializer)
    def post(self, request, public_id):
        user = selectors.user_get(public_id=public_id)
        user = services.user_activate(actor=request.user, user=user)
        return Response(UserOutputSerializer(user).data)


class UserPasswordResetApi(APIView):
    permission_resource = "users"
    permission_actions = {"POST": "reset_password"}

    class InputSerializer(serializers.Serializer):
        new_password = PasswordField()

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request, public_id):
        user = selectors.user_get(public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_reset(actor=request.user, user=user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Doctor directory ------------------------------------------------------------------------


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
