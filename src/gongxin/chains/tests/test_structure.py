"""A chain's structure: the node tree, supply links that stay acyclic, merging, moving and
deleting nodes with the enterprises on them, and who may change a chain."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongxin.chains import services, structure
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode, SupplyLink
from gongxin.chains.selectors import chain_scope
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Graph algorithms (no database) ---------------------------------------------------------------


def test_path_and_cycles():
    edges = {"a": ["b"], "b": ["c", "d"], "d": ["e"]}
    assert structure.path(edges, "a", "e") == ["a", "b", "d", "e"]
    assert structure.path(edges, "e", "a") is None
    assert structure.cycle_closed_by(edges, "e", "a") == ["e", "a", "b", "d", "e"]
    assert structure.cycle_closed_by(edges, "a", "e") is None
    assert structure.find_cycle(edges) is None
    assert structure.find_cycle({**edges, "e": ["b"]}) == ["b", "d", "e", "b"]
    assert structure.subtree({1: [2, 3], 3: [4]}, 3) == {3, 4}


# A small chain ----------------------------------------------------------------------------------


@pytest.fixture
def chain(db):
    """电池 chain: 上游 (正极材料, 电解液), 中游 (电芯 > 方形电芯), 下游 (储能系统)."""
    chain = Chain.objects.create(code="battery", name="动力电池")
    nodes = {}

    def add(name, segment, parent=None, kind="product"):
        nodes[name] = ChainNode.objects.create(
            chain=chain, name=name, segment=segment, kind=kind, parent=nodes.get(parent)
        )

    add("上游", "upstream")
    add("正极材料", "upstream", "上游", "material")
    add("电解液", "upstream", "上游", "material")
    add("中游", "midstream")
    add("电芯", "midstream", "中游", "component")
    add("方形电芯", "midstream", "电芯", "component")
    add("下游", "downstream")
    add("储能系统", "downstream", "下游")
    chain.n = nodes
    return chain


def link(chain, a, b):
    return services.supply_link_add(actor=None, supplier=chain.n[a], customer=chain.n[b])


def test_a_link_that_closes_a_cycle_is_refused_and_the_cycle_named(chain):
    link(chain, "正极材料", "电芯")
    link(chain, "电芯", "储能系统")
    with pytest.raises(ValidationError) as info:
        link(chain, "储能系统", "正极材料")
    assert info.value.messages == [
        "This would close a cycle of supply links: 储能系统 → 正极材料 → 电芯 → 储能系统."
    ]
    assert SupplyLink.objects.count() == 2
    # linking the same pair again changes nothing
    assert link(chain, "正极材料", "电芯") == SupplyLink.objects.get(supplier=chain.n["正极材料"])


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("电芯", "电芯", "cannot supply itself"),
        ("电芯", "方形电芯", "lie one below the other"),
        ("方形电芯", "中游", "lie one below the other"),
    ],
)
def test_links_that_make_no_sense_are_refused(chain, a, b, reason):
    with pytest.raises(ValidationError) as info:
        link(chain, a, b)
    assert reason in info.value.messages[0]


def test_a_link_across_chains_is_refused(chain):
    other = Chain.objects.create(code="other", name="其他")
    stranger = ChainNode.objects.create(chain=other, name="X", segment="upstream", kind="product")
    with pytest.raises(ValidationError, match="same chain"):
        services.supply_link_add(actor=None, supplier=stranger, customer=chain.n["电芯"])


def test_deleting_a_node_with_enterprises_needs_a_node_to_move_them_to(chain, city):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    EnterpriseNode.objects.create(enterprise=a, node=chain.n["方形电芯"], products="方形铝壳电芯")
    EnterpriseNode.objects.create(enterprise=b, node=chain.n["电芯"], products="软包电芯")
    EnterpriseNode.objects.create(enterprise=a, node=chain.n["储能系统"], products="储能柜")
    with pytest.raises(ValidationError) as info:
        services.node_delete(actor=None, node=chain.n["电芯"])
    assert info.value.messages == [
        "2 enterprise(s) are placed on 电芯 or below it; choose the node they move to "
        "before deleting it."
    ]
    assert ChainNode.objects.filter(name="方形电芯").exists()
    with pytest.raises(ValidationError, match="not deleted"):
        services.node_delete(actor=None, node=chain.n["电芯"], reassign_to=chain.n["方形电芯"])

    cell_pk = chain.n["电芯"].pk
    services.node_delete(actor=None, node=chain.n["电芯"], reassign_to=chain.n["储能系统"])
    assert not ChainNode.objects.filter(name__in=["电芯", "方形电芯"]).exists()
    placed = {
        (e.enterprise_id, e.products)
        for e in EnterpriseNode.objects.filter(node=chain.n["储能系统"])
    }
    # a was there already: one link for it, with both products
    assert placed == {(a.pk, "储能柜、方形铝壳电芯"), (b.pk, "软包电芯")}
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(cell_pk))
    assert entry.message == "2 node(s) deleted, 2 enterprise(s) moved to 储能系统"


def test_merging_moves_children_links_and_enterprises(chain, city):
    extra = services.node_create(
        actor=None,
        chain=chain,
        parent=chain.n["中游"],
        data={"name": "电芯（软包）", "kind": "component"},
    )
    child = services.node_create(
        actor=None, chain=chain, parent=extra, data={"name": "叠片电芯", "kind": "component"}
    )
    enterprise = EnterpriseFactory()
    EnterpriseNode.objects.create(enterprise=enterprise, node=extra)
    services.supply_link_add(actor=None, supplier=chain.n["电解液"], customer=extra)
    services.supply_link_add(actor=None, supplier=extra, customer=chain.n["储能系统"])
    link(chain, "正极材料", "电芯")

    services.node_merge(actor=None, source=extra, target=chain.n["电芯"])
    assert not ChainNode.objects.filter(pk=extra.pk).exists()
    child.refresh_from_db()
    assert child.parent == chain.n["电芯"]
    assert EnterpriseNode.objects.get(enterprise=enterprise).node == chain.n["电芯"]
    pairs = set(SupplyLink.objects.values_list("supplier__name", "customer__name"))
    assert pairs == {("电解液", "电芯"), ("电芯", "储能系统"), ("正极材料", "电芯")}


def test_a_merge_that_would_close_a_cycle_is_refused(chain):
    link(chain, "正极材料", "电芯")
    link(chain, "电芯", "储能系统")
    with pytest.raises(ValidationError) as info:
        services.node_merge(actor=None, source=chain.n["储能系统"], target=chain.n["正极材料"])
    assert "cycle of supply links" in info.value.messages[0]
    assert ChainNode.objects.filter(pk=chain.n["储能系统"].pk).exists()


def test_moving_a_node_takes_its_subtree_and_the_new_segment(chain):
    services.node_move(actor=None, node=chain.n["电芯"], parent=chain.n["下游"])
    assert set(
        ChainNode.objects.filter(name__in=["电芯", "方形电芯"]).values_list("segment", flat=True)
    ) == {"downstream"}
    with pytest.raises(ValidationError, match="lies below it"):
        services.node_move(actor=None, node=chain.n["下游"], parent=chain.n["方形电芯"])


def test_a_new_node_lies_in_its_parents_segment_and_is_audited(chain):
    node = services.node_create(
        actor=None,
        chain=chain,
        parent=chain.n["下游"],
        data={
            "name": "电动两轮车",
            "segment": "upstream",
            "kind": "product",
            "keywords": ["电动车"],
        },
    )
    assert node.segment == "downstream"
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(node.pk))
    assert entry.changes["name"] == [None, "电动两轮车"]
    assert entry.changes["keywords"] == [None, ["电动车"]]
    with pytest.raises(ValidationError):  # names are unique within a chain
        services.node_create(
            actor=None, chain=chain, data={"name": "电芯", "segment": "upstream", "kind": "product"}
        )


# Who may change a chain ---------------------------------------------------------------------------


@pytest.fixture
def chains(chain):
    sub = Chain.objects.create(code="battery-storage", name="储能电池", parent=chain)
    other = Chain.objects.create(code="textiles", name="纺织服装")
    return chain, sub, other


@pytest.mark.parametrize(
    ("role", "reads", "edits"),
    [
        (Role.ADMIN, 3, 3),
        (Role.STAFF, 3, 3),
        (Role.LEADER, 3, 0),
        (Role.DISTRICT, 3, 0),
        (Role.DEPARTMENT, 3, 0),
        (Role.OFFICER, 3, 0),
        (Role.CHAIN_OFFICE, 3, 2),  # its chain and the sub-chain under it
        (Role.ENTERPRISE, 0, 0),
    ],
)
def test_scope_of_each_role(chains, city, role, reads, edits):
    chain, sub, other = chains
    tied = {
        Role.DISTRICT: {"region": city.regions["360121"]},
        Role.DEPARTMENT: {"department": next(iter(city.departments.values()))},
        Role.ENTERPRISE: {"enterprise": EnterpriseFactory()},
    }
    user = UserFactory(role=role, **tied.get(role, {}))
    if role == Role.CHAIN_OFFICE:
        chain.office_members.add(user)
    assert chain_scope(user).count() == reads
    editable = chain_scope(user, for_change=True)
    assert editable.count() == edits
    if role == Role.CHAIN_OFFICE:
        assert set(editable) == {chain, sub}
        node = ChainNode.objects.create(
            chain=other, name="纱线", segment="upstream", kind="material"
        )
        with pytest.raises(PermissionDenied):
            services.node_update(actor=user, node=node, data={"name": "色纺纱"})
        services.node_update(actor=user, node=chain.n["电芯"], data={"name": "电芯（单体）"})
        assert ChainNode.objects.get(pk=chain.n["电芯"].pk).name == "电芯（单体）"
