"""PostgreSQL only: a GIN trigram index on the drugs' search words, which serves the
prescriber's word search (LIKE '% amox%') on a large formulary. Elsewhere nothing to do: the
btree index of 0002 serves prefixes and the column is narrow enough to scan."""

from django.db import migrations

from hms.core.trigram import trigram_indexes_create, trigram_indexes_drop

INDEXES = {"drug_search_trgm": "search_text"}


def create(apps, schema_editor):
    trigram_indexes_create(schema_editor, table="pharmacy_drug", indexes=INDEXES)


def drop(apps, schema_editor):
    trigram_indexes_drop(schema_editor, indexes=INDEXES)


class Migration(migrations.Migration):
    dependencies = [("pharmacy", "0003_fill_drug_search_text")]

    operations = [migrations.RunPython(create, drop)]
