"""Open a tabular file and stream its rows.

The format is told from the content, not the name: an XLSX file is a ZIP archive holding
`xl/workbook.xml`; everything else is read as CSV text whose encoding is detected (BOM,
then strict UTF-8, then GB18030, which is a superset of GBK and GB2312).
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

#: The longest cell accepted, in characters. Longer cells are an error, not truncated.
MAX_CELL_CHARS = 32_767
_SNIFF_BYTES = 1 << 16
#: The csv module refuses fields over 131,072 characters with a file-level error; read
#: cells up to this size so that a too-long cell is reported with its row and column.
_CSV_FIELD_LIMIT = 1 << 20
#: What openpyxl raises on a damaged workbook (XML ParseError is a SyntaxError).
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    SyntaxError,
    TypeError,
    ValueError,
)


class TableFileError(Exception):
    """The file as a whole cannot be read (empty, wrong format, damaged)."""


class NumberText(str):
    """The text of a number cell of an XLSX file (so parsers know it was typed as a number)."""


class FormulaCell(str):
    """The text of a formula found in an XLSX cell (kept to report it, never imported)."""


@dataclass(frozen=True)
class Table:
    format: str  # "csv" or "xlsx"
    encoding: str  # for CSV; "" for XLSX
    rows: Iterator[tuple[int, list[object]]]  # (row number as a spreadsheet shows it, cells)
    #: How far reading has got, 0.0 to 1.0 (for progress bars).
    progress: Callable[[], float]


def _size(fileobj: IO[bytes]) -> int:
    pos = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(pos)
    return size


def detect_encoding(head: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the start decodes as UTF-8, gb18030 otherwise."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample: decode incrementally.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def open_table(fileobj: IO[bytes], *, name: str = "") -> Table:
    """Open `fileobj` (binary, seekable) as a table. `name` is only used in messages."""
    fileobj.seek(0)
    head = fileobj.read(_SNIFF_BYTES)
    fileobj.seek(0)
    if not head.strip():
        raise TableFileError(_("The file %(name)s is empty.") % {"name": name or ""})
    total = _size(fileobj)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(fileobj, name=name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableFileError(
            _("%(name)s is an old Excel (.xls) file; save it as .xlsx or CSV and import again.")
            % {"name": name}
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise TableFileError(
            _("%(name)s is named as an Excel workbook but its content is not an XLSX file.")
            % {"name": name}
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableFileError(
            _("%(name)s is not a CSV or XLSX file (it contains binary data).") % {"name": name}
        )
    return _open_csv(fileobj, head=head, name=name, total=total)


def _open_csv(fileobj: IO[bytes], *, head: bytes, name: str, total: int) -> Table:
    encoding = detect_encoding(head)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="", errors="strict")
    sample = head.decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="ignore")
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)

    def rows() -> Iterator[tuple[int, list[object]]]:
        reader = csv.reader(text, delimiter=delimiter)
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise TableFileError(
                    _(
                        "%(name)s: the text after row %(row)d is not valid %(encoding)s "
                        "(mixed encodings in one file?)."
                    )
                    % {"name": name, "row": line, "encoding": encoding.upper()}
                ) from exc
            except csv.Error as exc:
                raise TableFileError(
                    _("%(name)s, row %(row)d: the CSV cannot be read (%(error)s).")
                    % {"name": name, "row": line + 1, "error": exc}
                ) from exc
            line += 1
            yield line, cells

    def progress() -> float:
        try:
            return min(1.0, fileobj.tell() / total)
        except ValueError:  # closed: reading has finished
            return 1.0

    def rows_then_detach() -> Iterator[tuple[int, list[object]]]:
        # Detach so that the wrapper, once collected, does not close the caller's file.
        try:
            yield from rows()
        finally:
            text.detach()

    return Table("csv", encoding, rows_then_detach(), progress)


def _cell_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return NumberText(int(value))
        return NumberText(repr(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, int | Decimal | dt.date):
        return value if isinstance(value, dt.date) else str(value)
    return value


#: Worksheets up to this much XML (about 130,000 rows of an enterprise file) are read by
#: calamine, which holds the sheet's cells in memory, about as much as its XML, and reads
#: them several times faster than openpyxl; larger ones are streamed by openpyxl in
#: constant memory. So are workbooks with formulas, which calamine would read as their
#: last computed values, so that each is reported instead.
CALAMINE_MAX_XML = 256 << 20
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _open_xlsx(fileobj: IO[bytes], *, name: str) -> Table:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise TableFileError(
                    _("%(name)s is a ZIP archive but not an Excel workbook.") % {"name": name}
                )
            fast = _calamine_can_read(archive)
        fileobj.seek(0)
    except TableFileError:
        raise
    except _XLSX_ERRORS as exc:
        raise TableFileError(
            _("%(name)s cannot be opened as an XLSX workbook (%(error)s).")
            % {"name": name, "error": exc}
        ) from exc
    if fast:
        return _open_xlsx_calamine(fileobj, name=name)
    return _open_xlsx_openpyxl(fileobj, name=name)


def _calamine_can_read(archive: zipfile.ZipFile) -> bool:
    """The worksheets are small enough for calamine and hold no formula."""
    sheets = [
        item
        for item in archive.infolist()
        if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml")
    ]
    if sum(item.file_size for item in sheets) > CALAMINE_MAX_XML:
        return False
    for item in sheets:
        with archive.open(item) as part:
            tail = b""
            while block := part.read(1 << 20):
                if _FORMULA.search(tail + block):
                    return False
                tail = block[-16:]
    return True


def _open_xlsx_calamine(fileobj: IO[bytes], *, name: str) -> Table:
    import python_calamine

    errors = (python_calamine.CalamineError, *_XLSX_ERRORS)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(fileobj)
        first = next(
            (
                sheet.name
                for sheet in workbook.sheets_metadata
                if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
            ),
            None,
        )
    except errors as exc:
        raise TableFileError(
            _("%(name)s cannot be opened as an XLSX workbook (%(error)s).")
            % {"name": name, "error": exc}
        ) from exc
    if first is None:
        raise TableFileError(_("%(name)s has no worksheet.") % {"name": name})
    try:
        sheet = workbook.get_sheet_by_name(first)  # all its cells, read now
    except errors as exc:
        workbook.close()
        raise TableFileError(
            _("%(name)s is damaged and cannot be read (%(error)s).") % {"name": name, "error": exc}
        ) from exc
    # calamine gives the rows from the first (blank ones too) and the columns from the
    # first that is not empty: columns before it are put back, so that every cell is
    # where the spreadsheet has it (test_xlsx_readers_agree holds this).
    left = sheet.start[1] if sheet.start else 0
    height = sheet.end[0] + 1 if sheet.end else 0
    done = [0]

    def rows() -> Iterator[tuple[int, list[object]]]:
        pad = [""] * left
        try:
            for index, row in enumerate(sheet.iter_rows(), start=1):
                done[0] = index
                yield index, [*pad, *map(_cell_text, row)]
        finally:
            workbook.close()

    return Table("xlsx", "", rows(), lambda: min(1.0, done[0] / height) if height else 1.0)


def _open_xlsx_openpyxl(fileobj: IO[bytes], *, name: str) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
    except (InvalidFileException, *_XLSX_ERRORS) as exc:
        raise TableFileError(
            _("%(name)s cannot be opened as an XLSX workbook (%(error)s).")
            % {"name": name, "error": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    max_row = sheet.max_row or 0
    done = [0]

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for index, row in enumerate(sheet.iter_rows(), start=1):
                cells: list[object] = []
                for cell in row:
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f":
                        cells.append(FormulaCell(str(value)))
                    else:
                        cells.append(_cell_text(value))
                done[0] = index
                yield index, cells
        except _XLSX_ERRORS as exc:
            raise TableFileError(
                _("%(name)s is damaged: nothing after row %(row)d can be read (%(error)s).")
                % {"name": name, "row": done[0], "error": exc}
                if done[0]
                else _("%(name)s is damaged and cannot be read (%(error)s).")
                % {"name": name, "error": exc}
            ) from exc
        finally:
            workbook.close()

    return Table("xlsx", "", rows(), lambda: min(1.0, done[0] / max_row) if max_row else 0.0)
