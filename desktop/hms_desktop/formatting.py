"""How values are shown: local times, empty values, yes/no."""

from __future__ import annotations

from datetime import datetime

EMPTY = "—"


def fmt_datetime(value: datetime | None, *, seconds: bool = False) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def fmt_text(value: object) -> str:
    text = "" if value is None else str(value)
    return text or EMPTY
