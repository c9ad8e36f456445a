from django.urls import path

from hms.telemedicine import apis

urlpatterns = [
    path("conversations/", apis.ConversationListCreateApi.as_view(), name="conversation-list"),
    path(
        "conversations/<uuid:public_id>/",
        apis.ConversationDetailApi.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<uuid:public_id>/messages/",
        apis.ConversationMessagesApi.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<uuid:public_id>/attachments/",
        apis.ConversationAttachmentCreateApi.as_view(),
        name="conversation-attachments",
    ),
    path(
        "conversations/<uuid:public_id>/attachments/<uuid:message_id>/",
        apis.ConversationAttachmentDownloadApi.as_view(),
        name="conversation-attachment",
    ),
    path(
        "conversations/<uuid:public_id>/read/",
        apis.ConversationReadApi.as_view(),
        name="conversation-read",
    ),
    path(
        "appointments/<uuid:appointment_id>/consult/",
        apis.ConsultRoomApi.as_view(),
        name="consult-room",
    ),
    path(
        "appointments/<uuid:appointment_id>/consult/join/",
        apis.ConsultJoinApi.as_view(),
        name="consult-join",
    ),
    path(
        "appointments/<uuid:appointment_id>/consult/invite/",
        apis.ConsultInviteApi.as_view(),
        name="consult-invite",
    ),
    path(
        "appointments/<uuid:appointment_id>/consult/end/",
        apis.ConsultEndApi.as_view(),
        name="consult-end",
    ),
]
