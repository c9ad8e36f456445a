"""Live delivery of chat and consult events to the open sockets of a conversation.

Every socket of a conversation (hms.telemedicine.consumers) joins the conversation's group;
services send to it after their transaction commits, so nobody hears of a message that was
rolled back. The consumer maps each `type` to a handler (`chat.message` -> `chat_message`):

    {"type": "chat.message", "message": {...message_repr...}}
    {"type": "chat.read", "user": "<user public id>", "seq": n}
    {"type": "consult.ended"}

Delivery is best effort: a channel layer that is down loses the live update, never the write
(clients replay from their last seq when they reconnect).
"""

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from hms.core.live import EVENT_TYPE, user_group

logger = logging.getLogger(__name__)

CHAT_MESSAGE = "chat.message"
CHAT_READ = "chat.read"
CONSULT_ENDED = "consult.ended"


def conversation_group(public_id) -> str:
    return f"conversation.{uuid.UUID(str(public_id)).hex}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("live push to %s failed", group, exc_info=True)


def push_to_conversation(*, conversation_public_id, message: dict) -> None:
    """Send `message` (with its channels `type`) to the conversation's sockets after commit."""
    group = conversation_group(conversation_public_id)
    transaction.on_commit(lambda: _send(group, message))


def push_to_user(*, user_id: int, event: dict) -> None:
    """Send an event to a user's notification feed (`ws/notifications/`) after commit."""
    group = user_group(user_id)
    transaction.on_commit(lambda: _send(group, {"type": EVENT_TYPE, **event}))
