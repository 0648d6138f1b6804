"""ORM querysets compiled to SQL once per process, then run with fresh parameter values.

Compiling a queryset (filters, joins, the published() gate) cost a hot page more CPU than
running it: about 2.5 M instructions to build the SQL of the issue page's story query against
0.7 M to execute it. A Prepared query is still written with the ORM - published() stays the one
gate - but is compiled with placeholder values the first time; later calls substitute the real
values into the same parameter slots and build model instances directly from the rows.

Only plain querysets are supported: one model, no select_related or prefetch_related; values
from .annotate() are set as attributes.
"""

from datetime import UTC, datetime

from django.db import connections

# Placeholders that cannot be confused with real parameter values.
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_INT = 918273645  # positive and within int4: valid for every integer field
_TEXT = "\x1e placeholder \x1e"


class Prepared:
    def __init__(self, build, **kinds):
        """`build(**placeholders)` returns the queryset; `kinds` maps each keyword to its type:
        "now" (a datetime), "int" or "text"."""
        self.build = build
        self.kinds = kinds
        self._compiled = {}

    def _compile(self, using):
        placeholders = {
            name: {"now": _NOW, "int": _INT, "text": _TEXT}[kind]
            for name, kind in self.kinds.items()
        }
        queryset = self.build(**placeholders)
        query = queryset.query
        if query.select_related or queryset._prefetch_related_lookups:
            raise ValueError("Prepared queries cannot use select_related or prefetch_related.")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if compiler.get_converters([col for col, _, _ in compiler.select]):
            raise ValueError("Prepared queries cannot load fields that need converters.")
        slots = []
        for index, value in enumerate(params):
            for name, placeholder in placeholders.items():
                if isinstance(value, type(placeholder)) and value == placeholder:
                    slots.append((index, name))
        missing = set(placeholders) - {name for _, name in slots}
        if missing:
            raise ValueError(f"Placeholders {sorted(missing)} did not reach the SQL parameters.")
        model = queryset.model
        columns = []
        for col, _, alias in compiler.select:
            target = getattr(col, "target", None)
            if (
                alias is None
                and target is not None
                and target.model._meta.concrete_model is (model._meta.concrete_model)
            ):
                columns.append(target.attname)
            else:
                columns.append(alias)
        field_names = {f.attname for f in model._meta.concrete_fields}
        model_columns = [c for c in columns if c in field_names]
        if columns[: len(model_columns)] != model_columns:
            raise ValueError("Prepared queries expect the model's columns before annotations.")
        compiled = (sql, list(params), slots, model, columns, model_columns)
        self._compiled[using] = compiled
        return compiled

    def fetch(self, using="default", **values):
        """Run the query with these values; returns a list of model instances."""
        compiled = self._compiled.get(using) or self._compile(using)
        sql, params, slots, model, columns, model_columns = compiled
        params = list(params)
        for index, name in slots:
            params[index] = values[name]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if len(model_columns) == len(columns):
            return [model.from_db(using, columns, row) for row in rows]
        width = len(model_columns)
        extra = columns[width:]
        objects = []
        for row in rows:
            obj = model.from_db(using, model_columns, row[:width])
            for name, value in zip(extra, row[width:], strict=True):
                setattr(obj, name, value)
            objects.append(obj)
        return objects
