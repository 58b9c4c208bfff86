"""Demo targets of the year (两个大幅提升): growth targets for the city and each district
and county, and for the city the year's level of the sums — last year's total grown by the
target, as the bureau's work plan sets them; and the province's figures (invented: the
city's own figures over a share of the province of about a quarter, as for a provincial
capital), for the city's share of the province (首位度)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from gongxin.core.selectors import district_list
from gongxin.indicators import figures
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.models import Indicator, ProvinceFigure, Target

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


def province_build(*, seed: int, month: dt.date) -> int:
    """The province's month and year to date of every sum indicator for the three years
    to `month`; returns how many were stored."""
    rng = random.Random(seed * 61 + 11)
    made = []
    for indicator in Indicator.objects.filter(aggregation=Aggregation.SUM).order_by("sort_order"):
        share = Decimal(str(round(rng.uniform(0.22, 0.27), 3)))
        series = figures.monthly(indicator, figures.Scope(), dt.date(month.year - 2, 1, 1), month)
        to_date: dict[int, Decimal] = {}
        for period in sorted(series):
            wobble = Decimal(str(round(rng.uniform(-0.01, 0.01), 4)))
            value = (series[period] / (share + wobble)).quantize(Decimal("0.01"))
            to_date[period.year] = to_date.get(period.year, Decimal(0)) + value
            made.append(
                ProvinceFigure(
                    indicator=indicator,
                    period=period,
                    month_value=value,
                    to_date=to_date[period.year],
                )
            )
    ProvinceFigure.objects.bulk_create(made)
    return len(made)
