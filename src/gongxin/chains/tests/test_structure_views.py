"""The structure editor: a chain office adds, edits, moves, merges and deletes nodes and
supply links of its own chain, through the services; faults come back on the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.chains.models import ChainNode, EnterpriseNode, SupplyLink
from gongxin.chains.tests.test_views import build_chain
from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(city, client):
    chain = build_chain("vr", leaves=2, placed=2)
    user = UserFactory(role=Role.CHAIN_OFFICE)
    chain.office_members.add(user)
    client.force_login(user)
    return chain


def _leaves(chain):
    return list(chain.nodes.filter(parent__isnull=False).order_by("pk"))


def test_add_a_node_with_codes_and_keywords(office, client):
    top = office.nodes.get(name="vr-upstream")
    response = client.post(
        reverse("chains:node_create", args=[office.code]),
        {
            "parent": top.pk,
            "name": "光波导",
            "kind": "component",
            "segment": "downstream",
            "industry_codes": "3976，3974",
            "keywords": "光波导、 衍射光波导 光波导",
        },
    )
    node = office.nodes.get(name="光波导")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#node-{node.pk}")
    # Below a node, a node takes its segment whatever the form said; it goes last.
    assert (node.parent, node.segment, node.industry_codes, node.keywords) == (
        top,
        "upstream",
        ["3976", "3974"],
        ["光波导", "衍射光波导"],
    )
    assert node.position == max(office.nodes.values_list("position", flat=True))
    assert AuditEntry.objects.filter(
        object_type="chains.chainnode", object_id=str(node.pk)
    ).exists()


def test_a_wrong_industry_code_is_named_and_nothing_is_written(office, client):
    count = office.nodes.count()
    response = client.post(
        reverse("chains:node_create", args=[office.code]),
        {"name": "X", "kind": "component", "segment": "upstream", "industry_codes": "3976、39x"},
    )
    assert response.status_code == 422
    assert "39x" in response.content.decode()
    assert office.nodes.count() == count


def test_a_supply_link_closing_a_cycle_is_refused_naming_it(office, client):
    link = SupplyLink.objects.get(chain=office)
    response = client.post(
        reverse("chains:link_create", args=[office.code]),
        {"supplier": link.customer_id, "customer": link.supplier_id},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f"{link.customer.name} → {link.supplier.name} → {link.customer.name}" in page
    assert SupplyLink.objects.filter(chain=office).count() == 1


def test_add_and_remove_a_supply_link(office, client):
    leaves = _leaves(office)
    response = client.post(
        reverse("chains:link_create", args=[office.code]),
        {"supplier": leaves[1].pk, "customer": leaves[3].pk},
    )
    assert response.status_code == 302
    added = SupplyLink.objects.get(supplier=leaves[1], customer=leaves[3])
    client.post(reverse("chains:link_delete", args=[office.code, added.pk]))
    assert not SupplyLink.objects.filter(pk=added.pk).exists()


def test_deleting_a_node_with_enterprises_needs_somewhere_for_them(office, client):
    leaves = _leaves(office)
    placed = leaves[0]  # build_chain puts its enterprises on the first leaf
    url = reverse("chains:node_edit", args=[office.code, placed.pk])
    response = client.post(url, {"action": "delete"})
    assert response.status_code == 422
    assert "2" in response.content.decode()
    assert ChainNode.objects.filter(pk=placed.pk).exists()
    response = client.post(url, {"action": "delete", "delete-reassign_to": leaves[1].pk})
    assert response.status_code == 302
    assert not ChainNode.objects.filter(pk=placed.pk).exists()
    assert EnterpriseNode.objects.filter(node=leaves[1]).count() == 2


def test_rename_move_and_merge(office, client):
    leaves = _leaves(office)
    url = reverse("chains:node_edit", args=[office.code, leaves[1].pk])
    client.post(
        url,
        {
            "action": "update",
            "update-name": "新名称",
            "update-kind": "material",
            "update-key_link": "on",
        },
    )
    leaves[1].refresh_from_db()
    assert (leaves[1].name, leaves[1].kind, leaves[1].key_link) == ("新名称", "material", True)
    downstream = office.nodes.get(name="vr-downstream")
    client.post(url, {"action": "move", "move-parent": downstream.pk})
    leaves[1].refresh_from_db()
    assert (leaves[1].parent, leaves[1].segment) == (downstream, "downstream")
    client.post(url, {"action": "merge", "merge-target": leaves[0].pk})
    assert not ChainNode.objects.filter(pk=leaves[1].pk).exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT, Role.DEPARTMENT, Role.OFFICER])
def test_only_those_who_edit_the_chain_reach_the_editor(city, client, role):
    chain = build_chain("vr", leaves=1, placed=0)
    other = build_chain("led", leaves=1, placed=0)
    extra = {
        Role.DISTRICT: {"region": city.regions["360111"]},
        Role.DEPARTMENT: {"department": city.departments["fgw"]},
    }.get(role, {})
    client.force_login(UserFactory(role=role, **extra))
    assert client.get(reverse("chains:structure_edit", args=[chain.code])).status_code == 403
    office = UserFactory(role=Role.CHAIN_OFFICE)
    chain.office_members.add(office)
    client.force_login(office)
    assert client.get(reverse("chains:structure_edit", args=[chain.code])).status_code == 200
    assert client.get(reverse("chains:structure_edit", args=[other.code])).status_code == 403
    node = other.nodes.first()
    response = client.post(
        reverse("chains:node_edit", args=[other.code, node.pk]), {"action": "delete"}
    )
    assert response.status_code == 403
    assert ChainNode.objects.filter(pk=node.pk).exists()
