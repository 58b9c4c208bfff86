"""Demo targets of the year (两个大幅提升): growth targets for the city and each district
and county, and for the city the year's level of the sums — last year's total grown by the
target, as the bureau's work plan sets them."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from gongxin.core.selectors import district_list
from gongxin.indicators import figures
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.models import Indicator, Target

#: The city's growth targets (%), from the kind of figures a work plan gives.
GROWTH = {
    "output_value": Decimal("9.0"),
    "revenue": Decimal("8.5"),
    "profit": Decimal("6.0"),
    "tax": Decimal("7.0"),
    "electricity": Decimal("6.5"),
}


def targets_build(*, seed: int, year: int) -> int:
    """The year's targets; returns how many were set."""
    rng = random.Random(seed * 53 + 7)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=GROWTH)}
    made = []
    for code, growth in GROWTH.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        level = None
        if indicator.aggregation == Aggregation.SUM:
            last = figures.monthly(
                indicator, figures.Scope(), dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 1)
            )
            if len(last) == 12:
                level = (sum(last.values(), Decimal(0)) * (100 + growth) / 100).quantize(Decimal(1))
        made.append(Target(indicator=indicator, year=year, level=level, growth=growth))
        for district in district_list():
            spread = Decimal(str(round(rng.uniform(-1.5, 2.5), 1)))
            made.append(
                Target(indicator=indicator, year=year, region=district, growth=growth + spread)
            )
    for target in made:  # (save() sets the scope key)
        target.save()
    return len(made)
