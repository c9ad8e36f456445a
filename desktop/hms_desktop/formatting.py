"""How values are shown: local times, empty values, yes/no."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

EMPTY = "—"


def fmt_datetime(value: datetime | None, *, seconds: bool = False) -> str:
    if value is None:
        return EMPTY
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def fmt_text(value: object) -> str:
    text = "" if value is None else str(value)
    return text or EMPTY


def fmt_decimal(value: Decimal | None) -> str:
    """`2.5000` → `2.5`, `500.0000` → `500` (doses, amounts without a currency)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def fmt_money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return EMPTY
    amount = f"{value:,.2f}"
    return f"{amount} {currency}".strip()
