"""The table of Django's database cache, the shared cache when there is no Redis.

Created whatever the cache settings are now, so a server can drop REDIS_URL later without
another setup step; `createcachetable` makes the same table and skips it when it exists."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "hms_cache"  # settings: CACHES["default"]["LOCATION"] without Redis


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_read_action")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
