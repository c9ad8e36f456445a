"""Live delivery of notifications to open clients over the channel layer (Django Channels).

Each signed-in user's connections join one group; a service pushes to it after its transaction
commits, so a client never hears of a notification that was rolled back. The channel layer is
in memory in a single process and Redis when REDIS_URL is set (several processes).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The consumer's handler for pushed events (channels maps "notification.event" to
# `notification_event`).
EVENT_TYPE = "notification.event"


def user_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def push_after_commit(*, user_id: int, build_message) -> None:
    """Send `build_message()` to the user's open connections once the transaction commits.

    Built after the commit, so counts in it include the write. Delivery is best effort: a
    channel layer that is down loses the live update, never the write (clients re-read the
    inbox when they reconnect).
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            message = build_message()
            async_to_sync(layer.group_send)(user_group(user_id), {"type": EVENT_TYPE, **message})
        except Exception:
            logger.warning("live notification push failed", exc_info=True)

    transaction.on_commit(send)
