"""Gap analysis on a small chain whose answer is worked out by hand below."""

from decimal import Decimal as D

import pytest

from gongxin.chains.gaps import (
    EXTEND,
    FILL,
    STRENGTHEN,
    STRONG,
    Coverage,
    NodeFacts,
    Thresholds,
    analyse,
    concentration,
    coverage,
)


def test_concentration():
    assert concentration([D(60), D(40)]) == pytest.approx((0.6, 0.52))
    assert concentration([D(100)] * 4) == pytest.approx((0.25, 0.25))
    assert concentration([None, D(0)]) == (None, None)


def battery_chain() -> tuple[list[NodeFacts], list[tuple[int, int]]]:
    nodes = [
        NodeFacts(1, "上游", None),
        NodeFacts(2, "正极材料", 1, key_link=True, revenues=[D(60), D(40)], above_scale=1),
        NodeFacts(3, "隔膜", 1, bottleneck=True),
        NodeFacts(4, "电解液", 1),
        NodeFacts(10, "中游", None),
        NodeFacts(5, "电芯", 10, revenues=[D(100)] * 3, above_scale=2),
        NodeFacts(6, "电池管理系统", 10),
        NodeFacts(20, "下游", None),
        NodeFacts(8, "储能系统", 20, revenues=[D(50), None], above_scale=0),
        NodeFacts(9, "回收利用", 20),
    ]
    links = [(2, 5), (3, 5), (5, 6), (6, 8), (5, 8), (8, 9)]
    return nodes, links


def test_classes_scores_and_ranking_worked_out_by_hand():
    # 正极材料: 2 enterprises (< 3: +1), HHI .36 + .16 = .52 (> .5: +1), key link (+2),
    #           its customer 电芯 has enterprises (+1)                          → 强链, 5
    # 隔膜:     empty; 电芯 downstream has enterprises, nothing upstream          → 延链,
    #           bottleneck (+3) and one present neighbour (+1)                     4
    # 电解液:   empty, no links                                                   → 补链, 0
    # 电芯:     3 enterprises, 2 above designated size, HHI 1/3                  → strong
    # 电池管理系统: empty between 电芯 (supplier) and 储能系统 (customer), both
    #           with enterprises: a broken link                                    → 补链, 2
    # 储能系统: 2 enterprises (+1), none above designated size (+1), one revenue
    #           reported so HHI 1 (+1); suppliers 电芯 present, BMS empty (+1)     → 强链, 4
    # 回收利用: empty; its supplier 储能系统 has enterprises                      → 延链, 1
    # Ranking: by score, ties in the order of the structure (隔膜 before 储能系统).
    gaps = analyse(*battery_chain())
    summary = [(g.node.name, g.kind, g.score, g.rank) for g in gaps]
    assert summary == [
        ("正极材料", STRENGTHEN, 5, 1),
        ("隔膜", EXTEND, 4, 2),
        ("储能系统", STRENGTHEN, 4, 3),
        ("电池管理系统", FILL, 2, 4),
        ("回收利用", EXTEND, 1, 5),
        ("电解液", FILL, 0, 6),
        ("电芯", STRONG, 0, 0),
    ]
    by_name = {g.node.name: g for g in gaps}
    assert by_name["正极材料"].reasons == ["few", "concentrated"]
    assert by_name["储能系统"].reasons == ["few", "no_above_scale", "concentrated"]
    assert (
        by_name["电池管理系统"].suppliers_present,
        by_name["电池管理系统"].customers_present,
    ) == (1, 1)
    assert by_name["正极材料"].revenue == D(100)
    assert by_name["正极材料"].top_share == pytest.approx(0.6)


def test_thresholds_are_configurable():
    gaps = analyse(*battery_chain(), Thresholds(min_enterprises=2, max_hhi=0.6))
    by_name = {g.node.name: g for g in gaps}
    assert by_name["正极材料"].kind == STRONG  # 2 enterprises are enough, HHI .52 allowed
    assert by_name["储能系统"].reasons == ["no_above_scale", "concentrated"]


def test_a_link_to_a_node_above_counts_for_the_nodes_below_it():
    nodes = [
        NodeFacts(1, "上游", None),
        NodeFacts(2, "材料", 1),
        NodeFacts(3, "锂盐", 2),
        NodeFacts(10, "中游", None),
        NodeFacts(4, "电芯", 10, revenues=[D(1)] * 3, above_scale=1),
    ]
    (gap,) = [g for g in analyse(nodes, [(2, 4)]) if g.node.name == "锂盐"]
    assert (gap.kind, gap.customers_present) == (EXTEND, 1)


def test_local_supply_worked_out_by_hand():
    # The city's buyers bought 100 of 电芯 on the node, 20 of it from local suppliers:
    # local supply 0.2 < 0.3, so the strong node becomes 强链 with reason bought_elsewhere;
    # score = neighbours 正极材料 (up) and 储能系统 (down) present, 2, + 1 = 3.
    # 电解液 has no local enterprise and 50 bought, all from elsewhere: 补链, 0 + 1 = 1,
    # tied with 回收利用 and ranked before it in the order of the structure.
    nodes, links = battery_chain()
    by_pk = {n.pk: n for n in nodes}
    by_pk[5].bought, by_pk[5].bought_local = D(100), D(20)
    by_pk[4].bought = D(50)
    # 正极材料 buys mostly locally: no change.
    by_pk[2].bought, by_pk[2].bought_local = D(10), D(9)
    gaps = analyse(nodes, links)
    summary = [(g.node.name, g.kind, g.score, g.rank) for g in gaps]
    assert summary == [
        ("正极材料", STRENGTHEN, 5, 1),
        ("隔膜", EXTEND, 4, 2),
        ("储能系统", STRENGTHEN, 4, 3),
        ("电芯", STRENGTHEN, 3, 4),
        ("电池管理系统", FILL, 2, 5),
        ("电解液", FILL, 1, 6),
        ("回收利用", EXTEND, 1, 7),
    ]
    by_name = {g.node.name: g for g in gaps}
    assert by_name["电芯"].reasons == ["bought_elsewhere"]
    assert by_name["电芯"].local_supply == pytest.approx(0.2)
    assert by_name["电解液"].local_supply == 0.0
    assert by_name["正极材料"].local_supply == pytest.approx(0.9)
    assert by_name["正极材料"].reasons == ["few", "concentrated"]
    assert by_name["隔膜"].local_supply is None


def test_coverage_worked_out_by_hand():
    # 7 leaves; 正极材料, 电芯 and 储能系统 hold enterprises; only 电芯 is strong.
    assert coverage(analyse(*battery_chain())) == Coverage(7, 3, 1)
    assert Coverage(7, 3, 1).ratio == pytest.approx(3 / 7)
    assert Coverage(0, 0, 0).ratio is None
