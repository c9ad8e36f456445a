"""PostgreSQL only: a GIN trigram index on the tests' search words, which serves the order
page's word search (LIKE '% gluc%') on a large catalogue. Elsewhere nothing to do."""

from django.db import migrations

from hms.core.trigram import trigram_indexes_create, trigram_indexes_drop

INDEXES = {"labtest_search_trgm": "search_text"}


def create(apps, schema_editor):
    trigram_indexes_create(schema_editor, table="laboratory_labtest", indexes=INDEXES)


def drop(apps, schema_editor):
    trigram_indexes_drop(schema_editor, indexes=INDEXES)


class Migration(migrations.Migration):
    dependencies = [("laboratory", "0004_fill_department_search_text")]

    operations = [migrations.RunPython(create, drop)]
