"""Insert many rows fast: COPY on PostgreSQL, one prepared statement run many times
(executemany) on SQLite. Used by imports and the audit trail for bulk work, where
building a model instance and a many-placeholder INSERT per row costs more than the
database work itself.

Rows are tuples of Python values in the order of `fields` (model field names; foreign
keys by id). Fields not named get their model default.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

Adapter = Callable[[Any], Any] | None


def _adapter(field: models.Field) -> Adapter:
    """How a Python value becomes a parameter for this field (None: as it is)."""
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False, cls=DjangoJSONEncoder)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts str, int, bool, Decimal, date and aware datetimes
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    return None


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` into `model`'s table; returns how many. Runs in the caller's
    transaction; no signals, no model validation (the caller has checked the rows)."""
    meta = model._meta
    named = [meta.get_field(name) for name in fields]
    defaults = [f for f in meta.concrete_fields if f.name not in fields and not f.primary_key]
    columns = [f.column for f in named] + [f.column for f in defaults]
    extra = tuple(_default(f) for f in defaults)
    adapters = [_adapter(f) for f in named] + [_adapter(f) for f in defaults]
    adapt = any(adapters)

    def prepared() -> Iterable[tuple]:
        for row in rows:
            values = (*row, *extra)
            if adapt:
                values = tuple(
                    a(v) if a is not None and v is not None else v
                    for a, v in zip(adapters, values, strict=True)
                )
            yield values

    quote = connection.ops.quote_name
    table, names = quote(meta.db_table), ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
                    count += 1
        else:
            batch = list(prepared())
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)
            count = len(batch)
    return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys drawn from the table's sequence in one query, so rows can
    be inserted with their ids (PostgreSQL); [] where there is no sequence to draw from."""
    if connection.vendor != "postgresql" or count == 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _default(field: models.Field) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        from django.utils import timezone

        return timezone.now()
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
