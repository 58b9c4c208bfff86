"""统一社会信用代码 (unified social credit code, GB 32100-2015) checks with messages in Chinese."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc

_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
#: A code already in canonical form: 8 digits, then 10 characters of the code alphabet.
_CANONICAL = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")


def uscc_clean(value: str) -> str:
    """The code in canonical form (upper case, no spaces); ValidationError says what is wrong."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("The unified social credit code is empty."), code="required")
    if _CANONICAL.fullmatch(raw) and stdnum_uscc.calc_check_digit(raw[:17]) == raw[17]:
        return raw  # the common case, checked without stdnum's generic clean-up
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
