"""Prospects recommended for a chain's gaps (招商图): the ranking on plain values, worked
out by hand, and the attraction map of a small chain built in the database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from gongxin.chains import selectors
from gongxin.chains.attraction import (
    KEYWORD,
    ON_NODE,
    PARTNER,
    SIZE,
    STAGE,
    Candidate,
    recommend,
)
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode, Prospect, SupplyLink
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory

NODE = 7
KEYWORDS = ["隔膜", "电解液", "正极材料"]


def candidate(pk, name, province, size, stage, revenue, products, nodes=()):
    return Candidate(pk, name, province, "某市", size, stage, revenue, products, frozenset(nodes))


CANDIDATES = [
    # on the node (3), large (2), signed (3), Guangdong (1)                          = 9
    candidate(1, "A汽车玻璃有限公司", "广东省", "large", "signed", D(10), "汽车玻璃", {NODE}),
    # 隔膜 and 电解液 (2; 正极材料 beyond the cap of 2), medium (1), site visit (2)  = 5
    candidate(
        2, "B锂电材料有限公司", "浙江省", "medium", "visit", D(100), "锂电池隔膜、电解液、正极材料"
    ),
    # on the node (3), 隔膜 (1), Guangdong (1)                                       = 5
    # (tied with B: the larger revenue, 300 against 100, goes first)
    candidate(3, "C隔膜有限公司", "广东省", "small", "lead", D(300), "湿法隔膜", {NODE, 8}),
    # neither on the node nor making what it names: left out, however large and far along
    candidate(4, "D整车有限公司", "广东省", "large", "signed", D(10**9), "汽车玻璃", {8}),
    # 电解液 (1), in contact (1); no revenue reported (counts as 0 in ties)          = 2
    candidate(5, "E电解液有限公司", "江西省", "micro", "contact", None, "电解液添加剂"),
    # on the node (3); size unknown, landed (no stage score)                         = 3
    candidate(6, "F电机有限公司", "湖南省", "", "landed", None, "", {NODE}),
    # 正极材料 (1), medium (1)                                                        = 2
    # G and H tie on score and revenue: by name
    candidate(8, "H正极有限公司", "江西省", "medium", "lead", D(50), "正极材料前驱体"),
    candidate(7, "G正极有限公司", "江西省", "medium", "lead", D(50), "正极材料前驱体"),
]


def test_the_ranking_worked_out_by_hand():
    ranked = recommend(NODE, KEYWORDS, CANDIDATES)
    assert [(r.candidate.name[0], r.score) for r in ranked] == [
        ("A", 9),
        ("C", 5),
        ("B", 5),
        ("F", 3),
        ("G", 2),
        ("H", 2),
        ("E", 2),
    ]
    reasons = {r.candidate.name[0]: r.reasons for r in ranked}
    assert reasons == {
        "A": [(ON_NODE, ""), (SIZE, "large"), (STAGE, "signed"), (PARTNER, "广东省")],
        "B": [(KEYWORD, "隔膜"), (KEYWORD, "电解液"), (SIZE, "medium"), (STAGE, "visit")],
        "C": [(ON_NODE, ""), (KEYWORD, "隔膜"), (PARTNER, "广东省")],
        "F": [(ON_NODE, "")],
        "G": [(KEYWORD, "正极材料"), (SIZE, "medium")],
        "H": [(KEYWORD, "正极材料"), (SIZE, "medium")],
        "E": [(KEYWORD, "电解液"), (STAGE, "contact")],
    }


def test_partner_provinces_change_the_ranking():
    # Zhejiang instead of Guangdong: A 9 - 1 = 8, B 5 + 1 = 6, C 5 - 1 = 4
    ranked = recommend(NODE, KEYWORDS, CANDIDATES, partners=("浙江省",))
    assert [(r.candidate.name[0], r.score) for r in ranked][:4] == [
        ("A", 8),
        ("B", 6),
        ("C", 4),
        ("F", 3),
    ]


def test_without_keywords_only_candidates_on_the_node_count():
    # A 9; C 3 + Guangdong 1 = 4; F 3
    ranked = recommend(NODE, [], CANDIDATES)
    assert [(r.candidate.name[0], r.score) for r in ranked] == [("A", 9), ("C", 4), ("F", 3)]
    assert recommend(NODE, KEYWORDS, []) == []


# The attraction map of a chain in the database.


@pytest.fixture
def chain(city):
    """上游 with 隔膜 (a bottleneck) and 电解液, both supplying 中游's 电芯, where three equal
    enterprises above designated size sit (a strong node).

    Gaps: 隔膜 empty with a present customer: 延链, 3 (bottleneck) + 1 = 4, rank 1;
    电解液 likewise without the bottleneck: 延链, 1, rank 2; 电芯 strong: not a gap."""
    chain = Chain.objects.create(code="att", name="招商链")

    def node(name, segment, position, parent=None, **fields):
        return ChainNode.objects.create(
            chain=chain,
            parent=parent,
            name=name,
            segment=segment,
            kind="material",
            position=position,
            **fields,
        )

    up = node("上游", "upstream", 0)
    separator = node("隔膜", "upstream", 1, up, keywords=["隔膜"], bottleneck=True)
    electrolyte = node("电解液", "upstream", 2, up, keywords=["电解液"])
    cell = node("电芯", "midstream", 4, node("中游", "midstream", 3), keywords=["电芯"])
    SupplyLink.objects.create(chain=chain, supplier=separator, customer=cell)
    SupplyLink.objects.create(chain=chain, supplier=electrolyte, customer=cell)
    for _ in range(3):
        e = EnterpriseFactory(above_scale=True)
        EnterpriseNode.objects.create(enterprise=e, node=cell)
        AnnualFigure.objects.create(enterprise=e, year=2025, revenue=D(100_000_000))

    def prospect(name, province, size, stage, products, nodes=(), on=chain):
        p = Prospect.objects.create(
            chain=on,
            name=name,
            province=province,
            city="某市",
            size_class=size,
            revenue=D(10**8),
            products=products,
            source="data",
            stage=stage,
            stage_on="2026-01-01",
        )
        p.nodes.set(nodes)

    # 隔膜: on it (3), 隔膜 (1), large (2), signed (3), Guangdong (1) = 10
    prospect("甲隔膜科技有限公司", "广东省", "large", "signed", "干法隔膜", [separator])
    # 隔膜: 隔膜 (1), medium (1) = 2
    prospect("乙材料有限公司", "浙江省", "medium", "lead", "湿法隔膜")
    # 电解液: landed, no longer a prospect
    prospect("丙电解液有限公司", "广东省", "large", "landed", "电解液", [electrolyte])
    # 电解液: 电解液 (1), in contact (1) = 2
    prospect("丁化工有限公司", "江西省", "small", "contact", "电解液溶剂")
    # on the strong node only: recommended for no gap
    prospect("戊电芯有限公司", "广东省", "large", "signed", "电芯", [cell])
    # another chain's prospect, though it makes 隔膜
    other = Chain.objects.create(code="other", name="别的链")
    prospect("己隔膜有限公司", "广东省", "large", "signed", "隔膜", on=other)
    return chain


def _summary(result) -> list:
    return [
        (
            item["gap"].node.name,
            item["gap"].rank,
            [(r.candidate.name, r.score) for r in item["prospects"]],
        )
        for item in result["gaps"]
    ]


def test_the_attraction_map_of_a_small_chain(chain):
    assert _summary(selectors.attraction_map(chain)) == [
        ("隔膜", 1, [("甲隔膜科技有限公司", 10), ("乙材料有限公司", 2)]),
        ("电解液", 2, [("丁化工有限公司", 2)]),
    ]
    assert _summary(selectors.attraction_map(chain, per_gap=1)) == [
        ("隔膜", 1, [("甲隔膜科技有限公司", 10)]),
        ("电解液", 2, [("丁化工有限公司", 2)]),
    ]


def test_the_partner_provinces_come_from_the_settings(chain, settings):
    settings.GONGXIN_PARTNER_PROVINCES = ("浙江省",)
    # 甲 loses Guangdong (9), 乙 gains Zhejiang (3)
    assert _summary(selectors.attraction_map(chain))[0] == (
        "隔膜",
        1,
        [("甲隔膜科技有限公司", 9), ("乙材料有限公司", 3)],
    )


def test_the_chain_page_and_the_api_show_the_recommendations(client, chain):
    client.force_login(UserFactory(role=Role.LEADER))
    page = client.get(reverse("chains:chain_detail", args=["att"]))
    gaps = page.context["maps"]["attraction"]["gaps"]
    assert [(g["node"], [p["name"] for p in g["prospects"]]) for g in gaps] == [
        ("隔膜", ["甲隔膜科技有限公司", "乙材料有限公司"]),
        ("电解液", ["丁化工有限公司"]),
    ]
    assert [[p["name"] for p in g.prospects] for g in page.context["gaps"]] == [
        ["甲隔膜科技有限公司", "乙材料有限公司"],
        ["丁化工有限公司"],
    ]
    data = client.get("/api/v1/chains/att/maps/attraction").json()
    first = data["gaps"][0]["prospects"][0]
    assert (first["name"], first["score"]) == ("甲隔膜科技有限公司", 10)
    assert first["reasons"] == [
        {"reason": "on_node", "detail": ""},
        {"reason": "keyword", "detail": "隔膜"},
        {"reason": "size", "detail": "large"},
        {"reason": "stage", "detail": "signed"},
        {"reason": "partner", "detail": "广东省"},
    ]
