"""The units officials count money in: 万元 and 亿元 (amounts are stored in yuan)."""

from decimal import Decimal

WAN = Decimal(10_000)  # 万元
YI = Decimal(100_000_000)  # 亿元
