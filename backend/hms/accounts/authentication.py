"""JWT authentication for the API: simplejwt's, with the signed-in user read by a compiled
lookup (hms.core.compiled_lookup), and each access token's signature checked once per process,
since both run on every API request."""

import uuid
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

from hms.accounts.models import User
from hms.core.compiled_lookup import CompiledLookup

_USER_BY_TOKEN_ID = CompiledLookup(
    lambda: User.objects.all(), api_settings.USER_ID_FIELD, uuid.UUID(int=0)
)


# A client sends the same access token with every request until it expires (15 minutes by
# default); checking its HMAC signature and claims again each time was a twentieth of a
# booking's CPU. The same bytes always verify the same way, so a token is verified once and
# kept here; what can change with time is checked on every request: the expiry below, and in
# get_user the user (exists, active) and the token's password hash against the current
# password (SIMPLE_JWT CHECK_REVOKE_TOKEN), so a password change or reset ends the token on
# its next request. Failures are not cached.
VERIFIED_TOKEN_CACHE_SIZE = 4096


@lru_cache(maxsize=VERIFIED_TOKEN_CACHE_SIZE)
def _verified_token(raw_token: bytes) -> Token:
    return JWTAuthentication().get_validated_token(raw_token)


class HmsJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Token:
        token = _verified_token(bytes(raw_token))
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            # Expired since it was verified: simplejwt's own answer, with its messages.
            return super().get_validated_token(raw_token)
        return token

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
