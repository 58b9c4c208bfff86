"""Column specs: one list per import describes its template, its parser and its export.

A parser turns one cell (text, or a date from XLSX) into a Python value or raises
`CellError` with a reason an official can act on. `EMPTY` means "the cell was blank".
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gongxin.core.tabular.reading import NumberText


class CellError(ValueError):
    """A cell's value is wrong; the message says why."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[object], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    #: The cell written to an export or template for a value (defaults to the value).
    render: Callable[[Any], Any] | None = None
    help: str = ""
    example: str = ""
    max_chars: int | None = None

    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


_HEADER_NOISE = re.compile(r"[\s*＊:：]|（[^）]*）|\([^)]*\)")


_UNIT_NOTE = re.compile(r"[（(]([^）)]*)[）)]")


def unit_note(text: object) -> str:
    """The unit in brackets of a header (“注册资本（万元）” → “万元”), or ""."""
    match = _UNIT_NOTE.search(str(text or ""))
    return match.group(1).strip() if match else ""


def normalize_header(text: object) -> str:
    """Compare headers without spaces, asterisks, colons or unit notes in brackets."""
    return _HEADER_NOISE.sub("", str(text or "")).strip().lower()


@dataclass
class HeaderMap:
    positions: dict[str, int] = field(default_factory=dict)  # column key -> cell index
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (column, value, reason)


def map_headers(cells: Iterable[object], columns: Iterable[Column]) -> HeaderMap:
    """Match a header row to the columns; unknown, repeated and missing required columns
    are errors (nothing is silently ignored)."""
    columns = list(columns)
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in column.names():
            by_name[normalize_header(name)] = column
    result = HeaderMap()
    for index, cell in enumerate(cells):
        text = str(cell or "").strip()
        letter = column_letter(index)
        if not text:
            continue
        column = by_name.get(normalize_header(text))
        if column is None:
            known = "、".join(c.header for c in columns)
            result.errors.append(
                (
                    letter,
                    text,
                    _("Unknown column “%(header)s”. Columns: %(known)s.")
                    % {"header": text, "known": known},
                )
            )
        elif column.key in result.positions:
            result.errors.append(
                (letter, text, _("Column “%(header)s” appears twice.") % {"header": text})
            )
        elif unit_note(column.header) and unit_note(text) not in ("", unit_note(column.header)):
            # 注册资本（元） in a 万元 column would multiply every value by 10,000.
            result.errors.append(
                (
                    letter,
                    text,
                    _("Column “%(header)s” is in %(unit)s; this import expects %(expected)s.")
                    % {
                        "header": text,
                        "unit": unit_note(text),
                        "expected": unit_note(column.header),
                    },
                )
            )
        else:
            result.positions[column.key] = index
    for column in columns:
        if column.required and column.key not in result.positions:
            result.errors.append(
                ("", "", _("Required column “%(header)s” is missing.") % {"header": column.header})
            )
    return result


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as a spreadsheet names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Parsers ------------------------------------------------------------------------------------

EMPTY = object()


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def normalize_newlines(value: str) -> str:
    """Line breaks as LF, whatever the browser, spreadsheet or CSV wrote (CRLF, CR)."""
    if "\r" not in value:
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


# Control characters (tab and line breaks aside) cannot be stored in XLSX or in PostgreSQL
# text (NUL); they come from pasting out of other programs and are invisible.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text(max_chars: int) -> Callable[[object], Any]:
    def parse(cell: object) -> Any:
        if is_blank(cell):
            return ""
        value = normalize_newlines(str(cell).strip())
        if len(value) > max_chars:
            raise CellError(
                _("Too long: %(n)d characters, at most %(max)d.")
                % {"n": len(value), "max": max_chars}
            )
        control = _CONTROL_CHARS.search(value)
        if control:
            raise CellError(
                _(
                    "Character %(pos)d is an invisible control character (U+%(code)04X); "
                    "delete it and import again."
                )
                % {"pos": control.start() + 1, "code": ord(control.group())}
            )
        return value

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def date(cell: object) -> Any:
    if is_blank(cell):
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = str(cell).strip()
    if len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date (write 2024-03-15).") % {"value": value})


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))\s*$")


def month(cell: object) -> Any:
    """A month as its first day: 2024-03, 2024/3, 2024年3月, 202403 or a date cell."""
    if is_blank(cell):
        return None
    if isinstance(cell, NumberText) and "." in cell:
        # A number cell typed 2024.10 is stored as 2024.1: October and January look alike.
        raise CellError(
            _(
                "“%(value)s” is a number, so 2024.1 and 2024.10 cannot be told apart; "
                "format the cell as text or write 2024-10."
            )
            % {"value": cell}
        )
    if isinstance(cell, dt.date):
        return (
            cell.replace(day=1) if not isinstance(cell, dt.datetime) else cell.date().replace(day=1)
        )
    value = str(cell).strip()
    match = _MONTH_RE.match(value)
    if match:
        year, mon = int(match.group(1)), int(match.group(2) or match.group(3))
        if 1 <= mon <= 12 and 1949 <= year <= 2100:
            return dt.date(year, mon, 1)
    try:
        return date(value).replace(day=1)
    except CellError:
        raise CellError(
            _("“%(value)s” is not a month (write 2024-03).") % {"value": value}
        ) from None


_NUMBER_CLEAN = re.compile(r"[,，\s]")


def decimal(
    *,
    scale: Decimal = Decimal(1),
    places: int = 2,
    minimum: Decimal | None = Decimal(0),
    digits: int = 18,
) -> Callable[[object], Any]:
    """A number, multiplied by `scale` (10000 for a 万元 column stored in yuan); at most
    `digits` digits with `places` of them decimals (the model field's max_digits)."""
    quantum = Decimal(1).scaleb(-places)
    limit = Decimal(10) ** (digits - places)

    def parse(cell: object) -> Any:
        if is_blank(cell):
            return None
        raw = _NUMBER_CLEAN.sub("", str(cell))
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number.") % {"value": cell}) from None
        if not value.is_finite():
            raise CellError(_("“%(value)s” is not a number.") % {"value": cell})
        value = value * scale
        if minimum is not None and value < minimum:
            raise CellError(_("Cannot be negative."))
        rounded = value.quantize(quantum)
        if rounded != value:
            raise CellError(
                _("“%(value)s” has more decimal places than can be kept.") % {"value": cell}
            )
        if abs(rounded) >= limit:
            raise CellError(_("“%(value)s” is too large.") % {"value": cell})
        return rounded

    return parse


def integer(*, minimum: int = 0, maximum: int = 10_000_000) -> Callable[[object], Any]:
    def parse(cell: object) -> Any:
        if is_blank(cell):
            return None
        raw = _NUMBER_CLEAN.sub("", str(cell))
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell}) from None
        if not value.is_finite() or value != value.to_integral():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": cell})
        if not minimum <= value <= maximum:
            raise CellError(
                _("%(value)s is outside %(min)d–%(max)d.")
                % {"value": cell, "min": minimum, "max": maximum}
            )
        return int(value)

    return parse


def choice(options: Mapping[str, Any], *, blank: Any = "") -> Callable[[object], Any]:
    """A value from a fixed list, matched on its label (or any alias in `options`)."""
    lookup = {normalize_header(k): v for k, v in options.items()}
    shown = "、".join(dict.fromkeys(str(k) for k in options))

    def parse(cell: object) -> Any:
        if is_blank(cell):
            return blank
        value = lookup.get(normalize_header(cell))
        if value is None:
            raise CellError(
                _("“%(value)s” is not one of: %(options)s.") % {"value": cell, "options": shown}
            )
        return value

    return parse


def boolean(cell: object) -> Any:
    if is_blank(cell):
        return None
    value = str(cell).strip().lower()
    if value in {"是", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if value in {"否", "n", "no", "false", "0", "×"}:
        return False
    raise CellError(_("“%(value)s” must be 是 or 否.") % {"value": cell})


# Renderers (export) ------------------------------------------------------------------------


def render_scaled(scale: Decimal) -> Callable[[Any], Any]:
    def render(value: Any) -> Any:
        if value is None:
            return None
        scaled = (value / scale).normalize()
        return int(scaled) if scaled == scaled.to_integral() else float(scaled)

    return render


def render_boolean(value: Any) -> Any:
    if value is None:
        return None
    return "是" if value else "否"
