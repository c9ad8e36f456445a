from django.conf import settings
from django.shortcuts import render
from django.urls import include, path, re_path

from hms.accounts.views import session_login, session_logout
from hms.core.errors import api_not_found
from hms.core.health import health
from hms.core.schema import SchemaApi, SwaggerUiApi


def home(request):
    return render(request, "core/home.html", {"hospital_name": settings.HOSPITAL_NAME})


api_patterns = [
    path("", include("hms.accounts.urls")),
    path("", include("hms.core.urls")),
    path("", include("hms.patients.urls")),
    path("", include("hms.clinical.urls")),
    path("schema/", SchemaApi.as_view(), name="api-schema"),
    path("docs/", SwaggerUiApi.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("login/", session_login, name="session-login"),
    path("logout/", session_logout, name="session-logout"),
    path("api/", include(api_patterns)),
    # Anything else under /api/ is a JSON 404, never an HTML page.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]

handler400 = "hms.core.errors.handler400"
handler403 = "hms.core.errors.handler403"
handler404 = "hms.core.errors.handler404"
handler500 = "hms.core.errors.handler500"
