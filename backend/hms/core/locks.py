"""Row locks: the one order every transaction takes them in, and the helpers for the rules
MySQL and MariaDB cannot keep the way PostgreSQL and SQLite do.

Lock order. Every write transaction takes its locks in this order, so no two wait for each
other (a deadlock, which PostgreSQL ends by failing one of them):
  1. Rows it reads to change, with `select_for_update()` (several rows of a table in
     primary-key order; a service documents the order of its tables where it locks more
     than one, e.g. the invoice before its charges). On PostgreSQL these are FOR NO KEY
     UPDATE locks (the hms.core.postgresql backend): they keep out every other writer of the
     row but not rule 3's foreign-key checks.
  2. The audit chain head, when `audit_record` appends the transaction's event: the last
     step of a service, so the head is held briefly.
  3. At commit, PostgreSQL checks the transaction's new foreign keys (Django declares them
     DEFERRABLE INITIALLY DEFERRED) with FOR KEY SHARE locks on the rows they point at: the
     account that recorded the vitals, the patient. Only FOR UPDATE conflicts with those.
     PostgreSQL takes FOR UPDATE itself for a DELETE and for an UPDATE that changes a key
     column (one with a unique index: a new username). A service doing either does it after
     step 2 (`user_update` records its event before saving), never while waiting for a head.
Before this order, an administrator's FOR UPDATE on a doctor's account, waiting for the chain
head, met the doctor's vitals holding the head and checking its foreign key to the account at
commit. hms/clinical/tests/test_account_concurrency.py keeps that and a profile edit racing
the owner's own writes from failing; `hms.core.transactions.service_transaction` runs a
transaction the database ended anyway once more.

Partial unique constraints. `UniqueConstraint(condition=...)` (one active admission per bed,
one live allergy per substance...) is a partial unique index on PostgreSQL and SQLite. MySQL
and MariaDB have no partial indexes, so Django leaves the constraint out there (system check
models.W036) and two parallel requests could both write the row it would refuse. A service
writing such a row calls `partial_unique_lock` (or `partial_unique_lock_table`) inside its
transaction, before it checks the rule: on MySQL/MariaDB that takes a row lock every competing
writer takes too and returns True, and the service must then check the rule itself; the check
sees whatever a writer it queued behind committed (Django runs MySQL at READ COMMITTED).
Elsewhere it does nothing and returns False: the index refuses a second row, as before.

Creating the row to lock. `select_for_update().get_or_create()` deadlocks on InnoDB when three
or more transactions race to create the same row: the losers' duplicate-key INSERTs wait for
the first and then keep a shared lock on its row, and each then needs the exclusive lock the
others' shared locks block (error 1213). `lock_or_create` queues creators on the table's lock
there instead.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model, QuerySet


def lock_table(model: type[Model]) -> None:
    """Until the transaction ends, hold the lock standing for `model`'s table: the row of its
    ContentType. For writers that share no row of their own (a value unique across the table,
    the first row of a counter)."""
    ContentType.objects.get_for_model(model)  # cached; creates the row on a new database
    opts = model._meta
    row = ContentType.objects.filter(app_label=opts.app_label, model=opts.model_name)
    list(row.select_for_update().values_list("pk", flat=True))


def lock_or_create(queryset: QuerySet, *, defaults: dict | None = None, **lookup):
    """`queryset.select_for_update().get_or_create(defaults=..., **lookup)`: (row, created),
    the row locked until the transaction ends, without InnoDB's creation deadlock."""
    locked = queryset.select_for_update()
    if connection.vendor != "mysql":
        return locked.get_or_create(defaults=defaults, **lookup)
    # MySQL/MariaDB (see the module docstring): only one creator at a time gets past here.
    try:
        return locked.get(**lookup), False
    except queryset.model.DoesNotExist:
        lock_table(queryset.model)
    try:
        return locked.get(**lookup), False  # created while this one queued
    except queryset.model.DoesNotExist:
        return queryset.create(**lookup, **(defaults or {})), True


def partial_unique_lock(rows: QuerySet) -> bool:
    """Lock `rows`, the row(s) every writer of the constrained value shares (the patient, the
    bed...), in primary-key order, until the transaction ends. True when the caller must check
    the constraint's rule itself (MySQL/MariaDB)."""
    if connection.features.supports_partial_indexes:
        return False
    list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    return True


def partial_unique_lock_table(model: type[Model]) -> bool:
    """For a value unique across a whole table (a licence number), whose writers share no row:
    queue them on the table's lock. True when the caller must check the rule itself."""
    if connection.features.supports_partial_indexes:
        return False
    lock_table(model)
    return True
