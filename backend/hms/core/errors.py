"""One JSON error shape for every 4xx/5xx response.

    {"status": 409, "code": "slot_taken", "message": "...", "fields": {...},
     "extra": {...}, "request_id": "..."}

Services raise ApplicationError (or Django's ValidationError); DRF and Django errors are
converted here, so no client ever has to parse a second shape or sees a traceback.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from hms.core.permissions import view_action
from hms.core.request_context import current_request_context

logger = logging.getLogger("hms.errors")


class ApplicationError(Exception):
    """A business rule said no. Carries the HTTP status and a stable machine-readable code."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict | None = None,
        extra: dict | None = None,
        audited: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status_code = status or self.status_code
        self.fields = fields or {}
        self.extra = extra or {}
        # True when whoever raised it has already written its `denied` audit event (the chart
        # access module does, with the patient); otherwise a 403 is audited on its way out.
        self.audited = audited


class ConflictError(ApplicationError):
    status_code = 409
    default_code = "conflict"


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = "not_found"


class ForbiddenError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


def error_body(
    *, status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None
) -> dict:
    body = {"status": status, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    if extra:
        body["extra"] = extra
    body["request_id"] = current_request_context().request_id
    return body


def error_response(status: int, code: str, message: str, **kwargs) -> JsonResponse:
    return JsonResponse(
        error_body(status=status, code=code, message=message, **kwargs), status=status
    )


def _validation_body(detail) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = dict(detail)
        general = fields.pop("non_field_errors", None) or fields.pop("__all__", None)
        if general:
            message = str(general[0] if isinstance(general, list) else general)
            if not fields:
                return message, {}
            return message, fields
        first_field = next(iter(fields), None)
        message = "Some fields are invalid." if len(fields) != 1 else f"Invalid {first_field}."
        return message, fields
    if isinstance(detail, list) and detail:
        return str(detail[0]), {}
    return str(detail) or "Invalid input.", {}


@dataclass(frozen=True)
class Refusal:
    """A 403 answered to a request, for hms.core.middleware.RefusalAuditMiddleware to audit
    once the view has returned (outside any transaction of the view, so the event commits
    even when the view's work rolls back)."""

    code: str
    resource: str = ""
    action: str = ""


REFUSAL_ATTRIBUTE = "hms_refusal"


def mark_refusal(request, refusal: Refusal) -> None:
    """Flag this request's 403 for the audit log (`request`: Django's or DRF's)."""
    setattr(getattr(request, "_request", request), REFUSAL_ATTRIBUTE, refusal)


def _mark_api_refusal(exc, context, code: str) -> None:
    if getattr(exc, "audited", False):
        return
    request, view = context.get("request"), context.get("view")
    if request is None:
        return
    resource = getattr(view, "permission_resource", None) or ""
    action = (view_action(view, request.method) or "") if view is not None else ""
    mark_refusal(request, Refusal(code=code, resource=resource, action=action))


def api_exception_handler(exc, context):
    """DRF exception handler producing the HMS error shape. A 403 is flagged for the audit
    log (unless the code that refused has audited it already)."""
    if isinstance(exc, ApplicationError):
        body = error_body(
            status=exc.status_code,
            code=exc.code,
            message=exc.message,
            fields=exc.fields,
            extra=exc.extra,
        )
        if exc.status_code == 403:
            _mark_api_refusal(exc, context, exc.code)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's handler500 answers with the JSON 500 below

    if isinstance(exc, drf_exceptions.ValidationError):
        message, fields = _validation_body(exc.detail)
        response.data = error_body(
            status=response.status_code, code="validation_error", message=message, fields=fields
        )
        return response

    detail = getattr(exc, "detail", None)
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict):
        # simplejwt's InvalidToken carries {"detail": ..., "code": ..., "messages": [...]}
        message = str(detail.get("detail", "Request failed."))
        code = str(detail.get("code", code))
    else:
        message = str(detail) if detail else "Request failed."
        code = getattr(detail, "code", None) or code
    extra = {}
    if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
        extra["retry_after_seconds"] = int(exc.wait)
    response.data = error_body(
        status=response.status_code, code=str(code), message=message, extra=extra
    )
    if response.status_code == 403:
        _mark_api_refusal(exc, context, str(code))
    return response


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/health") or path.startswith("/fhir/")


def api_not_found(request, *args, **kwargs):
    """Catch-all for /api/...: unknown routes answer JSON 404, with a hint for a missing slash."""
    extra = {}
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
            if match.func is not api_not_found:
                extra["hint"] = f"Did you mean {request.path}/ ?"
        except Resolver404:
            pass
    return error_response(
        404, "not_found", f"No API endpoint at {request.path}.", extra=extra or None
    )


def handler404(request, exception=None):
    if is_api_path(request.path):
        return error_response(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def handler403(request, exception=None):
    # The portal's refusals (role, permission table) come here; those the chart access module
    # turned into a PermissionDenied are audited already, with the patient.
    if not getattr(getattr(exception, "__cause__", None), "audited", False):
        mark_refusal(request, Refusal(code="permission_denied"))
    if is_api_path(request.path):
        return error_response(403, "permission_denied", "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def handler400(request, exception=None):
    if is_api_path(request.path):
        return error_response(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)


def handler500(request):
    # The traceback goes to the log (with the request id), never to the client.
    if is_api_path(request.path):
        return error_response(
            500,
            "server_error",
            "Something went wrong on the server. The error was logged; quote the request id "
            "when reporting it.",
        )
    return defaults.server_error(request)
