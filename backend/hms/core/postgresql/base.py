"""Django's PostgreSQL backend, with every `select_for_update()` taking FOR NO KEY UPDATE.

FOR UPDATE is the lock for deleting a row or changing its key. Every other change needs only
FOR NO KEY UPDATE, which keeps out every other writer and locker of the row just the same but
not the foreign-key checks of transactions that insert rows pointing at it (FOR KEY SHARE).
Those checks run at commit (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED), after
the transaction has taken its audit chain head: a FOR UPDATE on a row that others reference
would make the two wait for each other. See "Lock order" in hms.core.locks.

A DELETE, or an UPDATE of a key column (a new username), still takes FOR UPDATE: PostgreSQL
does that itself when the statement runs.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def for_update_sql(self, nowait=False, skip_locked=False, of=(), no_key=False):
        return super().for_update_sql(nowait=nowait, skip_locked=skip_locked, of=of, no_key=True)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
