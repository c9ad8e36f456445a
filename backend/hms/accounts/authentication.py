"""JWT authentication for the API: simplejwt's, with the signed-in user read by a compiled
lookup (hms.core.compiled_lookup), since it runs on every API request."""

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from hms.accounts.models import User
from hms.core.compiled_lookup import CompiledLookup

_USER_BY_TOKEN_ID = CompiledLookup(
    lambda: User.objects.all(), api_settings.USER_ID_FIELD, uuid.UUID(int=0)
)


class HmsJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        # The same checks, messages and codes as simplejwt's JWTAuthentication.get_user.
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = _USER_BY_TOKEN_ID.get(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class HmsJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of HmsJWTAuthentication: simplejwt's bearer scheme."""

    target_class = HmsJWTAuthentication
