"""The cockpit's data (`cockpit_build`) on the indicators' world (A, B, C in 青山湖区
360111, D in 新建区 360112, E below designated size; the chain "ev" with A and D
confirmed), for the city and for a district: indicators as `figures.read` reads them, the
districts adding up to the city, chains, targets, projects, demands, cultivation plans and
warnings; who reads which area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongxin.alerts.choices import Rule
from gongxin.chains.models import Chain, ChainTarget
from gongxin.cockpit.selectors import (
    HEADLINE,
    cockpit_alerts,
    cockpit_build,
    cockpit_can_read,
    cockpit_late_projects,
    cockpit_month,
    cockpit_projects,
    cockpit_region,
)
from gongxin.core.tests.clock import NANCHANG, TODAY
from gongxin.demands.services import demand_register
from gongxin.demands.tests.test_loop import at
from gongxin.indicators import figures
from gongxin.indicators.figures import Scope
from gongxin.indicators.models import Target
from gongxin.indicators.tests.factories import MARCH, MILLION, MULTIPLIER, base_total

from .conftest import alert_add, month, plan_add, project_add

pytestmark = pytest.mark.django_db

D = Decimal
REVENUE = MULTIPLIER["revenue"]


# --- indicators ------------------------------------------------------------------------------


def test_the_citys_headline_reads_as_the_indicators_do(world, indicators, users):
    cockpit = cockpit_build(users["leader"], MARCH, None)

    assert cockpit.region is None and cockpit.scope_key == "city"
    assert [r.indicator.code for r in cockpit.headline] == list(HEADLINE)
    assert len(cockpit.readings) == 7  # the headline and the profit margin
    for code in (*HEADLINE, "profit_margin"):
        assert cockpit.reading(code) == figures.read(indicators[code], Scope(), MARCH)
    output = cockpit.reading("output_value")
    assert output.to_date == base_total(["A", "B", "C", "D"], 2025) * MILLION == 1215 * MILLION
    assert output.to_date_growth == D("12.5")  # 1215 against 1080
    assert output.month_value == (120 + 60 + 30 + 220) * MILLION
    assert cockpit.reading("revenue").to_date == 1215 * REVENUE
    assert cockpit.reading("nothing") is None


def test_a_districts_headline_reads_as_the_indicators_do(world, indicators, users, city):
    region = city.regions["360111"]
    cockpit = cockpit_build(users["leader"], MARCH, region)

    assert cockpit.scope_key == "360111"
    for code in (*HEADLINE, "profit_margin"):
        assert cockpit.reading(code) == figures.read(indicators[code], Scope(region=region), MARCH)
    output = cockpit.reading("output_value")
    assert output.to_date == base_total(["A", "B", "C"], 2025) * MILLION == 585 * MILLION
    assert output.to_date_growth == D(75) * 100 / D(510)
    assert cockpit.districts == []  # the districts' table is the city's only


def test_the_districts_years_to_date_add_up_to_the_citys(world, users, city):
    cockpit = cockpit_build(users["leader"], MARCH, None)
    regions = city.regions

    assert [(d["region"], d["to_date"], d["before"]) for d in cockpit.districts] == [
        (regions["360112"], 630 * MILLION, 570 * MILLION),  # the largest first
        (regions["360111"], 585 * MILLION, 510 * MILLION),
    ]  # 进贤 (360124) has only E, below designated size
    assert sum(d["to_date"] for d in cockpit.districts) == cockpit.reading("output_value").to_date
    assert cockpit.districts[0]["growth"] == D(60) * 100 / D(570)


def test_the_trend_holds_this_year_and_the_last_by_month(world, users):
    trend = cockpit_build(users["leader"], MARCH, None).trend

    assert sorted(trend) == [2024, 2025]
    assert trend[2025] == [380 * MILLION, 405 * MILLION, 430 * MILLION] + [None] * 9
    assert trend[2024] == [320 * MILLION, 360 * MILLION, 400 * MILLION] + [None] * 9


def test_the_chains_revenue_is_the_sum_of_their_confirmed_enterprises(world, indicators, users):
    chain = world["chain"]
    Chain.objects.create(code="battery", name="动力电池子链", parent=chain)  # not a row
    cockpit = cockpit_build(users["leader"], MARCH, None)

    [row] = cockpit.chains
    assert row.chain == chain
    # A and D confirmed; C only suggested, B rejected
    assert row.to_date == base_total(["A", "D"], 2025) * REVENUE == 960 * REVENUE
    assert row.to_date == figures.read(indicators["revenue"], Scope(chain=chain), MARCH).to_date
    assert row.growth == D(90) * 100 / D(870)
    assert (row.enterprises, row.gaps, row.target, row.progress) == (2, 0, None, None)


@pytest.mark.parametrize(("code", "names"), [("360111", ["A"]), ("360112", ["D"])])
def test_a_districts_chain_rows_count_its_own_enterprises_revenue(world, users, city, code, names):
    cockpit = cockpit_build(users["leader"], MARCH, city.regions[code])

    [row] = cockpit.chains
    assert row.to_date == base_total(names, 2025) * REVENUE
    assert row.growth == D(base_total(names, 2025) - base_total(names, 2024)) * 100 / D(
        base_total(names, 2024)
    )


def test_a_districts_chain_rows_count_only_its_enterprises_on_the_chain(world, users, city):
    cockpit = cockpit_build(users["leader"], MARCH, city.regions["360112"])

    [row] = cockpit.chains
    assert row.to_date == 630 * REVENUE  # D only
    assert row.enterprises == 1  # D only: A is in 青山湖区


def test_a_zones_chain_rows_count_only_its_enterprises_revenue(world, users, city):
    # 南昌高新区 (gxq) holds A (and B in 航空城 inside it); D is in 新建区
    cockpit = cockpit_build(users["park"], MARCH, city.regions["gxq"])

    [row] = cockpit.chains
    assert row.to_date == base_total(["A"], 2025) * REVENUE


def test_targets_give_progress_and_the_growth_gap(world, indicators, users, city):
    output = indicators["output_value"]
    Target.objects.create(indicator=output, year=2025, level=D(4_860_000_000), growth=D(15))
    Target.objects.create(indicator=output, year=2024, level=D(1), growth=D(1))  # other year
    Target.objects.create(
        indicator=output, year=2025, region=city.regions["360111"], growth=D("10.5")
    )
    ChainTarget.objects.create(chain=world["chain"], year=2025, revenue=D(3_840_000_000))
    ChainTarget.objects.create(chain=world["chain"], year=2024, revenue=D(1))

    cockpit = cockpit_build(users["leader"], MARCH, None)
    reading = cockpit.reading("output_value")
    assert (reading.target_level, reading.target_growth) == (D(4_860_000_000), D(15))
    assert reading.progress == 25  # 12.15 of 48.6 亿元
    assert reading.growth_gap == D("-2.5")  # 12.5% against 15%
    [row] = cockpit.chains
    assert row.target == D(3_840_000_000)
    assert row.progress == 20  # 7.68 of 38.4 亿元

    district = cockpit_build(users["leader"], MARCH, city.regions["360111"])
    reading = district.reading("output_value")
    assert reading.target_level is None and reading.progress is None
    assert reading.growth_gap == D(75) * 100 / D(510) - D("10.5")
    assert district.chains[0].target is None  # chain targets are the city's


# --- projects --------------------------------------------------------------------------------


def test_the_citys_projects_by_health_and_stage_with_the_years_investment(projects, users):
    summary = cockpit_build(users["leader"], MARCH, None).projects

    t = summary.total
    assert (t["projects"], t["red"], t["yellow"], t["green"]) == (4, 2, 1, 1)
    assert (t["planned"], t["completed"]) == (D(650_000_000), D(220_000_000))
    assert t["share"] == D(220) * 100 / D(650)
    assert [(s["key"], s["projects"]) for s in summary.by_stage] == [
        ("signed", 1),
        ("approved", 1),
        ("started", 2),
    ]
    # January to March 2025 only
    assert summary.year_planned == D(10_000_000 + 20_000_000 + 5_000_000 + 50_000_000)
    assert summary.year_completed == D(5_000_000 + 10_000_000 + 4_000_000 + 45_000_000)
    assert summary.year_share == D(64) * 100 / D(85)


@pytest.mark.parametrize("who", ["leader", "district"])
def test_a_districts_projects_are_its_own(projects, users, city, who):
    summary = cockpit_build(users[who], MARCH, city.regions["360111"]).projects

    t = summary.total
    assert (t["projects"], t["red"], t["yellow"], t["green"]) == (2, 1, 1, 0)
    assert (t["planned"], t["completed"]) == (D(300_000_000), D(70_000_000))
    assert [(s["key"], s["projects"]) for s in summary.by_stage] == [
        ("approved", 1),
        ("started", 1),
    ]
    assert (summary.year_planned, summary.year_completed) == (D(35_000_000), D(19_000_000))
    assert set(cockpit_projects(users[who], city.regions["360111"])) == {
        projects["p1"],
        projects["p2"],
    }


def test_the_year_of_a_month_counts_from_its_january(projects, users):
    april = cockpit_build(users["leader"], month(2025, 4), None).projects
    assert april.year_planned == D(115_000_000)  # April's 30 million added
    assert april.year_completed == D(64_000_000)
    january = cockpit_build(users["leader"], month(2026, 1), None).projects
    assert (january.year_planned, january.year_completed) == (D(70_000_000), D(0))
    assert january.year_share == 0


def test_without_projects_the_summary_is_empty(world, users):
    summary = cockpit_build(users["leader"], MARCH, None).projects
    assert summary.total["projects"] == 0 and summary.by_stage == []
    assert (summary.year_planned, summary.year_completed, summary.year_share) == (0, 0, None)


def test_the_late_projects_are_the_red_ones_largest_first(projects, users, city):
    assert cockpit_late_projects(users["leader"], None) == [projects["p1"], projects["p4"]]
    assert cockpit_late_projects(users["leader"], None, limit=1) == [projects["p1"]]
    assert cockpit_late_projects(users["leader"], city.regions["360112"]) == [projects["p4"]]


# --- demands ---------------------------------------------------------------------------------


def test_the_citys_demands_are_those_of_the_year_to_the_month(demands, users):
    d = cockpit_build(users["leader"], MARCH, None).demands

    assert (d.received, d.resolved, d.open, d.overdue) == (3, 1, 2, 2)
    assert (d.closure_rate, d.satisfaction_rate) == (33.3, 100.0)


@pytest.mark.parametrize(
    ("who", "code", "expected"),
    [
        ("leader", "360111", (2, 1, 1, 1)),
        ("leader", "360112", (1, 0, 1, 1)),
        ("leader", "360124", (0, 0, 0, 0)),  # no demands: an empty row
        ("district", "360111", (2, 1, 1, 1)),
        ("district_d", "360112", (1, 0, 1, 1)),
    ],
)
def test_a_districts_demands_are_its_own(demands, users, city, who, code, expected):
    d = cockpit_build(users[who], MARCH, city.regions[code]).demands
    assert (d.received, d.resolved, d.open, d.overdue) == expected


def test_leaderships_zone_version_counts_the_zones_demands(world, users, city):
    demand_register(
        actor=None,
        enterprise=world["A"],  # in 南昌高新区 (gxq)
        title="招工难",
        text="订单增加，急需普工50名，请协助对接劳务资源。",
        source="phone",
        at=at("2025-03-03 09:00"),
    )
    own = cockpit_build(users["park"], MARCH, city.regions["gxq"]).demands
    assert own.received == 1  # the zone's staff see it
    read = cockpit_build(users["leader"], MARCH, city.regions["gxq"]).demands
    assert read.received == 1


# --- cultivation plans -----------------------------------------------------------------------


def test_plans_count_their_items_done_and_past_due_at_the_months_end(world, users, city):
    plan_add(
        world["A"],
        items=[
            ("done", dt.date(2025, 2, 1)),
            ("planned", dt.date(2025, 3, 15)),  # past due by the end of March
            ("under_way", dt.date(2025, 2, 20)),  # past due
            ("planned", dt.date(2025, 4, 10)),  # not yet
            ("planned", None),  # no date: never past due
        ],
    )
    plan_add(world["D"], status="achieved", items=[("done", dt.date(2025, 1, 20))])
    plan_add(world["B"], status="dropped", items=[("planned", dt.date(2025, 1, 1))])

    p = cockpit_build(users["leader"], MARCH, None).plans
    assert (p.plans, p.achieved, p.items, p.items_done, p.items_late) == (2, 1, 6, 2, 2)
    assert p.done_share == D(200) / D(6)
    q = cockpit_build(users["leader"], MARCH, city.regions["360111"]).plans
    assert (q.plans, q.achieved, q.items, q.items_done, q.items_late) == (1, 0, 5, 1, 2)
    x = cockpit_build(users["district_d"], MARCH, city.regions["360112"]).plans
    assert (x.plans, x.achieved, x.items, x.items_done, x.items_late) == (1, 1, 1, 1, 0)
    assert cockpit_build(users["leader"], month(2025, 2), None).plans.items_late == 1
    assert cockpit_build(users["leader"], month(2025, 1), None).plans.items_late == 0


def test_without_plans_nothing_is_counted(world, users):
    p = cockpit_build(users["leader"], MARCH, None).plans
    assert (p.plans, p.items, p.done_share) == (0, 0, None)


# --- warnings --------------------------------------------------------------------------------


def test_the_open_warnings_by_rule(alerts, users, city):
    cockpit = cockpit_build(users["leader"], MARCH, None)
    assert cockpit.alerts == {
        "output_drop": 1,
        "electricity_drop": 1,
        "project_behind": 1,
        "qualification_expiring": 1,
    }
    assert cockpit.alerts_total == 4
    assert [code for code, _ in cockpit.alert_labels] == list(Rule.values)

    assert cockpit_build(users["leader"], MARCH, city.regions["360111"]).alerts == {
        "output_drop": 1,
        "project_behind": 1,
        "qualification_expiring": 1,
    }
    assert cockpit_build(users["district_d"], MARCH, city.regions["360112"]).alerts == {
        "electricity_drop": 1
    }
    assert set(cockpit_alerts(users["leader"], city.regions["360112"])) == {alerts["electricity"]}


# --- who reads which area --------------------------------------------------------------------


def test_who_reads_the_cockpit(users):
    readers = {name for name, user in users.items() if cockpit_can_read(user)}
    assert readers == {"leader", "staff", "department", "district", "district_d", "park"}
    users["leader"].is_active = False
    assert not cockpit_can_read(users["leader"])
    users["district"].region = None
    assert not cockpit_can_read(users["district"])
    assert not cockpit_can_read(None)


def test_the_area_read(users, city):
    regions = city.regions
    leader = users["leader"]
    assert cockpit_region(leader, None) is None
    assert cockpit_region(leader, "") is None
    assert cockpit_region(leader, "360112") == regions["360112"]
    assert cockpit_region(leader, "gxq") == regions["gxq"]
    assert cockpit_region(leader, "nowhere") is None  # an unknown code: the city
    # a district user reads their own district whatever they ask for
    for code in (None, "", "360112", "nowhere"):
        assert cockpit_region(users["district"], code) == regions["360111"]
    assert cockpit_region(users["park"], "360112") == regions["gxq"]
    for name in ("officer", "enterprise"):
        with pytest.raises(PermissionDenied):
            cockpit_region(users[name], None)
        with pytest.raises(PermissionDenied):
            cockpit_build(users[name], MARCH, None)


def test_the_month_read(db):
    assert cockpit_month(dt.date(2025, 2, 17)) == dt.date(2025, 2, 1)
    # nothing reported: this month
    assert cockpit_month(None) == TODAY.replace(day=1)


def test_this_month_is_nanchangs_from_its_midnight(db, time_machine):
    # 00:30 on 1 December in Nanchang is still 30 November in UTC
    time_machine.move_to(dt.datetime(2026, 12, 1, 0, 30, tzinfo=NANCHANG), tick=False)
    assert cockpit_month(None) == dt.date(2026, 12, 1)


def test_the_month_read_defaults_to_the_latest_reported(world):
    assert cockpit_month(None) == MARCH


def test_a_projects_warning_counts_in_the_projects_district_only(world, users, city):
    regions = city.regions
    # A (青山湖区) builds in 新建区
    elsewhere = project_add("新建区扩产项目", regions["360112"], enterprise=world["A"])
    alert_add(Rule.PROJECT_BEHIND, project=elsewhere)

    def behind(region) -> int:
        return cockpit_build(users["leader"], MARCH, region).alerts.get("project_behind", 0)

    assert behind(None) == 1
    assert behind(regions["360112"]) == 1  # where the project is, as its figures are
    assert behind(regions["360111"]) == 0
