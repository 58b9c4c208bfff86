"""The key project pages for each kind of user: list (filters, health with its reasons,
export), project page (stages, months, milestones, issues raised), the forms and their
errors, the timeline and the statistics; scope on every page, query counts pinned."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.choices import Role
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.demands.choices import Source
from gongxin.demands.services import demand_register
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.projects import services
from gongxin.projects.choices import Health
from gongxin.projects.models import Milestone, Project, ProjectMonth

pytestmark = pytest.mark.django_db

D = Decimal


def months_ago(n: int) -> dt.date:
    day = TODAY.replace(day=1)
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(city):
    regions = city.regions
    chain = Chain.objects.create(code="ev", name="新能源汽车")
    node = ChainNode.objects.create(
        chain=chain, name="动力电池", segment="midstream", kind="component"
    )
    official = UserFactory(username="official", role=Role.OFFICER)
    ea = EnterpriseFactory(name="青山湖电池材料有限公司", district=regions["360111"])
    eb = EnterpriseFactory(name="进贤医疗器械有限公司", district=regions["360124"])
    on_track = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "动力电池扩产项目",
            "project_type": "expansion",
            "enterprise": ea,
            "node": node,
            "planned_investment": D("200000000"),
            "equipment_planned": D("80000000"),
            "official": official,
            "content": "新建两条动力电池生产线",
        },
        steps={
            "signed": (months_ago(10), months_ago(10)),
            "started": (months_ago(8), months_ago(8)),
            "completed": (TODAY + dt.timedelta(days=200), None),
        },
    )
    for n in range(1, 8):
        services.month_save(
            actor=None,
            project=on_track,
            month=months_ago(n),
            data={"planned": D("10000000"), "completed": D("10000000"), "equipment": D("3000000")},
        )
    behind = services.project_save(
        actor=None,
        project=None,
        data={
            "name": "医疗器械智能化技术改造项目",
            "project_type": "tech_upgrade",
            "enterprise": eb,
            "planned_investment": D("50000000"),
        },
        steps={"signed": (months_ago(6), months_ago(6)), "started": (months_ago(3), None)},
    )
    services.month_save(
        actor=None,
        project=behind,
        month=months_ago(1),
        data={"planned": D("5000000"), "completed": D("1000000")},
    )
    Milestone.objects.create(project=behind, title="设备进场", due_on=months_ago(2))
    demand_register(
        actor=None,
        enterprise=eb,
        title="技改项目用电增容",
        text="技改项目新增设备需要增容用电，请协调供电公司。",
        source=Source.PHONE,
        project=behind,
    )
    users = {
        "leader": UserFactory(role=Role.LEADER),
        "staff": UserFactory(role=Role.STAFF),
        "district_a": UserFactory(role=Role.DISTRICT, region=regions["360111"]),
        "district_b": UserFactory(role=Role.DISTRICT, region=regions["360124"]),
        "official": official,
        "enterprise_a": UserFactory(role=Role.ENTERPRISE, enterprise=ea),
    }
    return {"users": users, "on_track": on_track, "behind": behind, "chain": chain}


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_list_shows_health_with_its_reasons(client, world):
    login(client, world["users"]["leader"])
    response = client.get(reverse("projects:project_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "动力电池扩产项目" in text and "医疗器械智能化技术改造项目" in text
    assert "Construction started planned for" in text  # the late start of the upgrade
    assert "investment 20% of plan to date" in text
    assert Project.objects.get(pk=world["behind"].pk).health == Health.RED
    assert Project.objects.get(pk=world["on_track"].pk).health == Health.GREEN

    red = client.get(reverse("projects:project_list"), {"health": "red"}).content.decode()
    assert "医疗器械智能化技术改造项目" in red and "动力电池扩产项目" not in red
    by_chain = client.get(reverse("projects:project_list"), {"chain": "ev"}).content.decode()
    assert "动力电池扩产项目" in by_chain and "医疗器械" not in by_chain


@pytest.mark.parametrize(
    "user, seen",
    [
        ("leader", {"动力电池扩产项目", "医疗器械智能化技术改造项目"}),
        ("district_a", {"动力电池扩产项目"}),
        ("district_b", {"医疗器械智能化技术改造项目"}),
        ("official", {"动力电池扩产项目"}),  # serves no enterprise, but is responsible
        ("enterprise_a", {"动力电池扩产项目"}),
    ],
)
def test_each_user_sees_the_projects_in_scope(client, world, user, seen):
    login(client, world["users"][user])
    text = client.get(reverse("projects:project_list")).content.decode()
    assert {
        name for name in ("动力电池扩产项目", "医疗器械智能化技术改造项目") if name in text
    } == seen
    for key, name in (("on_track", "动力电池扩产项目"), ("behind", "医疗器械智能化技术改造项目")):
        response = client.get(reverse("projects:project_detail", args=[world[key].pk]))
        assert response.status_code == (200 if name in seen else 404)


def test_the_list_does_not_grow_its_queries_with_the_projects(client, world, city):
    login(client, world["users"]["leader"])
    url = reverse("projects:project_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        project = services.project_save(
            actor=None,
            project=None,
            data={
                "name": f"项目{i}",
                "project_type": "new",
                "district": city.regions["360111"],
                "planned_investment": D("1000000"),
            },
            steps={"started": (months_ago(2), months_ago(2))},
        )
        services.month_save(
            actor=None, project=project, month=months_ago(1), data={"completed": D("1000")}
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('href="/projects/') > 15
    assert len(many) == len(few)


def test_the_project_page_shows_stages_months_milestones_and_issues(client, world):
    login(client, world["users"]["district_b"])
    behind = world["behind"]
    response = client.get(reverse("projects:project_detail", args=[behind.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "days overdue" in text  # the start
    assert "设备进场" in text and "overdue" in text
    assert "技改项目用电增容" in text  # the issue raised, as a demand
    assert response.context["chart"]["completed"] == [100.0]
    assert response.context["can_edit"] and response.context["can_report"]


def test_the_responsible_official_and_the_owner_report_but_do_not_edit(client, world):
    on_track = world["on_track"]
    for user in ("official", "enterprise_a"):
        login(client, world["users"][user])
        response = client.get(reverse("projects:project_detail", args=[on_track.pk]))
        assert response.context["can_report"] and not response.context["can_edit"]
        assert client.get(reverse("projects:project_edit", args=[on_track.pk])).status_code == 403
        response = client.post(
            reverse("projects:month_save", args=[on_track.pk]),
            {"month": f"{TODAY:%Y-%m}", "planned_wan": "500", "progress": "设备安装调试"},
        )
        assert response.status_code == 302
    month = ProjectMonth.objects.get(project=on_track, month=TODAY.replace(day=1))
    assert (month.planned, month.completed, month.progress) == (D("5000000"), None, "设备安装调试")


def test_a_month_with_equipment_above_completed_is_refused_with_the_reason(client, world):
    login(client, world["users"]["staff"])
    on_track = world["on_track"]
    response = client.post(
        reverse("projects:month_save", args=[on_track.pk]),
        {"month": f"{months_ago(1):%Y-%m}", "completed_wan": "100", "equipment_wan": "300"},
        follow=True,
    )
    text = response.content.decode()
    assert "Equipment is part of the completed investment" in text
    assert ProjectMonth.objects.get(project=on_track, month=months_ago(1)).equipment == D("3000000")


def test_a_project_is_registered_with_its_stages_and_a_number(client, world, city):
    login(client, world["users"]["district_a"])
    data = {
        "name": "青山湖标准厂房建设项目",
        "project_type": "standard_building",
        "level": "district",
        "district": city.regions["360111"].pk,
        "planned_wan": "8000",
        "planned_signed": "2026-01-05",
        "reached_signed": "2026-01-05",
        "planned_started": "2026-03-01",
        "planned_completed": "2027-06-30",
    }
    response = client.post(reverse("projects:project_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(name="青山湖标准厂房建设项目")
    assert project.code == f"XM{TODAY.year}-0003"
    assert project.planned_investment == D("80000000")
    assert (project.stage, project.start_planned) == ("signed", dt.date(2026, 3, 1))
    assert project.steps.count() == 3


def test_stages_out_of_order_come_back_on_the_form(client, world, city):
    login(client, world["users"]["staff"])
    response = client.post(
        reverse("projects:project_edit", args=[world["on_track"].pk]),
        {
            "code": world["on_track"].code,
            "name": "动力电池扩产项目",
            "project_type": "expansion",
            "level": "city",
            "owner": world["on_track"].enterprise.uscc,
            "district": city.regions["360111"].pk,
            "planned_wan": "20000",
            "reached_signed": f"{months_ago(10):%Y-%m-%d}",
            "reached_started": f"{months_ago(12):%Y-%m-%d}",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "cannot come before" in str(errors["reached_started"])
    assert Project.objects.get(pk=world["on_track"].pk).started_on == months_ago(8)


def test_a_district_may_not_register_in_another_district(client, world, city):
    login(client, world["users"]["district_a"])
    response = client.post(
        reverse("projects:project_create"),
        {
            "name": "外区项目",
            "project_type": "new",
            "level": "city",
            "district": city.regions["360124"].pk,
            "planned_wan": "100",
        },
    )
    assert response.status_code == 200
    assert "in its own area" in str(response.context["form"].errors)
    assert not Project.objects.filter(name="外区项目").exists()


def test_milestones_are_added_done_and_deleted(client, world):
    login(client, world["users"]["staff"])
    on_track = world["on_track"]
    url = reverse("projects:milestone_create", args=[on_track.pk])
    client.post(url, {"title": "5G专网开通", "due_on": f"{TODAY:%Y-%m-%d}"})
    milestone = Milestone.objects.get(project=on_track)
    edit = reverse("projects:milestone_edit", args=[on_track.pk, milestone.pk])
    client.post(
        edit,
        {"title": "5G专网开通", "due_on": f"{TODAY:%Y-%m-%d}", "done_on": f"{TODAY:%Y-%m-%d}"},
    )
    assert Milestone.objects.get(pk=milestone.pk).done_on == TODAY
    client.post(edit, {"delete": "1"})
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_timeline_and_the_statistics(client, world):
    login(client, world["users"]["leader"])
    response = client.get(reverse("projects:timeline"))
    bars = response.context["chart"]["bars"]
    assert [b["name"].split(" ", 1)[1] for b in bars] == [
        "动力电池扩产项目",
        "医疗器械智能化技术改造项目",
    ]
    assert bars[0]["steps"][0] == {
        "label": "Signed",
        "planned": months_ago(10).isoformat(),
        "reached": months_ago(10).isoformat(),
    }
    for by in ("type", "chain", "district", "health", "stage"):
        response = client.get(reverse("projects:statistics"), {"by": by})
        rows, total = response.context["rows"], response.context["total"]
        assert sum(r["projects"] for r in rows) == total["projects"] == 2
        assert sum(r["planned"] for r in rows) == total["planned"] == D("250000000")
    response = client.get(reverse("projects:statistics"), {"by": "health"})
    assert {r["key"]: r["projects"] for r in response.context["rows"]} == {"red": 1, "green": 1}


def test_exports_in_chinese(client, world):
    login(client, world["users"]["leader"])
    response = client.get(reverse("projects:project_export"), {"health": "red"})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[1][:3] == ("项目编号", "项目名称", "项目类型")
    assert rows[2][1] == "医疗器械智能化技术改造项目" and rows[2][18] == "滞后"
    assert "计划" in rows[2][19]  # the reason, in Chinese
    assert len(rows) == 3
    response = client.get(reverse("projects:statistics"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按项目类型", "按产业链", "按区县", "按进度状态"]
    assert list(book["按项目类型"].values)[-1][:2] == ("合计", 2)


def test_enterprise_users_are_refused_the_exports(client, world):
    login(client, world["users"]["enterprise_a"])
    assert client.get(reverse("projects:project_export")).status_code == 403
    response = client.get(reverse("projects:statistics"), {"format": "xlsx"})
    assert response.status_code == 403
    assert client.get(reverse("projects:project_create")).status_code == 403


def test_an_issue_is_raised_for_a_project_as_a_demand(client, world):
    login(client, world["users"]["district_a"])
    on_track = world["on_track"]
    url = reverse("demands:demand_create")
    page = client.get(url, {"enterprise": on_track.enterprise.uscc, "project": on_track.pk})
    assert "动力电池扩产项目" in page.content.decode()
    response = client.post(
        url,
        {
            "enterprise": on_track.enterprise.uscc,
            "project": on_track.pk,
            "title": "扩产项目环评审批加快",
            "text": "扩产项目环评审批进度慢，请协调生态环境局加快审批。",
            "urgency": "normal",
            "source": "phone",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    demand = on_track.demands.get()
    assert (demand.title, demand.key) == ("扩产项目环评审批加快", True)
    detail = client.get(reverse("projects:project_detail", args=[on_track.pk]))
    assert "扩产项目环评审批加快" in detail.content.decode()
    # another district's project cannot be named
    other = world["behind"]
    client.post(
        url,
        {
            "enterprise": on_track.enterprise.uscc,
            "project": other.pk,
            "title": "x",
            "text": "某某诉求内容",
            "urgency": "normal",
            "source": "phone",
        },
    )
    assert not other.demands.filter(title="x").exists()
