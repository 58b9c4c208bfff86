"""Indicator values, computed from the enterprises' monthly figures whenever they are read
— never typed, never stored — so that districts add up to the city and every figure can
be traced to the enterprises behind it.

A month's value adds the figure over the enterprises of the scope (the city, a district
or county, a zone or park with the parks inside it, or a chain's confirmed enterprises),
above designated size unless the indicator says otherwise, through the monthly totals of
their groups (`rollup.py`). Over months, a flow (a sum
indicator: output, revenue, taxes, electricity) adds up; a stock (an average indicator:
employees) averages the months reported; a ratio divides the two indicators' values of the
same months. Year to date (累计) runs from January to the month; growth (同比) compares with
the same months of the year before. A month no enterprise reported is missing, not zero:
year-to-date figures say how many months they count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from gongxin.chains.models import Chain
from gongxin.core.choices import PARK_KINDS
from gongxin.core.models import Region
from gongxin.core.selectors import region_with_descendants
from gongxin.indicators.choices import Aggregation
from gongxin.indicators.models import FigureTotal, Indicator

Series = dict[dt.date, Decimal]


@dataclass(frozen=True)
class Scope:
    """Whose figures: the city (neither), a region, or a chain."""

    region: Region | None = None
    chain: Chain | None = None

    @property
    def key(self) -> str:
        if self.chain is not None:
            return f"chain:{self.chain.code}"
        return self.region.code if self.region is not None else "city"

    @property
    def label(self) -> str:
        if self.chain is not None:
            return self.chain.name
        return self.region.name if self.region is not None else ""

    def totals_filter(self) -> Q:
        """The condition on the monthly totals (`FigureTotal`) that add up to the scope."""
        if self.chain is not None:
            return Q(chain=self.chain)
        if self.region is None:
            return Q(chain__isnull=True)
        if self.region.kind in PARK_KINDS:
            return Q(chain__isnull=True, park_id__in=region_with_descendants(self.region))
        return Q(chain__isnull=True, district_id=self.region.pk)


def scope_of(key: str | None) -> Scope:
    """The scope a key names ("city", a region's code, "chain:<code>"); DoesNotExist when
    it names nothing."""
    if not key or key == "city":
        return Scope()
    if key.startswith("chain:"):
        return Scope(chain=Chain.objects.get(code=key.removeprefix("chain:")))
    return Scope(region=Region.objects.get(code=key))


def _figures(indicator: Indicator, scope: Scope) -> QuerySet[FigureTotal]:
    qs = FigureTotal.objects.filter(scope.totals_filter())
    if indicator.above_scale_only:
        qs = qs.filter(above_scale=True)
    return qs.filter(**{f"{indicator.figure}__isnull": False})


def monthly(indicator: Indicator, scope: Scope, start: dt.date, end: dt.date) -> Series:
    """The indicator's value for each month from `start` to `end` (first days) that has
    one: one query (two for a ratio)."""
    if indicator.aggregation == Aggregation.RATIO:
        top = monthly(indicator.numerator, scope, start, end)
        bottom = monthly(indicator.denominator, scope, start, end)
        return {
            m: top[m] * indicator.factor / bottom[m]
            for m in sorted(top)
            if m in bottom and bottom[m]
        }
    rows = (
        _figures(indicator, scope)
        .filter(period__gte=start, period__lte=end)
        .values("period")
        .annotate(total=Sum(indicator.figure))
        .order_by("period")
    )
    return {row["period"]: Decimal(row["total"]) for row in rows}


def months_of_year(month: dt.date) -> tuple[dt.date, dt.date]:
    return month.replace(month=1), month


def same_month_last_year(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def to_date(indicator: Indicator, series: Series, month: dt.date) -> tuple[Decimal | None, int]:
    """Year to date (January to `month`) from a monthly series: the value and how many
    months it counts. A ratio is taken from its parts' own years to date (`read`)."""
    values = [v for m, v in series.items() if m.year == month.year and m <= month]
    if not values:
        return None, 0
    if indicator.aggregation == Aggregation.AVERAGE:
        return sum(values, Decimal(0)) / len(values), len(values)
    return sum(values, Decimal(0)), len(values)


def growth(current: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Growth on the year before, in percent; None when either is missing or the base is
    zero."""
    if current is None or before is None or before == 0:
        return None
    return (current - before) * 100 / abs(before)


@dataclass
class Reading:
    """An indicator for a scope and a month, as the overview shows it."""

    indicator: Indicator
    month_value: Decimal | None
    month_growth: Decimal | None
    to_date: Decimal | None
    to_date_growth: Decimal | None
    months: int
    months_before: int
    target_level: Decimal | None = None
    target_growth: Decimal | None = None
    #: The province's year to date (imported), for the city's share of it (首位度).
    province_to_date: Decimal | None = None

    @property
    def province_share(self) -> Decimal | None:
        """The year to date as a share of the province's (%): the city's 首位度."""
        if not self.province_to_date or self.to_date is None:
            return None
        return self.to_date * 100 / self.province_to_date

    @property
    def progress(self) -> Decimal | None:
        """Year to date as a share of the year's target level (%), for sums."""
        if self.target_level in (None, 0) or self.to_date is None:
            return None
        return self.to_date * 100 / self.target_level

    @property
    def growth_gap(self) -> Decimal | None:
        """Year-to-date growth less the target growth, in points."""
        if self.target_growth is None or self.to_date_growth is None:
            return None
        return self.to_date_growth - self.target_growth

    @property
    def growth_gap_size(self) -> Decimal | None:
        """How many points above or below the target growth, without the sign."""
        return None if self.growth_gap is None else abs(self.growth_gap)

    def shown(self, value: Decimal | None) -> Decimal | None:
        """A value in the indicator's unit."""
        if value is None:
            return None
        return value / self.indicator.divisor

    @property
    def month_shown(self) -> Decimal | None:
        return self.shown(self.month_value)

    @property
    def to_date_shown(self) -> Decimal | None:
        return self.shown(self.to_date)

    @property
    def target_shown(self) -> Decimal | None:
        return self.shown(self.target_level)


def read(indicator: Indicator, scope: Scope, month: dt.date) -> Reading:
    """The month's value and its year to date, each with its growth: from the months of
    this year and the year before (one query; two for a ratio)."""
    start = months_of_year(same_month_last_year(month))[0]
    if indicator.aggregation == Aggregation.RATIO:
        top = monthly(indicator.numerator, scope, start, month)
        bottom = monthly(indicator.denominator, scope, start, month)
        ratio = {m: top[m] * indicator.factor / bottom[m] for m in top if m in bottom and bottom[m]}
        now = _ratio_to_date(indicator, top, bottom, month)
        before = _ratio_to_date(indicator, top, bottom, same_month_last_year(month))
        count = sum(1 for m in ratio if m.year == month.year and m <= month)
        count_before = sum(
            1 for m in ratio if m.year == month.year - 1 and m <= same_month_last_year(month)
        )
        series = ratio
    else:
        series = monthly(indicator, scope, start, month)
        now, count = to_date(indicator, series, month)
        before, count_before = to_date(indicator, series, same_month_last_year(month))
    this, last = series.get(month), series.get(same_month_last_year(month))
    return Reading(
        indicator=indicator,
        month_value=this,
        month_growth=growth(this, last),
        to_date=now,
        to_date_growth=growth(now, before) if _same_months(series, month) else None,
        months=count,
        months_before=count_before,
    )


def _same_months(series: Series, month: dt.date) -> bool:
    """Whether this year to `month` and the same months of the year before hold the same
    months of the year (a year to date is compared only with a like one)."""
    last = same_month_last_year(month)
    now = {m.month for m in series if m.year == month.year and m <= month}
    before = {m.month for m in series if m.year == last.year and m <= last}
    return now == before


def _ratio_to_date(indicator: Indicator, top: Series, bottom: Series, month: dt.date):
    t = [v for m, v in top.items() if m.year == month.year and m <= month and m in bottom]
    b = [v for m, v in bottom.items() if m.year == month.year and m <= month and m in top]
    total = sum(b, Decimal(0))
    if not t or not total:
        return None
    return sum(t, Decimal(0)) * indicator.factor / total


def by_region(indicator: Indicator, month: dt.date, *, parks: bool = False) -> dict[int, dict]:
    """Year to date of a sum indicator per district (or per park), this year and the year
    before, and the growth when both count the same months: {region id: {"to_date": …,
    "before": …, "growth": …}}. One query; the districts add up to the city."""
    _summable(indicator)
    return _by(
        indicator, month, _figures(indicator, Scope()), "park_id" if parks else "district_id"
    )


def by_chain(indicator: Indicator, month: dt.date, *, region: Region | None = None):
    """Year to date of a sum indicator per chain (of its enterprises in `region` — a
    district, or a zone or park with the parks inside it — if given), as `by_region` gives
    it: {chain id: {…}}. One query."""
    _summable(indicator)
    totals = FigureTotal.objects.filter(chain__isnull=False)
    if indicator.above_scale_only:
        totals = totals.filter(above_scale=True)
    if region is not None and region.kind in PARK_KINDS:
        totals = totals.filter(park_id__in=region_with_descendants(region))
    elif region is not None:
        totals = totals.filter(district=region)
    return _by(
        indicator, month, totals.filter(**{f"{indicator.figure}__isnull": False}), "chain_id"
    )


def _summable(indicator: Indicator) -> None:
    if indicator.aggregation != Aggregation.SUM:
        raise ValueError("only sums add up by group")


def _by(indicator: Indicator, month: dt.date, totals: QuerySet, field: str) -> dict[int, dict]:
    last = same_month_last_year(month)
    rows = (
        totals.filter(
            Q(period__gte=month.replace(month=1), period__lte=month)
            | Q(period__gte=last.replace(month=1), period__lte=last)
        )
        .values(field, "period")
        .annotate(total=Sum(indicator.figure))
        .order_by()
    )
    series: dict[int, Series] = {}
    for row in rows:
        if row[field] is not None:
            series.setdefault(row[field], {})[row["period"]] = Decimal(row["total"])
    found: dict[int, dict] = {}
    for key, values in series.items():
        now, _ = to_date(indicator, values, month)
        before, _ = to_date(indicator, values, last)
        found[key] = {
            "to_date": now,
            "before": before,
            "growth": growth(now, before) if _same_months(values, month) else None,
        }
    return found


def latest_month() -> dt.date | None:
    """The latest month any enterprise reported."""
    return FigureTotal.objects.order_by("-period").values_list("period", flat=True).first()
