"""Assertions for tests of the partial unique rules that services keep themselves where the
database cannot (MySQL/MariaDB; simulated anywhere with the `without_partial_indexes` fixture).
"""

from django.db import connection


def _statements(ctx) -> list[str]:
    return [query["sql"] for query in ctx.captured_queries]


def assert_no_insert(ctx, table: str) -> None:
    """The captured queries (CaptureQueriesContext) wrote no row into `table`: the service
    refused by its own check, not by the database's constraint."""
    prefix = f"INSERT INTO {connection.ops.quote_name(table)}"
    inserts = [sql for sql in _statements(ctx) if sql.startswith(prefix)]
    assert not inserts, inserts


def assert_row_locked(ctx, table: str, *, matching: str = "") -> None:
    """Where the database has row locks, a row of `table` was locked (SELECT ... FOR UPDATE)
    among the captured queries, by a statement containing `matching`. SQLite has no row locks;
    it serialises whole write transactions."""
    if not connection.features.has_select_for_update:
        return
    source = f"FROM {connection.ops.quote_name(table)}"
    locks = [
        sql
        for sql in _statements(ctx)
        if source in sql and matching in sql and sql.endswith(("FOR UPDATE", "FOR NO KEY UPDATE"))
    ]
    assert locks, _statements(ctx)


def assert_table_locked(ctx, model_name: str) -> None:
    """The table of `model_name` (e.g. "tariff") was locked through its ContentType row
    (hms.core.locks.lock_table)."""
    assert_row_locked(ctx, "django_content_type", matching=f"'{model_name}'")
