"""Chain pages: the list and a chain's page with its map, for each kind of user; what the
map counts; query counts that do not grow with the chains."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.chains import selectors
from gongxin.chains.loading import chain_structure_load
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode, SupplyLink
from gongxin.chains.selectors import chain_map
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.models import AnnualFigure
from gongxin.enterprises.tests.factories import EnterpriseFactory


def build_chain(code: str, leaves: int = 2, placed: int = 2) -> Chain:
    """A chain with one node per segment, `leaves` leaves under each, and `placed`
    enterprises on the first upstream leaf (the first of them above designated size)."""
    chain = Chain.objects.create(code=code, name=f"测试链{code}")
    first = None
    for position, segment in enumerate(("upstream", "midstream", "downstream")):
        top = ChainNode.objects.create(
            chain=chain,
            name=f"{code}-{segment}",
            segment=segment,
            kind="product",
            position=position,
        )
        for n in range(leaves):
            leaf = ChainNode.objects.create(
                chain=chain,
                parent=top,
                name=f"{code}-{segment}-{n}",
                segment=segment,
                kind="product",
            )
            first = first or leaf
    for n in range(placed):
        enterprise = EnterpriseFactory(above_scale=n == 0)
        AnnualFigure.objects.create(enterprise=enterprise, year=2025, revenue=Decimal(100_000_000))
        EnterpriseNode.objects.create(enterprise=enterprise, node=first)
    nodes = list(chain.nodes.filter(parent__isnull=False).order_by("pk"))
    SupplyLink.objects.create(chain=chain, supplier=nodes[0], customer=nodes[leaves])
    return chain


@pytest.fixture
def leader(city):
    return UserFactory(role=Role.LEADER)


def test_the_map_counts_enterprises_up_the_tree(city):
    chain = build_chain("a", placed=3)
    result = chain_map(chain)
    by_name = {n.name: n for n in result.nodes}
    leaf, top = by_name["a-upstream-0"], by_name["a-upstream"]
    assert (leaf.enterprises, leaf.above_scale, leaf.revenue) == (3, 1, Decimal(300_000_000))
    assert (top.enterprises, top.above_scale, top.depth) == (3, 1, 0)
    assert by_name["a-midstream-0"].enterprises == 0
    assert result.year == 2025
    assert [n.name for n in result.nodes][:3] == ["a-upstream", "a-upstream-0", "a-upstream-1"]
    assert len(result.links) == 1


def test_leader_reads_the_list_and_a_chain(client, leader):
    chain = build_chain("a")
    client.force_login(leader)
    listing = client.get(reverse("chains:chain_list"))
    assert listing.status_code == 200
    assert "测试链a" in listing.content.decode()
    assert listing.context["chains"][0].enterprise_count == 2
    page = client.get(reverse("chains:chain_detail", args=[chain.code]))
    assert page.status_code == 200
    data = page.context["maps"]["chain"]
    assert len(data["nodes"]) == 9
    assert data["links"] == list(SupplyLink.objects.values_list("supplier_id", "customer_id"))
    assert 'id="map-data-chain"' in page.content.decode()


def test_the_structure_downloads_and_loads_back(client, leader):
    chain = build_chain("a")
    client.force_login(leader)
    response = client.get(reverse("chains:chain_structure", args=[chain.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    document["code"], document["name"] = "a2", "测试链a（副本）"
    copy = chain_structure_load(document)
    assert copy.nodes.count() == chain.nodes.count()
    assert copy.supply_links.count() == 1


def test_enterprise_users_see_no_chains(client, city):
    chain = build_chain("a")
    enterprise = EnterpriseNode.objects.first().enterprise
    client.force_login(UserFactory(role=Role.ENTERPRISE, enterprise=enterprise))
    listing = client.get(reverse("chains:chain_list"))
    assert listing.status_code == 200
    assert list(listing.context["chains"]) == []
    assert reverse("chains:chain_list") not in [item.url for item in listing.context["menu"]]
    assert client.get(reverse("chains:chain_detail", args=[chain.code])).status_code == 404
    assert client.get(reverse("chains:chain_structure", args=[chain.code])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_data(client, leader):
    client.force_login(leader)
    small = build_chain("a", leaves=1, placed=1)
    list_one = _queries(client, reverse("chains:chain_list"))
    page_small = _queries(client, reverse("chains:chain_detail", args=[small.code]))
    big = build_chain("b", leaves=6, placed=8)
    build_chain("c", leaves=3, placed=2)
    assert _queries(client, reverse("chains:chain_list")) == list_one
    assert _queries(client, reverse("chains:chain_detail", args=[big.code])) == page_small


def test_the_chain_page_ranks_the_gaps(client, leader):
    chain = build_chain("a", leaves=2, placed=1)
    ChainNode.objects.filter(name="a-midstream-1").update(bottleneck=True)
    client.force_login(leader)
    page = client.get(reverse("chains:chain_detail", args=[chain.code]))
    gaps = page.context["gaps"]
    # a-upstream-0: one enterprise (2 short of 3: +2), its revenue all of the node (HHI 1:
    #   +1), its customer a-midstream-0 empty                       → strengthen, 3
    # a-midstream-1: empty bottleneck (+3), no links                 → fill, 3 (after: tie)
    # a-midstream-0: empty, its supplier a-upstream-0 is present (+1) → extend, 1
    # the other three leaves: empty, no links                        → fill, 0
    summary = [(g.node.name, g.kind, g.score) for g in gaps]
    assert summary == [
        ("a-upstream-0", "strengthen", 3),
        ("a-midstream-1", "fill", 3),
        ("a-midstream-0", "extend", 1),
        ("a-upstream-1", "fill", 0),
        ("a-downstream-0", "fill", 0),
        ("a-downstream-1", "fill", 0),
    ]
    assert [g.rank for g in gaps] == list(range(1, len(gaps) + 1))
    assert "a-midstream-1" in page.content.decode()


def test_the_enterprise_page_shows_its_chain_positions(client, leader):
    chain = build_chain("a", placed=1)
    link = EnterpriseNode.objects.get()
    link.products = "正极材料前驱体"
    link.save()
    client.force_login(leader)
    page = client.get(link.enterprise.get_absolute_url())
    assert list(page.context["chain_positions"]) == [link]
    html = page.content.decode()
    assert chain.name in html and "a-upstream-0" in html and "正极材料前驱体" in html
    # the enterprise's own user reads no chains: the section is not there
    client.force_login(UserFactory(role=Role.ENTERPRISE, enterprise=link.enterprise))
    page = client.get(link.enterprise.get_absolute_url())
    assert list(page.context["chain_positions"]) == []
    assert chain.name not in page.content.decode()


def test_the_api_gives_chains_their_map_and_gaps_in_scope(client, leader):
    chain = build_chain("a", placed=2)
    client.force_login(leader)
    listing = client.get("/api/v1/chains").json()
    assert [(c["code"], c["node_count"], c["enterprise_count"]) for c in listing] == [("a", 9, 2)]
    detail = client.get("/api/v1/chains/a").json()
    assert len(detail["nodes"]) == 9 and detail["year"] == 2025
    leaf = next(n for n in detail["nodes"] if n["name"] == "a-upstream-0")
    assert (leaf["enterprises"], leaf["above_scale"], leaf["depth"]) == (2, 1, 1)
    assert detail["links"] == [
        list(SupplyLink.objects.values_list("supplier_id", "customer_id").get())
    ]
    gaps = client.get("/api/v1/chains/a/gaps").json()
    assert [g["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert {g["kind"] for g in gaps} <= {"fill", "extend", "strengthen"}
    # an enterprise user reads no chains
    client.force_login(
        UserFactory(role=Role.ENTERPRISE, enterprise=EnterpriseNode.objects.first().enterprise)
    )
    assert client.get("/api/v1/chains").json() == []
    assert client.get(f"/api/v1/chains/{chain.code}").status_code == 404
    assert client.get(f"/api/v1/chains/{chain.code}/gaps").status_code == 404


def test_the_api_list_query_count_does_not_grow(client, leader):
    client.force_login(leader)
    build_chain("a", leaves=1, placed=1)
    one = _queries(client, "/api/v1/chains")
    build_chain("b", leaves=4, placed=3)
    build_chain("c")
    assert _queries(client, "/api/v1/chains") == one


def test_a_chain_office_confirms_and_rejects_suggested_places(client, city):
    chain = build_chain("a", placed=0)
    node = chain.nodes.get(name="a-upstream-0")
    ChainNode.objects.filter(pk=node.pk).update(keywords=["隔膜"])
    EnterpriseFactory(main_products="锂电池隔膜", business_scope="隔膜材料制造")
    EnterpriseFactory(main_products="湿法隔膜", business_scope="")
    office = UserFactory(role=Role.CHAIN_OFFICE)
    chain.office_members.add(office)
    client.force_login(office)
    response = client.post(reverse("chains:chain_suggest", args=["a"]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["已生成 2 条建议。"]
    first, second = response.context["suggestions"]
    assert (first.status, first.source, first.evidence) == ("suggested", "keywords", "隔膜")

    url = reverse("chains:link_decide", args=["a", first.pk, "confirm"])
    row = client.post(url, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and f'id="place-{first.pk}"' in row.content.decode()
    client.post(reverse("chains:link_decide", args=["a", second.pk, "reject"]))
    assert set(EnterpriseNode.objects.values_list("pk", "status")) == {
        (first.pk, "confirmed"),
        (second.pk, "rejected"),
    }
    assert (
        client.post(reverse("chains:link_decide", args=["a", first.pk, "maybe"])).status_code == 404
    )

    client.force_login(UserFactory(role=Role.LEADER))  # reads, does not decide
    assert client.post(url).status_code == 403
    assert client.post(reverse("chains:chain_suggest", args=["a"])).status_code == 403


def test_the_page_says_how_many_suggestions_wait_beyond_those_shown(client, leader, monkeypatch):
    chain = build_chain("a", placed=0)
    node = chain.nodes.get(name="a-upstream-0")
    for _ in range(3):
        EnterpriseNode.objects.create(
            enterprise=EnterpriseFactory(), node=node, status="suggested", source="keywords"
        )
    client.force_login(leader)
    url = reverse("chains:chain_detail", args=["a"])
    page = client.get(url)
    assert page.context["suggestion_count"] == 3
    assert "共 3 条建议" not in page.content.decode()  # all three are listed
    original = selectors.chain_suggestions  # list two at most: the page says there are more
    monkeypatch.setattr(
        selectors,
        "chain_suggestions",
        lambda chain, limit=100: original(chain, None if limit is None else 2),
    )
    page = client.get(url)
    assert "共 3 条建议，此处列出前 2 条" in page.content.decode()


def test_the_page_and_the_api_give_the_chains_coverage(city, client, leader):
    chain = build_chain("cv", leaves=2, placed=2)  # 6 leaves, enterprises on the first
    client.force_login(leader)
    page = client.get(reverse("chains:chain_detail", args=[chain.code]))
    cover = page.context["coverage"]
    assert (cover.leaves, cover.present) == (6, 1)
    shown = page.content.decode().split('id="coverage">')[1].split("</p>")[0]
    assert "16.7%" in shown and "6" in shown
    data = client.get(f"/api/v1/chains/{chain.code}").json()["coverage"]
    assert (data["leaves"], data["present"], data["ratio"]) == (6, 1, pytest.approx(1 / 6))
