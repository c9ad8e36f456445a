"""OpenAPI generation tweaks (kept apart from the schema views to avoid an import cycle)."""

from drf_spectacular.openapi import AutoSchema


class HmsAutoSchema(AutoSchema):
    """Names nested serializers after their view (LoginApi.InputSerializer -> LoginApiInput),
    so the many `InputSerializer`/`OutputSerializer` classes never collide in the schema."""

    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace(".", "").removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)
