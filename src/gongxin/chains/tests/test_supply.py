"""Supplier relations: the local supply ratio (本地配套率) of a chain's masters and of the
chain, the purchases on each node in the gap analysis, and the relation's constraints. The
answers are worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gongxin.chains import selectors
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode, SupplierRelation
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory


def buy(customer, amount, year, supplier=None, name="", node=None) -> SupplierRelation:
    return SupplierRelation.objects.create(
        customer=customer,
        supplier=supplier,
        supplier_name=name,
        supplier_place="福建宁德" if name else "",
        node=node,
        year=year,
        amount=D(amount),
    )


@pytest.fixture
def supply(city):
    chain = Chain.objects.create(code="ls", name="配套链")
    m1 = EnterpriseFactory(name="链主A电池有限公司")
    m2 = EnterpriseFactory(name="链主B整车有限公司")
    chain.masters.add(m2, m1)
    l1, l2 = EnterpriseFactory(name="本地甲公司"), EnterpriseFactory(name="本地乙公司")
    other = EnterpriseFactory(name="非链主公司")
    # 2024
    buy(m1, "1000.00", 2024, supplier=l1)
    buy(m1, "3000.00", 2024, name="宁德外地甲公司")
    buy(m2, "2000.00", 2024, name="外地乙公司")
    # 2025
    buy(m1, "1234567.89", 2025, supplier=l1)
    buy(m1, "765432.11", 2025, name="宁德外地甲公司")
    buy(m2, "500000.00", 2025, supplier=l2)
    buy(m2, "250000.00", 2025, supplier=m1)  # another master is a local supplier too
    buy(m2, "1000000.00", 2025, name="外地乙公司")
    buy(m2, "250000.00", 2025, name="外地丙公司")
    # a customer that is not a master: ignored, in 2025 and in 2026 (which is therefore not
    # the latest year recorded for the chain)
    buy(other, "9999999.00", 2025, supplier=l1)
    buy(other, "9999999.00", 2026, name="外地丁公司")
    return chain, m1, m2


def test_local_supply_of_the_latest_year_worked_out_by_hand(supply):
    # 2025, the latest year recorded for the masters:
    #   A bought 1,234,567.89 locally + 765,432.11 from elsewhere = 2,000,000.00;
    #     ratio 1,234,567.89 / 2,000,000.00 = 0.617283945
    #   B bought 500,000.00 (乙) + 250,000.00 (from master A) locally = 750,000.00,
    #     and 1,000,000.00 + 250,000.00 from elsewhere: 2,000,000.00 in all;
    #     ratio 750,000.00 / 2,000,000.00 = 0.375
    #   the chain: 1,984,567.89 / 4,000,000.00 = 0.4961419725
    chain, m1, m2 = supply
    result = selectors.local_supply(chain)
    assert result.year == 2025
    rows = [(r.enterprise, r.bought, r.bought_local, r.ratio) for r in result.masters]
    assert rows == [
        (m1, D("2000000.00"), D("1234567.89"), float(D("0.617283945"))),
        (m2, D("2000000.00"), D("750000.00"), 0.375),
    ]
    whole = result.chain
    assert (whole.enterprise, whole.bought, whole.bought_local) == (
        None,
        D("4000000.00"),
        D("1984567.89"),
    )
    assert whole.ratio == float(D("0.4961419725"))


def test_local_supply_of_an_earlier_year(supply):
    # 2024: A 1,000.00 local of 4,000.00 = 0.25; B 2,000.00 all from elsewhere: local
    # Sum is NULL, counted as 0, ratio 0.0; the chain 1,000.00 / 6,000.00 = 1/6.
    chain, m1, m2 = supply
    result = selectors.local_supply(chain, 2024)
    assert result.year == 2024
    rows = [(r.bought, r.bought_local, r.ratio) for r in result.masters]
    assert rows == [(D("4000.00"), D("1000.00"), 0.25), (D("2000.00"), D(0), 0.0)]
    assert (result.chain.bought, result.chain.bought_local) == (D("6000.00"), D("1000.00"))
    assert result.chain.ratio == pytest.approx(1 / 6)


def test_local_supply_without_purchases(supply, city):
    chain, m1, m2 = supply
    # a year with nothing recorded: every master listed with nothing bought, no ratio
    result = selectors.local_supply(chain, 2023)
    assert [(r.enterprise, r.bought, r.bought_local, r.ratio) for r in result.masters] == [
        (m1, D(0), D(0), None),
        (m2, D(0), D(0), None),
    ]
    assert result.chain.ratio is None
    # a chain without masters
    empty = selectors.local_supply(Chain.objects.create(code="none", name="无链主链"))
    assert (empty.year, empty.masters, empty.chain.bought, empty.chain.ratio) == (
        None,
        [],
        D(0),
        None,
    )


def test_the_chain_page_and_the_api_show_the_local_supply(client, supply):
    chain, m1, m2 = supply
    client.force_login(UserFactory(role=Role.LEADER))
    page = client.get(reverse("chains:chain_detail", args=["ls"]))
    assert page.context["local_supply"].chain.bought_local == D("1984567.89")
    html = page.content.decode()
    assert "61.7%" in html and "37.5%" in html and "49.6%" in html
    data = client.get("/api/v1/chains/ls/local-supply?year=2024").json()
    assert data["year"] == 2024
    assert [(m["name"], m["ratio"]) for m in data["masters"]] == [(m1.name, 0.25), (m2.name, 0.0)]


# Purchases on each node in the gap analysis.


@pytest.fixture
def bought(city):
    chain = Chain.objects.create(code="gp", name="缺口链")
    top = ChainNode.objects.create(
        chain=chain, name="上游", segment="upstream", kind="material", position=0
    )
    n1, n2, n3 = (
        ChainNode.objects.create(
            chain=chain, parent=top, name=name, segment="upstream", kind="material", position=i
        )
        for i, name in enumerate(("电芯", "电解液", "隔膜"), 1)
    )
    for _ in range(3):  # 3 enterprises above designated size, equal revenue: HHI 1/3
        e = EnterpriseFactory(above_scale=True)
        EnterpriseNode.objects.create(enterprise=e, node=n1)
        AnnualFigure.objects.create(enterprise=e, year=2025, revenue=D(100))
    buyer, local = EnterpriseFactory(name="采购方公司"), EnterpriseFactory(name="本地供应商")
    buy(buyer, "20.00", 2025, supplier=local, node=n1)
    buy(buyer, "80.00", 2025, name="外地电芯公司", node=n1)
    buy(buyer, "1000.00", 2024, name="外地电芯公司", node=n1)  # another year
    buy(buyer, "50.00", 2025, name="外地电解液公司", node=n2)
    buy(buyer, "9.00", 2025, supplier=local, node=n3)
    buy(buyer, "1.00", 2025, name="外地隔膜公司", node=n3)
    buy(buyer, "5000.00", 2025, name="无节点公司")  # no node: on no node's account
    other = Chain.objects.create(code="gp2", name="别的链")
    elsewhere = ChainNode.objects.create(
        chain=other, name="电芯", segment="upstream", kind="material"
    )
    buy(buyer, "7000.00", 2025, name="外地电芯公司", node=elsewhere)
    return chain


def test_the_gap_analysis_counts_the_purchases_on_each_node(bought):
    # 2025 (the latest year with annual figures):
    #   电芯: 3 enterprises above designated size, HHI 1/3: strong, but 20 of 100 bought
    #         locally (0.2 < 0.3): bought_elsewhere, 强链, score 1
    #   电解液: nothing local, 50 bought, none locally (0.0): 补链, 0 + 1 = 1, after 电芯 in
    #         the order of the structure
    #   隔膜: nothing local, 9 of 10 bought locally (0.9): 补链, 0
    gaps = selectors.chain_gaps(bought)
    summary = [
        (g.node.name, g.kind, g.score, g.rank, g.reasons, g.node.bought, g.node.bought_local)
        for g in gaps
    ]
    assert summary == [
        ("电芯", "strengthen", 1, 1, ["bought_elsewhere"], D("100.00"), D("20.00")),
        ("电解液", "fill", 1, 2, ["bought_elsewhere"], D("50.00"), D(0)),
        ("隔膜", "fill", 0, 3, [], D("10.00"), D("9.00")),
    ]
    assert [g.local_supply for g in gaps] == [0.2, 0.0, 0.9]


def test_the_gap_analysis_of_another_year(bought):
    # 2024: only 1,000 bought on 电芯, all from elsewhere (0.0); no revenue reported that
    # year, so no concentration; nothing bought on the other nodes.
    gaps = selectors.chain_gaps(bought, 2024)
    summary = [(g.node.name, g.kind, g.score, g.reasons, g.local_supply) for g in gaps]
    assert summary == [
        ("电芯", "strengthen", 1, ["bought_elsewhere"], 0.0),
        ("电解液", "fill", 0, [], None),
        ("隔膜", "fill", 0, [], None),
    ]


def test_figures_of_a_year_whose_purchases_are_not_in_yet(bought):
    # Annual figures for 2026 arrive before the purchases of 2026: the gap analysis of 2026
    # takes the purchases of 2025, the latest recorded up to it, as local_supply does.
    AnnualFigure.objects.create(enterprise=EnterpriseFactory(), year=2026, revenue=D(1))
    gaps = selectors.chain_gaps(bought)
    assert [g.local_supply for g in gaps] == [0.2, 0.0, 0.9]


# The constraints of a supplier relation.


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"supplier": "local", "supplier_name": "外地公司"}, id="both"),
        pytest.param({"supplier": None, "supplier_name": ""}, id="neither"),
        pytest.param({"supplier": "local", "amount": D(0)}, id="zero-amount"),
        pytest.param({"supplier_name": "外地公司", "amount": D("-1.00")}, id="negative-amount"),
        pytest.param({"supplier": "customer"}, id="to-itself"),
    ],
)
def test_the_database_rejects_a_bad_relation(city, fields):
    customer, local = EnterpriseFactory(), EnterpriseFactory()
    values = {"customer": customer, "year": 2025, "amount": D(100), **fields}
    values["supplier"] = {"local": local, "customer": customer}.get(values.get("supplier"))
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierRelation.objects.create(**values)
    with pytest.raises(ValidationError):
        SupplierRelation(**values).full_clean()
    assert not SupplierRelation.objects.exists()


def test_the_database_accepts_a_local_or_an_outside_supplier(city):
    customer, local = EnterpriseFactory(), EnterpriseFactory()
    buy(customer, "0.01", 2025, supplier=local)
    buy(customer, "1.00", 2025, name="外地公司")
    assert SupplierRelation.objects.count() == 2
