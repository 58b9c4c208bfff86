"""Size class and 规上 status from figures (no database).

Industrial enterprises per 统计上大中小微型企业划分办法（2017）: large needs ≥ 1,000
employees and ≥ 400 million yuan operating revenue; medium ≥ 300 and ≥ 20 million; small
≥ 20 and ≥ 3 million; anything below is micro. Large, medium and small must meet both
lower bounds, otherwise the enterprise drops a class.
"""

from decimal import Decimal

from gongxin.core.units import WAN
from gongxin.enterprises.choices import SizeClass

#: 规上 threshold: main business revenue ≥ 2,000万元.
ABOVE_SCALE_REVENUE = 2_000 * WAN

_THRESHOLDS = (
    (SizeClass.LARGE, 1000, 40_000 * WAN),
    (SizeClass.MEDIUM, 300, 2_000 * WAN),
    (SizeClass.SMALL, 20, 300 * WAN),
)


def size_class(*, employees: int | None, revenue: Decimal | None) -> SizeClass | None:
    """The size class for these figures, or None when either figure is missing."""
    if employees is None or revenue is None:
        return None
    for klass, min_employees, min_revenue in _THRESHOLDS:
        if employees >= min_employees and revenue >= min_revenue:
            return klass
    return SizeClass.MICRO


def is_above_scale(main_business_revenue: Decimal | None) -> bool | None:
    if main_business_revenue is None:
        return None
    return main_business_revenue >= ABOVE_SCALE_REVENUE
