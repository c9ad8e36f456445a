"""OpenAPI schema and Swagger UI, listed in the permission table like every other route."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hms.core.permissions import RolePermission


class SchemaApi(SpectacularAPIView):
    permission_resource = "schema"
    permission_classes = [RolePermission]


class SwaggerUiApi(SpectacularSwaggerView):
    permission_resource = "schema"
    permission_classes = [RolePermission]
