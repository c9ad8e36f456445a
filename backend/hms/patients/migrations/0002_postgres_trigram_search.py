"""PostgreSQL only: enable pg_trgm and add GIN trigram indexes on the normalised name columns.

The btree `varchar_pattern_ops` indexes of 0001 serve the prefix search on every database.
The trigram indexes serve the fuzzy fallback (a misspelt name with no prefix match) and any
LIKE '%...%'. pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may
create it; where the extension cannot be created, the migration skips it and the search
falls back to prefix-only matching. Other databases: nothing to do.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "patient_full_trgm": "full_name_norm",
    "patient_reverse_trgm": "reverse_name_norm",
}


def enable_trigram(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            if cursor.fetchone() is None:
                return
            try:
                cursor.execute("SAVEPOINT hms_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT hms_trgm")
            except Exception:  # no privilege: keep the prefix-only search
                cursor.execute("ROLLBACK TO SAVEPOINT hms_trgm")
                return
        for name, column in TRIGRAM_INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "patients_patient" '
                f'USING gin ("{column}" gin_trgm_ops)'
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other apps may use it, and dropping it needs more privilege.


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(enable_trigram, drop_trigram_indexes)]
