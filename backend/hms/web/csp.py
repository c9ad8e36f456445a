"""Content-Security-Policy for every HTML page the server renders.

The portal loads only its own static files (no CDN, no inline script), so the policy is strict:
everything from 'self', nothing inline. Pages that ship their own inline code (drf-spectacular's
Swagger UI) are listed in CSP_EXEMPT_PATH_PREFIXES.
"""

from django.conf import settings

HEADER = "Content-Security-Policy"


def policy_header(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.CSP_DIRECTIVES)
        self.exempt = tuple(getattr(settings, "CSP_EXEMPT_PATH_PREFIXES", ()))

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response and not (self.exempt and request.path.startswith(self.exempt)):
            response[HEADER] = self.header
        return response
