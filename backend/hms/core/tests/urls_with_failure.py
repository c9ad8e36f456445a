"""The real URLs plus one API view that crashes, to test the JSON 500 answer."""

from django.urls import path
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


class CrashApi(APIView):
    permission_resource = "schema"
    permission_actions = {"GET": "read"}

    def get(self, request):
        raise RuntimeError("secret internal detail")


urlpatterns = [path("api/test-crash/", CrashApi.as_view()), *real_urlpatterns]
handler500 = "hms.core.errors.handler500"
