"""PostgreSQL only: the normalised search columns use the "C" collation.

With a linguistic collation (en_US.UTF-8, C.UTF-8 before PostgreSQL 17) a btree index can
neither serve LIKE 'abc%' nor give ORDER BY in byte order, so every search had to fetch and
sort all matches. The columns hold lowercase, accent-free text made by hms.patients.names, for
which byte order is the right order. Altering the collation rebuilds the indexes on these
columns. Other databases: SQLite compares bytes already (the search uses ranges there), MySQL
uses its index for LIKE 'abc%' as it is.

If a later migration alters one of these fields, repeat the COLLATE "C" for it.
"""

from django.db import migrations

COLUMNS = {
    "first_name_norm": 100,
    "last_name_norm": 100,
    "full_name_norm": 201,
    "reverse_name_norm": 201,
    "phone_digits": 20,
}


def _alter(schema_editor, collation: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in COLUMNS.items():
        schema_editor.execute(
            f'ALTER TABLE "patients_patient" ALTER COLUMN "{column}" '
            f"TYPE varchar({length}) COLLATE {collation}"
        )


def to_c(apps, schema_editor):
    _alter(schema_editor, '"C"')


def to_default(apps, schema_editor):
    _alter(schema_editor, '"default"')


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_search_indexes_in_tier_order")]

    operations = [migrations.RunPython(to_c, to_default)]
