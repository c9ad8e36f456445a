"""Money arithmetic for billing. Every amount is a Decimal in the hospital's currency.

Rounding rules (also in docs/api.md, "Billing"):

1. Amounts are kept in the currency's minor unit: 2 decimal places (MONEY_PLACES).
2. Rounding is ROUND_HALF_UP ("commercial" rounding: 0.005 -> 0.01), never banker's rounding.
3. A line is rounded step by step, each step from the rounded step before it:
   subtotal  = round(quantity x unit_price)
   discount  = the amount given, or round(subtotal x discount_percent / 100),
               with 0 <= discount <= subtotal
   tax       = round((subtotal - discount) x tax_rate / 100)
   total     = subtotal - discount + tax
4. An invoice's subtotal, discount, tax and total are the plain sums of its lines' rounded
   values (never re-rounded, never computed from the invoice total), so the printed lines always
   add up to the printed total.
5. A co-pay split is rounded per line: patient share = round(line total x copay_percent / 100),
   insurance share = line total - patient share.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

MONEY_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def hospital_currency() -> str:
    return settings.HOSPITAL_CURRENCY


def money(value) -> Decimal:
    """Round to the currency's minor unit, half up."""
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return money(Decimal(amount) * Decimal(percent) / HUNDRED)


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    tax_rate: Decimal = ZERO,
    discount_amount: Decimal | None = None,
    discount_percent: Decimal | None = None,
) -> LineAmounts:
    subtotal = money(Decimal(quantity) * Decimal(unit_price))
    if discount_amount is not None:
        discount = money(discount_amount)
    elif discount_percent is not None:
        discount = percent_of(subtotal, discount_percent)
    else:
        discount = ZERO
    if discount < 0 or discount > subtotal:
        raise ValueError("discount must be between 0 and the line subtotal")
    tax = percent_of(subtotal - discount, tax_rate)
    return LineAmounts(subtotal, discount, tax, subtotal - discount + tax)


def copay_split(*, total: Decimal, copay_percent: Decimal) -> tuple[Decimal, Decimal]:
    """(patient share, insurance share) of one line total."""
    patient = percent_of(total, copay_percent)
    return patient, total - patient
