"""The items of a chain's lists kept by its office: platforms, technology tasks with their
targets, bottlenecks, application fields and prospects with their pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Prospect,
    ProspectStep,
    TechTask,
)
from gongxin.chains.tests.test_views import build_chain
from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(city, client):
    chain = build_chain("vr", leaves=2, placed=1)
    user = UserFactory(role=Role.CHAIN_OFFICE, display_name="链办小王")
    chain.office_members.add(user)
    client.force_login(user)
    chain.user = user
    return chain


def _new(client, chain, kind, data):
    return client.post(reverse("chains:item_create", args=[chain.code, kind]), data)


def test_a_technology_task_with_its_targets_by_year(office, client):
    enterprise = EnterpriseFactory(name="测试光学有限公司")
    response = _new(
        client,
        office,
        "technologies",
        {
            "name": "光波导量产",
            "kind": "key",
            "deadline": "2027-12-31",
            "status": "under_way",
            "enterprise": enterprise.uscc.lower(),
            "targets": "2026：良率60%\n\n2027 年: 良率80%",
        },
    )
    assert response.status_code == 302
    task = TechTask.objects.get(name="光波导量产")
    assert task.enterprise == enterprise
    assert list(task.targets.values_list("year", "target")) == [
        (2026, "良率60%"),
        (2027, "良率80%"),
    ]
    url = reverse("chains:item_edit", args=[office.code, "technologies", task.pk])
    response = client.post(
        url,
        {
            "name": "光波导量产",
            "kind": "key",
            "deadline": "2027-12-31",
            "status": "under_way",
            "targets": "2026：良率60%\n2026：重复",
        },
    )
    assert response.status_code == 422
    assert "2026" in response.content.decode()
    assert task.targets.count() == 2
    client.post(
        url,
        {
            "name": "光波导量产",
            "kind": "key",
            "deadline": "2027-12-31",
            "status": "achieved",
            "targets": "2026：良率70%",
        },
    )
    task.refresh_from_db()
    assert task.status == "achieved"
    assert list(task.targets.values_list("year", "target")) == [(2026, "良率70%")]
    entry = AuditEntry.objects.filter(object_type="chains.techtask").latest("pk")
    assert entry.changes["targets"] == [{"2026": "良率60%", "2027": "良率80%"}, {"2026": "良率70%"}]


def test_an_unknown_enterprise_is_named_back(office, client):
    response = _new(
        client,
        office,
        "platforms",
        {"name": "平台", "kind": "key_lab", "level": "national", "enterprise": "没有这家"},
    )
    assert response.status_code == 422
    assert "没有这家" in response.content.decode()


def test_a_bottleneck_resolved_gets_its_day(office, city, client):
    _new(
        client,
        office,
        "bottlenecks",
        {
            "title": "人才缺口",
            "kind": "blockage",
            "owner": city.departments["rsj"].pk,
            "deadline": "2027-06-30",
            "status": "resolved",
        },
    )
    item = Bottleneck.objects.get(title="人才缺口")
    assert item.resolved_on == timezone.localdate()
    url = reverse("chains:item_edit", args=[office.code, "bottlenecks", item.pk])
    client.post(
        url,
        {
            "title": "人才缺口",
            "kind": "blockage",
            "owner": item.owner_id,
            "deadline": "2027-06-30",
            "status": "in_hand",
            "resolved_on": "2026-01-01",
        },
    )
    item.refresh_from_db()
    assert (item.status, item.resolved_on) == ("in_hand", None)


def test_an_application_field_takes_only_its_chains_nodes(office, client):
    other = build_chain("led", leaves=1, placed=0)
    mine = office.nodes.filter(parent__isnull=False).first()
    theirs = other.nodes.first()
    response = _new(
        client, office, "fields", {"name": "消费电子", "position": 0, "nodes": [mine.pk, theirs.pk]}
    )
    assert response.status_code == 422
    assert not ApplicationField.objects.exists()
    _new(client, office, "fields", {"name": "消费电子", "position": 0, "nodes": [mine.pk]})
    assert list(ApplicationField.objects.get().nodes.all()) == [mine]


def test_a_prospect_moves_through_the_pipeline(office, client):
    node = office.nodes.filter(parent__isnull=False).first()
    response = _new(
        client,
        office,
        "prospects",
        {
            "name": "深圳测试有限公司",
            "province": "广东省",
            "city": "深圳市",
            "size_class": "large",
            "source": "expo",
            "nodes": [node.pk],
        },
    )
    prospect = Prospect.objects.get()
    assert response["Location"].endswith(f"/items/prospects/{prospect.pk}/")
    assert (prospect.stage, prospect.stage_on) == ("lead", timezone.localdate())
    advance = reverse("chains:prospect_advance", args=[office.code, prospect.pk])
    today = timezone.localdate()
    # Not back, not in the future, not before the last step.
    for data in (
        {"stage": "lead", "on": today},
        {"stage": "visit", "on": today + dt.timedelta(1)},
        {"stage": "visit", "on": today - dt.timedelta(1)},
    ):
        assert client.post(advance, data).status_code == 422
    landed = EnterpriseFactory(name="深圳测试（南昌）有限公司")
    assert (
        client.post(advance, {"stage": "visit", "on": today, "enterprise": landed.name}).status_code
        == 422
    )  # only a landed prospect becomes an enterprise
    client.post(advance, {"stage": "visit", "on": today, "note": "来昌考察"})
    client.post(advance, {"stage": "landed", "on": today, "enterprise": landed.uscc})
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.enterprise) == ("landed", landed)
    steps = ProspectStep.objects.filter(prospect=prospect).order_by("pk")
    assert [(s.stage, s.note, s.by) for s in steps] == [
        ("lead", "", office.user),
        ("visit", "来昌考察", office.user),
        ("landed", "", office.user),
    ]
    page = client.get(reverse("chains:item_edit", args=[office.code, "prospects", prospect.pk]))
    assert "来昌考察" in page.content.decode()


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICER])
def test_readers_do_not_keep_the_items(city, client, role):
    chain = build_chain("vr", leaves=1, placed=0)
    client.force_login(UserFactory(role=role))
    url = reverse("chains:item_create", args=[chain.code, "bottlenecks"])
    assert client.get(url).status_code == 403
    task = TechTask.objects.create(chain=chain, name="X", kind="key", deadline=dt.date(2027, 1, 1))
    delete = reverse("chains:item_delete", args=[chain.code, "technologies", task.pk])
    assert client.post(delete).status_code == 403
    assert TechTask.objects.filter(pk=task.pk).exists()
    page = client.get(reverse("chains:chain_list_page", args=[chain.code, "technologies"]))
    assert page.context["editable"] is False
