"""The units officials count money in: 万元 and 亿元 (amounts are stored in yuan)."""

from decimal import Decimal

WAN = Decimal(10_000)  # 万元
YI = Decimal(100_000_000)  # 亿元
FEN = Decimal("0.01")


def to_wan(value) -> Decimal | None:
    """Yuan as 万元, to two decimals (None stays None)."""
    return None if value is None else (Decimal(value) / WAN).quantize(FEN)


def from_wan(value) -> Decimal | None:
    """万元 as yuan, to the fen (None stays None)."""
    return None if value is None else (Decimal(value) * WAN).quantize(FEN)
