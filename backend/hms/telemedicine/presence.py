"""Who has a conversation open right now, across every server process.

Each open socket counts one for its user in the shared cache ("default": Redis in production,
so every ASGI worker sees the same counts). A user is online in a conversation while their
count is above zero: a second tab or device adds one and closing it does not make them leave.
Counters expire after PRESENCE_TTL without a refresh (a socket refreshes its own on every
ping), so a worker killed without closing its sockets cannot keep someone online for good.
"""

from django.core.cache import cache

PRESENCE_TTL = 60 * 60  # seconds; clients ping far more often than this


def _key(conversation_public_id, user_id: int) -> str:
    return f"telemedicine:online:{conversation_public_id.hex}:{user_id}"


def presence_enter(*, conversation_public_id, user_id: int) -> int:
    """Counts one more socket of the user; returns their number of open sockets."""
    key = _key(conversation_public_id, user_id)
    cache.add(key, 0, timeout=PRESENCE_TTL)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PRESENCE_TTL)
        return 1
    cache.touch(key, timeout=PRESENCE_TTL)
    return count


def presence_leave(*, conversation_public_id, user_id: int) -> int:
    """Counts one socket less; returns how many the user still has open."""
    key = _key(conversation_public_id, user_id)
    try:
        count = cache.decr(key)
    except ValueError:  # already expired
        return 0
    if count <= 0:
        cache.delete(key)
        return 0
    return count


def presence_refresh(*, conversation_public_id, user_id: int) -> None:
    cache.touch(_key(conversation_public_id, user_id), timeout=PRESENCE_TTL)


def presence_online(*, conversation_public_id, user_ids) -> set[int]:
    """The ids among `user_ids` with at least one socket open on the conversation."""
    keys = {_key(conversation_public_id, user_id): user_id for user_id in user_ids}
    counts = cache.get_many(list(keys))
    return {keys[key] for key, count in counts.items() if count and count > 0}
