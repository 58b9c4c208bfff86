"""The demo targets: the city's level of each sum is last year's total grown by the target
when all twelve months were reported; every district gets a growth target near the city's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongxin.core.selectors import district_list
from gongxin.indicators.demo import GROWTH, targets_build
from gongxin.indicators.figures import Scope
from gongxin.indicators.models import Target
from gongxin.indicators.selectors import overview
from gongxin.indicators.tests.factories import enterprise_make, figure_add, month

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def last_year(city, indicators):
    above = enterprise_make(city.regions, "360111")
    below = enterprise_make(city.regions, "360124", above_scale=False)
    for m in range(1, 13):
        figure_add(
            above,
            month(2025, m),
            output_value=D(100_000_000),
            revenue=D(80_000_000),
            profit=D("1234567.00"),
            tax=None if m == 12 else D(1_000_000),  # December's taxes not reported
            electricity=None,
        )
        figure_add(below, month(2025, m), output_value=D(999_000_000), revenue=D(1))
    figure_add(above, month(2024, 12), tax=D(5_000_000))  # another year: not counted


def test_the_citys_targets_grow_last_years_total(last_year):
    assert targets_build(seed=1, year=2026) == 5 * (1 + 9)
    city = {t.indicator.code: (t.level, t.growth) for t in Target.objects.filter(scope="city")}
    assert city == {
        "output_value": (D(1_308_000_000), D("9.0")),  # 1.2 billion × 1.09
        "revenue": (D(1_041_600_000), D("8.5")),  # 960 million × 1.085
        "profit": (D(15_703_692), D("6.0")),  # 14,814,804 × 1.06 = 15,703,692.24
        "tax": (None, D("7.0")),  # 11 months only
        "electricity": (None, D("6.5")),  # not reported
    }
    assert all(
        t.year == 2026 and t.region is None and t.chain is None
        for t in Target.objects.filter(scope="city")
    )


def test_every_district_gets_a_growth_target_near_the_citys(last_year):
    targets_build(seed=1, year=2026)
    districts = list(district_list())
    for code, growth in GROWTH.items():
        found = Target.objects.filter(indicator__code=code, region__isnull=False)
        assert sorted(t.scope for t in found) == sorted(d.code for d in districts)
        for target in found:
            assert target.scope == target.region.code
            assert target.level is None
            assert growth - D("1.5") <= target.growth <= growth + D("2.5")
            assert target.growth == target.growth.quantize(D("0.1"))


def test_the_targets_are_the_same_for_the_same_seed(last_year):
    targets_build(seed=7, year=2026)
    targets_build(seed=7, year=2027)
    targets_build(seed=8, year=2028)

    def growths(year):
        return [
            (t.indicator.code, t.scope, t.growth)
            for t in Target.objects.filter(year=year).order_by("indicator__sort_order", "scope")
        ]

    assert growths(2026) == growths(2027)
    assert growths(2026) != growths(2028)
    # no twelve months in 2026 or 2027: the later years have growth targets only
    assert not Target.objects.filter(year__gt=2026, level__isnull=False).exists()


def test_the_overview_shows_the_demo_targets(last_year, city):
    targets_build(seed=1, year=2026)
    readings = {r.indicator.code: r for r in overview(Scope(), month(2026, 1))}
    assert readings["output_value"].target_shown == D("13.08")
    assert readings["output_value"].target_growth == D("9.0")
    assert readings["employees"].target_growth is None
    district = overview(Scope(region=city.regions["360111"]), month(2026, 1))[0]
    assert district.target_level is None and district.target_growth is not None
