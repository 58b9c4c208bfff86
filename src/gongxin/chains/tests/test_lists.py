"""A chain's five lists (五清单) and its attraction list: the rows each gives for data built
here, in its order; its filters through the web page; its XLSX export; its query count; who
reads it.

The world (see `world_build`): chain 新能源汽车 (code ev) with a sub-chain 动力电池 and another
chain 现代针纺, and on them enterprises, projects, platforms, technology tasks, bottlenecks
and prospects, some of which must appear in the lists and some of which must not.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from gongxin.chains import selectors
from gongxin.chains.choices import ProspectStage
from gongxin.chains.filters import ProspectFilterSet
from gongxin.chains.lists import LISTS
from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Chain,
    ChainNode,
    EnterpriseNode,
    Platform,
    Prospect,
    SupplierRelation,
    SupplyLink,
    TechTarget,
    TechTask,
)
from gongxin.core import versions
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.choices import QualificationKind, SizeClass
from gongxin.enterprises.models import AnnualFigure, Qualification
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects.choices import ProjectStage, ProjectType
from gongxin.projects.models import Project

KEYS = ("enterprises", "projects", "platforms", "technologies", "bottlenecks", "prospects")
D = Decimal


def zh(value) -> str:
    """A label or header as the (Chinese) pages and exports show it."""
    with translation.override("zh-hans"):
        return str(value)


def _node(chain, name, segment, position, parent=None) -> ChainNode:
    return ChainNode.objects.create(
        chain=chain, parent=parent, name=name, segment=segment, kind="product", position=position
    )


def world_build(city) -> SimpleNamespace:
    regions, departments = city.regions, city.departments
    today = timezone.localdate()
    w = SimpleNamespace(today=today, regions=regions, departments=departments)
    w.chain = Chain.objects.create(code="ev", name="新能源汽车")
    w.sub = Chain.objects.create(code="ev-battery", name="动力电池", parent=w.chain)
    w.other = Chain.objects.create(code="textiles", name="现代针纺")
    w.up = _node(w.chain, "上游", "upstream", 0)
    w.up_a = _node(w.chain, "电机", "upstream", 1, w.up)
    w.up_b = _node(w.chain, "电控", "upstream", 2, w.up)
    w.mid = _node(w.chain, "中游", "midstream", 3)
    w.mid_a = _node(w.chain, "整车", "midstream", 4, w.mid)
    w.sub_a = _node(w.sub, "电芯", "midstream", 0)
    w.other_a = _node(w.other, "纺纱", "upstream", 0)
    w.officer = UserFactory(username="officer", role=Role.OFFICER, display_name="王建华")

    def enterprise(name, district="360111", park=None, **fields):
        return EnterpriseFactory(
            name=name,
            district=regions[district],
            park=regions[park] if park else None,
            **fields,
        )

    def place(e, node, status="confirmed"):
        EnterpriseNode.objects.create(enterprise=e, node=node, status=status)

    def figures(e, year, revenue, **fields):
        AnnualFigure.objects.create(enterprise=e, year=year, revenue=revenue, **fields)

    def qualification(e, kind, issued, expires):
        Qualification.objects.create(enterprise=e, kind=kind, issued_on=issued, expires_on=expires)

    # Included: two chain masters (one of the sub-chain), a 规上 enterprise, a qualified one,
    # a 规上 one without figures.
    w.m = enterprise(
        "甲链主汽车有限公司", size_class="medium", above_scale=False, service_officer=w.officer
    )
    w.m2 = enterprise("乙链主电池有限公司", park="hkc", size_class="large", above_scale=False)
    w.a = enterprise("进贤整车制造有限公司", "360124", "jxq", size_class="large", above_scale=True)
    w.q = enterprise("青山湖电芯科技有限公司", size_class="small", above_scale=False)
    w.b2 = enterprise("高新电控有限公司", park="gxq", size_class="medium", above_scale=True)
    # Excluded: suggested, rejected, expired or not-yet-valid or non-key qualification only,
    # on another chain only, a chain master not placed on the chain.
    w.s = enterprise("建议电机有限公司", size_class="large", above_scale=True)
    w.r = enterprise("拒绝电控有限公司", size_class="large", above_scale=True)
    w.x = enterprise("过期小巨人有限公司", size_class="small", above_scale=False)
    w.n = enterprise("绿色工厂有限公司", size_class="small", above_scale=False)
    w.f = enterprise("未来高企有限公司", size_class="small", above_scale=False)
    w.o = enterprise("针纺规上有限公司", size_class="large", above_scale=True)
    w.u = enterprise("未落位链主有限公司", size_class="small", above_scale=False)

    place(w.m, w.up_a)
    place(w.m, w.mid_a)
    place(w.m2, w.sub_a)
    place(w.a, w.mid_a)
    place(w.q, w.sub_a)
    place(w.b2, w.up_b)
    place(w.s, w.up_a, "suggested")
    place(w.r, w.up_b, "rejected")
    place(w.x, w.up_a)
    place(w.n, w.up_a)
    place(w.f, w.up_b)
    place(w.o, w.other_a)
    w.chain.masters.add(w.m, w.u)
    w.sub.masters.add(w.m2)
    w.other.masters.add(w.a, w.o)

    figures(w.m, 2025, D(50_000_000), tax=D(2_000_000), employees=120)
    figures(w.m, 2024, D(40_000_000))
    figures(w.m2, 2025, D(20_000_000))
    figures(w.a, 2025, D(300_000_000), tax=D("12345678.90"), employees=800)
    figures(w.q, 2025, D(80_000_000))
    figures(w.s, 2025, D(999_000_000))
    figures(w.o, 2025, D(900_000_000))

    long_ago, later = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    qualification(w.q, QualificationKind.SPECIALIZED_SME, long_ago, None)
    qualification(w.q, QualificationKind.HIGH_TECH, long_ago, later)
    qualification(w.q, QualificationKind.LITTLE_GIANT, long_ago - dt.timedelta(days=900), yesterday)
    qualification(w.x, QualificationKind.LITTLE_GIANT, long_ago, yesterday)
    qualification(w.n, QualificationKind.GREEN_FACTORY, long_ago, later)
    qualification(w.n, QualificationKind.TECH_SME, long_ago, later)
    qualification(w.f, QualificationKind.HIGH_TECH, tomorrow, later)

    def project(name, chain, **fields):
        fields.setdefault("district", regions["360111"])
        return Project.objects.create(name=name, chain=chain, **fields)

    w.p1 = project(
        "甲链主电机生产基地项目",
        w.chain,
        project_type=ProjectType.NEW,
        enterprise=w.m,
        node=w.up_a,
        stage=ProjectStage.STARTED,
        planned_investment=D(500_000_000),
        completed_investment=D(123_456_789),
        start_planned=dt.date(2025, 3, 1),
        end_planned=dt.date(2026, 12, 31),
    )
    w.p2 = project(
        "电芯扩产项目",
        w.sub,
        project_type=ProjectType.EXPANSION,
        enterprise=w.q,
        node=w.sub_a,
        park=regions["hkc"],
        stage=ProjectStage.SIGNED,
        planned_investment=D(800_000_000),
        completed_investment=D(0),
    )
    w.p3 = project(
        "电控技改项目",
        w.chain,
        project_type=ProjectType.TECH_UPGRADE,
        district=regions["360124"],
        stage=ProjectStage.APPROVED,
        start_planned=dt.date(2026, 1, 15),
    )
    project("针纺项目", w.other, project_type=ProjectType.NEW, planned_investment=D(10**10))
    project("无链项目", None, project_type=ProjectType.NEW, planned_investment=D(10**10))

    w.pl1 = Platform.objects.create(
        chain=w.chain,
        node=w.up_a,
        name="国家电机重点实验室",
        kind="key_lab",
        level="national",
        enterprise=w.a,
        recognised_in=2020,
    )
    w.pl2 = Platform.objects.create(
        chain=w.sub,
        node=w.sub_a,
        name="江西动力电池工程研究中心",
        kind="engineering_centre",
        level="provincial",
        host="南昌大学",
        recognised_in=2022,
    )
    w.pl3 = Platform.objects.create(
        chain=w.chain, name="南昌新能源汽车公共服务平台", kind="public_service", level="municipal"
    )
    Platform.objects.create(
        chain=w.other, name="针纺公共服务平台", kind="public_service", level="national"
    )

    kjj, zbc, fgw = departments["kjj"], departments["zbc"], departments["fgw"]
    w.t1 = TechTask.objects.create(
        chain=w.chain,
        node=w.up_a,
        name="高功率密度电机设计",
        kind="key",
        owner=kjj,
        enterprise=w.a,
        deadline=today + dt.timedelta(days=200),
        status="under_way",
    )
    TechTarget.objects.create(task=w.t1, year=2027, target="量产")
    TechTarget.objects.create(task=w.t1, year=2026, target="样机")
    w.t2 = TechTask.objects.create(
        chain=w.sub,
        node=w.sub_a,
        name="电芯热失控防护",
        kind="common",
        owner=zbc,
        deadline=today + dt.timedelta(days=30),
    )
    w.t4 = TechTask.objects.create(
        chain=w.chain,
        name="整车轻量化",
        kind="common",
        deadline=today + dt.timedelta(days=400),
        status="achieved",
    )
    TechTask.objects.create(chain=w.other, name="高支纱纺纱", kind="key", deadline=today, owner=kjj)

    def bottleneck(title, chain, kind, owner, days, status="open", **fields):
        return Bottleneck.objects.create(
            chain=chain,
            title=title,
            kind=kind,
            owner=owner,
            deadline=today + dt.timedelta(days=days),
            status=status,
            **fields,
        )

    w.b1 = bottleneck(
        "电控芯片依赖进口", w.chain, "choke", fgw, 100, node=w.up_b, description="车规级MCU"
    )
    w.b2_ = bottleneck("电机产能不足", w.chain, "blockage", kjj, 50, "in_hand", node=w.up_a)
    w.b3 = bottleneck(
        "电芯隔膜缺失",
        w.sub,
        "break",
        fgw,
        -200,
        "resolved",
        node=w.sub_a,
        resolved_on=today - dt.timedelta(days=100),
    )
    w.b4 = bottleneck("整车物流受阻", w.chain, "blockage", zbc, -10, node=w.mid_a)
    bottleneck("针纺染整瓶颈", w.other, "choke", fgw, -10)

    def prospect(name, chain, province, city_name, nodes, **fields):
        p = Prospect.objects.create(
            chain=chain, name=name, province=province, city=city_name, **fields
        )
        p.nodes.set(nodes)
        return p

    w.pr1 = prospect(
        "深圳电驱动科技有限公司",
        w.chain,
        "广东省",
        "深圳市",
        [w.up_a],
        size_class="large",
        revenue=D(1_000_000_000),
        products="驱动电机",
        source="expo",
        stage="signed",
        stage_on=today - dt.timedelta(days=20),
    )
    w.pr2 = prospect(
        "宁波电控系统有限公司",
        w.chain,
        "浙江省",
        "宁波市",
        [w.mid_a, w.up_b],
        size_class="medium",
        revenue=D(2_000_000_000),
        products="电控系统",
        source="chamber",
        stage="lead",
        stage_on=today - dt.timedelta(days=60),
    )
    w.pr3 = prospect(
        "合肥电芯有限公司",
        w.sub,
        "安徽省",
        "合肥市",
        [w.sub_a],
        size_class="large",
        revenue=D(5_000_000_000),
        products="方形电芯",
        source="master",
        stage="landed",
        stage_on=today - dt.timedelta(days=300),
    )
    w.pr4 = prospect(
        "常州新材料有限公司",
        w.chain,
        "江苏省",
        "常州市",
        [w.up_a],
        size_class="small",
        revenue=D(500_000_000),
        products="动力电池隔膜",
        source="data",
        stage="contact",
        stage_on=today - dt.timedelta(days=10),
    )
    w.pr6 = prospect(
        "上海电机有限公司",
        w.chain,
        "上海市",
        "上海市",
        [],
        size_class="micro",
        revenue=None,
        source="agency",
        stage="visit",
        stage_on=today - dt.timedelta(days=5),
    )
    prospect(
        "绍兴针纺有限公司",
        w.other,
        "浙江省",
        "绍兴市",
        [w.other_a],
        size_class="large",
        revenue=D(1),
        products="隔膜",
        source="expo",
        stage="lead",
        stage_on=today,
    )
    return w


@pytest.fixture
def world(city):
    return world_build(city)


@pytest.fixture
def leader(city):
    return UserFactory(username="leader", role=Role.LEADER)


def _url(chain_code: str, key: str, **params) -> str:
    url = reverse("chains:chain_list_page", args=[chain_code, key])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _label(row) -> str:
    return getattr(row, "name", None) or row.title


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [_label(row) for row in response.context["page_obj"].object_list]


# The rows of each list, as the selectors give them.


def test_key_enterprises_are_masters_above_scale_and_qualified_in_order(world, leader):
    w = world
    rows = list(selectors.key_enterprises(leader, w.chain))
    # masters first (甲 50m, 乙 20m), then by revenue (300m, 80m), then no figures
    assert [e.name for e in rows] == [w.m.name, w.m2.name, w.a.name, w.q.name, w.b2.name]
    annotations = {
        e.name: (e.is_master, e.revenue, e.revenue_before, e.tax, e.employees) for e in rows
    }
    assert annotations == {
        w.m.name: (True, D(50_000_000), D(40_000_000), D(2_000_000), 120),
        w.m2.name: (True, D(20_000_000), None, None, None),
        # a master of another chain is not a master here
        w.a.name: (False, D(300_000_000), None, D("12345678.90"), 800),
        w.q.name: (False, D(80_000_000), None, None, None),
        w.b2.name: (False, None, None, None, None),
    }
    by_name = {e.name: e for e in rows}
    assert [p.node.name for p in by_name[w.m.name].places] == ["电机", "整车"]
    # valid key qualifications only (the expired 小巨人 is left out), in the order of kind
    assert [q.kind for q in by_name[w.q.name].key_qualifications] == [
        "high_tech",
        "specialized_sme",
    ]
    assert by_name[w.m.name].key_qualifications == []


def test_key_enterprises_of_an_earlier_year(world, leader):
    rows = list(selectors.key_enterprises(leader, world.chain, 2024))
    revenue = {e.name: (e.revenue, e.revenue_before) for e in rows}
    assert revenue[world.m.name] == (D(40_000_000), None)
    assert revenue[world.a.name] == (None, None)
    # masters first (甲 40m, 乙 none), then the others by name (no revenue in 2024)
    others = sorted([world.a.name, world.q.name, world.b2.name])
    assert [e.name for e in rows] == [world.m.name, world.m2.name, *others]


def test_a_district_user_sees_only_the_key_enterprises_of_the_district(world):
    district = UserFactory(role=Role.DISTRICT, region=world.regions["360111"])
    rows = selectors.key_enterprises(district, world.chain)
    assert [e.name for e in rows] == [world.m.name, world.m2.name, world.q.name, world.b2.name]
    county = UserFactory(role=Role.DISTRICT, region=world.regions["360124"])
    assert [e.name for e in selectors.key_enterprises(county, world.chain)] == [world.a.name]
    park = UserFactory(role=Role.DISTRICT, region=world.regions["gxq"])  # gxq holds hkc
    assert [e.name for e in selectors.key_enterprises(park, world.chain)] == [
        world.m2.name,
        world.b2.name,
    ]


def test_key_projects_cover_the_chain_and_its_sub_chains(world, leader):
    w = world
    assert [p.name for p in selectors.key_projects(leader, w.chain)] == [
        w.p2.name,  # 8 亿
        w.p1.name,  # 5 亿
        w.p3.name,  # no planned investment: last
    ]
    assert [p.name for p in selectors.key_projects(leader, w.sub)] == [w.p2.name]
    district = UserFactory(role=Role.DISTRICT, region=w.regions["360124"])
    assert [p.name for p in selectors.key_projects(district, w.chain)] == [w.p3.name]


def test_key_platforms_of_the_chain_and_its_sub_chains(world):
    rows = list(selectors.key_platforms(world.chain))
    assert sorted(p.name for p in rows) == sorted([world.pl1.name, world.pl2.name, world.pl3.name])
    assert [p.name for p in selectors.key_platforms(world.sub)] == [world.pl2.name]


def test_key_platforms_are_national_first(world):
    rows = list(selectors.key_platforms(world.chain))
    assert [p.level for p in rows] == ["national", "provincial", "municipal"]


def test_key_technologies_by_deadline_with_targets_by_year(world):
    w = world
    rows = list(selectors.key_technologies(w.chain))
    assert [t.name for t in rows] == [w.t2.name, w.t1.name, w.t4.name]
    assert [(t.year, t.target) for t in rows[1].targets.all()] == [(2026, "样机"), (2027, "量产")]


def test_bottlenecks_open_first_then_in_hand_then_resolved(world):
    w = world
    # Open ones by deadline (the overdue one first), then those in hand, then resolved.
    rows = list(selectors.chain_bottlenecks(w.chain))
    assert [(b.title, b.status) for b in rows] == [
        (w.b4.title, "open"),
        (w.b1.title, "open"),
        (w.b2_.title, "in_hand"),
        (w.b3.title, "resolved"),
    ]


def test_prospects_of_the_chain_and_its_sub_chains(world):
    w = world
    rows = list(selectors.chain_prospects(w.chain))
    assert {p.name for p in rows} == {w.pr1.name, w.pr2.name, w.pr3.name, w.pr4.name, w.pr6.name}
    by_name = {p.name: p for p in rows}
    # the nodes in the order of the structure
    assert [n.name for n in by_name[w.pr2.name].nodes.all()] == ["电控", "整车"]
    assert [p.name for p in selectors.chain_prospects(w.sub)] == [w.pr3.name]


def test_prospects_follow_the_pipeline(world):
    pipeline = list(ProspectStage.values)
    stages = [pipeline.index(p.stage) for p in selectors.chain_prospects(world.chain)]
    assert stages in (sorted(stages), sorted(stages, reverse=True))


# Filters, through the web page.


FILTERS = [
    ("enterprises", {"district": ("region", "360124")}, ["a"]),
    ("enterprises", {"node": ("node", "up_a")}, ["m"]),
    # a node takes in everything below it
    ("enterprises", {"node": ("node", "up")}, ["m", "b2"]),
    ("enterprises", {"node": ("node", "sub_a")}, ["m2", "q"]),
    ("enterprises", {"kind": "master"}, ["m", "m2"]),
    ("enterprises", {"kind": "above_scale"}, ["a", "b2"]),
    ("enterprises", {"kind": "qualified"}, ["q"]),
    ("enterprises", {"q": "链主"}, ["m", "m2"]),
    ("enterprises", {"district": ("region", "360111"), "kind": "above_scale"}, ["b2"]),
    ("projects", {"project_type": "expansion"}, ["p2"]),
    ("projects", {"stage": "started"}, ["p1"]),
    ("projects", {"district": ("region", "360124")}, ["p3"]),
    ("projects", {"node": ("node", "up_a")}, ["p1"]),
    ("projects", {"q": "技改"}, ["p3"]),
    ("platforms", {"level": "national"}, ["pl1"]),
    ("platforms", {"level": "municipal"}, ["pl3"]),
    ("platforms", {"kind": "engineering_centre"}, ["pl2"]),
    ("platforms", {"node": ("node", "up_a")}, ["pl1"]),
    ("technologies", {"status": "under_way"}, ["t1"]),
    ("technologies", {"kind": "common"}, ["t2", "t4"]),
    ("technologies", {"owner": ("department", "kjj")}, ["t1"]),
    ("bottlenecks", {"kind": "blockage"}, ["b4", "b2_"]),
    ("bottlenecks", {"owner": ("department", "fgw")}, ["b1", "b3"]),
    ("bottlenecks", {"status": "open"}, ["b4", "b1"]),
    ("bottlenecks", {"kind": "choke", "owner": ("department", "fgw")}, ["b1"]),
    ("prospects", {"stage": "lead"}, ["pr2"]),
    ("prospects", {"node": ("node", "up_a")}, ["pr4", "pr1"]),
    ("prospects", {"node": ("node", "up")}, ["pr2", "pr4", "pr1"]),
    ("prospects", {"node": ("node", "sub_a")}, ["pr3"]),
    ("prospects", {"q": "隔膜"}, ["pr4"]),  # in the products
    ("prospects", {"q": "宁波"}, ["pr2"]),  # in the name
    ("prospects", {"province": "上海市"}, ["pr6"]),
    ("prospects", {"source": "master"}, ["pr3"]),
    ("prospects", {"stage": "signed", "node": ("node", "up_a")}, ["pr1"]),
]


def _params(w, spec: dict) -> dict:
    out = {}
    for name, value in spec.items():
        if isinstance(value, tuple):
            what, key = value
            if what == "region":
                value = w.regions[key].pk
            elif what == "department":
                value = w.departments[key].pk
            else:
                value = getattr(w, key).pk
        out[name] = value
    return out


def _expected(w, keys) -> list[str]:
    return [_label(getattr(w, k)) for k in keys]


@pytest.mark.parametrize("key, spec, expected", FILTERS)
def test_each_filter_narrows_the_list(client, world, leader, key, spec, expected):
    client.force_login(leader)
    response = client.get(reverse("chains:chain_list_page", args=["ev", key]), _params(world, spec))
    assert response.context["filter"].is_valid()
    assert _names(response) == _expected(world, expected)


def test_the_node_filter_offers_the_nodes_of_the_chain_and_its_sub_chains(client, world, leader):
    client.force_login(leader)
    response = client.get(_url("ev", "enterprises"))
    choices = list(response.context["filter"].filters["node"].queryset)
    assert sorted(n.name for n in choices) == sorted(
        ["上游", "电机", "电控", "中游", "整车", "电芯"]
    )


def test_the_node_choices_name_their_chain_and_depth(client, world, leader):
    client.force_login(leader)
    field = client.get(_url("ev", "enterprises")).context["filter"].form.fields["node"]
    labels = [label for value, label in field.choices if value]
    chain, sub = world.chain.name, world.sub.name
    assert labels == [
        f"{chain} · 上游",
        f"{chain} · 　电机",
        f"{chain} · 　电控",
        f"{chain} · 中游",
        f"{chain} · 　整车",
        f"{sub} · 电芯",
    ]
    # A chain without sub-chains names only the nodes.
    field = client.get(_url("ev-battery", "enterprises")).context["filter"].form.fields["node"]
    assert [label for value, label in field.choices if value] == ["电芯"]


def test_a_sub_chain_lists_only_its_own(client, world, leader):
    client.force_login(leader)
    w = world
    expected = {
        "enterprises": [w.m2.name, w.q.name],
        "projects": [w.p2.name],
        "platforms": [w.pl2.name],
        "technologies": [w.t2.name],
        "bottlenecks": [w.b3.title],
        "prospects": [w.pr3.name],
    }
    for key, names in expected.items():
        assert _names(client.get(_url("ev-battery", key))) == names, key


def test_unknown_lists_and_chains_are_not_found(client, world, leader):
    client.force_login(leader)
    assert client.get(_url("ev", "suppliers")).status_code == 404
    assert client.get(_url("nowhere", "projects")).status_code == 404


# The XLSX export.


def _unshown(value):
    """A page cell's amount ("1,234.57") as the number the export holds."""
    if isinstance(value, str) and re.fullmatch(r"-?[\d,]+\.\d+", value):
        return float(value.replace(",", ""))
    return value


def _norm(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, Decimal):
        return float(value)
    return None if value == "" else value


def _workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [tuple(_norm(v) for v in row) for row in sheet.iter_rows(values_only=True)]


def _export(client, code: str, key: str, **params):
    response = client.get(_url(code, key, format="xlsx", **params))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return response


#: The enterprises list's growth column (see test_growth_is_a_percentage).
GROWTH = 9


def expected_exports(w) -> dict[str, list[tuple]]:
    """Each list's data rows as the export must hold them (money in 万元)."""
    size = {v: zh(SizeClass(v).label) for v in SizeClass.values}
    yes = zh(gettext("Yes"))
    high_tech = zh(QualificationKind.HIGH_TECH.label)
    sme = zh(QualificationKind.SPECIALIZED_SME.label)
    choice = {
        "project_type": lambda v: zh(ProjectType(v).label),
        "stage": lambda v: zh(ProjectStage(v).label),
    }
    today = w.today

    def days(n):
        return today + dt.timedelta(days=n)

    with translation.override("zh-hans"):
        platform = {
            p.pk: (p.get_kind_display(), p.get_level_display()) for p in Platform.objects.all()
        }
        task = {
            t.pk: (t.get_kind_display(), t.get_status_display()) for t in TechTask.objects.all()
        }
        neck = {
            b.pk: (b.get_kind_display(), b.get_status_display()) for b in Bottleneck.objects.all()
        }
        prospect = {
            p.pk: (p.get_source_display(), p.get_stage_display()) for p in Prospect.objects.all()
        }
        overdue = gettext("Overdue")
    # fmt: off
    return {
        # Growth (column 9) left out: see test_growth_is_a_percentage.
        "enterprises": [
            (w.m.name, "青山湖", None, "电机、整车", yes, size["medium"], None, None,
             5000, 200, 120),
            (w.m2.name, "青山湖", "航空城", "电芯", yes, size["large"], None, None,
             2000, None, None),
            (w.a.name, "进贤", "进贤经开区", "整车", None, size["large"], yes, None,
             30000, 1234.57, 800),
            (w.q.name, "青山湖", None, "电芯", None, size["small"], None, f"{high_tech}、{sme}",
             8000, None, None),
            (w.b2.name, "青山湖", "南昌高新区", "电控", None, size["medium"], yes, None,
             None, None, None),
        ],
        "projects": [
            (w.p2.name, choice["project_type"]("expansion"), w.q.name, "动力电池", "电芯",
             "青山湖", "航空城", choice["stage"]("signed"), 80000, 0, 0, None, None, None),
            (w.p1.name, choice["project_type"]("new"), w.m.name, "新能源汽车", "电机",
             "青山湖", None, choice["stage"]("started"), 50000, 12345.68, 24.7,
             dt.date(2025, 3, 1), dt.date(2026, 12, 31), None),
            (w.p3.name, choice["project_type"]("tech_upgrade"), None, "新能源汽车", None,
             "进贤", None, choice["stage"]("approved"), None, None, None,
             dt.date(2026, 1, 15), None, None),
        ],
        "platforms": [
            (w.pl1.name, *platform[w.pl1.pk], w.a.name, "新能源汽车", "电机", 2020),
            (w.pl2.name, *platform[w.pl2.pk], "南昌大学", "动力电池", "电芯", 2022),
            (w.pl3.name, *platform[w.pl3.pk], None, "新能源汽车", None, None),
        ],
        "technologies": [
            (w.t2.name, *task[w.t2.pk][:1], "动力电池", "电芯", "装备工业处", None,
             days(30), task[w.t2.pk][1], None),
            (w.t1.name, *task[w.t1.pk][:1], "新能源汽车", "电机", "市科技局", w.a.name,
             days(200), task[w.t1.pk][1], "2026年：样机；2027年：量产"),
            (w.t4.name, *task[w.t4.pk][:1], "新能源汽车", None, None, None,
             days(400), task[w.t4.pk][1], None),
        ],
        "bottlenecks": [
            (w.b4.title, neck[w.b4.pk][0], "新能源汽车", "整车", None, "装备工业处",
             days(-10), neck[w.b4.pk][1], None, overdue),
            (w.b1.title, neck[w.b1.pk][0], "新能源汽车", "电控", "车规级MCU", "市发改委",
             days(100), neck[w.b1.pk][1], None, None),
            (w.b2_.title, neck[w.b2_.pk][0], "新能源汽车", "电机", None, "市科技局",
             days(50), neck[w.b2_.pk][1], None, None),
            (w.b3.title, neck[w.b3.pk][0], "动力电池", "电芯", None, "市发改委",
             days(-200), neck[w.b3.pk][1], days(-100), None),
        ],
        "prospects": [
            (w.pr2.name, "浙江省宁波市", "新能源汽车", "电控、整车", size["medium"], 200000,
             "电控系统", *prospect[w.pr2.pk], days(-60), None),
            (w.pr4.name, "江苏省常州市", "新能源汽车", "电机", size["small"], 50000,
             "动力电池隔膜", *prospect[w.pr4.pk], days(-10), None),
            (w.pr6.name, "上海市", "新能源汽车", None, size["micro"], None,
             None, *prospect[w.pr6.pk], days(-5), None),

            (w.pr1.name, "广东省深圳市", "新能源汽车", "电机", size["large"], 100000,
             "驱动电机", *prospect[w.pr1.pk], days(-20), None),
            (w.pr3.name, "安徽省合肥市", "动力电池", "电芯", size["large"], 500000,
             "方形电芯", *prospect[w.pr3.pk], days(-300), None),        ],
    }
    # fmt: on


@pytest.mark.parametrize("key", KEYS)
def test_every_list_exports_to_xlsx(client, world, leader, key):
    client.force_login(leader)
    spec = LISTS[key]
    before = timezone.localdate()
    response = _export(client, "ev", key)
    after = timezone.localdate()
    title = zh(spec.title)
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert disposition.split("''", 1)[1] in {
        f"新能源汽车_{title}_{day:%Y%m%d}.xlsx" for day in (before, after)
    }
    rows = _workbook_rows(response.content)
    caption = rows[0][0]
    assert "新能源汽车" in caption and title in caption
    assert before.isoformat() in caption or after.isoformat() in caption
    assert all(v is None for v in rows[0][1:])
    assert list(rows[1]) == [zh(c.header) for c in spec.columns]
    data = rows[2:]
    if key == "enterprises":
        data = [row[:GROWTH] + row[GROWTH + 1 :] for row in data]
    expected = [tuple(_norm(v) for v in row) for row in expected_exports(world)[key]]
    assert data == expected
    # the web page shows the same values
    page = client.get(_url("ev", key))
    table = [
        tuple(_norm(_unshown(value)) for value, _link, _num in row) for row in page.context["table"]
    ]
    assert table == rows[2:]
    # amounts with thousands separators
    if key == "projects":
        assert page.context["table"][1][8][0] == "50,000.00"


def test_money_is_written_as_numbers_and_dates_as_dates(client, world, leader):
    client.force_login(leader)
    sheet = load_workbook(io.BytesIO(_export(client, "ev", "projects").content)).worksheets[0]
    p1 = list(sheet[4])
    assert p1[0].value == world.p1.name
    assert p1[8].data_type == "n" and p1[8].value == 50000
    assert p1[9].data_type == "n" and p1[9].value == pytest.approx(12345.68)
    assert p1[11].is_date and p1[11].value.date() == dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    "key, params, expected",
    [
        ("enterprises", {"kind": "master"}, ["m", "m2"]),
        ("enterprises", {"district": ("region", "360124")}, ["a"]),
        ("projects", {"stage": "signed"}, ["p2"]),
        ("platforms", {"level": "provincial"}, ["pl2"]),
        ("technologies", {"owner": ("department", "zbc")}, ["t2"]),
        ("bottlenecks", {"status": "resolved"}, ["b3"]),
        ("prospects", {"stage": "lead"}, ["pr2"]),
    ],
)
def test_filters_apply_to_the_export(client, world, leader, key, params, expected):
    client.force_login(leader)
    response = _export(client, "ev", key, **_params(world, params))
    assert [row[0] for row in _workbook_rows(response.content)[2:]] == _expected(world, expected)


def test_growth_is_a_percentage(client, world, leader):
    client.force_login(leader)
    rows = _workbook_rows(_export(client, "ev", "enterprises").content)
    assert rows[1][GROWTH] == zh(LISTS["enterprises"].columns[GROWTH].header)
    growth = {row[0]: row[GROWTH] for row in rows[2:]}
    # 甲: 50m in 2025 against 40m in 2024: +25.0 %
    assert growth[world.m.name] == 25.0


def _official_column(client, key: str, name: str):
    rows = _workbook_rows(_export(client, "ev", key).content)
    column = rows[1].index(zh(LISTS[key].columns[-1].header))
    return {row[0]: row[column] for row in rows[2:]}[name]


def test_the_projects_export_names_the_responsible_official(client, world, leader):
    Project.objects.filter(pk=world.p1.pk).update(official=world.officer)
    client.force_login(leader)
    assert _official_column(client, "projects", world.p1.name) == "王建华"


def test_the_prospects_export_names_the_responsible_official(client, world, leader):
    Prospect.objects.filter(pk=world.pr1.pk).update(official=world.officer)
    client.force_login(leader)
    assert _official_column(client, "prospects", world.pr1.name) == "王建华"


# Query counts.


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class Grower:
    """Adds rows to every list of a chain, each with everything its columns show."""

    def __init__(self, chain: Chain, city, officer):
        self.chain, self.city, self.officer = chain, city, officer
        self.nodes = [_node(chain, f"{chain.code}-{n}", "upstream", n, None) for n in range(3)]
        self.count = 0

    def _enterprise(self, **fields):
        self.count += 1
        fields.setdefault("park", self.city.regions["hkc"])
        return EnterpriseFactory(name=f"{self.chain.code}企业{self.count}", **fields)

    def enterprises(self, n):
        for i in range(n):
            e = self._enterprise(above_scale=i % 2 == 0, size_class="medium")
            for node in self.nodes[:2]:
                EnterpriseNode.objects.create(enterprise=e, node=node)
            AnnualFigure.objects.create(enterprise=e, year=2025, revenue=D(1000 + i), tax=D(1))
            AnnualFigure.objects.create(enterprise=e, year=2024, revenue=D(900 + i))
            Qualification.objects.create(
                enterprise=e, kind="high_tech", issued_on=dt.date(2020, 1, 1)
            )
            Qualification.objects.create(
                enterprise=e, kind="little_giant", issued_on=dt.date(2020, 1, 1)
            )
            if i % 3 == 0:
                self.chain.masters.add(e)

    def projects(self, n):
        for i in range(n):
            self.count += 1
            Project.objects.create(
                name=f"项目{self.count}",
                project_type="new",
                enterprise=self._enterprise(),
                chain=self.chain,
                node=self.nodes[i % 3],
                district=self.city.regions["360111"],
                park=self.city.regions["hkc"],
                planned_investment=D(1_000_000 * (i + 1)),
                completed_investment=D(1000),
                official=self.officer,
            )

    def platforms(self, n):
        for i in range(n):
            self.count += 1
            Platform.objects.create(
                chain=self.chain,
                node=self.nodes[i % 3],
                name=f"平台{self.count}",
                kind="key_lab",
                level="national",
                enterprise=self._enterprise(),
                recognised_in=2020,
            )

    def technologies(self, n):
        for i in range(n):
            self.count += 1
            task = TechTask.objects.create(
                chain=self.chain,
                node=self.nodes[i % 3],
                name=f"技术{self.count}",
                kind="key",
                owner=self.city.departments["kjj"],
                enterprise=self._enterprise(),
                deadline=dt.date(2027, 1, 1),
            )
            TechTarget.objects.create(task=task, year=2026, target="样机")
            TechTarget.objects.create(task=task, year=2027, target="量产")

    def bottlenecks(self, n):
        for i in range(n):
            self.count += 1
            Bottleneck.objects.create(
                chain=self.chain,
                node=self.nodes[i % 3],
                title=f"瓶颈{self.count}",
                kind="choke",
                owner=self.city.departments["fgw"],
                deadline=dt.date(2027, 1, 1),
            )

    def prospects(self, n):
        for i in range(n):
            self.count += 1
            p = Prospect.objects.create(
                chain=self.chain,
                name=f"目标{self.count}",
                province="广东省",
                city="深圳市",
                size_class="large",
                revenue=D(10**9 + i),
                products="隔膜",
                source="expo",
                stage="contact",
                stage_on=dt.date(2026, 1, 1),
                official=self.officer,
                enterprise=self._enterprise(),
            )
            p.nodes.set(self.nodes[:2])

    def fields(self, n):
        for _ in range(n):
            self.count += 1
            field = ApplicationField.objects.create(chain=self.chain, name=f"领域{self.count}")
            field.nodes.set(self.nodes[1:])

    def purchases(self, n):
        for i in range(n):
            master = self._enterprise(above_scale=True)
            EnterpriseNode.objects.create(enterprise=master, node=self.nodes[2])
            AnnualFigure.objects.create(enterprise=master, year=2025, revenue=D(10**8))
            self.chain.masters.add(master)
            SupplierRelation.objects.create(
                customer=master,
                supplier=self._enterprise(),
                node=self.nodes[i % 3],
                year=2025,
                amount=D(100),
            )
            SupplierRelation.objects.create(
                customer=master,
                supplier_name="外地供应商",
                node=self.nodes[0],
                year=2025,
                amount=D(300),
            )


@pytest.mark.parametrize("key", KEYS)
def test_list_query_counts_do_not_grow_with_the_rows(client, city, leader, key):
    officer = UserFactory(role=Role.OFFICER, display_name="李晓明")
    grower = Grower(Chain.objects.create(code="qc", name="查询链"), city, officer)
    client.force_login(leader)
    getattr(grower, key)(2)
    page, export = (
        _queries(client, _url("qc", key)),
        _queries(client, _url("qc", key, format="xlsx")),
    )
    getattr(grower, key)(6)
    page_rows = client.get(_url("qc", key)).context["page_obj"].object_list
    assert len(page_rows) == 8
    assert _queries(client, _url("qc", key)) == page
    assert _queries(client, _url("qc", key, format="xlsx")) == export


def test_chain_page_query_count_does_not_grow_with_its_material(client, city, leader):
    officer = UserFactory(role=Role.OFFICER, display_name="李晓明")
    chain = Chain.objects.create(code="qc", name="查询链")
    grower = Grower(chain, city, officer)
    SupplyLink.objects.create(chain=chain, supplier=grower.nodes[0], customer=grower.nodes[1])
    client.force_login(leader)
    url = reverse("chains:chain_detail", args=["qc"])
    growth = ("enterprises", "projects", "platforms", "technologies", "bottlenecks")
    growth += ("prospects", "fields", "purchases")
    for name in growth:
        getattr(grower, name)(1)
    client.get(url)  # the chain's snapshot of 2025 is stored (then updated, not inserted)
    versions.changed()
    # The first view after a change computes the chain's snapshot, the next read it.
    small = (_queries(client, url), _queries(client, url))
    assert small[1] < small[0]
    for name in growth:
        getattr(grower, name)(3)
    cold = _queries(client, url)
    page = client.get(url)
    # 2 masters among the enterprises (the 1st of each batch), 4 buying ones
    assert len(page.context["local_supply"].masters) == 6
    roadmap = page.context["maps"]["roadmap"]["rows"]
    assert sum(len(r["tasks"]) for r in roadmap) == sum(len(r["platforms"]) for r in roadmap) == 4
    assert len(page.context["maps"]["application"]["fields"]) == 4
    assert (cold, _queries(client, url)) == small


# Who reads the lists (chain_scope): every official reads every chain; enterprise users
# read none; the rows of the enterprises and projects lists follow the archive's scope.

EVERYTHING = {
    "enterprises": ["m", "m2", "a", "q", "b2"],
    "projects": ["p2", "p1", "p3"],
}
OWN = {
    "platforms": ["pl1", "pl2", "pl3"],
    "technologies": ["t2", "t1", "t4"],
    "bottlenecks": ["b4", "b1", "b2_", "b3"],
    "prospects": ["pr2", "pr4", "pr6", "pr1", "pr3"],
}
ROLES = {
    Role.LEADER: EVERYTHING,
    Role.STAFF: EVERYTHING,
    Role.DEPARTMENT: EVERYTHING,
    Role.CHAIN_OFFICE: EVERYTHING,
    Role.ADMIN: EVERYTHING,
    # district 青山湖 (360111): not 进贤's enterprise a nor project p3
    Role.DISTRICT: {"enterprises": ["m", "m2", "q", "b2"], "projects": ["p2", "p1"]},
    # the officer serves 甲 only
    Role.OFFICER: {"enterprises": ["m"], "projects": ["p1"]},
    Role.ENTERPRISE: None,
}


def _user_for(w, role):
    fields = {"role": role}
    if role == Role.DISTRICT:
        fields["region"] = w.regions["360111"]
    elif role == Role.DEPARTMENT:
        fields["department"] = w.departments["rsj"]
    elif role == Role.ENTERPRISE:
        fields["enterprise"] = w.m
    elif role == Role.OFFICER:
        return w.officer
    return UserFactory(username=f"as-{role}", **fields)


@pytest.mark.parametrize("role", list(ROLES))
def test_who_reads_the_lists(client, world, role):
    assert set(ROLES) == set(Role.values)
    client.force_login(_user_for(world, role))
    expected = ROLES[role]
    for key in KEYS:
        page = client.get(_url("ev", key))
        export = client.get(_url("ev", key, format="xlsx"))
        if expected is None:
            assert page.status_code == 404 and export.status_code == 404, key
            assert world.m.name not in page.content.decode()
            continue
        names = _expected(world, expected.get(key, OWN.get(key)))
        assert _names(page) == names, key
        assert sorted(row[0] for row in _workbook_rows(export.content)[2:]) == sorted(names)
    detail = client.get(reverse("chains:chain_detail", args=["ev"]))
    assert detail.status_code == (404 if expected is None else 200)


def test_anonymous_users_are_sent_to_log_in(client, world):
    for key in KEYS:
        response = client.get(_url("ev", key, format="xlsx"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_wrong_filters_find_nothing_and_say_what_is_wrong(client, world, leader):
    client.force_login(leader)
    page = client.get(_url("ev", "prospects", stage="bogus"))
    assert page.context["table"] == []
    assert "bogus" in page.content.decode()
    export = client.get(_url("ev", "prospects", stage="bogus", format="xlsx"))
    assert export.status_code == 400
    assert zh(ProspectFilterSet.base_filters["stage"].label) in export.content.decode()
    api = client.get("/api/v1/chains/ev/lists/prospects?stage=bogus")
    assert api.status_code == 422
    assert "stage" in api.json()["detail"]
