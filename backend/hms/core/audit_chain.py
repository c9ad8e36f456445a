"""The audit log's hash chain: how one event's hash is computed from its fields."""

import hashlib
import json
import random

GENESIS_HASH = "0" * 64
MAX_CHAINS = 64


def audit_chain_for_new_event(shards: int) -> int:
    """Pick the chain for a new event. Spreading writers over chains is load balancing, not
    security: any chain will do, and each is verified on its own."""
    shards = max(1, min(shards, MAX_CHAINS))
    return random.randrange(shards) + 1  # noqa: S311


def audit_event_digest(event, prev_hash: str) -> str:
    """SHA-256 over the event's canonical JSON and the previous event's hash."""
    payload = {
        "chain": event.chain,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_role": event.actor_role,
        "action": event.action,
        "resource_type": event.resource_type,
        "object_id": event.object_id,
        "patient_id": event.patient_id,
        "ip": event.ip,
        "request_id": event.request_id,
        "outcome": event.outcome,
        "detail": event.detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
