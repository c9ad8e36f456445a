"""What the registry's services share: applying a change and naming what changed."""

from hms.core.errors import ApplicationError


def changed_names(changed: dict) -> list[str]:
    return sorted(changed)


def apply_changes(instance, changes: dict, allowed: frozenset[str]) -> dict:
    changed = {}
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(f"{field} cannot be changed here.", code="field_not_editable")
        if getattr(instance, field) != value:
            changed[field] = True
            setattr(instance, field, value)
    return changed
