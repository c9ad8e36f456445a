"""Tariff writes: open a new price version for a code, end the current one."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from hms.billing.models import Tariff, TariffCategory
from hms.billing.money import ZERO, hospital_currency, money
from hms.billing.services.common import _audit, _check_currency
from hms.core.errors import ApplicationError, ConflictError
from hms.core.locks import partial_unique_lock_table
from hms.core.models import AuditAction
from hms.core.plausible_dates import tariff_day_check
from hms.core.wording import with_article


@transaction.atomic
def tariff_set_price(
    *,
    actor,
    code: str,
    category: TariffCategory | str,
    name: str,
    price: Decimal,
    valid_from: date,
    tax_rate: Decimal = ZERO,
    currency: str | None = None,
) -> Tariff:
    """Open a new price version for `code` from `valid_from`. The open version, if any, is
    closed the day before; charges already posted keep the version they were priced with."""
    code = code.strip().upper()
    currency = currency or hospital_currency()
    _check_currency(currency)
    tariff_day_check(valid_from, field="valid_from")
    if price < 0:
        raise ApplicationError(
            "A price cannot be negative.", code="invalid_price", fields={"price": ["Negative."]}
        )
    if not (ZERO <= tax_rate <= 100):
        raise ApplicationError(
            "A tax rate is a percentage from 0 to 100.",
            code="invalid_tax_rate",
            fields={"tax_rate": ["Between 0 and 100."]},
        )
    # Where the one-open-version constraint cannot exist (MySQL/MariaDB), a code's first
    # version has no row to lock: price setters queue on the table's lock instead.
    partial_unique_lock_table(Tariff)
    versions = list(Tariff.objects.select_for_update().filter(code=code).order_by("valid_from"))
    if versions and versions[-1].valid_from >= valid_from:
        raise ConflictError(
            f"{code} already has a price from {versions[-1].valid_from}; a new price must start "
            f"after it.",
            code="tariff_version_overlap",
            fields={"valid_from": [f"Must be after {versions[-1].valid_from}."]},
        )
    if versions and versions[-1].category != category:
        raise ConflictError(
            f"{code} is {with_article(versions[-1].get_category_display().lower())} tariff.",
            code="tariff_category_mismatch",
            fields={"category": [f"Must stay {versions[-1].category}."]},
        )
    previous = versions[-1] if versions else None
    if previous is not None and (
        previous.valid_until is None or previous.valid_until >= valid_from
    ):
        previous.valid_until = valid_from - timedelta(days=1)
        previous.save(update_fields=["valid_until", "updated_at"])
    try:
        with transaction.atomic():  # a savepoint: the one-open-version constraints
            tariff = Tariff.objects.create(
                code=code,
                category=category,
                name=name.strip(),
                price=money(price),
                currency=currency,
                tax_rate=tax_rate,
                valid_from=valid_from,
                created_by=actor,
            )
    except IntegrityError as exc:
        # A code's first version has no row to lock: another request priced it just now.
        raise ConflictError(
            f"{code} was given a price at the same moment; reload its prices and try again.",
            code="tariff_version_overlap",
        ) from exc
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_tariff",
        obj=tariff,
        detail={
            "code": code,
            "price": str(tariff.price),
            "valid_from": valid_from.isoformat(),
            "previous": str(previous.public_id) if previous else None,
        },
    )
    return tariff


@transaction.atomic
def tariff_end(*, actor, tariff: Tariff, valid_until: date) -> Tariff:
    """Stop offering a price after `valid_until` (the row stays for the charges that used it)."""
    tariff = Tariff.objects.select_for_update().get(pk=tariff.pk)
    tariff_day_check(valid_until, field="valid_until")
    if valid_until < tariff.valid_from:
        raise ApplicationError(
            "A tariff cannot end before it starts.",
            code="invalid_valid_until",
            fields={"valid_until": [f"On or after {tariff.valid_from}."]},
        )
    if tariff.valid_until is not None and tariff.valid_until < valid_until:
        raise ConflictError(
            "This version already ended; to extend a price, set a new one.",
            code="tariff_already_ended",
        )
    tariff.valid_until = valid_until
    tariff.save(update_fields=["valid_until", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_tariff",
        obj=tariff,
        detail={"valid_until": valid_until.isoformat()},
    )
    return tariff
