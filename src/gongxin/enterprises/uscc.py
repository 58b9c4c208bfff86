"""统一社会信用代码 (unified social credit code, GB 32100-2015) checks with messages in Chinese."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc

_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
#: A code already in canonical form: 8 digits, then 10 characters of the code alphabet.
_CANONICAL = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
#: GB 32100-2015 check character, computed position by position: {(position, character):
#: weighted value}. The same computation as stdnum's `calc_check_digit` without its
#: clean-up of the input, for the import of large files; the tests hold the two equal.
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_WEIGHTED = {
    (position, char): _CODE_CHARS.index(char) * weight
    for position, weight in enumerate(_WEIGHTS)
    for char in _CODE_CHARS
}


def check_character(code17: str) -> str:
    """The check character of the first 17 characters of a canonical code."""
    total = sum(map(_WEIGHTED.__getitem__, enumerate(code17)))
    return _CODE_CHARS[(31 - total) % 31]


def uscc_clean(value: str) -> str:
    """The code in canonical form (upper case, no spaces); ValidationError says what is wrong."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("The unified social credit code is empty."), code="required")
    if _CANONICAL.fullmatch(raw) and check_character(raw[:17]) == raw[17]:
        return raw  # the common case; anything else is judged by stdnum below
    compact = stdnum_uscc.compact(raw)
    if len(compact) == 18 and not compact[:8].isdigit() and all(c in _ALPHABET for c in compact):
        raise ValidationError(
            _(
                "The first 8 characters of a unified social credit code are digits "
                "(registering authority, entity type and region code); “%(value)s” has a "
                "letter there."
            )
            % {"value": raw},
            code="format",
        )
    try:
        return stdnum_uscc.validate(raw)
    except stdnum_errors.InvalidLength:
        compact = stdnum_uscc.compact(raw)
        raise ValidationError(
            _("The unified social credit code has 18 characters; “%(value)s” has %(n)d.")
            % {"value": raw, "n": len(compact)},
            code="length",
        ) from None
    except stdnum_errors.InvalidFormat:
        raise ValidationError(
            _(
                "“%(value)s” contains characters a unified social credit code cannot have "
                "(only digits and capital letters except I, O, Z, S, V)."
            )
            % {"value": raw},
            code="format",
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check digit of “%(value)s” is wrong: the code was mistyped.") % {"value": raw},
            code="checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code.") % {"value": raw},
            code="invalid",
        ) from None


def uscc_validator(value: str) -> None:
    uscc_clean(value)


def uscc_cell(cell: object) -> str:
    """An import cell holding a credit code: the code cleaned, "" for a blank cell, or a
    CellError with the check's message."""
    from gongxin.core.tabular.columns import CellError, is_blank

    if is_blank(cell):
        return ""
    try:
        return uscc_clean(str(cell))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
