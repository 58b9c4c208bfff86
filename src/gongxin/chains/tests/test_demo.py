"""The demo city's chains: every key chain with a realistic structure, offices, leaders,
targets, chain masters and demo enterprises on its nodes; the same seed, the same chains."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongxin.chains import structure
from gongxin.chains.demo import CHAINS, chains_build
from gongxin.chains.models import Chain, ChainNode, ChainTarget, EnterpriseNode, SupplyLink
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.choices import QualificationKind
from gongxin.enterprises.demo import enterprise_chain, enterprises_build


def _build():
    from gongxin.core.tests.factories import city_load

    city = city_load()
    enterprises_build(seed=7, count=300, regions=city.regions, officers=[])
    return chains_build(seed=7, password_hash="!")  # no one logs in here


def _snapshot() -> dict:
    return {
        "chains": list(
            Chain.objects.order_by("code").values_list(
                "code", "name", "parent__code", "office__code", "sort_order"
            )
        ),
        "nodes": list(
            ChainNode.objects.order_by("chain__code", "position").values_list(
                "chain__code", "name", "parent__name", "segment", "kind", "key_link", "bottleneck"
            )
        ),
        "links": sorted(SupplyLink.objects.values_list("supplier__name", "customer__name")),
        "placed": sorted(
            EnterpriseNode.objects.values_list(
                "enterprise__uscc", "node__chain__code", "node__name"
            )
        ),
        "masters": sorted(Chain.objects.values_list("code", "masters__uscc")),
    }


@pytest.fixture(scope="module")
def _module_chains(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, _build)


@pytest.fixture
def chains(_module_chains, db):
    return _module_chains


def test_every_key_chain_with_its_sub_chains(chains):
    tops = {c.code: c for c in chains if c.parent_id is None}
    assert set(tops) == set(CHAINS)
    subs = {c.name: c.parent.code for c in chains if c.parent_id}
    assert subs == {
        "VR（虚拟现实）": "electronics",
        "移动智能终端": "electronics",
        "LED及光电通信": "electronics",
        "航空装备": "aviation",
        "新能源汽车": "automotive",
        "新型储能": "new-energy",
        "医疗器械": "health",
        "中医药": "health",
        "现代针纺": "textiles",
    }
    for chain in chains:
        count = chain.nodes.count()
        assert (40 if chain.parent_id is None else 25) <= count <= 120, (chain, count)
        top = list(chain.nodes.filter(parent=None).values_list("segment", flat=True))
        assert sorted(top) == ["downstream", "midstream", "upstream"], chain
        assert chain.nodes.filter(key_link=True).exists()
        assert chain.office is not None and chain.leaders.exists()
        edges: dict[int, set[int]] = {}
        for a, b in chain.supply_links.values_list("supplier_id", "customer_id"):
            edges.setdefault(a, set()).add(b)
        assert len(edges) >= 5 and structure.find_cycle(edges) is None
        assert EnterpriseNode.objects.filter(node__chain=chain).exists(), chain
    assert ChainTarget.objects.filter(year=2026).count() == len(CHAINS)


def test_chain_offices_have_accounts(chains):
    for code in CHAINS:
        user = User.objects.get(username=f"chain-{code}")
        assert user.role == Role.CHAIN_OFFICE
        assert user.office_chains.get().code == code


def test_enterprises_sit_on_the_chains_of_their_trade(chains):
    names = {c.pk: (c.parent or c).name for c in chains}
    placed = EnterpriseNode.objects.select_related("enterprise__industry", "node")
    for link in placed:
        assert enterprise_chain(link.enterprise) == names[link.node.chain_id]
    for chain in chains:
        for master in chain.masters.all():
            assert master.qualifications.filter(kind=QualificationKind.CHAIN_MASTER).exists()
            assert EnterpriseNode.objects.filter(enterprise=master, node__chain=chain).exists()


def test_same_seed_builds_the_same_chains(chains):
    first = _snapshot()
    with transaction.atomic():
        Chain.objects.update(parent=None)
        for model in (EnterpriseNode, SupplyLink, ChainNode, ChainTarget, Chain):
            model.objects.all().delete()
        User.objects.filter(role=Role.CHAIN_OFFICE).delete()
        chains_build(seed=7, password_hash="!")
        assert _snapshot() == first
        transaction.set_rollback(True)
