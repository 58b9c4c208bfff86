"""Builders for indicator tests: monthly figures in round numbers, and a small city whose
years to date are easy to add up by hand.

The world (`world_build`), output value in million yuan, above designated size unless said:

    enterprise  district  park         2024 Jan Feb Mar   2025 Jan Feb Mar
    A           360111    gxq (zone)         90 100 110        100 110 120
    B           360111    hkc (in gxq)       40  45  50         50  55  60
    C           360111    qshq               25  25  25         30  30  30
    D           360112    jkq               165 190 215        200 210 220
    E           360124    —  (not 规上)     900 900 900        900 900 900

Every other figure is the same base number times its own multiplier (`MULTIPLIER`), so the
sums of every indicator have the same shape. The chain "ev" has A and D confirmed and C
suggested only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.indicators.rollup import rollup_rebuild, rollup_update

D = Decimal
MILLION = D(1_000_000)

#: Each figure as a multiple of the base number (output value in million yuan).
MULTIPLIER = {
    "output_value": MILLION,
    "revenue": D(800_000),
    "profit": D(50_000),
    "tax": D(30_000),
    "electricity": D(10_000),
    "employees": D(1),
}

SUMS = ["output_value", "revenue", "profit", "tax", "electricity"]

WORLD = {
    # name: (district, park, above scale, {year: [Jan, Feb, Mar]})
    "A": ("360111", "gxq", True, {2024: [90, 100, 110], 2025: [100, 110, 120]}),
    "B": ("360111", "hkc", True, {2024: [40, 45, 50], 2025: [50, 55, 60]}),
    "C": ("360111", "qshq", True, {2024: [25, 25, 25], 2025: [30, 30, 30]}),
    "D": ("360112", "jkq", True, {2024: [165, 190, 215], 2025: [200, 210, 220]}),
    "E": ("360124", None, False, {2024: [900, 900, 900], 2025: [900, 900, 900]}),
}

MARCH = dt.date(2025, 3, 1)


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


def figure_add(enterprise: Enterprise, period: dt.date, **values) -> MonthlyFigure:
    """One month's figures; a figure not given is NULL (not reported). Its monthly totals
    are recomputed, as gongxin's services do when a figure is saved."""
    figure = MonthlyFigure.objects.create(enterprise=enterprise, period=period, **values)
    rollup_update([enterprise.pk])
    return figure


def figures_of(base: int) -> dict:
    """Every figure for a base number, as `MULTIPLIER` says."""
    return {
        code: int(base * factor) if code == "employees" else D(base) * factor
        for code, factor in MULTIPLIER.items()
    }


def enterprise_make(regions, district: str, park: str | None = None, **fields) -> Enterprise:
    return EnterpriseFactory(
        district=regions[district], park=regions[park] if park else None, **fields
    )


def world_build(regions) -> dict:
    """The world of the module docstring: {"A": enterprise, …, "chain": chain}."""
    made: dict = {}
    for name, (district, park, above, years) in WORLD.items():
        enterprise = enterprise_make(
            regions, district, park, above_scale=above, name=f"{name}测试制造有限公司"
        )
        for year, values in years.items():
            for m, base in enumerate(values, start=1):
                figure_add(enterprise, month(year, m), **figures_of(base))
        made[name] = enterprise
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(
        chain=chain, name="动力电池", segment="midstream", kind="component"
    )
    other = ChainNode.objects.create(chain=chain, name="整车", segment="downstream", kind="product")
    EnterpriseNode.objects.create(enterprise=made["A"], node=node, status="confirmed")
    # on two nodes of the chain: still counted once
    EnterpriseNode.objects.create(enterprise=made["A"], node=other, status="confirmed")
    EnterpriseNode.objects.create(enterprise=made["D"], node=other, status="confirmed")
    EnterpriseNode.objects.create(enterprise=made["C"], node=node, status="suggested")
    EnterpriseNode.objects.create(enterprise=made["B"], node=node, status="rejected")
    made["chain"] = chain
    rollup_rebuild()
    return made


def base_total(names: list[str], year: int, months: int = 3) -> int:
    """The base numbers of `names` added from January over `months` months."""
    return sum(sum(WORLD[n][3][year][:months]) for n in names)
