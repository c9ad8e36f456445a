"""INSERTs of one new row whose SQL the ORM builds once per database, for the writes on
every booking (the appointment and its history row).

Django builds an INSERT's SQL again for every `save()`: an InsertQuery, its compiler, and a
placeholder and quoted column for every field, which for a history row of twenty-five
columns cost about as much CPU as the database spent storing it. A `CompiledInsert` lets the
ORM's own compiler write the statement once, then only prepares the values, field by field,
the way the compiler does (`pre_save(add=True)`, then `get_db_prep_save`), and runs the same
SQL through the connection's cursor wrapper (query logging and `assertNumQueries` still see
it). A row with an expression among its values (F(), a database default) is compiled for
itself, as the ORM would.

Needs INSERT ... RETURNING (PostgreSQL, SQLite, MariaDB); `CompiledInsert.available()` says.
"""

from django.db import connections
from django.db.models import Model, signals
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


class CompiledInsert:
    _shared: dict[tuple[type[Model], bool], "CompiledInsert"] = {}

    @classmethod
    def for_model(cls, model: type[Model], *, skip_conflicts: bool = False) -> "CompiledInsert":
        """The one CompiledInsert of `model` (each process compiles a statement once)."""
        key = (model, skip_conflicts)
        compiled = cls._shared.get(key)
        if compiled is None:
            compiled = cls._shared[key] = cls(model, skip_conflicts=skip_conflicts)
        return compiled

    def __init__(self, model: type[Model], *, skip_conflicts: bool = False):
        self.model = model
        self.skip_conflicts = skip_conflicts
        opts = model._meta
        self.fields = [
            field
            for field in opts.local_concrete_fields
            if field is not opts.auto_field and not field.generated
        ]
        self._sql: dict[str, str] = {}  # per database alias

    @staticmethod
    def available(alias: str) -> bool:
        return connections[alias].features.can_return_columns_from_insert

    def _compile(self, instance: Model, alias: str) -> tuple[str, list]:
        query = InsertQuery(
            self.model, on_conflict=OnConflict.IGNORE if self.skip_conflicts else None
        )
        query.insert_values(self.fields, [instance])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [self.model._meta.pk]
        [(sql, params)] = compiler.as_sql()
        return sql, params

    def insert(self, instance: Model, *, using: str) -> bool:
        """INSERT the new `instance` and set its primary key; False if a conflict skipped it
        (only with `skip_conflicts`)."""
        connection = connections[using]
        values = [field.pre_save(instance, add=True) for field in self.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            sql, params = self._compile(instance, using)
        else:
            params = [
                field.get_db_prep_save(value, connection=connection)
                for field, value in zip(self.fields, values, strict=True)
            ]
            sql = self._sql.get(using)
            if sql is None:
                # Compiled for a blank instance: the statement does not depend on the values.
                sql = self._sql[using] = self._compile(self.model(), using)[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return False
        instance.pk = row[0]
        instance._state.adding = False
        instance._state.db = using
        return True

    def save_new(self, instance: Model, *, using: str) -> bool:
        """What `Model.save()` does for a new row, with the compiled INSERT: `pre_save`, the
        INSERT, then `post_save` with `created=True` (where django-simple-history records
        its history row). False, with no `post_save`, if a conflict skipped the row."""
        sent = {"sender": type(instance), "instance": instance, "raw": False, "using": using}
        signals.pre_save.send(**sent, update_fields=None)
        if not self.insert(instance, using=using):
            return False
        signals.post_save.send(**sent, created=True, update_fields=None)
        return True
