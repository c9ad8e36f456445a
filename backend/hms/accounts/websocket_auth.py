"""Who is on the other end of a WebSocket: the same credentials as the API.

- `Authorization: Bearer <access token>` (the desktop client): checked exactly as the API
  checks it (HmsJWTAuthentication: signature, expiry, active user, password not changed since).
  A bad token is refused; cookies are then ignored.
- Otherwise the session cookie (the browser), from Channels' session and auth middleware,
  behind an Origin check against ALLOWED_HOSTS: a cookie is sent by the browser on any page's
  behalf, so another site must not open a socket with it (cross-site WebSocket hijacking). A
  bearer token is never ambient, so token connections need no Origin (desktop clients send
  none).
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from hms.accounts.authentication import HmsJWTAuthentication


def _bearer_token(scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return token.strip()
            return b""  # an Authorization header of another kind: not a session either
    return None


@database_sync_to_async
def _user_for_token(raw_token: bytes):
    authentication = HmsJWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw_token))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser()


class TokenOrSessionAuthMiddleware:
    """Sets `scope["user"]` from a bearer token when the handshake carries one, else from the
    session (with the Origin check)."""

    def __init__(self, inner):
        self.inner = inner
        self.by_session = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope, receive, send):
        token = _bearer_token(scope)
        if token is None:
            return await self.by_session(scope, receive, send)
        user = await _user_for_token(token) if token else AnonymousUser()
        return await self.inner(dict(scope, user=user), receive, send)
