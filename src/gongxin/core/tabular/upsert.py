"""Write checked import rows set-wise: a chunk is staged in a temporary table, then
compared with the stored rows, updated, inserted and audited by a handful of statements,
whatever the chunk's size.

Per chunk, one statement finds the stored row of each key and draws an id for each new
one; per row, Python only hands the parsed values, that row and that id to the stage
(COPY on PostgreSQL, one prepared statement run many times on SQLite). The comparison,
the before/after JSON of the audit trail and the writes happen in the database, which
works on one chunk while the import's reader parses the next (see
`importing.run_import`).

The audit entries say what `audit.snapshot`/`audit.diff` would say for the same change:
{field: [before, after]}, foreign keys by id, dates as ISO text, decimals as text
without trailing zeros (150.5, 2000). An entry for a new row lists the fields it was given
(not the empty ones); an entry for a changed row lists the fields that changed. Rows
that are identical to what is stored are neither written nor audited.
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone
from psycopg.copy import LibpqWriter

from gongxin.core.audit import current_ip_address, current_request_id
from gongxin.core.choices import AuditAction
from gongxin.core.models import AuditEntry, User


@dataclass(frozen=True)
class AuditSpec:
    """What the audit entry of an imported row is about."""

    object_type: str
    #: Field of the imported model holding the audited object's id ("id": the row itself;
    #: "enterprise": the enterprise a monthly figure belongs to).
    object_id: str = "id"
    #: Field of the imported model naming the object when the row does not give a name.
    repr_field: str | None = None
    #: The fields an entry lists (None: all the file gives). A monthly figure's entry is
    #: about its enterprise and says the month in its message, so lists neither.
    fields: tuple[str, ...] | None = None


@dataclass
class StagedRow:
    number: int  # row number in the file
    values: dict[str, Any]  # field name -> value (foreign keys by id)
    label: str = ""  # the object's name in the audit entry ("" : the model's repr_field)
    message: str = ""  # the audit entry's message


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (row number, "create" or "update", {field: [before, after]}) of the first rows.
    sample: list[tuple[int, str, dict[str, list[Any]]]] = field(default_factory=list)


class ChunkUpsert:
    """Upserts chunks of rows into `model` by its natural `key` (a unique set of fields).

    `stage(rows)` puts a chunk in a temporary table, reports the rows whose key came
    earlier in the file and finds the stored row of each of the others; `outside(scope)`
    lists the staged rows whose stored row is not in a queryset; `write()` writes the
    staged chunk; `close()` drops the temporary tables. Use inside the import's
    transaction; `fields` are the fields the file gives (the key among them).
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        key: Sequence[str],
        fields: Sequence[str],
        actor: User | None,
        audit: AuditSpec,
    ) -> None:
        self.model = model
        self.meta = model._meta
        self.pg = connection.vendor == "postgresql"
        self.fields = [self.meta.get_field(name) for name in dict.fromkeys([*key, *fields])]
        self.key = [self.meta.get_field(name) for name in key]
        self.compared = [f for f in self.fields if f not in self.key]
        self.audit = audit
        self.actor_id = actor.pk if actor is not None and actor.pk else None
        self.actor_name = (actor.get_username() if actor is not None else "system")[:150]
        self.table = f"gx_stage_{uuid.uuid4().hex[:12]}"
        self.staged = 0
        self._created = False
        self._sequence: str | None = None  # of the primary key (PostgreSQL)
        self._adapters = [_adapter(f) for f in self.fields]

    # Staging -------------------------------------------------------------------------------

    def stage(self, rows: Sequence[StagedRow]) -> dict[int, int]:
        """Stage a chunk; returns {row: earlier row} for rows whose key came earlier in
        the file (in this chunk or an earlier one). Those rows are not staged."""
        q = connection.ops.quote_name
        stage, seen = self.table, f"{self.table}_seen"
        keys = ", ".join(q(f.column) for f in self.key)
        values = self._adapted(list(self._values(rows)))
        width = len(self.key)
        with connection.cursor() as cursor:
            if not self._created:
                self._create(cursor)
            else:
                cursor.execute(f"TRUNCATE {stage}" if self.pg else f"DELETE FROM {stage}")
            # The stored row of each row, and an id for each new one, drawn now: rows and
            # their audit entries are then written from the stage alone.
            targets = self._targets(cursor, [v[:width] for v in values])
            names = ["gx_row", "gx_target", "gx_new", "gx_label", "gx_message"]
            names += [f.column for f in self.fields]
            _write_rows(
                cursor,
                stage,
                names,
                (
                    (
                        row.number,
                        target if target > 0 else None,
                        -target if target < 0 else None,
                        row.label[:200],
                        row.message[:500],
                        *value,
                    )
                    for row, target, value in zip(rows, targets, values, strict=True)
                ),
            )
            # Each key is kept with the first row that has it; a row that is not that row
            # repeats a record of the file (in this chunk or an earlier one).
            cursor.execute(
                f"INSERT {'' if self.pg else 'OR IGNORE '}INTO {seen} ({keys}, gx_row) "
                f"SELECT {keys}, gx_row FROM {stage} ORDER BY gx_row"
                + (" ON CONFLICT DO NOTHING" if self.pg else "")
            )
            repeats: dict[int, int] = {}
            if cursor.rowcount != len(rows):
                same = " AND ".join(f"k.{q(f.column)} = s.{q(f.column)}" for f in self.key)
                cursor.execute(
                    f"SELECT s.gx_row, k.gx_row FROM {stage} s JOIN {seen} k ON {same} "
                    "WHERE k.gx_row <> s.gx_row"
                )
                repeats = dict(cursor.fetchall())
            if repeats:
                cursor.execute(
                    f"DELETE FROM {stage} WHERE gx_row IN ({', '.join(['%s'] * len(repeats))})",
                    list(repeats),
                )
            self.staged = len(rows) - len(repeats)
        return repeats

    def _targets(self, cursor, keys: list[tuple]) -> list[int]:
        """For each key (as staged): the id of the stored row that has it, or minus an id
        drawn for a new row (no row has or had it)."""
        q = connection.ops.quote_name
        target, pk = q(self.meta.db_table), q(self.meta.pk.column)
        # The keys go as one JSON array of arrays: one parameter, however many.
        given = json.dumps(keys, default=str, ensure_ascii=False)
        if self.pg:
            match = " AND ".join(
                f"t.{q(f.column)} = CAST(k.value ->> {i} AS {f.db_type(connection)})"
                for i, f in enumerate(self.key)
            )
            if self._sequence is None:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)",
                    [self.meta.db_table, self.meta.pk.column],
                )
                (self._sequence,) = cursor.fetchone()
            # The sequence named once (a regclass constant), not looked up for every row.
            cursor.execute(
                f"SELECT array_agg(COALESCE(t.{pk}, -nextval(%s::regclass)) ORDER BY k.n) "
                "FROM json_array_elements(%s) WITH ORDINALITY AS k(value, n) "
                f"LEFT JOIN {target} t ON {match}",
                [self._sequence, given],
            )
            (found,) = cursor.fetchone()
            return found or []
        match = " AND ".join(
            f"t.{q(f.column)} = json_extract(k.value, '$[{i}]')" for i, f in enumerate(self.key)
        )
        cursor.execute(
            f"SELECT t.{pk} FROM json_each(%s) k LEFT JOIN {target} t ON {match} ORDER BY k.key",
            [given],
        )
        found = [pk for (pk,) in cursor.fetchall()]
        # Ids after the highest ever given (AUTOINCREMENT never gives an id twice) are free
        # until the chunk's rows are written.
        cursor.execute(
            "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT max({pk}) FROM {target}), 0))",
            [self.meta.db_table],
        )
        (highest,) = cursor.fetchone()
        new_ids = iter(range(highest + 1, highest + 1 + found.count(None)))
        return [pk if pk is not None else -next(new_ids) for pk in found]

    def _create(self, cursor) -> None:
        q = connection.ops.quote_name
        columns = ", ".join(f"{q(f.column)} {f.db_type(connection)}" for f in self.fields)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.table} (gx_row integer, gx_target bigint, "
            f"gx_new bigint, gx_label varchar(200), gx_message varchar(500), {columns})"
        )
        # Text keys compared byte for byte: cheaper than the database's collation, and
        # equality is all the table is for.
        collate = ' COLLATE "C"' if self.pg else ""
        keys = ", ".join(
            f"{q(f.column)} {f.db_type(connection)}"
            + (collate if isinstance(f, models.CharField) else "")
            for f in self.key
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.table}_seen ({keys}, gx_row integer, "
            f"PRIMARY KEY ({', '.join(q(f.column) for f in self.key)}))"
        )
        self._created = True

    def _values(self, rows: Sequence[StagedRow]) -> Iterable[tuple]:
        """Each row's values of `fields` (the key first)."""
        names = [f.name for f in self.fields]
        if len(names) > 1 and rows and all(name in rows[0].values for name in names):
            return map(operator.itemgetter(*names), (row.values for row in rows))  # C speed
        return (tuple(row.values.get(name) for name in names) for row in rows)

    def _adapted(self, values: list[tuple]) -> list[tuple]:
        """The values as the stage stores them on this database."""
        adapters = self._adapters
        if not any(adapters):
            return values
        pairs = [(i, a) for i, a in enumerate(adapters) if a is not None]
        adapted = []
        for row in values:
            row = list(row)
            for i, adapt in pairs:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            adapted.append(tuple(row))
        return adapted

    def outside(self, scope: QuerySet) -> list[int]:
        """Row numbers of staged rows whose stored row is not in `scope`."""
        inner = scope.filter(
            pk__in=models.expressions.RawSQL(f"SELECT gx_target FROM {self.table}", ())
        ).values("pk")
        sql, params = inner.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT gx_row FROM {self.table} WHERE gx_target IS NOT NULL "
                f"AND gx_target NOT IN ({sql}) ORDER BY gx_row",
                params,
            )
            return [row for (row,) in cursor.fetchall()]

    # Writing -------------------------------------------------------------------------------

    def write(self, *, sample: int = 0) -> Written:
        """Write the staged chunk: audit and update the changed rows, insert and audit
        the new ones. `sample`: describe the changes of that many rows (for a preview)."""
        q = connection.ops.quote_name
        s, t = self.table, q(self.meta.db_table)
        pk = q(self.meta.pk.column)
        now = timezone.now()
        written = Written()
        columns = {f: (f"t.{q(f.column)}", f"s.{q(f.column)}") for f in self.fields}
        changed = " OR ".join(self._distinct(*columns[f]) for f in self.compared)
        changed = f"({changed})" if changed else "1 = 0"
        update_json = self._changes(
            (
                f,
                self._distinct(*columns[f]),
                self._array(self._json(f, columns[f][0]), self._json(f, columns[f][1])),
            )
            for f in self.compared
        )
        audited = [
            f for f in self.fields if self.audit.fields is None or f.name in self.audit.fields
        ]
        create_json = self._changes(
            (f, self._given(f, columns[f][1]), self._array("NULL", self._json(f, columns[f][1])))
            for f in audited
        )
        label = "s.gx_label"
        if self.audit.repr_field:
            repr_column = q(self.meta.get_field(self.audit.repr_field).column)
            label = f"COALESCE(NULLIF(s.gx_label, ''), t.{repr_column})"
        object_field = self.meta.get_field(self.audit.object_id)
        object_id = q(object_field.column)
        # Of a new row: its id, or a field it was given.
        new_object_id = "s.gx_new" if object_field.primary_key else f"s.{object_id}"
        audit_columns = ", ".join(
            q(AuditEntry._meta.get_field(name).column)
            for name in (
                "created_at",
                "actor",
                "actor_name",
                "request_id",
                "ip_address",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "changes",
                "message",
            )
        )
        audit_table = q(AuditEntry._meta.db_table)
        audit_head = [
            connection.ops.adapt_datetimefield_value(now),
            self.actor_id,
            self.actor_name,
            current_request_id(),
            current_ip_address(),
        ]
        with connection.cursor() as cursor:
            if sample > 0:
                cursor.execute(
                    f"SELECT s.gx_row, 'update', {update_json} FROM {s} s JOIN {t} t "
                    f"ON t.{pk} = s.gx_target WHERE {changed} "
                    f"UNION ALL SELECT s.gx_row, 'create', {create_json} FROM {s} s "
                    f"WHERE s.gx_target IS NULL ORDER BY 1 LIMIT %s",
                    [sample],
                )
                written.sample = [
                    (number, action, _loads(changes))
                    for number, action, changes in cursor.fetchall()
                ]
            # Changed rows are audited (the stored values are the "before") and updated; new
            # rows are inserted (unnamed fields get their defaults) and audited.
            audit_changed = (
                f"INSERT INTO {audit_table} ({audit_columns}) "
                f"SELECT %s, %s, %s, %s, %s, %s, %s, CAST(t.{object_id} AS varchar(64)), "
                f"{label}, {update_json}, s.gx_message "
                f"FROM {s} s JOIN {t} t ON t.{pk} = s.gx_target WHERE {changed} "
                f"ORDER BY s.gx_row",
                [*audit_head, AuditAction.UPDATE, self.audit.object_type],
            )
            stamps = [
                f
                for f in self.meta.concrete_fields
                if getattr(f, "auto_now", False) and f not in self.fields
            ]
            assignments = ", ".join(
                [f"{q(f.column)} = s.{q(f.column)}" for f in self.compared]
                + [f"{q(f.column)} = %s" for f in stamps]
            )
            update = (
                f"UPDATE {t} AS t SET {assignments} FROM {s} s "
                f"WHERE t.{pk} = s.gx_target AND {changed}",
                [connection.ops.adapt_datetimefield_value(now) for _ in stamps],
            )
            defaults = [
                f for f in self.meta.concrete_fields if f not in self.fields and not f.primary_key
            ]
            names = ", ".join(q(f.column) for f in [self.meta.pk, *self.fields, *defaults])
            values = ", ".join(
                ["s.gx_new", *(f"s.{q(f.column)}" for f in self.fields)] + ["%s"] * len(defaults)
            )
            insert = (
                f"INSERT INTO {t} ({names}) SELECT {values} FROM {s} s "
                f"WHERE s.gx_target IS NULL ORDER BY s.gx_row",
                [_default(f, now) for f in defaults],
            )
            audit_new = (
                f"INSERT INTO {audit_table} ({audit_columns}) "
                f"SELECT %s, %s, %s, %s, %s, %s, %s, CAST({new_object_id} AS varchar(64)), "
                f"s.gx_label, {create_json}, s.gx_message "
                f"FROM {s} s WHERE s.gx_target IS NULL ORDER BY s.gx_row",
                [*audit_head, AuditAction.CREATE, self.audit.object_type],
            )
            if self.pg:
                # One statement: its parts all read the table as it was before any of them
                # wrote, so the audit of a changed row still sees its old values.
                parts = {"gx_inserted": insert, "gx_audit_new": audit_new}
                if self.compared:  # (a file of keys alone changes no stored row)
                    parts |= {"gx_audit_changed": audit_changed, "gx_updated": update}
                ctes = ", ".join(
                    f"{name} AS ({sql} RETURNING 1)" for name, (sql, _) in parts.items()
                )
                updated = "(SELECT count(*) FROM gx_updated)" if self.compared else "0"
                cursor.execute(
                    f"WITH {ctes} SELECT {updated}, (SELECT count(*) FROM gx_inserted)",
                    [param for _, params in parts.values() for param in params],
                )
                written.updated, written.created = cursor.fetchone()
            else:
                cursor.execute(*audit_changed)
                written.updated = cursor.rowcount
                if written.updated:
                    cursor.execute(*update)
                cursor.execute(*insert)
                written.created = cursor.rowcount
                if written.created:
                    cursor.execute(*audit_new)
        written.unchanged = self.staged - written.created - written.updated
        return written

    def close(self) -> None:
        if self._created:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}_seen")
            self._created = False

    # SQL of the two dialects ------------------------------------------------------------------

    def _distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.pg else f"{a} IS NOT {b}"

    def _given(self, f: models.Field, e: str) -> str:
        """The value counts as given (listed in a new row's audit entry)."""
        if isinstance(f, models.CharField | models.TextField):
            return f"{e} IS NOT NULL AND {e} <> ''"
        return f"{e} IS NOT NULL"

    def _json(self, f: models.Field, e: str) -> str:
        """The value as `audit.jsonable` writes it, as a JSON value."""
        if isinstance(f, models.DecimalField):
            # Without trailing zeros: 150.50 is "150.5", 2000.00 is "2000".
            if self.pg:
                return f"to_jsonb(trim_scale({e})::text)"
            return (
                f"CASE WHEN {e} IS NULL THEN NULL "
                f"WHEN {e} = CAST({e} AS INTEGER) THEN CAST(CAST({e} AS INTEGER) AS TEXT) "
                f"ELSE rtrim(printf('%%.{f.decimal_places}f', {e}), '0') END"
            )
        if isinstance(f, models.BooleanField) and not self.pg:
            return (
                f"CASE WHEN {e} IS NULL THEN NULL WHEN {e} THEN json('true') ELSE json('false') END"
            )
        return f"to_jsonb({e})" if self.pg else e

    def _array(self, a: str, b: str) -> str:
        return f"jsonb_build_array({a}, {b})" if self.pg else f"json_array({a}, {b})"

    def _changes(self, members: Iterable[tuple[models.Field, str, str]]) -> str:
        """A JSON object {field name: value} of the members whose condition holds."""
        items = ", ".join(
            f"'{f.name}', CASE WHEN {condition} THEN {value} END" for f, condition, value in members
        )
        if self.pg:
            return f"jsonb_strip_nulls(jsonb_build_object({items}))"
        # json_patch drops the members whose value is null (RFC 7396).
        return f"json_patch('{{}}', json_object({items}))"


def _loads(value: Any) -> dict[str, list[Any]]:
    return value if isinstance(value, dict) else json.loads(value)


def _adapter(f: models.Field):
    """How a Python value becomes a staged value on this database (None: as it is)."""
    if connection.vendor == "postgresql":
        return None  # COPY adapts str, int, bool, Decimal and dates
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(f, models.DecimalField):
        return str
    return None


def _write_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert rows into a table: COPY on PostgreSQL, executemany elsewhere."""
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    if connection.vendor == "postgresql":
        raw = cursor.cursor
        statement = f"COPY {table} ({names}) FROM STDIN"
        with raw.copy(statement, writer=_ChunkWriter(raw)) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))


class _ChunkWriter(LibpqWriter):
    """Sends a chunk's COPY data in one go when the COPY ends. The default writer waits
    for the server every few kilobytes; each wait hands the interpreter to the import's
    parsing thread, and taking it back costs more than the wait."""

    def __init__(self, cursor) -> None:
        super().__init__(cursor, flush_threshold=1 << 30)
        self.parts: list[bytes] = []

    def write(self, data) -> None:
        self.parts.append(bytes(data))

    def finish(self, exc: BaseException | None = None) -> None:
        if self.parts and exc is None:
            super().write(b"".join(self.parts))
        self.parts = []
        super().finish(exc)


def _default(f: models.Field, now) -> Any:
    """The value a new row gets for a field the file does not give."""
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return connection.ops.adapt_datetimefield_value(now)
    if f.has_default():
        return f.get_db_prep_save(f.get_default(), connection)
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{f.model.__name__}.{f.name} needs a value")
