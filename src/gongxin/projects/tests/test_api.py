"""The key projects API at /api/v1/projects: the list with its filters, one project with
its stages, months, milestones, health reasons and demands; create, change, delete;
stages, months and milestones reported; statistics. Every endpoint for every role (401
anonymous, 404 out of scope, 403 a change not yours, 422 a bad value naming the field),
and the list's query count pinned whatever the number of projects.

District A (360111) hosts the zone gxq, which holds the park hkc; enterprise `a` lies in
A (park hkc) and is served by `officer`; `b` in district B (360124, park jxq).

    project  enterprise  district  park  official  type          stages / months
    pa       a           A         hkc   officer   new           started, completion late
    pb       b           B         jxq   —         new           none
    pc       —           A         —     —         tech_upgrade  none
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, User
from gongxin.core.tests.clock import NANCHANG, TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.module_data import built_for_module
from gongxin.demands.models import Demand
from gongxin.demands.services import demand_register
from gongxin.enterprises.tests.helpers import DISTRICT_A, DISTRICT_B, World, world_build
from gongxin.projects import services
from gongxin.projects.models import Milestone, Project, ProjectMonth, ProjectStep
from gongxin.projects.progress import previous_month

API = "/api/v1/projects"
M1 = previous_month(TODAY)  # last month
M2 = previous_month(M1)
NEXT = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)

#: Every signed-in role of the world, and who reads which project.
ROLES = (
    "leader",
    "staff",
    "admin",
    "department",
    "district_a",
    "district_b",
    "park",
    "officer",
    "enterprise",
    "enterprise_b",
)
READS = {
    "leader": {"pa", "pb", "pc"},
    "staff": {"pa", "pb", "pc"},
    "admin": {"pa", "pb", "pc"},
    "department": {"pa", "pb", "pc"},
    "district_a": {"pa", "pc"},
    "district_b": {"pb"},
    "park": {"pa"},  # the zone gxq holds the park hkc
    "officer": {"pa"},  # serves a
    "enterprise": {"pa"},
    "enterprise_b": {"pb"},
}


# The world -------------------------------------------------------------------------------


@dataclass
class Scene:
    world: World
    chain: Chain
    node: ChainNode
    other_node: ChainNode  # on another chain
    pa: Project
    pb: Project
    pc: Project
    demand: Demand  # a's, about pa, not dispatched yet

    def user(self, name: str) -> User:
        return self.world.users[name]


def scene_build(world: World) -> Scene:
    regions = world.city.regions
    world.users["enterprise_b"] = UserFactory(
        username="enterprise_b", role=Role.ENTERPRISE, enterprise=world.b
    )
    chain = Chain.objects.create(code="t-ev", name="测试新能源汽车产业链")
    other = Chain.objects.create(code="t-tx", name="测试现代针纺产业链")
    node = ChainNode.objects.create(chain=chain, name="动力电池", segment="midstream", kind="part")
    other_node = ChainNode.objects.create(
        chain=other, name="纺纱", segment="upstream", kind="material"
    )
    pa = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "航空零部件智能工厂",
            "project_type": "new",
            "level": "province",
            "content": "新建厂房两万平方米",
            "enterprise": world.a,
            "node": node,
            "planned_investment": Decimal("1000000"),
            "equipment_planned": Decimal("300000"),
            "official": world.users["officer"],
        },
        steps={
            "signed": (None, TODAY - dt.timedelta(days=200)),
            "approved": (None, TODAY - dt.timedelta(days=150)),
            "started": (TODAY - dt.timedelta(days=100), TODAY - dt.timedelta(days=95)),
            "completed": (TODAY - dt.timedelta(days=10), None),
        },
    )
    for month, completed, equipment in ((M2, "200000", "50000"), (M1, "200000", "0")):
        services.month_save(
            actor=None,
            project=pa,
            month=month,
            data={
                "planned": Decimal("200000"),
                "completed": Decimal(completed),
                "equipment": Decimal(equipment),
                "progress": "主体结构施工",
            },
        )
    services.month_save(actor=None, project=pa, month=NEXT, data={"planned": Decimal("100000")})
    services.milestone_save(
        actor=None,
        project=pa,
        milestone=None,
        data={
            "title": "环评批复",
            "due_on": TODAY - dt.timedelta(days=120),
            "note": "市生态环境局",
        },
    )
    pb = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "医用敷料扩产",
            "project_type": "new",
            "enterprise": world.b,
            "chain": other,
            "planned_investment": Decimal("2000000"),
        },
    )
    pc = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "园区标准厂房技改",
            "project_type": "tech_upgrade",
            "level": "district",
            "district": regions[DISTRICT_A],
            "planned_investment": Decimal("500000"),
        },
    )
    demand = demand_register(
        actor=None,
        enterprise=world.a,
        title="项目电力增容",
        text="智能工厂投产前需要电力增容，请协调供电公司。",
        source="phone",
        project=pa,
    )
    return Scene(world, chain, node, other_node, pa, pb, pc, demand)


@pytest.fixture(scope="module")
def _module_scene(django_db_setup, django_db_blocker):
    from gongxin.core.tests.factories import city_load

    yield from built_for_module(django_db_blocker, lambda: scene_build(world_build(city_load())))


@pytest.fixture
def scene(_module_scene, db) -> Scene:
    return _module_scene


def api(scene: Scene, name: str, *, token: bool = False) -> Client:
    """A client for `name` (anonymous: signed out) with the session or a bearer token,
    answering in English."""
    client = scene.world.api_client(name) if token else scene.world.client(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def send(client: Client, method: str, url: str, data=None):
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, data=data, content_type="application/json")


def names(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {p["name"] for p in response.json()["items"]}


def project_named(short: str) -> str:
    return {"pa": "航空零部件智能工厂", "pb": "医用敷料扩产", "pc": "园区标准厂房技改"}[short]


# Who may do what --------------------------------------------------------------------------


def _create_body(scene: Scene) -> dict:
    return {
        "name": "新建电池包产线",
        "project_type": "smart_factory",
        "district": DISTRICT_A,
        "park": "hkc",
        "planned_investment": "8000000.50",
    }


def _milestone_url(scene: Scene) -> str:
    return f"{API}/{scene.pa.pk}/milestones/{scene.pa.milestones.get().pk}"


#: endpoint: (method, url, body)
ENDPOINTS = {
    "list": ("get", lambda s: API, None),
    "statistics": ("get", lambda s: f"{API}/statistics?by=district", None),
    "detail": ("get", lambda s: f"{API}/{s.pa.pk}", None),
    "create": ("post", lambda s: API, _create_body),
    "patch": ("patch", lambda s: f"{API}/{s.pa.pk}", lambda s: {"name": "航空零部件智能工厂二期"}),
    "delete": ("delete", lambda s: f"{API}/{s.pa.pk}", None),
    "steps": (
        "put",
        lambda s: f"{API}/{s.pa.pk}/steps",
        lambda s: [{"stage": "signed", "reached_on": str(TODAY - dt.timedelta(days=200))}],
    ),
    "month": (
        "put",
        lambda s: f"{API}/{s.pa.pk}/months/{M1:%Y-%m}",
        lambda s: {"planned": "200000", "completed": "180000", "equipment": "10000"},
    ),
    "milestone_create": (
        "post",
        lambda s: f"{API}/{s.pa.pk}/milestones",
        lambda s: {"title": "设备进场", "due_on": str(TODAY + dt.timedelta(days=30))},
    ),
    "milestone_patch": ("patch", _milestone_url, lambda s: {"done_on": str(TODAY)}),
    "milestone_delete": ("delete", _milestone_url, None),
}

_EDIT = {"staff": 200, "admin": 200, "district_a": 200, "park": 200}
_OUT = {"district_b": 404, "enterprise_b": 404}
_REPORT = {**_EDIT, "officer": 200, "enterprise": 200}


def _expect(ok: dict[str, int], default: int) -> dict[str, int]:
    return {role: ok.get(role, _OUT.get(role, default)) for role in ROLES}


EXPECTED: dict[str, dict[str, int]] = {
    "list": dict.fromkeys(ROLES, 200),
    "statistics": dict.fromkeys(ROLES, 200),
    "detail": _expect(dict.fromkeys(READS, 200) | dict.fromkeys(_OUT, 404), 200),
    # registering: division staff anywhere, district and park staff in their area
    "create": {
        **dict.fromkeys(ROLES, 403),
        "staff": 201,
        "admin": 201,
        "district_a": 201,
        "park": 201,
        "district_b": 422,  # not its area
    },
    "patch": _expect(_EDIT, 403),
    "delete": _expect(dict.fromkeys(_EDIT, 204), 403),
    # reporting: besides those who edit, the responsible official and the owner enterprise
    "steps": _expect(_REPORT, 403),
    "month": _expect(_REPORT, 403),
    "milestone_create": _expect(dict.fromkeys(_REPORT, 201), 403),
    "milestone_patch": _expect(_REPORT, 403),
    "milestone_delete": _expect(dict.fromkeys(_REPORT, 204), 403),
}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_anonymous_callers_get_401(scene, endpoint):
    method, url, body = ENDPOINTS[endpoint]
    response = send(Client(), method, url(scene), body(scene) if body else None)
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint, role", [(e, r) for e in sorted(ENDPOINTS) for r in ROLES])
def test_every_endpoint_for_every_role(scene, endpoint, role):
    assert set(EXPECTED) == set(ENDPOINTS)
    method, url, body = ENDPOINTS[endpoint]
    response = send(api(scene, role), method, url(scene), body(scene) if body else None)
    expected = EXPECTED[endpoint][role]
    assert response.status_code == expected, (endpoint, role, response.content[:300])
    if expected == 403:
        assert "may not" in response.json()["detail"]


def test_a_bearer_token_is_enough(scene):
    response = api(scene, "enterprise", token=True).get(API)
    assert names(response) == {project_named("pa")}


# The list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_keeps_to_the_scope(scene, role):
    assert names(api(scene, role).get(API)) == {project_named(p) for p in READS[role]}


def test_a_list_item_says_what_the_list_shows(scene):
    body = api(scene, "staff").get(API).json()
    assert body["count"] == 3
    assert [p["name"] for p in body["items"]] == [  # biggest investment first
        project_named("pb"),
        project_named("pa"),
        project_named("pc"),
    ]
    pa = next(p for p in body["items"] if p["id"] == scene.pa.pk)
    a, officer = scene.world.a, scene.user("officer")
    assert pa == {
        "id": scene.pa.pk,
        "code": f"XM{TODAY.year}-0001",
        "name": "航空零部件智能工厂",
        "project_type": "new",
        "project_type_label": "New build",
        "level": "province",
        "level_label": "Provincial key project",
        "enterprise": {"id": a.pk, "name": a.name},
        "chain": "t-ev",  # from the node
        "chain_name": "测试新能源汽车产业链",
        "node": scene.node.pk,
        "node_name": "动力电池",
        "district": DISTRICT_A,  # from the enterprise
        "district_name": a.district.name,
        "park": "hkc",
        "park_name": a.park.name,
        "planned_investment": "1000000.00",
        "completed_investment": "400000.00",  # the months' sum
        "equipment_planned": "300000.00",
        "equipment_completed": "50000.00",
        "stage": "started",
        "stage_label": "Construction started",
        "start_planned": str(TODAY - dt.timedelta(days=100)),
        "end_planned": str(TODAY - dt.timedelta(days=10)),
        "started_on": str(TODAY - dt.timedelta(days=95)),
        "completed_on": None,
        "health": "yellow",  # completion 10 days late
        "health_label": "Slipping",
        "health_on": str(TODAY),
        "official": "officer",
        "official_name": str(officer),
    }
    pc = next(p for p in body["items"] if p["id"] == scene.pc.pk)
    assert (pc["enterprise"], pc["chain"], pc["node"], pc["park"], pc["official"]) == (
        None,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"pa", "pb", "pc"}),
        ("q=智能工厂", {"pa"}),
        ("q=敷料", {"pb"}),
        (f"q=XM{TODAY.year}-0003", {"pc"}),
        ("q=青山湖航空", {"pa"}),  # the enterprise's name
        ("project_type=tech_upgrade", {"pc"}),
        ("level=province", {"pa"}),
        ("level=city", {"pb"}),
        ("stage=started", {"pa"}),
        ("stage=signed", {"pb", "pc"}),
        ("health=yellow", {"pa"}),
        ("health=green", {"pb", "pc"}),
        ("chain=t-ev", {"pa"}),
        ("chain=t-tx", {"pb"}),
        (f"district={DISTRICT_A}", {"pa", "pc"}),
        (f"district={DISTRICT_B}", {"pb"}),
        ("park=hkc", {"pa"}),
        (f"district={DISTRICT_A}&project_type=new", {"pa"}),
    ],
)
def test_the_list_filters(scene, query, expected):
    assert names(api(scene, "staff").get(f"{API}?{query}")) == {project_named(p) for p in expected}


def test_filters_do_not_widen_the_scope(scene):
    client = api(scene, "district_a")
    assert names(client.get(f"{API}?district={DISTRICT_B}")) == set()
    assert names(client.get(f"{API}?chain=t-tx")) == set()


def test_the_list_sorts(scene):
    body = api(scene, "staff").get(f"{API}?sort=planned").json()
    assert [p["id"] for p in body["items"]] == [scene.pc.pk, scene.pa.pk, scene.pb.pk]


@pytest.mark.parametrize(
    "query, field",
    [
        ("health=purple", "health"),
        ("stage=dreaming", "stage"),
        ("project_type=castle", "project_type"),
        ("level=galactic", "level"),
        ("chain=nope", "chain"),
        ("district=999999", "district"),
        ("park=nope", "park"),
        ("sort=colour", "sort"),
    ],
)
def test_a_bad_filter_value_is_a_422_naming_it(scene, query, field):
    for url in (f"{API}?{query}", f"{API}/statistics?{query}"):
        response = api(scene, "staff").get(url)
        assert response.status_code == 422, url
        assert field in response.json()["detail"]


def test_the_list_pages_by_50(scene):
    grow(scene, 0, 60)
    client = api(scene, "staff")
    first, second = client.get(API).json(), client.get(f"{API}?page=2").json()
    assert first["count"] == second["count"] == 63
    assert (len(first["items"]), len(second["items"])) == (50, 13)
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}


# One project ------------------------------------------------------------------------------


def test_the_detail_shows_stages_months_milestones_reasons_and_demands(scene):
    body = api(scene, "staff").get(f"{API}/{scene.pa.pk}").json()
    assert body["content"] == "新建厂房两万平方米"
    assert body["steps"] == [
        {"stage": "signed", "label": "Signed", "planned_on": None, "reached_on": _ago(200)},
        {"stage": "approved", "label": "Approved", "planned_on": None, "reached_on": _ago(150)},
        {
            "stage": "started",
            "label": "Construction started",
            "planned_on": _ago(100),
            "reached_on": _ago(95),
        },
        {
            "stage": "completed",
            "label": "Construction completed",
            "planned_on": _ago(10),
            "reached_on": None,
        },
        {"stage": "producing", "label": "In production", "planned_on": None, "reached_on": None},
        {
            "stage": "at_capacity",
            "label": "At full capacity",
            "planned_on": None,
            "reached_on": None,
        },
    ]
    assert body["months"] == [
        {
            "month": f"{M2:%Y-%m}",
            "planned": "200000.00",
            "completed": "200000.00",
            "equipment": "50000.00",
            "progress": "主体结构施工",
            "planned_total": "200000.00",
            "completed_total": "200000.00",
        },
        {
            "month": f"{M1:%Y-%m}",
            "planned": "200000.00",
            "completed": "200000.00",
            "equipment": "0.00",
            "progress": "主体结构施工",
            "planned_total": "400000.00",
            "completed_total": "400000.00",
        },
        {
            "month": f"{NEXT:%Y-%m}",
            "planned": "100000.00",
            "completed": None,
            "equipment": None,
            "progress": "",
            "planned_total": "500000.00",
            "completed_total": "400000.00",
        },
    ]
    milestone = scene.pa.milestones.get()
    assert body["milestones"] == [
        {
            "id": milestone.pk,
            "title": "环评批复",
            "due_on": _ago(120),
            "done_on": None,
            "note": "市生态环境局",
        }
    ]
    assert body["reasons"] == [
        {
            "health": "yellow",
            "reason": f"Construction completed planned for {_ago(10)}, 10 days late",
        }
    ]
    assert body["demands"] == [
        {"id": scene.demand.pk, "title": "项目电力增容", "status": scene.demand.status}
    ]
    assert (body["can_edit"], body["can_report"]) == (True, True)


@pytest.mark.parametrize(
    "role, can_edit, can_report, sees_demand",
    [
        ("staff", True, True, True),
        ("leader", False, False, True),
        ("department", False, False, False),  # not dispatched to it
        ("district_a", True, True, True),
        ("park", True, True, True),
        ("officer", False, True, True),
        ("enterprise", False, True, True),
    ],
)
def test_the_detail_says_what_the_reader_may_do_and_see(
    scene, role, can_edit, can_report, sees_demand
):
    body = api(scene, role).get(f"{API}/{scene.pa.pk}").json()
    assert (body["can_edit"], body["can_report"]) == (can_edit, can_report)
    assert [d["id"] for d in body["demands"]] == ([scene.demand.pk] if sees_demand else [])


def test_a_project_that_does_not_exist_is_a_404(scene):
    client = api(scene, "staff")
    assert client.get(f"{API}/999999").status_code == 404
    assert send(client, "patch", f"{API}/999999", {"name": "x"}).status_code == 404
    assert client.delete(f"{API}/999999").status_code == 404


def _ago(days: int) -> str:
    return str(TODAY - dt.timedelta(days=days))


# Create, change, delete ------------------------------------------------------------------


def test_a_project_is_created_with_its_stages_and_numbered(scene):
    data = {
        "name": "电池包智能产线",
        "project_type": "smart_factory",
        "enterprise": scene.world.a.uscc,
        "chain": "t-ev",
        "node": scene.node.pk,
        "planned_investment": "12345678.90",
        "equipment_planned": "5000000",
        "official": "officer",
        "steps": [
            {"stage": "signed", "reached_on": _ago(30)},
            {"stage": "started", "planned_on": str(TODAY + dt.timedelta(days=60))},
        ],
    }
    response = send(api(scene, "staff"), "post", API, data)
    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert body["code"] == project.code == f"XM{TODAY.year}-0004"
    assert (body["district"], body["park"]) == (DISTRICT_A, "hkc")  # the enterprise's
    assert (body["planned_investment"], body["equipment_planned"]) == ("12345678.90", "5000000.00")
    assert project.planned_investment == Decimal("12345678.90")
    assert body["start_planned"] == str(TODAY + dt.timedelta(days=60))
    assert [s["reached_on"] for s in body["steps"] if s["stage"] == "signed"] == [_ago(30)]
    assert body["official"] == "officer" and body["enterprise"]["id"] == scene.world.a.pk
    entry = AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(project.pk)).get()
    assert entry.actor == scene.user("staff")


def test_a_code_given_is_kept_and_an_enterprise_may_be_named_by_id(scene):
    data = _create_body(scene) | {"code": "ZD-2026-77", "enterprise": scene.world.a.pk}
    body = send(api(scene, "district_a"), "post", API, data).json()
    assert (body["code"], body["enterprise"]["id"]) == ("ZD-2026-77", scene.world.a.pk)


def test_a_stage_reached_today_in_nanchang_is_not_in_the_future(scene, time_machine):
    # 00:30 on 3 December in Nanchang is still 2 December in UTC
    time_machine.move_to(dt.datetime(2026, 12, 3, 0, 30, tzinfo=NANCHANG), tick=False)
    client = api(scene, "staff")
    for name, day, status in (("今日开工", "2026-12-03", 201), ("明日开工", "2026-12-04", 422)):
        steps = [{"stage": "started", "reached_on": day}]
        body = _create_body(scene) | {"name": name, "steps": steps}
        assert send(client, "post", API, body).status_code == status, (day, status)


@pytest.mark.parametrize(
    "values, field, says",
    [
        ({"project_type": "castle"}, "project_type", "not a valid choice"),
        ({"level": "galactic"}, "level", "not a valid choice"),
        ({"planned_investment": "-1"}, "planned_investment", "cannot be negative"),
        ({"equipment_planned": "-5"}, "equipment_planned", "cannot be negative"),
        ({"planned_investment": "1234567890123456789"}, "planned_investment", "digits"),
        ({"chain": "nope"}, "chain", "Unknown chain nope."),
        ({"district": "999999"}, "district", "Unknown district 999999."),
        ({"park": "nope"}, "park", "Unknown park nope."),
        ({"official": "nobody"}, "official", "Unknown official nobody."),
        ({"official": "enterprise"}, "official", "Unknown official"),  # not an official
        ({"node": 999999}, "node", "Unknown node"),
        ({"enterprise": "不存在的企业"}, "enterprise", "No enterprise in your scope"),
        ({"district": None}, "district", "cannot be null"),  # nor an enterprise to take it from
        ({"code": "x" * 41}, "code", "at most 40"),
        (
            {"steps": [{"stage": "signed"}, {"stage": "signed"}]},
            "steps",
            "Stages given twice: signed.",
        ),
        ({"steps": [{"stage": "dreaming"}]}, "steps", "Unknown stage: dreaming"),
        (
            {"steps": [{"stage": "started", "reached_on": str(TODAY + dt.timedelta(days=1))}]},
            "started",
            "cannot be reached in the future",
        ),
        (
            {
                "steps": [
                    {"stage": "signed", "planned_on": _ago(10)},
                    {"stage": "approved", "planned_on": _ago(20)},
                ]
            },
            "approved",
            "cannot come before Signed",
        ),
    ],
)
def test_a_project_with_a_bad_value_is_a_422_naming_the_field(scene, values, field, says):
    before = Project.objects.count()
    response = send(api(scene, "staff"), "post", API, _create_body(scene) | values)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in detail, detail
    assert says in " ".join(detail[field])
    assert Project.objects.count() == before


def test_the_node_must_be_on_the_chain(scene):
    data = _create_body(scene) | {"chain": "t-ev", "node": scene.other_node.pk}
    response = send(api(scene, "staff"), "post", API, data)
    assert response.status_code == 422
    assert "another chain" in response.json()["detail"]["node"][0]


def test_equipment_beyond_the_planned_investment_is_refused(scene):
    data = _create_body(scene) | {"planned_investment": "100", "equipment_planned": "200"}
    response = send(api(scene, "staff"), "post", API, data)
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "equipment_planned": ["Equipment is part of the planned investment: no more."]
    }


def test_a_missing_or_malformed_value_is_refused_by_the_schema(scene):
    client = api(scene, "staff")
    body = _create_body(scene)
    del body["name"]
    assert send(client, "post", API, body).status_code == 422
    money = _create_body(scene) | {"planned_investment": "8百万"}
    assert send(client, "post", API, money).status_code == 422


def test_an_enterprise_outside_the_district_is_not_found_for_its_staff(scene):
    data = _create_body(scene) | {"enterprise": scene.world.b.uscc}
    response = send(api(scene, "district_a"), "post", API, data)
    assert response.status_code == 422
    assert "enterprise" in response.json()["detail"]


def test_a_patch_changes_only_what_it_names(scene):
    client = api(scene, "district_a")
    response = send(
        client,
        "patch",
        f"{API}/{scene.pa.pk}",
        {"planned_investment": "1500000", "level": "city", "official": None},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["planned_investment"], body["level"], body["official"]) == (
        "1500000.00",
        "city",
        None,
    )
    assert (body["name"], body["chain"], body["enterprise"]["id"]) == (
        "航空零部件智能工厂",
        "t-ev",
        scene.world.a.pk,
    )
    project = Project.objects.get(pk=scene.pa.pk)
    assert (project.planned_investment, project.official_id) == (Decimal("1500000"), None)
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(project.pk))
    assert entry.latest("pk").actor == scene.user("district_a")


def test_a_patch_with_steps_changes_those_given(scene):
    body = send(
        api(scene, "staff"),
        "patch",
        f"{API}/{scene.pa.pk}",
        {"steps": [{"stage": "completed", "planned_on": _ago(10), "reached_on": _ago(2)}]},
    ).json()
    assert body["stage"] == "completed" and body["completed_on"] == _ago(2)
    assert body["started_on"] == _ago(95)  # kept
    assert body["health"] == "green" and body["reasons"] == []


@pytest.mark.parametrize(
    "values, field",
    [
        ({"name": None}, "name"),
        ({"planned_investment": None}, "planned_investment"),
        ({"project_type": "castle"}, "project_type"),
        ({"district": DISTRICT_B}, "district"),  # district staff move it out of their area
        ({"chain": "t-tx"}, "node"),  # its node is on the other chain
    ],
)
def test_a_bad_patch_is_a_422_naming_the_field(scene, values, field):
    response = send(api(scene, "district_a"), "patch", f"{API}/{scene.pa.pk}", values)
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert Project.objects.get(pk=scene.pa.pk).name == "航空零部件智能工厂"


def test_a_deleted_project_is_gone_and_its_demand_stays(scene):
    assert api(scene, "staff").delete(f"{API}/{scene.pa.pk}").status_code == 204
    assert not Project.objects.filter(pk=scene.pa.pk).exists()
    assert not ProjectStep.objects.filter(project_id=scene.pa.pk).exists()
    assert Demand.objects.get(pk=scene.demand.pk).project_id is None
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(scene.pa.pk)).exists()
    assert api(scene, "staff").get(f"{API}/{scene.pa.pk}").status_code == 404


# Reporting: stages, months, milestones ----------------------------------------------------


def test_put_steps_replaces_the_stages(scene):
    response = send(
        api(scene, "enterprise"),
        "put",
        f"{API}/{scene.pa.pk}/steps",
        [
            {"stage": "signed", "reached_on": _ago(200)},
            {"stage": "started", "planned_on": _ago(100), "reached_on": _ago(95)},
            {"stage": "completed", "planned_on": _ago(10), "reached_on": _ago(1)},
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    steps = {s["stage"]: (s["planned_on"], s["reached_on"]) for s in body["steps"]}
    assert steps["approved"] == (None, None)  # not given: cleared
    assert steps["completed"] == (_ago(10), _ago(1))
    assert (body["stage"], body["completed_on"], body["health"]) == (
        "completed",
        _ago(1),
        "green",
    )
    assert set(ProjectStep.objects.filter(project=scene.pa).values_list("stage", flat=True)) == {
        "signed",
        "started",
        "completed",
    }


@pytest.mark.parametrize(
    "steps, field",
    [
        ([{"stage": "signed", "reached_on": str(TODAY + dt.timedelta(days=3))}], "signed"),
        (
            [
                {"stage": "started", "reached_on": _ago(5)},
                {"stage": "completed", "reached_on": _ago(9)},
            ],
            "completed",
        ),
        ([{"stage": "dreaming"}], "steps"),
        ([{"stage": "signed"}, {"stage": "signed"}], "steps"),
    ],
)
def test_bad_steps_are_a_422_and_nothing_changes(scene, steps, field):
    response = send(api(scene, "officer"), "put", f"{API}/{scene.pa.pk}/steps", steps)
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert ProjectStep.objects.filter(project=scene.pa).count() == 4


def test_a_month_reported_updates_the_project(scene):
    client = api(scene, "enterprise")
    response = send(
        client,
        "put",
        f"{API}/{scene.pa.pk}/months/{M1:%Y-%m}",
        {"planned": "200000", "completed": "100000.5", "equipment": "20000", "progress": "封顶"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == f"{M1:%Y-%m}"
    assert (body["completed"], body["equipment"], body["progress"]) == (
        "100000.50",
        "20000.00",
        "封顶",
    )
    assert body["reported_by"] == "enterprise" and body["reported_at"]
    project = client.get(f"{API}/{scene.pa.pk}").json()
    assert (project["completed_investment"], project["equipment_completed"]) == (
        "300000.50",
        "70000.00",
    )
    assert project["health"] == "yellow"  # 75 % of plan to date, and completion late
    assert any("investment 75% of plan" in r["reason"] for r in project["reasons"])


def test_put_month_replaces_the_month(scene):
    body = send(
        api(scene, "staff"), "put", f"{API}/{scene.pa.pk}/months/{M2:%Y-%m}", {"planned": "1"}
    ).json()
    assert (body["planned"], body["completed"], body["equipment"], body["progress"]) == (
        "1.00",
        None,
        None,
        "",
    )


def test_a_new_month_is_created(scene):
    month = previous_month(M2)
    response = send(
        api(scene, "officer"),
        "put",
        f"{API}/{scene.pa.pk}/months/{month:%Y-%m}",
        {"planned": "50000", "completed": "50000"},
    )
    assert response.status_code == 200
    assert ProjectMonth.objects.filter(project=scene.pa, month=month).exists()


@pytest.mark.parametrize(
    "month, data, field",
    [
        ("2026-13", {}, "month"),
        ("202601", {}, "month"),
        ("2026-1", {}, "month"),
        ("march", {}, "month"),
        (f"{NEXT:%Y-%m}", {"completed": "10"}, "completed"),  # still to come
        (f"{M1:%Y-%m}", {"completed": "10", "equipment": "20"}, "equipment"),
        (f"{M1:%Y-%m}", {"planned": "-1"}, "planned"),
        (f"{M1:%Y-%m}", {"progress": "x" * 501}, "progress"),
    ],
)
def test_a_bad_month_is_a_422_naming_the_field(scene, month, data, field):
    response = send(api(scene, "staff"), "put", f"{API}/{scene.pa.pk}/months/{month}", data)
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert ProjectMonth.objects.filter(project=scene.pa).count() == 3


def test_milestones_are_added_changed_and_deleted(scene):
    client = api(scene, "enterprise")
    created = send(
        client,
        "post",
        f"{API}/{scene.pa.pk}/milestones",
        {"title": "设备进场", "due_on": str(TODAY + dt.timedelta(days=30)), "note": "首批"},
    )
    assert created.status_code == 201, created.content
    mid = created.json()["id"]
    assert created.json() == {
        "id": mid,
        "title": "设备进场",
        "due_on": str(TODAY + dt.timedelta(days=30)),
        "done_on": None,
        "note": "首批",
    }
    changed = send(client, "patch", f"{API}/{scene.pa.pk}/milestones/{mid}", {"done_on": _ago(0)})
    assert changed.status_code == 200
    assert (changed.json()["done_on"], changed.json()["title"]) == (_ago(0), "设备进场")
    detail = client.get(f"{API}/{scene.pa.pk}").json()
    assert [m["title"] for m in detail["milestones"]] == ["环评批复", "设备进场"]
    assert client.delete(f"{API}/{scene.pa.pk}/milestones/{mid}").status_code == 204
    assert not Milestone.objects.filter(pk=mid).exists()


def test_a_milestone_of_another_project_is_not_found(scene):
    milestone = scene.pa.milestones.get()
    client = api(scene, "staff")
    url = f"{API}/{scene.pc.pk}/milestones/{milestone.pk}"
    assert send(client, "patch", url, {"title": "x"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.delete(f"{API}/{scene.pa.pk}/milestones/999999").status_code == 404
    assert Milestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.parametrize(
    "method, data, field",
    [
        ("post", {"due_on": str(TODAY)}, None),  # no title: the schema's 422
        ("post", {"title": "x", "due_on": "someday"}, None),
        (
            "post",
            {"title": "x", "due_on": str(TODAY), "done_on": str(TODAY + dt.timedelta(1))},
            "done_on",
        ),
        ("post", {"title": "x" * 201, "due_on": str(TODAY)}, "title"),
        ("patch", {"title": None}, "title"),
        ("patch", {"due_on": None}, "due_on"),
        ("patch", {"done_on": str(TODAY + dt.timedelta(days=1))}, "done_on"),
    ],
)
def test_a_bad_milestone_is_a_422(scene, method, data, field):
    url = f"{API}/{scene.pa.pk}/milestones"
    if method == "patch":
        url += f"/{scene.pa.milestones.get().pk}"
    response = send(api(scene, "staff"), method, url, data)
    assert response.status_code == 422, response.content
    if field:
        assert field in response.json()["detail"]
    assert Milestone.objects.get(project=scene.pa).title == "环评批复"


# Statistics -------------------------------------------------------------------------------


def _sum(rows: list[dict], key: str):
    values = [Decimal(r[key]) if isinstance(r[key], str) else r[key] for r in rows]
    return sum(v for v in values if v is not None)


@pytest.mark.parametrize("by", ["type", "chain", "district", "health", "stage"])
@pytest.mark.parametrize("role", ["staff", "district_a", "enterprise", "department"])
def test_statistics_totals_are_the_sum_of_their_rows(scene, by, role):
    response = api(scene, role).get(f"{API}/statistics?by={by}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["by"] == by
    rows, total = body["rows"], body["total"]
    assert total["projects"] == len(READS[role])
    for key in ("projects", "red", "yellow", "green"):
        assert _sum(rows, key) == total[key], key
    for key in ("planned", "completed", "equipment"):
        assert _sum(rows, key) == Decimal(total[key] or 0), key


def test_statistics_by_type_and_by_district(scene):
    client = api(scene, "staff")
    by_type = client.get(f"{API}/statistics?by=type").json()
    rows = {r["key"]: r for r in by_type["rows"]}
    assert set(rows) == {"new", "tech_upgrade"}
    new = rows["new"]
    assert (new["label"], new["projects"], new["planned"], new["completed"]) == (
        "New build",
        2,
        "3000000.00",
        "400000.00",
    )
    assert (new["red"], new["yellow"], new["green"], new["share"]) == (0, 1, 1, "13.3")
    assert by_type["total"] == {
        "projects": 3,
        "planned": "3500000.00",
        "completed": "400000.00",
        "equipment": "50000.00",
        "red": 0,
        "yellow": 1,
        "green": 2,
        "share": "11.4",
    }
    by_district = client.get(f"{API}/statistics?by=district").json()
    assert {r["label"]: r["projects"] for r in by_district["rows"]} == {
        scene.world.city.regions[DISTRICT_A].name: 2,
        scene.world.city.regions[DISTRICT_B].name: 1,
    }
    by_chain = client.get(f"{API}/statistics?by=chain").json()
    assert {r["label"]: r["projects"] for r in by_chain["rows"]} == {
        "测试新能源汽车产业链": 1,
        "测试现代针纺产业链": 1,
        None: 1,
    }


def test_statistics_take_the_lists_filters(scene):
    body = api(scene, "staff").get(f"{API}/statistics?by=health&project_type=new").json()
    assert {r["key"]: r["projects"] for r in body["rows"]} == {"yellow": 1, "green": 1}
    assert body["total"]["projects"] == 2


def test_statistics_by_something_else_is_a_422(scene):
    response = api(scene, "staff").get(f"{API}/statistics?by=colour")
    assert response.status_code == 422


# Query counts -----------------------------------------------------------------------------

N = 5


def grow(scene: Scene, start: int, count: int) -> None:
    """`count` more projects of a in district A, each on the chain with a node and an
    official, so that every related record a list item shows is there."""
    regions = scene.world.city.regions
    Project.objects.bulk_create(
        Project(
            code=f"GROW-{i:04d}",
            name=f"扩产项目{i}",
            project_type="expansion",
            enterprise=scene.world.a,
            chain=scene.chain,
            node=scene.node,
            district=regions[DISTRICT_A],
            park=regions["hkc"],
            planned_investment=Decimal(1000 + i),
            official=scene.user("officer"),
        )
        for i in range(start, start + count)
    )


#: (endpoint, user): the queries of one request, whatever the number of projects.
#: Five are the session's and the user's (read, and the session written back); a district
#: reads its region, a park the region tree too; each filter by code looks the code up, and
#: the park filter reads the region tree (a zone holds the parks inside it).
PINNED = {
    ("list", "staff"): 7,
    ("list", "district_a"): 8,
    ("list", "park"): 9,
    ("list", "enterprise"): 7,
    ("list_filtered", "staff"): 11,
    ("statistics", "staff"): 7,
    ("statistics", "district_a"): 8,
}
LISTS = {
    "list": API,
    "list_filtered": f"{API}?chain=t-ev&district={DISTRICT_A}&park=hkc&q=项目&sort=-planned",
    "statistics": f"{API}/statistics?by=chain",
}


def _count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return len(queries), body.get("count", body.get("total", {}).get("projects"))


@pytest.mark.parametrize("name, user", sorted(PINNED))
def test_lists_do_not_grow_their_queries_with_the_projects(scene, name, user):
    client = api(scene, user)
    url = LISTS[name]
    grow(scene, 0, 1)  # warm-up: per-process caches are not counted
    client.get(url)
    grow(scene, 1, N - 1)
    few, few_rows = _count(client, url)
    grow(scene, N, 3 * N)
    many, many_rows = _count(client, url)
    assert many_rows > few_rows > 0
    assert few == many, (
        f"{name} as {user}: {few} queries with {few_rows} rows, {many} with {many_rows}"
    )
    assert many == PINNED[name, user], f"{name} as {user}: {many} queries"


def test_the_detail_does_not_grow_its_queries_with_months_and_milestones(scene):
    client = api(scene, "district_a")
    url = f"{API}/{scene.pa.pk}"
    client.get(url)
    few, _ = _count_detail(client, url)
    for i in range(3, 15):
        month = previous_month(previous_month(M2).replace(day=1) - dt.timedelta(days=28 * i))
        ProjectMonth.objects.get_or_create(
            project=scene.pa, month=month, defaults={"planned": Decimal(1), "completed": Decimal(1)}
        )
        Milestone.objects.create(project=scene.pa, title=f"节点{i}", due_on=TODAY)
    many, body = _count_detail(client, url)
    assert len(body["months"]) > 10 and len(body["milestones"]) > 10
    assert few == many


def _count_detail(client: Client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_schema_lists_the_project_endpoints(scene):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        API: {"get", "post"},
        f"{API}/statistics": {"get"},
        f"{API}/{{pk}}": {"get", "patch", "delete"},
        f"{API}/{{pk}}/steps": {"put"},
        f"{API}/{{pk}}/months/{{month}}": {"put"},
        f"{API}/{{pk}}/milestones": {"post"},
        f"{API}/{{pk}}/milestones/{{milestone_pk}}": {"patch", "delete"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    listed = {p["name"] for p in paths[API]["get"]["parameters"]}
    assert {"q", "project_type", "level", "stage", "health", "chain", "district", "park"} <= listed
