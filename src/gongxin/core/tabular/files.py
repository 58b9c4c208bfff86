"""Workbooks made from column specs: templates, exports and error reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.tabular.columns import Column
from gongxin.core.tabular.importing import ImportResult
from gongxin.core.tabular.writing import XlsxWriter


def export_filename(app: str, plural: str) -> str:
    """<app>_<plural>_<date>.xlsx, as every export is named."""
    return f"{app}_{plural}_{timezone.localdate():%Y%m%d}.xlsx"


def _widths(columns: Sequence[Column]) -> list[int]:
    return [max(12, min(40, len(col.header) * 2 + 4)) for col in columns]


def write_export(
    target: str | IO[bytes], *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> int:
    """Write rows under the columns' headers; returns the number of rows written."""
    book = XlsxWriter()
    sheet = book.sheet(
        title,
        [col.header for col in columns],
        widths=_widths(columns),
        required=[i for i, col in enumerate(columns) if col.required],
    )
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    book.save(target)
    return count


def write_template(
    target: str | IO[bytes], *, title: str, columns: Sequence[Column], notes: Sequence[str] = ()
) -> None:
    """An empty import template with a sheet of instructions (required columns marked)."""
    book = XlsxWriter()
    book.sheet(
        title,
        [col.header for col in columns],
        widths=_widths(columns),
        required=[i for i, col in enumerate(columns) if col.required],
    )
    help_sheet = book.sheet(
        _("Instructions"),
        [_("Column"), _("Required"), _("Notes")],
        widths=[24, 8, 80],
        freeze=False,
    )
    for col in columns:
        help_sheet.append([col.header, _("Yes") if col.required else "", col.help])
    for note in notes:
        help_sheet.append(["", "", note])
    book.save(target)


def write_error_report(target: str | IO[bytes], result: ImportResult) -> None:
    """The rejected rows as they were in the file, with the row number and the reasons."""
    book = XlsxWriter()
    headers = [_("Row"), *result.headers, _("Errors")]
    sheet = book.sheet(_("Errors"), headers, widths=[8, *([16] * len(result.headers)), 60])
    error_column = len(headers) - 1
    listed = set()
    for number, cells, messages in result.error_rows:
        listed.add(number)
        padded = list(cells) + [""] * (len(result.headers) - len(cells))
        sheet.append(
            [number, *padded[: len(result.headers)], "；".join(messages)],
            error_columns=[error_column],
        )
    for error in result.errors:
        if error.row in listed:
            continue
        sheet.append(
            [error.row or "", *([""] * len(result.headers)), str(error)],
            error_columns=[error_column],
        )
    book.save(target)
