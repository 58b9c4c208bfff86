"""Indicator values computed from the enterprises' monthly figures: how they roll up (city,
district, zone with its parks, chain; 规上 only; NULL is missing, not zero) and their
arithmetic (year to date across the year boundary, growth and its missing months, average
and ratio indicators, the unit shown, targets)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongxin.indicators import figures
from gongxin.indicators.figures import Reading, Scope
from gongxin.indicators.models import FigureTotal, Indicator, Target
from gongxin.indicators.selectors import overview
from gongxin.indicators.tests.factories import (
    MARCH,
    MILLION,
    MULTIPLIER,
    SUMS,
    base_total,
    enterprise_make,
    figure_add,
    month,
)

pytestmark = pytest.mark.django_db

D = Decimal


def region_scope(city, code: str) -> Scope:
    return Scope(region=city.regions[code])


# --- the catalogue -----------------------------------------------------------------------


def test_the_catalogue_lists_the_monthly_indicators_in_order(indicators):
    rows = [
        (i.code, i.unit, i.divisor, i.aggregation, i.figure, i.factor, i.above_scale_only)
        for i in Indicator.objects.all()
    ]
    assert rows == [
        ("output_value", "亿元", D(100_000_000), "sum", "output_value", D(1), True),
        ("revenue", "亿元", D(100_000_000), "sum", "revenue", D(1), True),
        ("profit", "亿元", D(100_000_000), "sum", "profit", D(1), True),
        ("tax", "亿元", D(100_000_000), "sum", "tax", D(1), True),
        ("electricity", "亿千瓦时", D(100_000_000), "sum", "electricity", D(1), True),
        ("employees", "万人", D(10_000), "average", "employees", D(1), True),
        ("profit_margin", "%", D(1), "ratio", "", D(100), True),
    ]
    margin = indicators["profit_margin"]
    assert (margin.numerator.code, margin.denominator.code) == ("profit", "revenue")


# --- roll-ups ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", SUMS)
def test_the_districts_years_to_date_add_up_to_the_citys(world, indicators, city, code):
    indicator = indicators[code]
    parts = figures.by_region(indicator, MARCH)
    whole = figures.read(indicator, Scope(), MARCH)
    unit = MULTIPLIER[code]

    regions = city.regions
    assert parts == {
        regions["360111"].pk: {
            "to_date": 585 * unit,
            "before": 510 * unit,
            "growth": D(75) * 100 / D(510),
        },
        regions["360112"].pk: {
            "to_date": 630 * unit,
            "before": 570 * unit,
            "growth": D(60) * 100 / D(570),
        },
    }  # 进贤 (360124) has only an enterprise below designated size
    assert whole.to_date == 1215 * unit
    assert sum(p["to_date"] for p in parts.values()) == whole.to_date
    assert sum(p["before"] for p in parts.values()) == 1080 * unit
    assert whole.to_date_growth == D("12.5")
    assert (whole.months, whole.months_before) == (3, 3)


def test_by_region_refuses_what_does_not_add_up(world, indicators):
    for code in ("employees", "profit_margin"):
        with pytest.raises(ValueError):
            figures.by_region(indicators[code], MARCH)


def test_by_region_per_park_counts_each_park_by_itself(world, indicators, city):
    parts = figures.by_region(indicators["output_value"], MARCH, parks=True)
    regions = city.regions
    assert {pk: {k: v for k, v in p.items() if k != "growth"} for pk, p in parts.items()} == {
        regions["gxq"].pk: {"to_date": 330 * MILLION, "before": 300 * MILLION},
        regions["hkc"].pk: {"to_date": 165 * MILLION, "before": 135 * MILLION},
        regions["qshq"].pk: {"to_date": 90 * MILLION, "before": 75 * MILLION},
        regions["jkq"].pk: {"to_date": 630 * MILLION, "before": 570 * MILLION},
    }


@pytest.mark.parametrize("code", SUMS)
def test_a_districts_reading_is_the_sum_of_its_enterprises(world, indicators, city, code):
    indicator, unit = indicators[code], MULTIPLIER[code]
    reading = figures.read(indicator, region_scope(city, "360111"), MARCH)
    assert reading.month_value == (120 + 60 + 30) * unit
    assert reading.to_date == base_total(["A", "B", "C"], 2025) * unit == 585 * unit
    assert reading.months == reading.months_before == 3
    # month: 210 against 185 the year before
    assert reading.month_growth == D(25) * 100 / D(185)


def test_a_zone_counts_the_parks_inside_it(world, indicators, city):
    indicator = indicators["output_value"]
    zone = figures.read(indicator, region_scope(city, "gxq"), MARCH)
    assert zone.to_date == (330 + 165) * MILLION  # A in the zone, B in 航空城 inside it
    assert zone.month_value == (120 + 60) * MILLION
    park = figures.read(indicator, region_scope(city, "hkc"), MARCH)
    assert park.to_date == 165 * MILLION
    other = figures.read(indicator, region_scope(city, "qshq"), MARCH)
    assert other.to_date == 90 * MILLION
    nothing = figures.read(indicator, region_scope(city, "xlq"), MARCH)
    assert (nothing.month_value, nothing.to_date, nothing.months) == (None, None, 0)


def test_a_chain_counts_its_confirmed_enterprises_only(world, indicators):
    # A (on two nodes, counted once) and D confirmed; C suggested and B rejected: not counted
    reading = figures.read(indicators["output_value"], Scope(chain=world["chain"]), MARCH)
    assert reading.to_date == (330 + 630) * MILLION
    assert reading.month_value == (120 + 220) * MILLION
    before = (300 + 570) * MILLION
    assert reading.to_date_growth == (reading.to_date - before) * 100 / before
    march = FigureTotal.objects.filter(chain=world["chain"], period=MARCH, above_scale=True)
    assert sum(t.enterprises for t in march) == 2


def test_enterprises_below_designated_size_are_left_out(world, indicators, city):
    county = region_scope(city, "360124")  # only E, below designated size
    reading = figures.read(indicators["output_value"], county, MARCH)
    assert (reading.month_value, reading.to_date, reading.months) == (None, None, 0)

    Indicator.objects.filter(code="tax").update(above_scale_only=False)
    every = Indicator.objects.get(code="tax")
    assert figures.read(every, county, MARCH).to_date == 2700 * MULTIPLIER["tax"]
    assert figures.read(every, Scope(), MARCH).to_date == (1215 + 2700) * MULTIPLIER["tax"]


def test_a_month_with_a_null_figure_is_missing_not_zero(city, indicators):
    e = enterprise_make(city.regions, "360121")
    for year in (2024, 2025):
        figure_add(e, month(year, 1), output_value=D(100), revenue=D(80))
        figure_add(e, month(year, 3), output_value=D(120), revenue=D(90))
    figure_add(e, month(2024, 2), output_value=D(110), revenue=D(85))
    figure_add(e, month(2025, 2), output_value=None, revenue=D(95))  # output not reported

    output = figures.read(indicators["output_value"], Scope(), MARCH)
    assert (output.to_date, output.months, output.months_before) == (D(220), 2, 3)
    assert output.to_date_growth is None  # 2 months against 3: not comparable
    assert output.month_value == D(120) and output.month_growth == D(0)
    february = figures.read(indicators["output_value"], Scope(), month(2025, 2))
    assert (february.month_value, february.month_growth) == (None, None)
    assert figures.monthly(indicators["output_value"], Scope(), month(2025, 1), MARCH) == {
        month(2025, 1): D(100),
        month(2025, 3): D(120),
    }
    # the other figures of the same month still count
    revenue = figures.read(indicators["revenue"], Scope(), MARCH)
    assert (revenue.to_date, revenue.months) == (D(265), 3)
    assert revenue.to_date_growth == D(10) * 100 / D(255)


def test_a_null_figure_of_one_enterprise_leaves_the_others_month(city, indicators):
    a = enterprise_make(city.regions, "360121")
    b = enterprise_make(city.regions, "360123")
    figure_add(a, MARCH, output_value=D(100))
    figure_add(b, MARCH, output_value=None, revenue=D(5))
    reading = figures.read(indicators["output_value"], Scope(), MARCH)
    assert (reading.month_value, reading.months) == (D(100), 1)
    assert figures.read(indicators["output_value"], region_scope(city, "360123"), MARCH).months == 0


# --- arithmetic --------------------------------------------------------------------------


def test_january_counts_january_only_against_the_january_before(city, indicators):
    e = enterprise_make(city.regions, "360121")
    for period, value in [
        (month(2023, 12), 7000),
        (month(2024, 1), 200),
        (month(2024, 2), 3000),
        (month(2024, 12), 5000),
        (month(2025, 1), 250),
    ]:
        figure_add(e, period, output_value=D(value))
    reading = figures.read(indicators["output_value"], Scope(), month(2025, 1))
    assert reading.month_value == reading.to_date == D(250)
    assert (reading.months, reading.months_before) == (1, 1)
    assert reading.month_growth == reading.to_date_growth == D(25)

    assert figures.to_date(indicators["output_value"], {month(2024, 12): D(5)}, month(2025, 1)) == (
        None,
        0,
    )


def test_december_counts_the_whole_year(city, indicators):
    e = enterprise_make(city.regions, "360121")
    for m in range(1, 13):
        figure_add(e, month(2024, m), output_value=D(10 * m))
    figure_add(e, month(2025, 1), output_value=D(1000))
    reading = figures.read(indicators["output_value"], Scope(), month(2024, 12))
    assert (reading.to_date, reading.months, reading.months_before) == (D(780), 12, 0)
    assert reading.to_date_growth is None and reading.month_growth is None


@pytest.mark.parametrize("missing_year", [2024, 2025])
def test_a_missing_month_in_either_year_leaves_no_year_to_date_growth(
    city, indicators, missing_year
):
    e = enterprise_make(city.regions, "360121")
    for year in (2024, 2025):
        for m, value in ((1, 100), (2, 100), (3, 100)):
            if (year, m) != (missing_year, 2):
                figure_add(e, month(year, m), output_value=D(value if year == 2024 else 2 * value))
    reading = figures.read(indicators["output_value"], Scope(), MARCH)
    assert reading.to_date_growth is None
    assert {reading.months, reading.months_before} == {2, 3}
    assert reading.month_growth == D(100)  # March exists in both years: 200 against 100
    february = figures.read(indicators["output_value"], Scope(), month(2025, 2))
    assert february.month_growth is None  # February missing in one of them
    assert february.to_date_growth is None


def test_years_missing_different_months_have_no_year_to_date_growth(city, indicators):
    e = enterprise_make(city.regions, "360121")
    figure_add(e, month(2024, 1), output_value=D(100))
    figure_add(e, month(2024, 2), output_value=D(100))  # March 2024 missing
    figure_add(e, month(2025, 1), output_value=D(100))
    figure_add(e, month(2025, 3), output_value=D(500))  # February 2025 missing
    reading = figures.read(indicators["output_value"], Scope(), MARCH)
    assert (reading.months, reading.months_before) == (2, 2)
    assert reading.to_date_growth is None  # read gives 200%: 600 against 200


def test_growth_is_none_when_the_base_is_zero_or_missing():
    assert figures.growth(D(150), D(100)) == D(50)
    assert figures.growth(D(80), D(100)) == D(-20)
    assert figures.growth(D(-50), D(-100)) == D(50)  # a loss halved is a gain
    assert figures.growth(D(5), D(0)) is None
    assert figures.growth(D(5), None) is None
    assert figures.growth(None, D(5)) is None


def test_a_zero_month_counts_but_leaves_no_growth(city, indicators):
    e = enterprise_make(city.regions, "360121")
    figure_add(e, month(2024, 1), output_value=D(0))
    figure_add(e, month(2025, 1), output_value=D(40))
    reading = figures.read(indicators["output_value"], Scope(), month(2025, 1))
    assert (reading.to_date, reading.months, reading.months_before) == (D(40), 1, 1)
    assert reading.month_growth is None and reading.to_date_growth is None


def test_employees_average_the_months_reported(city, indicators):
    a = enterprise_make(city.regions, "360121")
    b = enterprise_make(city.regions, "360123")
    for m, (ea, eb) in enumerate([(100, 200), (110, 200), (120, 230)], start=1):
        figure_add(a, month(2025, m), employees=ea)
        figure_add(b, month(2025, m), employees=eb)
    figure_add(a, month(2024, 1), employees=250)
    figure_add(a, month(2024, 2), employees=None)
    figure_add(a, month(2024, 3), employees=350)

    reading = figures.read(indicators["employees"], Scope(), MARCH)
    assert reading.month_value == D(350)
    assert reading.to_date == D(320)  # (300 + 310 + 350) / 3
    assert reading.to_date_shown == D("0.032")  # 万人
    assert (reading.months, reading.months_before) == (3, 2)
    assert reading.to_date_growth is None
    assert reading.month_growth == D(0)
    # the year before averages the two months it has
    assert figures.to_date(
        indicators["employees"],
        figures.monthly(indicators["employees"], Scope(), month(2024, 1), month(2024, 12)),
        month(2024, 3),
    ) == (D(300), 2)


def test_employees_of_the_world_average_the_citys_months(world, indicators):
    reading = figures.read(indicators["employees"], Scope(), MARCH)
    assert reading.to_date == D(405)  # (380 + 405 + 430) / 3
    assert reading.to_date_growth == D("12.5")  # against (320 + 360 + 400) / 3 = 360
    assert reading.to_date_shown == D("0.0405")


def test_the_profit_margin_divides_the_sums_of_the_same_months(city, indicators):
    a = enterprise_make(city.regions, "360121")
    b = enterprise_make(city.regions, "360123")
    # 2025: January 10 / 100 = 10 %, February 60 / 300 = 20 %; March's revenue not reported
    figure_add(a, month(2025, 1), revenue=D(60), profit=D(4))
    figure_add(b, month(2025, 1), revenue=D(40), profit=D(6))
    figure_add(a, month(2025, 2), revenue=D(300), profit=D(60))
    figure_add(a, month(2025, 3), revenue=None, profit=D(1000))
    # 2024: 5 / 100 and 30 / 300
    figure_add(a, month(2024, 1), revenue=D(100), profit=D(5))
    figure_add(a, month(2024, 2), revenue=D(300), profit=D(30))

    margin = indicators["profit_margin"]
    february = figures.read(margin, Scope(), month(2025, 2))
    assert february.month_value == D(20)
    assert february.to_date == D("17.5")  # 70 / 400, not (10 + 20) / 2
    assert february.month_growth == D(100)  # 20 % against 10 %
    assert february.to_date_growth == D(100)  # 17.5 % against 35 / 400 = 8.75 %
    assert (february.months, february.months_before) == (2, 2)
    assert february.month_shown == D(20)  # the divisor of a percentage is 1

    march = figures.read(margin, Scope(), MARCH)
    assert march.month_value is None
    assert march.to_date == D("17.5")  # March's profit has no revenue to go with
    assert march.months == 2

    assert figures.monthly(margin, Scope(), month(2025, 1), MARCH) == {
        month(2025, 1): D(10),
        month(2025, 2): D(20),
    }


def test_the_divisor_gives_the_unit_shown(world, indicators):
    reading = figures.read(indicators["output_value"], Scope(), MARCH)
    assert reading.month_value == D(430_000_000)
    assert reading.month_shown == D("4.3")
    assert reading.to_date_shown == D("12.15")
    assert reading.target_shown is None
    reading.target_level = D(2_430_000_000)
    assert reading.target_shown == D("24.3")
    electricity = figures.read(indicators["electricity"], Scope(), MARCH)
    assert electricity.to_date_shown == D("0.1215")  # 12.15 million kWh in 亿千瓦时


def test_progress_and_growth_gap():
    reading = Reading(
        indicator=Indicator(divisor=D(1)),
        month_value=D(10),
        month_growth=None,
        to_date=D(300),
        to_date_growth=D("7.5"),
        months=3,
        months_before=3,
    )
    assert reading.progress is None and reading.growth_gap is None
    reading.target_level, reading.target_growth = D(1200), D(9)
    assert reading.progress == D(25)
    assert reading.growth_gap == D("-1.5")
    reading.target_level = D(0)
    assert reading.progress is None
    reading.to_date_growth = None
    assert reading.growth_gap is None


def test_the_overview_brings_the_targets_of_its_scope(world, indicators, city):
    output = indicators["output_value"]
    Target.objects.create(indicator=output, year=2025, level=D(4_860_000_000), growth=D(10))
    Target.objects.create(indicator=output, year=2024, level=D(1), growth=D(1))  # other year
    Target.objects.create(
        indicator=output, year=2025, region=city.regions["360111"], growth=D("15.5")
    )
    Target.objects.create(
        indicator=indicators["revenue"], year=2025, chain=world["chain"], growth=D(3)
    )

    readings = overview(Scope(), MARCH)
    assert [r.indicator.code for r in readings] == [
        "output_value",
        "revenue",
        "profit",
        "tax",
        "electricity",
        "employees",
        "profit_margin",
    ]
    first = readings[0]
    assert (first.target_level, first.target_growth) == (D(4_860_000_000), D(10))
    assert first.progress == D(25)  # 1215 million of 4860
    assert first.growth_gap == D("2.5")  # 12.5 % against 10 %
    assert first.target_shown == D("48.6")
    assert all(r.target_level is None and r.target_growth is None for r in readings[1:])
    assert readings[6].to_date == D("6.25")  # profit is 1/16 of revenue in the world

    district = overview(region_scope(city, "360111"), MARCH)[0]
    assert (district.target_level, district.target_growth) == (None, D("15.5"))
    assert district.progress is None
    assert district.growth_gap == D(75) * 100 / D(510) - D("15.5")

    chain = overview(Scope(chain=world["chain"]), MARCH)
    assert chain[1].target_growth == D(3) and chain[0].target_growth is None


def test_target_scope_keys(world, indicators, city):
    output = indicators["output_value"]
    keys = [
        Target.objects.create(indicator=output, year=2030, growth=D(1), **where).scope
        for where in ({}, {"region": city.regions["gxq"]}, {"chain": world["chain"]})
    ]
    assert keys == ["city", "gxq", "chain:ev"]
    assert [figures.scope_of(k).key for k in keys] == keys
    assert figures.scope_of(None).key == "city"


def test_latest_month(db):
    assert figures.latest_month() is None


def test_latest_month_of_the_world(world):
    assert figures.latest_month() == MARCH
