from django.urls import path

from hms.core.apis import (
    AuditEventListApi,
    NotificationAcknowledgeApi,
    NotificationListApi,
    NotificationMarkReadApi,
)

urlpatterns = [
    path("audit/", AuditEventListApi.as_view(), name="audit-list"),
    path("notifications/", NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read/", NotificationMarkReadApi.as_view(), name="notification-read"),
    path(
        "notifications/<uuid:public_id>/acknowledge/",
        NotificationAcknowledgeApi.as_view(),
        name="notification-acknowledge",
    ),
]
