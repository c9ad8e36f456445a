"""The live notification feed: `ws://<server>/ws/notifications/`.

A signed-in user (session cookie in a browser, `Authorization: Bearer <access token>` from the
desktop client; see hms.accounts.websocket_auth) receives, as JSON text frames:

- on connect: `{"event": "hello", "unread": n, "attention": m}`;
- then, in the order they commit, `{"event": "created" | "acknowledged" | "escalated",
  "notification": {...as in GET /api/notifications/...}, "unread": n, "attention": m}`.

Only the user's own notifications: each connection joins its user's group and nothing else.
The client may send `{"action": "ping"}` and gets `{"event": "pong"}` (a keep-alive check).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from hms.core.live import user_group
from hms.core.metrics import websocket_closed, websocket_opened
from hms.core.selectors import notification_counts

# Sent when the handshake had no valid credentials (before accept, so clients see a refusal).
UNAUTHENTICATED_CLOSE_CODE = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED_CLOSE_CODE)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        websocket_opened("notifications")
        counts = await database_sync_to_async(notification_counts)(user=user)
        await self.send_json({"event": "hello", **counts})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            websocket_closed("notifications")
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("action") == "ping":
            await self.send_json({"event": "pong"})

    async def notification_event(self, message: dict) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})
