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
6. Every stored amount fits its column, Decimal(14, 2) (at most 999,999,999,999.99); a quantity fits
   Decimal(10, 2). A charge whose line (quantity x unit price, with tax) would not fit is
   refused when it is posted, and an invoice whose totals would not fit is refused when the
   charges are put on it: a 400 naming the field, never a database overflow.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from hms.core.errors import ApplicationError

MONEY_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# The columns: money is Decimal(14, 2), a quantity Decimal(10, 2) (hms.billing.models).
MONEY_MAX_DIGITS = 14
QUANTITY_MAX_DIGITS = 10


def hospital_currency() -> str:
    return settings.HOSPITAL_CURRENCY


def money(value) -> Decimal:
    """Round to the currency's minor unit, half up."""
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def fits(value, *, max_digits: int = MONEY_MAX_DIGITS) -> bool:
    """True when `value`, rounded to the minor unit, fits a Decimal(max_digits, 2) column."""
    value = Decimal(value)
    limit = Decimal(10) ** (max_digits - 2)
    return value.is_finite() and abs(value) < limit and abs(money(value)) < limit


def check_fits(value, *, field: str, max_digits: int = MONEY_MAX_DIGITS, what: str = "") -> None:
    """400 naming `field` when `value` would overflow its Decimal(max_digits, 2) column."""
    if not fits(value, max_digits=max_digits):
        largest = Decimal(10) ** (max_digits - 2) - MONEY_PLACES
        message = f"{what or 'The value'} must be at most {largest:,}."
        raise ApplicationError(message, code="amount_too_large", fields={field: [message]})


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
