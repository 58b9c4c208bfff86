"""The plans API at /api/v1/plans: what each endpoint answers, its 422s naming the field
(a bad filter, an unknown department code or user, a bad period), PATCH keeping what is
not sent, PUT of a report creating (201) then replacing (200); and the number of queries
of the lists, the API's and the pages', which must not grow with the plans and tasks.

The plan `shown` stands on today (the API computes standing on the real date):

    一、数字化改造
        1. 甲项工作  xxhc (official v-official)  deadline today − 10   no report    late, red
        2. 乙项工作  xxhc, co-op kjj              deadline today + 10   60%          yellow
    二、平台建设
        1. 丙项工作  zbc                          deadline today + 60   completed    green
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.plans import schedule, services
from gongxin.plans.choices import TaskStatus
from gongxin.plans.models import Plan, Report, Task

pytestmark = pytest.mark.django_db

API = "/api/v1/plans"
DUE = schedule.due_period(TODAY, "month")

SHOWN = """---
title: "南昌市数字经济重点工作推进方案"
date: 2026-01-15
author: "南昌市工业和信息化局"
number: "洪工信字〔2026〕5号"
---

## 一、数字化改造

1. 甲项工作。推进甲项工作。

2. 乙项工作。推进乙项工作，建设工业互联网平台。

## 二、平台建设

1. 丙项工作。推进丙项工作。
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def plan_doc(title: str, items: list[str]) -> bytes:
    lines = [f'---\ntitle: "{title}"\ndate: 2026-01-10\n---\n', "## 一、重点任务\n"]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item}。围绕{item}开展相关工作。\n")
    return "\n".join(lines).encode()


@pytest.fixture
def world(city):
    deps = city.departments
    people = SimpleNamespace(
        deps=deps,
        staff=UserFactory(username="a-staff", role=Role.STAFF),
        leader=UserFactory(username="a-leader", role=Role.LEADER),
        lead=UserFactory(username="a-xxhc", role=Role.DEPARTMENT, department=deps["xxhc"]),
        official=UserFactory(username="v-official", role=Role.LEADER),
    )
    people.plan = imported(people, SHOWN.encode(), "shown.md")
    tasks = {t.title: t for t in people.plan.tasks.filter(is_leaf=True)}
    assign(people, tasks["甲项工作"], "xxhc", official=people.official, deadline=days(-10))
    assign(people, tasks["乙项工作"], "xxhc", ["kjj"], deadline=days(10))
    assign(people, tasks["丙项工作"], "zbc", deadline=days(60))
    services.tasks_confirm(actor=people.staff, plan=people.plan)
    services.plan_issue(actor=people.staff, plan=people.plan)
    services.report_file(
        actor=people.lead,
        task=tasks["乙项工作"],
        period=DUE,
        status=TaskStatus.IN_PROGRESS,
        progress=60,
        text="完成平台选型。",
    )
    services.report_file(
        actor=people.staff,
        task=tasks["丙项工作"],
        period=DUE,
        status=TaskStatus.DONE,
        progress=100,
        text="已完成。",
    )
    people.tasks = {t.title: t for t in people.plan.tasks.filter(is_leaf=True)}
    return people


def imported(people, content: bytes, name: str) -> Plan:
    draft = services.draft_create(actor=people.staff, fileobj=io.BytesIO(content), name=name)
    return services.draft_commit(actor=people.staff, draft=draft)


def assign(people, task: Task, lead=None, partners=(), **values) -> Task:
    return services.task_assign(
        actor=people.staff,
        task=task,
        title=task.title,
        lead=people.deps[lead] if lead else None,
        partners=[people.deps[code] for code in partners],
        **values,
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def patch(client, url, body):
    return client.patch(url, data=body, content_type="application/json")


def put(client, url, body):
    return client.put(url, data=body, content_type="application/json")


# Reading -------------------------------------------------------------------------------------


def test_a_plan_in_the_list_carries_its_counts(world):
    body = client_of(world.leader).get(API).json()
    assert body["count"] == 1
    (item,) = body["items"]
    issued_at = dt.datetime.fromisoformat(item.pop("issued_at").replace("Z", "+00:00"))
    assert timezone.localdate(issued_at) == TODAY
    assert item == {
        "id": world.plan.pk,
        "title": "南昌市数字经济重点工作推进方案",
        "number": "洪工信字〔2026〕5号",
        "author": "南昌市工业和信息化局",
        "issued_on": "2026-01-15",
        "year": 2026,
        "status": "active",
        "report_every": "month",
        "tasks": 3,
        "done": 1,
        "red": 1,
        "yellow": 1,
        "reports_missing": 0,  # issued today: no report due yet
    }


@pytest.mark.parametrize(
    "query, staff, leader",
    [("status=active", 1, 1), ("status=draft", 1, 0), ("year=2026", 2, 1), ("year=2025", 0, 0)],
)
def test_the_plan_list_filters(world, query, staff, leader):
    imported(world, plan_doc("另一个方案", ["甲"]), "other.md")  # a draft of 2026
    assert client_of(world.staff).get(f"{API}?{query}").json()["count"] == staff
    assert client_of(world.leader).get(f"{API}?{query}").json()["count"] == leader


def test_the_plan_list_searches_titles(world):
    client = client_of(world.leader)
    assert client.get(f"{API}?q=数字经济").json()["count"] == 1
    assert client.get(f"{API}?q=绿色").json()["count"] == 0


def test_a_plan_with_its_task_tree(world):
    body = client_of(world.leader).get(f"{API}/{world.plan.pk}").json()
    assert (body["tasks"], body["done"], body["warnings"]) == (3, 1, [])
    tree = body["task_tree"]
    assert [(t["title"], t["is_leaf"]) for t in tree] == [
        ("数字化改造", False),
        ("甲项工作", True),
        ("乙项工作", True),
        ("平台建设", False),
        ("丙项工作", True),
    ]
    first, second = tree[1], tree[2]
    assert first["parent_id"] == tree[0]["id"]
    assert (first["lead"], first["official"], first["deadline"]) == (
        "xxhc",
        "v-official",
        str(days(-10)),
    )
    assert (first["state"], first["colour"], first["status"]) == ("late", "red", "not_started")
    assert (second["partners"], second["progress"], second["last_period"]) == (
        ["kjj"],
        60,
        str(DUE),
    )
    assert (second["state"], second["colour"], second["confirmed"]) == (
        "in_progress",
        "yellow",
        True,
    )
    # completed within the month reported (the report is filed after it)
    done_by = min(TODAY, schedule.period_end(DUE, "month"))
    assert tree[4]["completed_on"] == str(done_by) and tree[4]["state"] == "done"


def test_an_unknown_plan_or_task_is_404(world):
    client = client_of(world.staff)
    assert client.get(f"{API}/999999").status_code == 404
    assert client.get(f"{API}/tasks/999999").status_code == 404
    assert client.get(f"{API}/departments?plan=999999").status_code == 404


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {t["title"] for t in response.json()["items"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"甲项工作", "乙项工作", "丙项工作"}),
        ("lead=xxhc", {"甲项工作", "乙项工作"}),
        ("lead=zbc", {"丙项工作"}),
        ("state=late", {"甲项工作"}),
        ("state=done", {"丙项工作"}),
        ("colour=yellow", {"乙项工作"}),
        ("colour=green", {"丙项工作"}),
        ("q=工业互联网", {"乙项工作"}),
        ("q=工作 推进", {"甲项工作", "乙项工作", "丙项工作"}),
        ("lead=xxhc&colour=red", {"甲项工作"}),
    ],
)
def test_the_task_filters(world, query, expected):
    assert titles(client_of(world.leader).get(f"{API}/tasks?{query}")) == expected


def test_the_plan_filter_and_mine(world):
    other = imported(world, plan_doc("另一个方案", ["丁项工作"]), "other.md")
    assign(world, other.tasks.get(is_leaf=True), "zbc", ["xxhc"])
    services.tasks_confirm(actor=world.staff, plan=other)
    services.plan_issue(actor=world.staff, plan=other)
    client = client_of(world.lead)
    assert titles(client.get(f"{API}/tasks")) == {"甲项工作", "乙项工作", "丁项工作"}
    assert titles(client.get(f"{API}/tasks?plan={other.pk}")) == {"丁项工作"}
    assert titles(client.get(f"{API}/tasks?mine=true")) == {"甲项工作", "乙项工作"}


@pytest.mark.parametrize(
    "query, field, says",
    [
        ("state=stalled", "state", "Choose one of not_started, in_progress, done, late."),
        ("colour=purple", "colour", "Choose one of green, yellow, red."),
        ("lead=nobody", "lead", "No department with code 'nobody'."),
    ],
)
def test_a_bad_task_filter_is_a_422_naming_it(world, query, field, says):
    response = client_of(world.staff).get(f"{API}/tasks?{query}")
    assert response.status_code == 422
    assert response.json()["detail"] == {field: [says]}


def test_a_filter_of_the_wrong_type_is_refused_by_the_schema(world):
    response = client_of(world.staff).get(f"{API}/tasks?plan=first")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "plan"
    response = client_of(world.staff).get(f"{API}?year=soon")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "year"


def test_the_departments_record(world):
    body = client_of(world.leader).get(f"{API}/departments?plan={world.plan.pk}").json()
    assert body == [
        {
            "department": "xxhc",
            "name": "市工信局信息化推进处",
            "tasks": 2,
            "done": 0,
            "done_on_time": 0,
            "late": 1,
            "reports_missing": 0,
            "average_progress": 30.0,
        },
        {
            "department": "zbc",
            "name": "市工信局装备工业处",
            "tasks": 1,
            "done": 1,
            "done_on_time": 1,
            "late": 0,
            "reports_missing": 0,
            "average_progress": 100.0,
        },
    ]


# Assigning (PATCH) ------------------------------------------------------------------------------


def test_patch_keeps_what_is_not_sent(world):
    task = world.tasks["乙项工作"]
    url = f"{API}/tasks/{task.pk}"
    response = patch(client_of(world.staff), url, {"deadline": str(days(40))})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["lead"], body["partners"], body["deadline"]) == (
        "乙项工作",
        "xxhc",
        ["kjj"],
        str(days(40)),
    )
    assert (body["official"], body["ongoing"], body["owners_text"]) == (None, False, "")
    response = patch(client_of(world.staff), url, {"official": "v-official", "title": "乙项"})
    body = response.json()
    assert (body["title"], body["official"], body["deadline"], body["partners"]) == (
        "乙项",
        "v-official",
        str(days(40)),
        ["kjj"],
    )
    task.refresh_from_db()
    assert task.official == world.official and task.confirmed


def test_patch_clears_what_is_sent_empty(world):
    task = world.tasks["甲项工作"]
    url = f"{API}/tasks/{task.pk}"
    body = {"lead": "", "partners": [], "official": "", "owners_text": "各开发区管委会"}
    response = patch(client_of(world.staff), url, body)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["lead"], body["partners"], body["official"], body["owners_text"]) == (
        None,
        [],
        None,
        "各开发区管委会",
    )
    assert body["deadline"] == str(days(-10))  # not sent, kept
    response = patch(client_of(world.staff), url, {"deadline": None, "ongoing": True})
    assert response.status_code == 200
    assert (response.json()["deadline"], response.json()["ongoing"]) == (None, True)


@pytest.mark.parametrize(
    "body, field, says",
    [
        ({"lead": "nobody"}, "lead", "No department with code 'nobody'."),
        ({"partners": ["kjj", "zz", "aa"]}, "partners", "No department with code aa, zz."),
        ({"official": "ghost"}, "official", "No active user 'ghost'."),
        ({"ongoing": True}, "deadline", "An ongoing task (长期坚持) has no deadline"),
        ({"partners": ["xxhc"]}, "partners", "leads the task; it cannot also co-operate."),
    ],
)
def test_a_bad_assignment_is_a_422_naming_the_field(world, body, field, says):
    task = world.tasks["乙项工作"]
    response = patch(client_of(world.staff), f"{API}/tasks/{task.pk}", body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert list(detail) == [field]
    assert says in " ".join(detail[field])
    task.refresh_from_db()
    assert (task.lead.code, task.deadline, task.ongoing) == ("xxhc", days(10), False)


# Reporting (PUT) --------------------------------------------------------------------------------


def report_body(**values) -> dict:
    base = {
        "period": f"{DUE:%Y-%m}",
        "status": "in_progress",
        "progress": 30,
        "text": "完成方案编制。",
        "problems": "资金缺口",
        "next_steps": "组织评审",
    }
    return base | values


def test_a_report_is_created_then_replaced(world):
    task = world.tasks["甲项工作"]
    url = f"{API}/tasks/{task.pk}/reports/{DUE:%Y-%m}"
    client = client_of(world.lead)
    first = put(client, url, report_body())
    assert first.status_code == 201, first.content
    body = first.json()
    reported_at = body.pop("reported_at")
    assert reported_at
    assert body == {
        "id": body["id"],
        "task_id": task.pk,
        "period": str(DUE),
        "status": "in_progress",
        "progress": 30,
        "text": "完成方案编制。",
        "problems": "资金缺口",
        "next_steps": "组织评审",
        "reported_by": "a-xxhc",
        "late": schedule.report_due(DUE, "month") < TODAY,
        "evidence": [],
    }
    again = put(client, url, report_body(status="done", progress=100, text="已完成。"))
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"] and again.json()["status"] == "done"
    assert Report.objects.filter(task=task).count() == 1
    listed = client.get(f"{API}/tasks/{task.pk}/reports").json()
    assert [(r["period"], r["text"]) for r in listed] == [(str(DUE), "已完成。")]
    task_body = client.get(f"{API}/tasks/{task.pk}").json()
    assert (task_body["state"], task_body["colour"], task_body["completed_on"]) == (
        "done",
        "green",
        str(min(TODAY, schedule.period_end(DUE, "month"))),
    )


@pytest.mark.parametrize(
    "period, body, field",
    [
        ("2026-13", {}, "period"),
        ("June", {}, "period"),
        ("{future}", {}, "period"),
        ("{due}", {"status": "stalled"}, "status"),
        ("{due}", {"progress": 120}, "progress"),
        ("{due}", {"status": "done", "progress": 90}, "progress"),
        ("{due}", {"text": "  "}, "text"),
    ],
)
def test_a_bad_report_is_a_422_naming_the_field(world, period, body, field):
    future = schedule.add_months(TODAY.replace(day=1), 1)
    period = period.format(future=f"{future:%Y-%m}", due=f"{DUE:%Y-%m}")
    task = world.tasks["甲项工作"]
    response = put(
        client_of(world.lead),
        f"{API}/tasks/{task.pk}/reports/{period}",
        report_body(period=period, **body),
    )
    assert response.status_code == 422, response.content
    assert list(response.json()["detail"]) == [field]
    assert not Report.objects.filter(task=task).exists()


def test_the_period_is_the_paths(world):
    task = world.tasks["甲项工作"]
    body = report_body()
    del body["period"]
    response = put(client_of(world.lead), f"{API}/tasks/{task.pk}/reports/{DUE:%Y-%m}", body)
    assert response.status_code == 201, response.content
    assert response.json()["period"] == str(DUE)


def test_a_quarterly_report_replaced_through_another_month_is_200(world):
    services.plan_update(actor=world.staff, plan=world.plan, report_every="quarter")
    quarter = schedule.due_period(TODAY, "quarter")
    task = world.tasks["甲项工作"]
    client = client_of(world.lead)
    url = f"{API}/tasks/{task.pk}/reports/"
    first = put(client, url + f"{quarter:%Y-%m}", report_body(period=f"{quarter:%Y-%m}"))
    assert first.status_code == 201
    second_month = schedule.add_months(quarter, 1)
    again = put(client, url + f"{second_month:%Y-%m}", report_body(period=f"{second_month:%Y-%m}"))
    assert Report.objects.filter(task=task).count() == 1  # replaced, as the service says
    assert again.json()["period"] == str(quarter)
    assert again.status_code == 200


# Parsing and importing ---------------------------------------------------------------------------


def test_parsing_gives_the_tree_and_saves_nothing(world):
    before = Plan.objects.count()
    response = client_of(world.lead).post(
        f"{API}/parse", {"document": SimpleUploadedFile("shown.md", SHOWN.encode())}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "南昌市数字经济重点工作推进方案"
    assert [t["title"] for t in body["tasks"]] == ["数字化改造", "平台建设"]
    assert [c["title"] for c in body["tasks"][0]["children"]] == ["甲项工作", "乙项工作"]
    assert Plan.objects.count() == before


def test_a_document_that_cannot_be_parsed_is_a_422_naming_it(world):
    response = client_of(world.staff).post(
        f"{API}/parse", {"document": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 garbage")}
    )
    assert response.status_code == 422
    assert "scan.pdf" in response.json()["detail"]["document"][0]


def test_importing_makes_a_draft_plan(world):
    response = client_of(world.staff).post(
        f"{API}/import", {"document": SimpleUploadedFile("second.md", SHOWN.encode())}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get(pk=body["id"])
    assert (plan.status, plan.source_name, plan.created_by) == ("draft", "second.md", world.staff)
    assert len(body["task_tree"]) == 5
    assert not any(t["confirmed"] for t in body["task_tree"])
    issue = client_of(world.staff).post(f"{API}/{plan.pk}/issue")
    assert issue.status_code == 422
    assert issue.json()["detail"]["__all__"][0] == "5 tasks are not confirmed yet."
    confirm = client_of(world.staff).post(f"{API}/{plan.pk}/confirm")
    assert confirm.status_code == 200
    assert all(t["confirmed"] for t in confirm.json()["task_tree"])


def test_a_document_that_cannot_be_imported_is_a_422_naming_it(world):
    response = client_of(world.staff).post(
        f"{API}/import", {"document": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 garbage")}
    )
    assert response.status_code == 422
    assert "scan.pdf" in response.json()["detail"]["document"][0]


def test_the_schema_lists_the_plan_endpoints():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        API: {"get"},
        f"{API}/parse": {"post"},
        f"{API}/import": {"post"},
        f"{API}/{{pk}}": {"get"},
        f"{API}/{{pk}}/issue": {"post"},
        f"{API}/{{pk}}/confirm": {"post"},
        f"{API}/tasks": {"get"},
        f"{API}/tasks/{{pk}}": {"get", "patch"},
        f"{API}/tasks/{{pk}}/reports": {"get"},
        f"{API}/tasks/{{pk}}/reports/{{period}}": {"put"},
        f"{API}/departments": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    listed = {p["name"] for p in paths[f"{API}/tasks"]["get"]["parameters"]}
    assert {"plan", "lead", "state", "colour", "q", "mine"} <= listed


# Queries -----------------------------------------------------------------------------------------


def grow(world, start: int, count: int) -> None:
    """`count` more issued plans of six tasks each: led by 信息化处 or 装备工业处 by turns,
    co-operated on by 科技局 and 信息化处, with officials and reports, so that every related
    record a list shows is there."""
    official = UserFactory(username=f"q-official-{start}", role=Role.LEADER)
    for i in range(start, start + count):
        names = [f"第{i}批第{n}项任务" for n in range(1, 7)]
        plan = imported(world, plan_doc(f"查询测试方案{i}", names), f"q{i}.md")
        for n, task in enumerate(plan.tasks.filter(is_leaf=True).order_by("position")):
            lead = ("xxhc", "zbc")[n % 2]
            partners = ["kjj", "xxhc"] if lead == "zbc" else ["kjj"]
            assign(world, task, lead, partners, official=official, deadline=days(n * 20 - 30))
        services.tasks_confirm(actor=world.staff, plan=plan)
        services.plan_issue(actor=world.staff, plan=plan)
        first = plan.tasks.filter(is_leaf=True).order_by("position").first()
        services.report_file(
            actor=world.staff,
            task=first,
            period=DUE,
            status=TaskStatus.IN_PROGRESS,
            progress=20,
            text="进展",
        )


def queries(client, url: str) -> tuple[int, int]:
    """(queries run, rows listed) for the page or API list at `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    if url.startswith(API):
        return len(captured), len(response.json()["items"])
    return len(captured), len(response.context["page_obj"].object_list)


#: (list, user): the queries of one request, as many with 1 plan as with 6 and 30 more tasks.
#: Five are the session's and the user's (read, and the session written back in a
#: savepoint); an API list counts and reads its page (plans with their counts in one
#: query; tasks with plan, lead, official and parent joined, and their partners
#: prefetched), a department code in a filter is looked up; a page adds the unread
#: notifications of the header, the staff's drafts, the plans and departments its filter
#: form offers, and a department user's department.
PINNED = {
    ("api_plans", "staff"): 7,
    ("api_plans", "lead"): 7,
    ("api_tasks", "staff"): 8,
    ("api_tasks", "lead"): 8,
    ("api_tasks_filtered", "staff"): 9,
    ("plan_list", "staff"): 9,
    ("plan_list", "lead"): 9,
    ("task_list", "staff"): 11,
    ("task_list", "lead"): 12,
}
URLS = {
    "api_plans": lambda: API,
    "api_tasks": lambda: f"{API}/tasks",
    "api_tasks_filtered": lambda: f"{API}/tasks?lead=xxhc&colour=yellow&q=工作",
    "plan_list": lambda: reverse("plans:plan_list"),
    "task_list": lambda: reverse("plans:task_list"),
}


@pytest.mark.parametrize("name, role", sorted(PINNED))
def test_the_lists_do_not_grow_their_queries(world, name, role):
    client = client_of(getattr(world, role))
    url = URLS[name]()
    client.get(url)  # warm-up: per-process caches are not counted
    few, few_rows = queries(client, url)
    grow(world, 0, 5)
    many, many_rows = queries(client, url)
    assert many_rows > few_rows > 0, (few_rows, many_rows)
    assert few == many, (
        f"{name} as {role}: {few} queries with {few_rows} rows, {many} with {many_rows}"
    )
    assert many == PINNED[name, role], f"{name} as {role}: {many} queries"
