"""Write rows to XLSX, streaming (openpyxl write-only mode keeps rows on disk, not in memory).

Every string is written as a text cell, so text that a spreadsheet would take for a formula
(starting with = + - @, a tab or a carriage return) stays text and opening an export never
runs anything. Control characters that XLSX cannot hold are shown as U+FFFD instead of
failing the whole file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

_HEADER_FONT = Font(bold=True)
_CAPTION_FONT = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_ERROR_FONT = Font(color="C00000")


class XlsxWriter:
    """One workbook, one or more sheets, rows appended in order."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)

    def sheet(
        self,
        title: str,
        headers: Sequence[str],
        *,
        widths: Sequence[int] = (),
        required: Iterable[int] = (),
        freeze: bool = True,
        caption: str = "",
    ):
        """A sheet with its header row (above it a caption line, when given)."""
        ws = self.workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            ws.freeze_panes = "A3" if caption else "A2"
        if caption:
            cell = _cell(ws, caption)
            cell.font = _CAPTION_FONT
            ws.append([cell])
        required = set(required)
        header_cells = []
        for index, header in enumerate(headers):
            cell = _cell(ws, header)
            cell.font = _HEADER_FONT
            cell.fill = _REQUIRED_FILL if index in required else _HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            header_cells.append(cell)
        ws.append(header_cells)
        return _Sheet(ws)

    def save(self, target: str | IO[bytes]) -> None:
        self.workbook.save(target)


class _Sheet:
    def __init__(self, ws) -> None:
        self.ws = ws

    def append(self, values: Iterable[Any], *, error_columns: Iterable[int] = ()) -> None:
        error_columns = set(error_columns)
        row = []
        for index, value in enumerate(values):
            cell = _cell(self.ws, value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if index in error_columns:
                cell.font = _ERROR_FONT
            row.append(cell)
        self.ws.append(row)


def _cell(ws, value: Any) -> WriteOnlyCell:
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral() else float(value)
    if not isinstance(value, str):
        return WriteOnlyCell(ws, value=value)
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell = WriteOnlyCell(ws, value=value)
    # Setting a value infers its type ("=…" becomes a formula): force text afterwards.
    cell.data_type = "s"
    return cell
