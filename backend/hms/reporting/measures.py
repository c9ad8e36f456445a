"""Small arithmetic every report shares: local days of a range, ratios and percentages that
are None (shown as "—") when there is nothing to divide by."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal


def days_between(date_from: date, date_to: date) -> list[date]:
    """Every day from `date_from` to `date_to`, both included (empty when reversed)."""
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def ratio(numerator, denominator, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator * scale) / Decimal(denominator)


def percent(part, whole) -> Decimal | None:
    return ratio(part, whole, 100)
