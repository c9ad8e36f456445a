"""JWT authentication for the API: simplejwt's, with each access token's signature checked
once per process, since it runs on every API request."""

from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

from hms.accounts.models import User
from hms.core.selectors import one_or_none

# A client sends the same access token with every request until it expires (15 minutes by
# default); checking its HMAC signature and claims again each time was a twentieth of a
# booking's CPU. The same bytes always verify the same way, so a token that verified is kept
# here (per process; a failure is never kept) and only its signature check is skipped. On
# every request, cached or not, HmsJWTAuthentication still checks the expiry, then reads the
# user and refuses the token if the user is gone or inactive, or if the token's
# `hash_password` claim no longer matches the user's stored password hash
# (SIMPLE_JWT["CHECK_REVOKE_TOKEN"] is True; simplejwt puts the claim in every token it
# issues). So a password change or an administrator's reset refuses every access token issued
# before it on its next request, with 401 `password_changed` (accounts/tests/test_auth_apis.py
# TestPasswordChangeEndsAccessTokens); the refresh tokens are blacklisted by the same
# services. Any other change of the stored hash (Django re-hashing it at sign-in after a
# hasher upgrade) ends the older tokens too.
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
        user = one_or_none(User.objects.all(), **{api_settings.USER_ID_FIELD: user_id})
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
