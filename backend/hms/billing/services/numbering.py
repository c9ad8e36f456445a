"""Document numbers (invoices, receipts, refunds, claims): gapless per kind and year."""

from hms.billing.models import NUMBER_PREFIX, DocumentCounter, NumberKind
from hms.core.locks import lock_or_create


def number_allocate(*, kind: NumberKind, year: int) -> tuple[int, str]:
    """The next number of `kind` in `year`, e.g. (17, "INV-2027-000017").

    Must run inside the transaction that stores the number: the counter row stays locked until
    it commits, and a rollback gives the number back, so there are no gaps and no duplicates.
    """
    counter, _ = lock_or_create(
        DocumentCounter.objects, kind=kind, year=year, defaults={"last_value": 0}
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{NUMBER_PREFIX[kind]}-{year}-{counter.last_value:06d}"
