"""ASGI entry point: HTTP through Django, WebSockets through Channels (live notifications,
conversation chat and consult call signalling)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

django_asgi_app = get_asgi_application()

# These import models, so they come after Django is set up.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from hms.accounts.websocket_auth import TokenOrSessionAuthMiddleware  # noqa: E402
from hms.core.consumers import NotificationConsumer  # noqa: E402
from hms.core.warmup import warm_up_start  # noqa: E402
from hms.telemedicine.consumers import ConversationConsumer  # noqa: E402

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws-notifications"),
    path(
        "ws/conversations/<uuid:conversation_id>/",
        ConversationConsumer.as_asgi(),
        name="ws-conversation",
    ),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

# The drug dictionary and the ICD-10 list load in the background while the server starts
# listening (HMS_WARM_UP_AT_START); a request that needs one meanwhile waits for that load.
warm_up_start()
