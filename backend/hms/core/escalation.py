"""Who a critical alert goes to when its recipient has not acknowledged it in time.

Core knows notifications but not wards or rotas. An app that knows who can act for a patient
registers a resolver in its `AppConfig.ready()`: `fn(notification) -> users` (empty when it
does not apply), with the part its users play ("a nurse on the patient's ward"). Resolvers are
asked in `order`, lowest first, and the first non-empty answer wins: the ward's nurses when the
patient lies on a ward, else the recipient's colleagues on duty.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

EscalationResolver = Callable[[object], Iterable]


@dataclass(frozen=True)
class Escalation:
    rule: str = ""
    audience: str = ""
    users: list = field(default_factory=list)


@dataclass(frozen=True)
class _Registered:
    order: int
    rule: str
    audience: str
    resolve: EscalationResolver


_RESOLVERS: list[_Registered] = []


def register_escalation_resolver(rule: str, *, order: int, audience: str):
    """Decorator: `fn(notification)` returns the users an overdue critical alert goes to."""

    def decorator(fn: EscalationResolver) -> EscalationResolver:
        _RESOLVERS[:] = [entry for entry in _RESOLVERS if entry.rule != rule]
        _RESOLVERS.append(_Registered(order, rule, audience, fn))
        _RESOLVERS.sort(key=lambda entry: (entry.order, entry.rule))
        return fn

    return decorator


def escalation_targets(notification) -> Escalation:
    """The first resolver's active users other than the recipient; empty when no one."""
    for entry in _RESOLVERS:
        users = [
            user
            for user in entry.resolve(notification)
            if user.is_active and user.pk != notification.recipient_id
        ]
        if users:
            return Escalation(entry.rule, entry.audience, users)
    return Escalation()
