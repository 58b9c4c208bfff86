"""The import pipeline: decode, map headers, parse and check rows, upsert, all or nothing.

An `Importer` subclass says what a file holds (its columns and natural key) and how to
upsert a chunk of checked rows (with `tabular.upsert.ChunkUpsert`); `run_import` does
everything else the same way for every import. The whole file is one transaction: when
any row is rejected, or on a dry run, it is rolled back and the database is as it was.

Rows are read and parsed in a thread of their own and written in chunks, so the
database writes one chunk while the next is parsed; the parser holds still while a chunk
is staged (many short statements, each of which would otherwise wait for the
interpreter). The keys already seen stay in a temporary table of the database: memory
does not grow with the file.
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongxin.core import versions
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction
from gongxin.core.models import User
from gongxin.core.tabular.columns import (
    CellError,
    Column,
    column_letter,
    is_blank,
    map_headers,
)
from gongxin.core.tabular.reading import MAX_CELL_CHARS, FormulaCell, TableFileError, open_table

MAX_ERRORS_KEPT = 1000
MAX_ERROR_ROWS_KEPT = 5000
MAX_CHANGES_KEPT = 200


@dataclass(frozen=True)
class RowError:
    row: int | None  # as a spreadsheet shows it (header = 1); None for the file as a whole
    column: str  # header text of the column ("" when the error is about the row)
    value: str
    reason: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row} if self.row else _("file")
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        value = f" [{self.value[:60]}]" if self.value else ""
        return f"{where}{value}: {self.reason}"


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any]
    cells: list[Any]


@dataclass
class Change:
    row: int
    action: str  # "create" or "update"
    label: str
    changes: dict[str, list[Any]]


@dataclass
class ImportResult:
    name: str
    dry_run: bool
    format: str = ""
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    error_rows: list[tuple[int, list[Any], list[str]]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def summary(self) -> str:
        if not self.ok:
            return _("%(n)d error(s); nothing was imported.") % {"n": self.error_count}
        counts = {"rows": self.rows, "c": self.created, "u": self.updated, "s": self.unchanged}
        if self.dry_run:
            return (
                _("Dry run: %(rows)d rows; %(c)d would be created, %(u)d changed, %(s)d unchanged.")
                % counts
            )
        return _("%(rows)d rows imported: %(c)d created, %(u)d changed, %(s)d unchanged.") % counts


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


class RowRejected(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors  # (column key or "", reason)


class Importer(abc.ABC):
    """What one kind of file holds and how its rows are written. Subclass per import."""

    #: Short name used in commands and audit messages ("enterprises").
    kind: str = ""
    #: The model whose fields the changes name (for showing them), if any.
    model: type[models.Model] | None = None
    columns: list[Column] = []
    #: Keys of the columns that identify a row (the natural key).
    key_columns: tuple[str, ...] = ()
    chunk_size: int = 2000

    def __init__(self, *, actor: User | None):
        self.actor = actor

    def prepare(self) -> None:  # noqa: B027  (optional hook)
        """Load the lookup tables the rows refer to (one query each)."""

    def check_row(self, values: dict[str, Any]) -> None:  # noqa: B027  (optional hook)
        """Rules spanning several cells of one row; raise RowRejected. Runs in the
        import's parsing thread: use what `prepare()` loaded, never the database."""

    @abc.abstractmethod
    def check_chunk(self, rows: list[ImportRow]) -> dict[int, list[tuple[str, str]]]:
        """Stage the chunk for `apply` and check what needs the database (a record
        repeated in the file, scope); {row number: [(column key, reason)]}."""

    def repeated(self, repeats: dict[int, int]) -> dict[int, list[tuple[str, str]]]:
        """Errors for rows whose natural key came earlier in the file ({row: earlier row}
        as `ChunkUpsert.stage` returns it)."""
        return {
            row: [
                (
                    self.key_columns[0],
                    _("Repeats row %(row)d: the same record appears twice in the file.")
                    % {"row": first},
                )
            ]
            for row, first in repeats.items()
        }

    @abc.abstractmethod
    def apply(self, rows: list[ImportRow], *, sample: int) -> ChunkOutcome:
        """Upsert checked rows; write audit entries for what changed. Describe the
        changes of the first `sample` changed rows in `ChunkOutcome.changes`."""

    def finish(self) -> None:  # noqa: B027  (optional hook)
        """Called once every chunk is written: drop what the chunks needed."""

    def committed(self, result: ImportResult) -> None:  # noqa: B027  (optional hook)
        """Called inside the transaction of an import that will be committed (not for a
        dry run): tell whoever keeps something derived from what was written."""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ProgressCallback = Callable[[float, int], None]


def run_import(
    importer: Importer,
    fileobj: IO[bytes],
    *,
    name: str,
    dry_run: bool,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a whole file or nothing of it. Returns counts, errors and sample changes."""
    result = ImportResult(name=name, dry_run=dry_run)
    try:
        table = open_table(fileobj, name=name)
    except TableFileError as exc:
        result.add_error(RowError(None, "", "", str(exc)))
        return result
    result.format, result.encoding = table.format, table.encoding
    with transaction.atomic():
        try:
            _process(importer, table, result, progress)
        except TableFileError as exc:
            result.add_error(RowError(None, "", "", str(exc)))
        if result.ok and not dry_run:
            result.committed = True
            versions.changed()
            importer.committed(result)
            audit_record(
                actor=importer.actor,
                action=AuditAction.IMPORT,
                object_type=f"import.{importer.kind}",
                object_repr=name[:200],
                changes={
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
                message=result.summary(),
            )
        else:
            transaction.set_rollback(True)
    if not result.ok:
        # Chunks written before the rejected row were rolled back: report none of them.
        result.created = result.updated = result.unchanged = 0
        result.changes.clear()
        # Rows rejected when their chunk was checked come after later rows' cell errors.
        result.errors.sort(key=lambda error: error.row or 0)
        result.error_rows.sort(key=lambda row: row[0])
    if progress:
        progress(1.0, result.rows)
    return result


def _rows(table) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in table.rows:
        try:
            blank = not "".join(cells).strip()  # text cells (CSV): one C-level check
        except TypeError:  # dates or numbers from XLSX
            blank = all(is_blank(c) for c in cells)
        if not blank:
            yield number, cells


def _process(importer: Importer, table, result: ImportResult, progress) -> None:
    rows = _rows(table)
    first = next(rows, None)
    if first is None:
        raise TableFileError(_("The file %(name)s has no rows.") % {"name": result.name})
    header_row, header_cells = first
    headers = map_headers(header_cells, importer.columns)
    result.headers = [str(c or "") for c in header_cells]
    for letter, value, reason in headers.errors:
        result.add_error(RowError(header_row, letter, value, reason))
    if headers.errors:
        return
    importer.prepare()
    positions = headers.positions
    by_key = {c.key: c for c in importer.columns}
    chunk: list[ImportRow] = []

    def flush() -> None:
        # Staging is many short statements: the parser waits, so that the interpreter is
        # free the moment each returns. It parses on while the chunk is written.
        with parser.paused():
            chunk_errors = importer.check_chunk(chunk) if chunk else {}
        for row in chunk:
            for key, reason in chunk_errors.get(row.number, []):
                value = _cell_of(row.cells, positions.get(key))
                _reject(result, row.number, by_key.get(key), value, reason, header_cells, row.cells)
        if result.ok and chunk:
            room = MAX_CHANGES_KEPT - len(result.changes)
            outcome = importer.apply(chunk, sample=max(room, 0))
            result.created += outcome.created
            result.updated += outcome.updated
            result.unchanged += outcome.unchanged
            if room > 0:
                result.changes.extend(outcome.changes[:room])
        chunk.clear()

    parser = _RowParser(importer, rows, positions, header_cells, table.progress)
    try:
        for batch, done in parser:
            for parsed in batch:
                result.rows += 1
                for column, value, reason in parsed.errors:
                    _reject(
                        result, parsed.number, column, value, reason, header_cells, parsed.cells
                    )
                if not parsed.errors:
                    chunk.append(ImportRow(parsed.number, parsed.values, parsed.cells))
                    if len(chunk) >= importer.chunk_size:
                        flush()
            if progress:
                progress(done, result.rows)
        if chunk:
            flush()
    finally:
        parser.close()
    importer.finish()
    if result.rows == 0:
        result.add_error(
            RowError(
                None,
                "",
                "",
                _("The file %(name)s has a header row but no data.") % {"name": result.name},
            )
        )


@dataclass
class _ParsedRow:
    number: int
    values: dict[str, Any]
    cells: list[Any]
    errors: list[tuple[Column | None, Any, str]]  # (column, cell, reason)


class _RowParser:
    """Reads, parses and checks rows in a thread of its own while the import writes the
    rows before them, so the database and the parsing work at the same time. Yields
    (batch of parsed rows, progress). The thread only runs `Column.parse` and
    `Importer.check_row`, which use what `prepare()` loaded and never the database (the
    connection and the transaction belong to the importing thread)."""

    BATCH = 500
    QUEUED = 8  # batches parsed ahead at most (two chunks): memory stays flat

    def __init__(
        self,
        importer: Importer,
        rows: Iterator[tuple[int, list[Any]]],
        positions: dict[str, int],
        header_cells: list[Any],
        progress: Callable[[], float],
    ) -> None:
        self.importer, self.rows, self.progress = importer, rows, progress
        by_key = {c.key: c for c in importer.columns}
        self.plan = [(key, index, by_key[key]) for key, index in positions.items()]
        self.positions, self.by_key = positions, by_key
        self.width = len(header_cells)
        self.queue: queue.Queue = queue.Queue(maxsize=self.QUEUED)
        self.stop = threading.Event()
        self.running = threading.Event()  # cleared while the importing thread asks so
        self.running.set()
        context = contextvars.copy_context()  # the language and audit context of the caller
        self.thread = threading.Thread(
            target=context.run, args=(self._run, translation.get_language()), daemon=True
        )
        self.thread.start()

    def __iter__(self) -> Iterator[tuple[list[_ParsedRow], float]]:
        while True:
            item = self.queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Hold the parser between two rows (it waits without holding the interpreter)."""
        self.running.clear()
        try:
            yield
        finally:
            self.running.set()

    def close(self) -> None:
        self.stop.set()
        self.running.set()
        while self.thread.is_alive():
            # Take what a thread waiting to hand over a batch holds, so it sees the stop.
            with contextlib.suppress(queue.Empty):
                self.queue.get(timeout=0.05)
        self.thread.join()

    def _put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, language: str | None) -> None:
        try:
            with translation.override(language):
                batch: list[_ParsedRow] = []
                running = self.running
                for number, cells in self.rows:
                    if not running.is_set():
                        running.wait()
                    batch.append(self._parse(number, cells))
                    if len(batch) >= self.BATCH:
                        if not self._put((batch, self.progress())):
                            return
                        batch = []
                if batch and not self._put((batch, self.progress())):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the importing thread, raised there
            self._put(exc)

    def _parse(self, number: int, cells: list[Any]) -> _ParsedRow:
        values: dict[str, Any] = {}
        errors: list[tuple[Column | None, Any, str]] = []
        count = len(cells)
        for key, index, column in self.plan:
            cell = cells[index] if index < count else ""
            try:
                # The common case, a plain text cell of sensible length, goes straight to
                # the column's parser; everything else through the full checks.
                if type(cell) is str and len(cell) <= MAX_CELL_CHARS and not column.required:
                    values[key] = column.parse(cell)
                else:
                    values[key] = _parse_cell(column, cell)
            except CellError as exc:
                errors.append((column, cell, str(exc)))
        if count > self.width:
            extra = [i for i in range(self.width, count) if not is_blank(cells[i])]
            if extra:
                errors.append(
                    (
                        None,
                        str(cells[extra[0]]),
                        _("Cell %(cell)s is outside the columns of the header row.")
                        % {"cell": f"{column_letter(extra[0])}{number}"},
                    )
                )
        try:
            # Also for a row with bad cells, so that all its errors are listed at once.
            self.importer.check_row(values)
        except RowRejected as exc:
            for key, reason in exc.errors:
                errors.append(
                    (self.by_key.get(key), _cell_of(cells, self.positions.get(key)), reason)
                )
        return _ParsedRow(number, values, cells, errors)


_DONE = object()


def _parse_cell(column: Column, cell: Any) -> Any:
    if isinstance(cell, FormulaCell):
        raise CellError(
            _("The cell holds a formula (%(formula)s); paste it as values and import again.")
            % {"formula": str(cell)[:60]}
        )
    if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
        raise CellError(
            _("The cell has %(n)d characters, more than a cell may hold (%(max)d).")
            % {"n": len(cell), "max": MAX_CELL_CHARS}
        )
    if column.required and is_blank(cell):
        raise CellError(_("Required; the cell is empty."))
    return column.parse(cell)


def _cell_of(cells: list[Any], index: int | None) -> Any:
    """The cell as it was in the file (the importer may have replaced the parsed value)."""
    return cells[index] if index is not None and index < len(cells) else ""


def _reject(result, number, column, value, reason, header_cells, cells) -> None:
    header = column.header if column else ""
    shown = str(value)[:200] if value not in (None, "") else ""
    result.add_error(RowError(number, header, shown, reason))
    if result.error_rows and result.error_rows[-1][0] == number:
        result.error_rows[-1][2].append(f"{header}：{reason}" if header else reason)
    elif len(result.error_rows) < MAX_ERROR_ROWS_KEPT:
        message = f"{header}：{reason}" if header else reason
        result.error_rows.append((number, list(cells), [message]))
