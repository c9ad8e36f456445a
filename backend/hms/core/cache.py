"""The cache every process shares when there is no Redis: a table in the database.

Without REDIS_URL the default cache is `DatabaseCache` on the table CACHE_TABLE (created by a
migration of this app, so `migrate` is the only setup). Throttles and anything else that must
count across gunicorn workers and app servers use it; a cache in each process's memory would
give every worker its own budget.

Django's database cache runs `add` and `incr` as a read and then a write, so two workers can
both add a key, or both read 4 and write 5. Here both are one locked step (a row lock on
PostgreSQL and MySQL/MariaDB; SQLite runs one write transaction at a time, begun IMMEDIATE), so
a count kept with `add` then `incr` is exact, as it is in Redis.
"""

import base64
import pickle

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

CACHE_TABLE = "hms_cache"


class DatabaseCache(db.DatabaseCache):
    def _locked_row(self, connection, key: str):
        """Lock the key's row until the transaction ends: (value, expires) or None."""
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {quote(self._table)} "  # noqa: S608 (the cache's own table)
                f"WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            return cursor.fetchone()

    def _live(self, connection, key: str) -> str | None:
        """The key's stored value when it has not expired (its row locked), else None."""
        row = self._locked_row(connection, key)
        if row is None:
            return None
        value, expires = row
        for converter in connection.ops.get_db_converters(self._expires_expression):
            expires = converter(expires, self._expires_expression, connection)
        now = tz_now().replace(microsecond=0)
        if expires.tzinfo is None:
            now = now.replace(tzinfo=None)
        return value if expires >= now else None

    @property
    def _expires_expression(self):
        from django.db.models import DateTimeField, Expression

        return Expression(output_field=DateTimeField())

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        db_alias = router.db_for_write(self.cache_model_class)
        with transaction.atomic(using=db_alias):
            if self._live(connections[db_alias], key) is not None:
                return False
            # An expired row stays locked until the end; a missing one is inserted, and of
            # two workers inserting it one fails on the primary key and returns False.
            return self._base_set("add", key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db_alias = router.db_for_write(self.cache_model_class)
        connection = connections[db_alias]
        quote = connection.ops.quote_name
        with transaction.atomic(using=db_alias):
            stored = self._live(connection, key)
            if stored is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301 (written by this cache)
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(self._table)} SET {quote('value')} = %s "  # noqa: S608
                    f"WHERE {quote('cache_key')} = %s",
                    [encoded, key],
                )
        return value
