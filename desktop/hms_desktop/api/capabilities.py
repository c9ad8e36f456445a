"""What the signed-in user may do and the clinical rules the server judges by, read once at
sign-in from `GET /api/profile/capabilities/`. Screens ask `may(resource, action)` with the
server's own permission names instead of keeping a copy of its role table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Capabilities:
    role: str
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    clinical_rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Capabilities:
        return cls(
            role=data["role"],
            permissions={
                resource: frozenset(actions) for resource, actions in data["permissions"].items()
            },
            clinical_rules=data["clinical_rules"],
        )

    def may(self, resource: str, action: str) -> bool:
        return action in self.permissions.get(resource, ())

    @property
    def news2(self) -> dict[str, Any]:
        return self.clinical_rules["news2"]

    @property
    def lab_flags(self) -> dict[str, Any]:
        return self.clinical_rules["lab_flags"]
