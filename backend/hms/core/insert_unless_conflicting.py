"""Save a new row unless a unique or exclusion constraint already holds its place, without an
error and so without rolling the transaction back.

`INSERT ... ON CONFLICT DO NOTHING RETURNING pk`: the database decides under its constraints,
exactly as a plain INSERT would, but a conflict inserts nothing instead of failing. That
matters on PostgreSQL beyond the error itself: psycopg forgets every prepared statement of a
connection at each ROLLBACK (a rolled-back transaction may have changed the schema), so a
refused booking that failed its INSERT cost the next requests on that connection their
prepared statements. Here the caller's transaction stays healthy and can simply commit.

The instance goes through what `Model.save()` does for a new row: `pre_save`, each field's
`pre_save` (auto_now...), the INSERT, then `post_save` with `created=True`, which is where
django-simple-history records the history row.
"""

from django.db import NotSupportedError, connections, router
from django.db.models import Model

from hms.core.compiled_insert import CompiledInsert


def database_can_insert_unless_conflicting(alias: str) -> bool:
    """PostgreSQL only: its `ON CONFLICT DO NOTHING` skips unique and exclusion conflicts and
    nothing else. SQLite's `INSERT OR IGNORE` and MySQL's `INSERT IGNORE` would also skip a
    failed CHECK or NOT NULL, which must stay an error."""
    return connections[alias].vendor == "postgresql"


def insert_unless_conflicting(instance: Model, *, using: str | None = None) -> bool:
    """INSERT the new `instance`; False (and nothing written) if a constraint refused it.
    Callers check `database_can_insert_unless_conflicting` first and save() elsewhere."""
    model = type(instance)
    alias = using or router.db_for_write(model, instance=instance)
    if not database_can_insert_unless_conflicting(alias):
        raise NotSupportedError(
            f"INSERT ... ON CONFLICT DO NOTHING is used on PostgreSQL only, not on "
            f"{connections[alias].vendor}."
        )
    if not instance._state.adding:
        raise ValueError("Only a new, unsaved instance can be inserted.")
    return CompiledInsert.for_model(model, skip_conflicts=True).save_new(instance, using=alias)
