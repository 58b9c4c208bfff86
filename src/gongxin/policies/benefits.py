"""What a policy pays one enterprise: a fixed amount, a rate of one of its figures with a
cap, or tiers of a figure. Plain Python (the database side is in `selectors`): reading
the tiers an official writes, saying the method in Chinese, computing the amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongxin.core.units import WAN, YI
from gongxin.policies.choices import AmountMethod

CENT = Decimal("0.01")
_UNITS = (("亿元", YI), ("万元", WAN), ("元", Decimal(1)), ("人", Decimal(1)))


class TierError(ValueError):
    """A line of tiers that cannot be read: which line and why."""

    def __init__(self, line: int, message: str):
        super().__init__(
            _("Tiers, line %(line)d: %(message)s") % {"line": line, "message": message}
        )
        self.line = line


def _amount(text: str, line: int) -> Decimal:
    text = text.strip().replace(",", "").replace("，", "")
    factor = Decimal(1)
    for unit, multiplier in _UNITS:
        if text.endswith(unit):
            text, factor = text[: -len(unit)].strip(), multiplier
            break
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TierError(line, _("“%(text)s” is not an amount.") % {"text": text}) from None
    if not value.is_finite() or value < 0:
        raise TierError(line, _("“%(text)s” is not an amount.") % {"text": text})
    return value * factor


def parse_tiers(text: str) -> list[list[str]]:
    """Tiers written one per line as “threshold: amount”, e.g. “2000万元: 20万元” (from a
    figure of 2,000万元 upwards, 20万元), thresholds rising; as [[threshold, amount], …]
    in yuan (strings, for JSON)."""
    tiers: list[list[Decimal]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("≥>").strip()
        if not line:
            continue
        for separator in (":", "：", "→"):
            if separator in line:
                threshold, amount = line.split(separator, 1)
                break
        else:
            raise TierError(number, _("write the threshold, a colon and the amount."))
        pair = [_amount(threshold, number), _amount(amount, number)]
        if tiers and pair[0] <= tiers[-1][0]:
            raise TierError(number, _("thresholds must rise from one line to the next."))
        tiers.append(pair)
    return [[str(t), str(a)] for t, a in tiers]


def tiers_text(tiers: list, base: str = "") -> str:
    """The tiers as the official writes them (the inverse of `parse_tiers`)."""
    return "\n".join(
        f"{_threshold(Decimal(t), base)}: {_exact(Decimal(a))}" for t, a in tiers or ()
    )


def _threshold(value: Decimal, base: str) -> str:
    return f"{value.normalize():f}人" if base == "employees" else _exact(value)


def _exact(value: Decimal) -> str:
    """An amount written so that `parse_tiers` reads it back to the yuan and cent."""
    if value >= WAN:
        return f"{(value / WAN).normalize():f}万元"
    return f"{value.normalize():f}元"


@dataclass(frozen=True)
class Benefit:
    method: str
    amount: Decimal | None = None
    rate: Decimal | None = None  # percent
    base: str = ""
    cap: Decimal | None = None
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()

    @classmethod
    def of(cls, policy) -> Benefit:
        return cls(
            method=policy.amount_method,
            amount=policy.amount,
            rate=policy.rate,
            base=policy.base,
            cap=policy.cap,
            tiers=tuple((Decimal(t), Decimal(a)) for t, a in policy.tiers or ()),
        )

    @property
    def needs(self) -> str:
        """The figure the amount is read from ('' when none)."""
        return self.base if self.method in (AmountMethod.RATE, AmountMethod.TIERS) else ""

    def compute(self, facts: dict) -> Decimal | None:
        """The amount due to an enterprise with these facts; None when there is no amount
        or the figure it is computed from is missing."""
        if self.method == AmountMethod.FIXED:
            return self.amount
        if self.method not in (AmountMethod.RATE, AmountMethod.TIERS):
            return None
        base = facts.get(self.base)
        if base is None:
            return None
        base = Decimal(base)
        if self.method == AmountMethod.RATE:
            amount = (base * self.rate / 100).quantize(CENT, ROUND_HALF_UP)
            return min(amount, self.cap) if self.cap is not None else amount
        reached = [a for t, a in self.tiers if base >= t]
        return reached[-1] if reached else Decimal(0)

    def describe(self, base_label: str = "") -> str:
        label = base_label or self.base
        if self.method == AmountMethod.FIXED:
            return _("%(amount)s per enterprise") % {"amount": money(self.amount)}
        if self.method == AmountMethod.RATE:
            text = _("%(rate)s%% of %(base)s") % {
                "rate": f"{self.rate.normalize():f}",
                "base": label,
            }
            if self.cap is not None:
                text += _(", at most %(cap)s") % {"cap": money(self.cap)}
            return text
        if self.method == AmountMethod.TIERS:
            steps = "；".join(
                _("from %(threshold)s: %(amount)s")
                % {"threshold": _threshold(t, self.base), "amount": money(a)}
                for t, a in self.tiers
            )
            return _("by %(base)s — %(steps)s") % {"base": label, "steps": steps}
        return _("no amount")


def money(value: Decimal | None) -> str:
    """An amount as officials read it: in 万元 from 10,000 yuan up, else in yuan."""
    if value is None:
        return "—"
    if abs(value) >= WAN:
        return f"{(value / WAN).quantize(Decimal('0.01')).normalize():f}万元"
    return f"{value.quantize(CENT).normalize():f}元"
