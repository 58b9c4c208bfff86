"""Write rows to XLSX, streaming (openpyxl write-only mode keeps rows on disk, not in memory).

Text that a spreadsheet would take for a formula (starting with = + - @, a tab or a
carriage return) is written as a text cell, so opening an export never runs anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
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
    ):
        ws = self.workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            ws.freeze_panes = "A2"
        required = set(required)
        header_cells = []
        for index, header in enumerate(headers):
            cell = WriteOnlyCell(ws, value=header)
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
            cell = WriteOnlyCell(self.ws, value=_cell_value(value))
            if isinstance(value, str) and value.startswith(_DANGEROUS_START):
                cell.data_type = "s"
                cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if index in error_columns:
                cell.font = _ERROR_FONT
            row.append(cell)
        self.ws.append(row)


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return ""  # replaced by the text cell above
    return value
