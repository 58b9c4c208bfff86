"""Writes through the chains API: the structure, suggested places and the items of the
lists; the chain office writes its own chain only, faults come back as 422."""

from __future__ import annotations

import pytest

from gongxin.chains.models import ChainNode, EnterpriseNode, Prospect, SupplyLink, TechTask
from gongxin.chains.tests.test_views import build_chain
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/chains"


@pytest.fixture
def office(city, client):
    chain = build_chain("vr", leaves=2, placed=1)
    user = UserFactory(role=Role.CHAIN_OFFICE)
    chain.office_members.add(user)
    client.force_login(user)
    return chain


def _json(client, method, url, data=None):
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_structure_through_the_api(office, client):
    top = office.nodes.get(name="vr-upstream")
    response = _json(
        client,
        "post",
        f"{API}/vr/nodes",
        {"name": "光波导", "kind": "component", "parent": top.pk, "keywords": ["光波导"]},
    )
    assert response.status_code == 201
    node = ChainNode.objects.get(pk=response.json()["id"])
    assert (node.parent, node.segment, node.keywords) == (top, "upstream", ["光波导"])
    assert _json(client, "patch", f"{API}/vr/nodes/{node.pk}", {"bottleneck": True}).json()[
        "bottleneck"
    ]
    link = SupplyLink.objects.get(chain=office)
    cycle = _json(
        client,
        "post",
        f"{API}/vr/links",
        {"supplier": link.customer_id, "customer": link.supplier_id},
    )
    assert cycle.status_code == 422
    assert link.supplier.name in str(cycle.json()["detail"])
    placed = office.nodes.filter(parent__isnull=False).order_by("pk").first()
    refused = client.delete(f"{API}/vr/nodes/{placed.pk}")
    assert refused.status_code == 422
    assert client.delete(f"{API}/vr/nodes/{placed.pk}?reassign_to={node.pk}").status_code == 204
    assert EnterpriseNode.objects.filter(node=node).count() == 1


def test_the_office_writes_only_its_own_chain(office, client):
    other = build_chain("led", leaves=1, placed=0)
    node = other.nodes.first()
    response = _json(client, "patch", f"{API}/led/nodes/{node.pk}", {"name": "改名"})
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.name != "改名"
    client.force_login(UserFactory(role=Role.ENTERPRISE, enterprise=EnterpriseFactory()))
    assert _json(client, "patch", f"{API}/vr/nodes/{node.pk}", {"name": "x"}).status_code == 404


def test_a_suggested_place_is_decided(office, client):
    leaf = office.nodes.filter(parent__isnull=False).last()
    place = EnterpriseNode.objects.create(
        enterprise=EnterpriseFactory(), node=leaf, status="suggested", source="keywords"
    )
    response = client.post(f"{API}/vr/places/{place.pk}/confirm")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"


def test_items_and_the_pipeline_through_the_api(office, client, city):
    leaf = office.nodes.filter(parent__isnull=False).first()
    response = _json(
        client,
        "post",
        f"{API}/vr/items/technologies",
        {
            "name": "光波导量产",
            "kind": "key",
            "deadline": "2027-12-31",
            "status": "under_way",
            "node": leaf.pk,
            "owner": city.departments["kjj"].pk,
            "targets": {"2026": "良率60%", "2027": "良率80%"},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["name"] == "光波导量产"
        and body["targets_by_year"] == "2026年：良率60%；2027年：良率80%"
    )
    task = TechTask.objects.get(pk=body["id"])
    patched = _json(
        client, "patch", f"{API}/vr/items/technologies/{task.pk}", {"status": "achieved"}
    )
    assert patched.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.node, task.targets.count()) == ("achieved", leaf, 2)
    bad = _json(client, "post", f"{API}/vr/items/prospects", {"name": "X公司"})
    assert bad.status_code == 422
    assert {"province", "city", "nodes"} <= set(bad.json()["detail"])
    created = _json(
        client,
        "post",
        f"{API}/vr/items/prospects",
        {
            "name": "深圳测试有限公司",
            "province": "广东省",
            "city": "深圳市",
            "size_class": "large",
            "source": "expo",
            "nodes": [leaf.pk],
        },
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    moved = _json(
        client,
        "post",
        f"{API}/vr/prospects/{pk}/advance",
        {"stage": "contact", "on": Prospect.objects.get(pk=pk).stage_on.isoformat()},
    )
    assert moved.status_code == 200
    assert Prospect.objects.get(pk=pk).stage == "contact"
    back = _json(
        client,
        "post",
        f"{API}/vr/prospects/{pk}/advance",
        {"stage": "lead", "on": Prospect.objects.get(pk=pk).stage_on.isoformat()},
    )
    assert back.status_code == 422
    assert client.delete(f"{API}/vr/items/prospects/{pk}").status_code == 204
