import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest

from hms.core.errors import REFUSAL_ATTRIBUTE, error_response, is_api_path
from hms.core.metrics import route_of
from hms.core.request_context import RequestContext, reset_request_context, set_request_context
from hms.core.services import audit_refusal

request_logger = logging.getLogger("hms.request")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only for NUM_PROXIES hops."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when it is sane) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_context(RequestContext(request_id=request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response


class RequestLogMiddleware:
    """One JSON log line per request: method, path, route, status, duration, user and id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                # The URL pattern: what log searches group by (Kibana), whatever the ids.
                "route": route_of(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.get_username() if signed_in else None,
                "user_id": str(getattr(user, "public_id", "") or "") if signed_in else None,
            },
        )
        return response


class RefusalAuditMiddleware:
    """Audits every refusal (403) of a signed-in user as one `denied` event.

    The error handlers flag the refusal (hms.core.errors.mark_refusal: the API's exception
    handler and the portal's handler403; refusals the chart access module audited itself are
    not flagged); the event is written here, after the view has returned, so no transaction
    of the view (a service's, or ATOMIC_REQUESTS) can roll it back. It costs the refused
    request one audit write and nothing else: the route, ids and user are already in hand.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
        if refusal is not None and response.status_code == 403:
            self._audit(request, refusal)
        return response

    @staticmethod
    def _audit(request, refusal) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return  # anonymous callers get 401 from the API; nobody to name
        match = request.resolver_match
        kwargs = match.kwargs if match is not None else {}
        route = match.route if match is not None else ""
        # The most specific id of the route is its last one (a record under a chart...).
        object_id = list(kwargs.values())[-1] if kwargs else ""
        patient_id = kwargs.get("patient_id") or _uuid_or_blank(request.GET.get("patient"))
        if not patient_id and _PATIENT_ROUTE.search(route):
            patient_id = kwargs.get("public_id", "")
        audit_refusal(
            actor=user,
            method=request.method,
            path=request.path,
            route=route,
            resource_type=refusal.resource or (match.view_name if match is not None else ""),
            reason=refusal.code,
            permission=f"{refusal.resource}:{refusal.action}" if refusal.action else "",
            object_id=object_id,
            patient_id=patient_id,
        )


# Chart routes: /api/patients/<uuid:public_id>/..., where the public id is the patient's.
_PATIENT_ROUTE = re.compile(r"(^|/)patients/<uuid:public_id>/")


def _uuid_or_blank(value) -> str:
    try:
        return str(uuid.UUID(value)) if value else ""
    except (ValueError, TypeError, AttributeError):
        return ""


class RejectNulMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character.

    No identifier, code or search term contains one, PostgreSQL refuses it in any text value
    (a DataError, i.e. a 500, wherever it reached a query) and other databases truncate or
    mangle it, so it is refused here, once, before any view or lookup sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return self._refuse(request, "path", "The path must not contain a NUL character.")
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return self._refuse(
                    request, name.replace("\x00", ""), "Must not contain a NUL character."
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request, name: str, message: str):
        if is_api_path(request.path):
            return error_response(
                400, "bad_request", f"Invalid {name}: {message}", fields={name: [message]}
            )
        return HttpResponseBadRequest(f"Invalid {name}: {message}", content_type="text/plain")
