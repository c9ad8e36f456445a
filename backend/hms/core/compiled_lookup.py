"""Lookups by a unique key whose SQL the ORM builds once, for the reads on every request.

Django turns a queryset into SQL again on every execution: for `get()` by a unique key that
walks the expression tree and quotes every selected column (about forty for a doctor with
profile and schedule), which on this project's machines cost two to four times the database's
own time for the query. A `CompiledLookup` lets the ORM compile the queryset once per
database, with a placeholder for the key, and then only substitutes the key. Rows become
instances through the same steps as Django's `ModelIterable` (the backend's and fields'
converters, `Model.from_db`, the related populators of `select_related`), so callers get what
`queryset.get(key=value)` would give them, and every execution goes through the connection's
cursor wrapper (query logging, `assertNumQueries`, execute wrappers).

Use it only where it pays: a fixed queryset (no per-call filters) read on most requests.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    key_position: int
    col_count: int
    model_start: int
    model_end: int
    init_list: list[str]
    related_populators: list
    converters: list  # [(column position, converter functions, expression)]


class CompiledLookup:
    """`lookup.get(value)`: the one row of `build_queryset()` whose `field_name` equals value,
    or None (also for None and for a value the field cannot hold, e.g. a malformed UUID).

    `placeholder` is any valid value of the field, used only to find the key among the
    compiled query's parameters."""

    def __init__(self, build_queryset: Callable[[], QuerySet], field_name: str, placeholder):
        self._build_queryset = build_queryset
        self._field_name = field_name
        self._placeholder = placeholder
        self._model = build_queryset().model
        self._field = self._model._meta.get_field(field_name)
        self._compiled: dict[str, _Compiled] = {}  # per database alias

    def _prepare(self, value, connection):
        field = self._field
        return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        # Two rows at most: enough to notice a key that is not unique after all.
        queryset = self._build_queryset().filter(**{self._field_name: self._placeholder})
        queryset = queryset.order_by()[:2]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        placeholder = self._prepare(self._placeholder, connection)
        positions = [index for index, param in enumerate(params) if param == placeholder]
        if len(positions) != 1:
            raise ValueError(f"The placeholder must appear once among the parameters: {params}")
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ValueError("Annotations and known related objects are not supported.")
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        expressions = [column[0] for column in select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            key_position=positions[0],
            col_count=compiler.col_count,
            model_start=start,
            model_end=end,
            init_list=[column[0].target.attname for column in select[start:end]],
            related_populators=get_related_populators(klass_info, select, alias),
            converters=[
                (position, functions, expression)
                for position, (functions, expression) in compiler.get_converters(
                    expressions
                ).items()
            ],
        )

    def get(self, value, *, using: str | None = None) -> Model | None:
        if value is None:  # `= NULL` matches nothing; the ORM would have meant IS NULL
            return None
        alias = using or router.db_for_read(self._model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        connection = connections[alias]
        try:
            key = self._prepare(value, connection)
        except (ValidationError, ValueError, TypeError):
            return None
        params = list(compiled.params)
        params[compiled.key_position] = key
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleObjectsReturned(
                f"More than one {self._model._meta.object_name} with this {self._field_name}."
            )
        row: list[Any] = list(rows[0][: compiled.col_count])
        for position, functions, expression in compiled.converters:
            converted = row[position]
            for function in functions:
                converted = function(converted, expression, connection)
            row[position] = converted
        instance = self._model.from_db(
            alias, compiled.init_list, row[compiled.model_start : compiled.model_end]
        )
        for populator in compiled.related_populators:
            populator.populate(row, instance)
        return instance
