from django.urls import include, path, re_path

from hms.core.errors import api_not_found
from hms.core.health import health
from hms.core.schema import SchemaApi, SwaggerUiApi
from hms.web import views as web_views

api_patterns = [
    path("", include("hms.accounts.urls")),
    path("", include("hms.core.urls")),
    path("", include("hms.patients.urls")),
    path("", include("hms.clinical.urls")),
    path("", include("hms.appointments.urls")),
    path("", include("hms.radiology.urls")),
    path("", include("hms.laboratory.urls")),
    path("", include("hms.pharmacy.urls")),
    path("", include("hms.assistant.urls")),
    path("", include("hms.inpatient.urls")),
    path("", include("hms.billing.urls")),
    path("", include("hms.telemedicine.urls")),
    path("", include("hms.reporting.urls")),
    path("schema/", SchemaApi.as_view(), name="api-schema"),
    path("docs/", SwaggerUiApi.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("health/", health, name="health"),
    path("login/", web_views.sign_in, name="session-login"),
    path("logout/", web_views.sign_out, name="session-logout"),
    path("api/", include(api_patterns)),
    # Anything else under /api/ is a JSON 404, never an HTML page.
    re_path(r"^api/", api_not_found, name="api-not-found"),
    # The web portal for patients and doctors (hms.web).
    path("", include("hms.web.urls")),
]

handler400 = "hms.core.errors.handler400"
handler403 = "hms.core.errors.handler403"
handler404 = "hms.core.errors.handler404"
handler500 = "hms.core.errors.handler500"
