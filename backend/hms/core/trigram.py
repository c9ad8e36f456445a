"""PostgreSQL trigram (pg_trgm) GIN indexes for substring search, created by migrations.

Only on PostgreSQL, and only where pg_trgm is available (a trusted extension since PostgreSQL
13, so the database owner may create it). Where it cannot be created the migration creates
nothing and searches fall back to the btree prefix indexes; other databases: nothing to do.
"""


def trigram_indexes_create(schema_editor, *, table: str, indexes: dict[str, str]) -> bool:
    """Create `{index name: column}` GIN trigram indexes on `table`. False when skipped."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            if cursor.fetchone() is None:
                return False
            try:
                cursor.execute("SAVEPOINT hms_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT hms_trgm")
            except Exception:  # no privilege: keep the prefix-only indexes
                cursor.execute("ROLLBACK TO SAVEPOINT hms_trgm")
                return False
        for name, column in indexes.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ("{column}" gin_trgm_ops)'
            )
    return True


def trigram_indexes_drop(schema_editor, *, indexes) -> None:
    """Drop the named indexes (the extension stays: other tables may use it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
