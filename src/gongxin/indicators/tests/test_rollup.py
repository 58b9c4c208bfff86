"""The monthly totals indicators read: always the sum of the enterprises' figures of each
group, whatever changed — a figure, an enterprise's district, park or size, a chain place,
an enterprise deleted, an import."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.chains.services import link_decide
from gongxin.enterprises.models import MonthlyFigure
from gongxin.enterprises.services import (
    enterprise_delete,
    enterprise_update,
    monthly_figure_import,
    monthly_figure_save,
)
from gongxin.indicators import figures
from gongxin.indicators.figures import Scope
from gongxin.indicators.models import FigureTotal, RollupMember
from gongxin.indicators.rollup import FIGURES, rollup_rebuild, rollup_update
from gongxin.indicators.tests.factories import (
    MARCH,
    MULTIPLIER,
    base_total,
    enterprise_make,
    figures_of,
    month,
)

D = Decimal


def expected_totals() -> dict[tuple, dict]:
    """The totals computed afresh from the enterprises' figures, keyed like `stored`."""
    found: dict[tuple, dict] = {}
    for f in MonthlyFigure.objects.select_related("enterprise"):
        e = f.enterprise
        keys = [("place", f.period, e.district_id, e.park_id, e.above_scale)]
        chains = {  # its chains and their parents (a sub-chain's enterprises are its parent's)
            c
            for pair in EnterpriseNode.objects.filter(enterprise=e, status="confirmed").values_list(
                "node__chain_id", "node__chain__parent_id"
            )
            for c in pair
            if c
        }
        keys += [("chain", f.period, c, e.district_id, e.park_id, e.above_scale) for c in chains]
        for key in keys:
            row = found.setdefault(key, {"enterprises": 0, **dict.fromkeys(FIGURES)})
            row["enterprises"] += 1
            for name in FIGURES:
                value = getattr(f, name)
                if value is not None:
                    row[name] = (row[name] or 0) + value
    return found


def stored() -> dict[tuple, dict]:
    found = {}
    for t in FigureTotal.objects.all():
        if t.chain_id is None:
            key = ("place", t.period, t.district_id, t.park_id, t.above_scale)
        else:
            key = ("chain", t.period, t.chain_id, t.district_id, t.park_id, t.above_scale)
        assert key not in found, f"two totals for {key}"
        found[key] = {"enterprises": t.enterprises, **{n: getattr(t, n) for n in FIGURES}}
    return found


def assert_totals_add_up():
    assert stored() == expected_totals()


def test_the_rebuilt_totals_are_the_sums_of_the_enterprises(world):
    assert rollup_rebuild() == len(expected_totals())
    assert_totals_add_up()
    # the chain counts A once although it sits on two nodes, and D; not C (suggested)
    march = FigureTotal.objects.filter(chain=world["chain"], period=MARCH)
    assert {(t.district.code, t.enterprises, t.output_value) for t in march} == {
        ("360111", 1, 120 * MULTIPLIER["output_value"]),  # A
        ("360112", 1, 220 * MULTIPLIER["output_value"]),  # D
    }


def test_districts_add_up_to_the_city_and_parks_to_their_district(world, indicators, city):
    output = indicators["output_value"]
    city_total = figures.read(output, Scope(), MARCH).to_date
    districts = [
        figures.read(output, Scope(region=city.regions[code]), MARCH).to_date or 0
        for code in ("360111", "360112", "360124")
    ]
    assert sum(districts) == city_total == base_total(["A", "B", "C", "D"], 2025) * D(1_000_000)
    parks = [
        figures.read(output, Scope(region=city.regions[code]), MARCH).to_date
        for code in ("gxq", "qshq")  # the zone counts hkc inside it
    ]
    assert sum(parks) == figures.read(output, Scope(region=city.regions["360111"]), MARCH).to_date


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what gongxin runs once a transaction commits (the totals' recomputation)."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def test_moving_an_enterprise_recomputes_the_district_it_left_and_the_one_it_joined(
    world, indicators, city, on_commit
):
    output = indicators["output_value"]
    before = figures.read(output, Scope(region=city.regions["360112"]), MARCH).to_date
    on_commit(
        enterprise_update,
        actor=None,
        enterprise=world["A"],
        data={"district": city.regions["360112"], "park": None},
    )
    assert_totals_add_up()
    moved = base_total(["A"], 2025) * D(1_000_000)
    assert figures.read(output, Scope(region=city.regions["360112"]), MARCH).to_date == (
        before + moved
    )
    assert figures.read(output, Scope(region=city.regions["gxq"]), MARCH).to_date == (
        base_total(["B"], 2025) * D(1_000_000)
    )
    assert RollupMember.objects.get(enterprise_id=world["A"].pk).district_pk == (
        city.regions["360112"].pk
    )


def test_an_enterprise_growing_above_designated_size_joins_the_indicators(
    world, indicators, city, on_commit
):
    county = Scope(region=city.regions["360124"])
    assert figures.read(indicators["output_value"], county, MARCH).to_date is None
    on_commit(enterprise_update, actor=None, enterprise=world["E"], data={"above_scale": True})
    assert figures.read(indicators["output_value"], county, MARCH).to_date == 2700 * D(1_000_000)
    assert_totals_add_up()


def test_a_figure_corrected_by_hand_changes_its_month(world, indicators, on_commit):
    on_commit(
        monthly_figure_save,
        actor=None,
        enterprise=world["D"],
        period=MARCH,
        data={"output_value": D(0)},
    )
    assert_totals_add_up()
    assert figures.read(indicators["output_value"], Scope(), MARCH).month_value == (
        (120 + 60 + 30) * D(1_000_000)
    )


def test_a_chain_place_confirmed_or_rejected_changes_the_chains_totals(
    world, indicators, on_commit
):
    chain = Scope(chain=world["chain"])
    link = EnterpriseNode.objects.get(enterprise=world["C"])
    on_commit(link_decide, actor=None, link=link, confirm=True)
    assert figures.read(indicators["output_value"], chain, MARCH).to_date == (
        base_total(["A", "C", "D"], 2025) * D(1_000_000)
    )
    link.refresh_from_db()
    on_commit(link_decide, actor=None, link=link, confirm=False)
    assert figures.read(indicators["output_value"], chain, MARCH).to_date == (
        base_total(["A", "D"], 2025) * D(1_000_000)
    )
    assert_totals_add_up()


def test_a_sub_chains_enterprises_count_for_its_parent_once(world, indicators, on_commit):
    parent = world["chain"]
    sub = Chain.objects.create(code="ev-battery", name="动力电池", parent=parent)
    cell = ChainNode.objects.create(chain=sub, name="电芯", segment="midstream", kind="component")
    EnterpriseNode.objects.create(enterprise=world["B"], node=cell, status="confirmed")
    EnterpriseNode.objects.create(enterprise=world["A"], node=cell, status="confirmed")
    rollup_update([world["A"].pk, world["B"].pk])
    assert_totals_add_up()
    output = indicators["output_value"]
    assert figures.read(output, Scope(chain=parent), MARCH).to_date == (
        base_total(["A", "B", "D"], 2025) * D(1_000_000)  # A on both: once
    )
    assert figures.read(output, Scope(chain=sub), MARCH).to_date == (
        base_total(["A", "B"], 2025) * D(1_000_000)
    )
    rollup_rebuild()
    assert_totals_add_up()


def test_a_deleted_enterprise_leaves_the_totals(world, indicators, city, on_commit):
    on_commit(enterprise_delete, actor=None, enterprise=world["D"])
    assert_totals_add_up()
    assert not FigureTotal.objects.filter(district=city.regions["360112"]).exists()
    assert not RollupMember.objects.filter(enterprise_id=world["D"].pk).exists()
    assert figures.read(indicators["output_value"], Scope(chain=world["chain"]), MARCH).to_date == (
        base_total(["A"], 2025) * D(1_000_000)
    )


def test_an_import_of_monthly_figures_recomputes_the_totals(world, indicators, on_commit):
    text = (
        "统一社会信用代码,年月,工业总产值（万元）\n"
        f"{world['B'].uscc},2025-04,100\n{world['C'].uscc},2025-04,50\n"
    )
    result = on_commit(
        monthly_figure_import,
        actor=None,
        fileobj=io.BytesIO(text.encode()),
        name="figures.csv",
        dry_run=False,
    )
    assert result.created == 2, result.errors
    assert_totals_add_up()
    april = figures.read(indicators["output_value"], Scope(), month(2025, 4))
    assert april.month_value == 150 * D(10_000)


def test_random_changes_keep_every_total_the_sum_of_its_parts(city, indicators):
    rng = random.Random(7)
    places = [("360111", "gxq"), ("360111", "qshq"), ("360112", "jkq"), ("360121", None)]
    made = []
    for _ in range(12):
        district, park = rng.choice(places)
        e = enterprise_make(city.regions, district, park, above_scale=rng.random() < 0.7)
        for m in range(1, 4):
            if rng.random() < 0.8:
                values = figures_of(rng.randint(1, 99))
                if rng.random() < 0.2:
                    values["revenue"] = None
                MonthlyFigure.objects.create(enterprise=e, period=month(2025, m), **values)
        made.append(e)
    rollup_rebuild()
    for _ in range(20):
        e = rng.choice(made)
        district, park = rng.choice(places)
        e.district, e.park = city.regions[district], city.regions[park] if park else None
        e.above_scale = rng.random() < 0.5
        e.save()
        MonthlyFigure.objects.filter(enterprise=e, period=month(2025, rng.randint(1, 3))).update(
            output_value=D(rng.randint(0, 50))
        )
        rollup_update([e.pk])
        assert_totals_add_up()
    assert FigureTotal.objects.filter(chain__isnull=True).aggregate(s=Sum("enterprises"))["s"] == (
        MonthlyFigure.objects.count()
    )
