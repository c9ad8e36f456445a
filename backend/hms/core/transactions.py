"""Service transactions that survive a lost deadlock: run once more, from the start.

The lock order in hms.core.locks keeps services from deadlocking each other. As a last line of
defence, a service decorated with `@service_transaction` instead of `@transaction.atomic`
runs its whole transaction a second time when the database ended the first one to break a
deadlock (PostgreSQL 40P01, MySQL/MariaDB 1213) or a serialization conflict (40001), so the
caller gets an answer instead of a 500. The database rolled the first attempt back entirely,
so the second one writes everything exactly once.

Only the outermost transaction is run again: called inside another transaction, the service
is a plain `transaction.atomic` block, and the error reaches the outermost service, whose
transaction is the one that was rolled back.

A service may use it when a second run starts from the database, not from what the first run
left in memory: it re-reads (and locks) the rows it changes instead of changing model
instances its caller passed in, and it has no effect outside the database before it commits
(tasks and messages go through `transaction.on_commit`).
"""

import functools
import logging

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# PostgreSQL: serialization_failure, deadlock_detected. MySQL/MariaDB: ER_LOCK_DEADLOCK.
_CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
_CONFLICT_MYSQL_ERRORS = frozenset({1213})


def is_transaction_conflict(error: BaseException) -> bool:
    """True when the database aborted the transaction to resolve a deadlock or a serialization
    conflict: running the same transaction again may succeed."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _CONFLICT_SQLSTATES:
        return True
    args = getattr(cause, "args", ())
    return bool(args) and args[0] in _CONFLICT_MYSQL_ERRORS


def service_transaction(func=None, *, using: str | None = None):
    """`@transaction.atomic` for a service, run once more on a deadlock or serialization
    failure when it is the outermost transaction (see the module docstring)."""

    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            if transaction.get_connection(using).in_atomic_block:
                with transaction.atomic(using=using):
                    return func(*args, **kwargs)
            try:
                with transaction.atomic(using=using):
                    return func(*args, **kwargs)
            except OperationalError as error:
                if not is_transaction_conflict(error):
                    raise
                logger.warning(
                    "transaction of %s.%s ended by the database (%s); running it again",
                    func.__module__,
                    func.__qualname__,
                    str(error).splitlines()[0],
                )
            with transaction.atomic(using=using):
                return func(*args, **kwargs)

        return run

    return decorate(func) if func is not None else decorate
