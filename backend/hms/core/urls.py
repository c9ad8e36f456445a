from django.urls import path

from hms.core.apis import AuditEventListApi

urlpatterns = [
    path("audit/", AuditEventListApi.as_view(), name="audit-list"),
]
