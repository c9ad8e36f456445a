"""The clinical rules the server judges by (score bands, flag rules), published for clients.

An app that owns such a rule registers a function returning it as plain JSON data, in its
`AppConfig.ready()`; `clinical_rules()` collects them by name. Clients (the desktop's live
previews) read them from `GET /api/profile/capabilities/` instead of keeping their own copy, so
a rule changes in one place: the module that applies it.
"""

from collections.abc import Callable
from typing import Any

RulesSource = Callable[[], dict[str, Any]]

_SOURCES: dict[str, RulesSource] = {}


def register_clinical_rules(name: str):
    """Decorator: `fn()` returns the rules published under `name` (JSON-ready data)."""

    def decorator(fn: RulesSource) -> RulesSource:
        _SOURCES[name] = fn
        return fn

    return decorator


def clinical_rules() -> dict[str, dict[str, Any]]:
    return {name: source() for name, source in sorted(_SOURCES.items())}
