"""The plan pages: importing a document (upload, the draft page's corrections through
POST and htmx, commit, discard), a plan with its tree, counts and departments' record, a
task with its assign and report forms (evidence uploaded), the task list's filters, and
the XLSX and DOCX exports read back.

The pages compute standing on the real date, so the plan `shown` is built with deadlines
and reports relative to today:

    一、数字化改造
        1. 甲项工作  xxhc (official)  deadline today − 10    no report        late, red, missing
        2. 乙项工作  xxhc  co-op kjj  deadline today + 10    in progress 60%  yellow
    二、平台建设
        1. 丙项工作  zbc              deadline today + 60    completed        green, on time
        2. 丁项工作  zbc              deadline today + 200   no report        yellow, missing
        3. 戊项工作  各县（区）人民政府 deadline today − 5     completed        green, not on time

issued 90 days ago, the reports being for the period now due.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongxin.core.choices import Role
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory
from gongxin.plans import schedule, services
from gongxin.plans.choices import PlanStatus, TaskStatus
from gongxin.plans.models import Plan, PlanDraft, Report, Task

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
DIGITAL = DATA / "digital-2026.md"
DUE = schedule.due_period(TODAY, "month")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SHOWN = """---
title: "南昌市数字经济重点工作推进方案"
date: 2026-01-15
author: "南昌市工业和信息化局"
---

## 一、数字化改造

1. 甲项工作。推进甲项工作。

2. 乙项工作。推进乙项工作，建设工业互联网平台。

## 二、平台建设

1. 丙项工作。推进丙项工作。

2. 丁项工作。推进丁项工作。

3. 戊项工作。推进戊项工作。
"""

OTHER = """---
title: "南昌市软件产业发展要点"
date: 2026-02-15
---

## 一、重点任务

1. 平台运营服务。培育工业互联网平台运营服务商。
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(city):
    deps = city.departments
    return SimpleNamespace(
        deps=deps,
        staff=UserFactory(username="v-staff", role=Role.STAFF),
        leader=UserFactory(username="v-leader", role=Role.LEADER),
        lead=UserFactory(username="v-xxhc", role=Role.DEPARTMENT, department=deps["xxhc"]),
        official=UserFactory(username="v-official", role=Role.LEADER, display_name="王建华"),
    )


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


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


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def shown(people) -> SimpleNamespace:
    plan = imported(people, SHOWN.encode(), "shown.md")
    tasks = {t.title: t for t in plan.tasks.filter(is_leaf=True)}
    assign(people, tasks["甲项工作"], "xxhc", official=people.official, deadline=days(-10))
    assign(people, tasks["乙项工作"], "xxhc", ["kjj"], deadline=days(10))
    assign(people, tasks["丙项工作"], "zbc", deadline=days(60))
    assign(people, tasks["丁项工作"], "zbc", deadline=days(200))
    assign(people, tasks["戊项工作"], owners_text="各县（区）人民政府", deadline=days(-5))
    services.tasks_confirm(actor=people.staff, plan=plan)
    services.plan_issue(actor=people.staff, plan=plan)
    Plan.objects.filter(pk=plan.pk).update(issued_at=timezone.now() - dt.timedelta(days=90))
    file = services.report_file
    file(
        actor=people.lead,
        task=tasks["乙项工作"],
        period=DUE,
        status=TaskStatus.IN_PROGRESS,
        progress=60,
        text="完成平台选型。",
        problems="资金缺口",
        next_steps="启动建设",
    )
    for title in ("丙项工作", "戊项工作"):
        file(
            actor=people.staff,
            task=tasks[title],
            period=DUE,
            status=TaskStatus.DONE,
            progress=100,
            text=f"{title}已完成。",
        )
    plan.refresh_from_db()
    return SimpleNamespace(plan=plan, tasks={t.title: t for t in plan.tasks.filter(is_leaf=True)})


# Importing ------------------------------------------------------------------------------------


def test_the_import_page_reads_the_document_into_a_draft(people):
    client = browser(people.staff)
    page = client.get(reverse("plans:plan_import"))
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    with open(DIGITAL, "rb") as handle:
        response = client.post(reverse("plans:plan_import"), {"document": handle})
    draft = PlanDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert draft.created_by == people.staff and draft.source_name == "digital-2026.md"
    assert not Plan.objects.exists()
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    assert page.context["leaves"] == 17 and len(page.context["nodes"]) == 23
    html = page.content.decode()
    assert "培育壮大工业互联网平台" in html and "2026-09-30" in html


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.txt", b" \n "),
        ("scan.pdf", b"%PDF-1.4 garbage"),
        ("notes.docx", b"PK\x03\x04junk"),
        ("noise.txt", bytes(range(256)) * 8),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_saved(people, name, content):
    response = browser(people.staff).post(
        reverse("plans:plan_import"), {"document": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["document"]
    assert any(name in error for error in errors), errors
    assert name in response.content.decode()
    assert not PlanDraft.objects.exists() and not Plan.objects.exists()


def test_a_document_too_big_is_refused_before_it_is_read(people, monkeypatch):
    monkeypatch.setattr("gongxin.plans.forms.MAX_BYTES", 1024)
    response = browser(people.staff).post(
        reverse("plans:plan_import"),
        {"document": SimpleUploadedFile("huge.md", DIGITAL.read_bytes())},
    )
    assert response.status_code == 400
    assert "huge.md is larger than" in response.context["form"].errors["document"][0]
    assert not PlanDraft.objects.exists()


def test_no_file_at_all(people):
    response = browser(people.staff).post(reverse("plans:plan_import"), {})
    assert response.status_code == 400 and "document" in response.context["form"].errors


@pytest.fixture
def draft(people) -> PlanDraft:
    with open(DIGITAL, "rb") as handle:
        return services.draft_create(actor=people.staff, fileobj=handle, name=DIGITAL.name)


def ids(draft: PlanDraft) -> dict[str, str]:
    from gongxin.plans import tree

    draft.refresh_from_db()
    return {node["title"]: node["id"] for node in tree.walk(draft.tree)}


def section(draft: PlanDraft) -> list[str]:
    """The titles under （一） of 二、重点任务."""
    draft.refresh_from_db()
    return [c["title"] for c in draft.tree["tasks"][1]["children"][0]["children"]]


def correct(client, draft, action, node, value="", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"action": action, "node": node, "value": value}
    return client.post(draft.get_absolute_url(), data, headers=headers)


def test_the_draft_page_corrects_the_split(people, draft):
    client = browser(people.staff)
    node = ids(draft)
    response = correct(client, draft, "retitle", node["开展数字化转型诊断评估"], "开展诊断评估")
    assert response.status_code == 200
    assert "plans/draft_detail.html" in [t.name for t in response.templates]
    assert section(draft) == ["开展诊断评估", "推进重点产业链数字化改造", "打造数字化改造示范项目"]
    # split the first item before its second sentence: a new item follows it
    response = correct(client, draft, "split", node["开展数字化转型诊断评估"], "1")
    assert response.status_code == 200
    assert section(draft) == [
        "开展诊断评估",
        "依托第三方专业服务机构，对全市规上工业企业开展免费数字化诊断，“一企一策”出具诊断报告和改造方案",
        "推进重点产业链数字化改造",
        "打造数字化改造示范项目",
    ]
    new = ids(draft)
    split_off = draft.tree["tasks"][1]["children"][0]["children"][1]
    assert split_off["text"].startswith("依托第三方专业服务机构")
    assert split_off["number"] == "2"  # renumbered
    correct(client, draft, "merge", split_off["id"])
    assert len(section(draft)) == 3
    # indent the second item under the first, then bring it back
    correct(client, draft, "indent", new["推进重点产业链数字化改造"])
    draft.refresh_from_db()
    first = draft.tree["tasks"][1]["children"][0]["children"][0]
    assert [c["title"] for c in first["children"]] == ["推进重点产业链数字化改造"]
    correct(client, draft, "outdent", new["推进重点产业链数字化改造"])
    assert section(draft) == ["开展诊断评估", "推进重点产业链数字化改造", "打造数字化改造示范项目"]
    correct(client, draft, "remove", new["打造数字化改造示范项目"])
    assert section(draft) == ["开展诊断评估", "推进重点产业链数字化改造"]


def test_htmx_gets_the_tree_only(people, draft):
    client = browser(people.staff)
    node = ids(draft)["保障措施"]
    response = correct(client, draft, "remove", node, htmx=True)
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "plans/partials/draft_tree.html" in names and "plans/draft_detail.html" not in names
    html = response.content.decode()
    assert html.startswith('<div id="draft-tree"') and "<html" not in html
    assert "保障措施" not in html and "加强组织领导" not in html
    assert "培育壮大工业互联网平台" in html


def test_a_correction_that_makes_no_sense_says_so(people, draft):
    client = browser(people.staff)
    first = ids(draft)["指导思想和主要目标"]
    response = correct(client, draft, "indent", first, htmx=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="errors" role="alert">' in html
    assert "The first item of its level cannot go down a level" in html
    response = correct(client, draft, "merge", first)
    assert response.status_code == 400 and "no item before it" in response.content.decode()
    assert ids(draft)["指导思想和主要目标"] == first  # unchanged


def test_describing_the_draft(people, draft):
    client = browser(people.staff)
    url = draft.get_absolute_url()
    data = {
        "action": "describe",
        "title": "数字化转型行动方案（修订）",
        "number": "洪工信字〔2026〕4号",
        "author": "南昌市工业和信息化局",
        "date": "2026-01-22",
        "year": "2026",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    draft.refresh_from_db()
    assert (draft.tree["title"], draft.tree["number"], draft.tree["date"]) == (
        "数字化转型行动方案（修订）",
        "洪工信字〔2026〕4号",
        "2026-01-22",
    )
    response = client.post(url, {**data, "title": "", "year": "1980"})
    assert response.status_code == 400
    assert set(response.context["describe_form"].errors) == {"title", "year"}
    draft.refresh_from_db()
    assert draft.tree["title"] == "数字化转型行动方案（修订）"


def test_committing_and_discarding(people, draft):
    client = browser(people.staff)
    correct(client, draft, "remove", ids(draft)["保障措施"])
    response = client.post(draft.get_absolute_url(), {"action": "commit"})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.tasks.count() == 18 and plan.tasks.filter(is_leaf=True).count() == 13
    assert not PlanDraft.objects.exists()
    page = client.get(response["Location"])
    assert "Check each task&#x27;s owners and deadline, then issue it." in page.content.decode()
    with open(DIGITAL, "rb") as handle:
        other = services.draft_create(actor=people.staff, fileobj=handle, name="again.md")
    response = client.post(other.get_absolute_url(), {"action": "discard"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:plan_list")
    assert not PlanDraft.objects.exists() and Plan.objects.count() == 1


def test_a_draft_with_nothing_left_is_not_saved(people):
    client = browser(people.staff)
    content = OTHER.encode()
    draft = services.draft_create(actor=people.staff, fileobj=io.BytesIO(content), name="o.md")
    correct(client, draft, "remove", "n1")
    response = client.post(draft.get_absolute_url(), {"action": "commit"})
    assert response.status_code == 400
    assert "The plan has no tasks left to save." in response.content.decode()
    assert PlanDraft.objects.exists() and not Plan.objects.exists()


# A plan's page ----------------------------------------------------------------------------------


def test_the_plan_page_shows_the_tree_counts_and_record(people, shown):
    page = browser(people.leader).get(shown.plan.get_absolute_url())
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.task.title, r.task.depth) for r in rows] == [
        ("数字化改造", 0),
        ("甲项工作", 1),
        ("乙项工作", 1),
        ("平台建设", 0),
        ("丙项工作", 1),
        ("丁项工作", 1),
        ("戊项工作", 1),
    ]
    headings = {r.task.title: r for r in rows if not r.task.is_leaf}
    assert (headings["数字化改造"].leaves, headings["数字化改造"].colour) == (2, "red")
    assert (headings["平台建设"].done, headings["平台建设"].completion) == (2, 67)
    assert page.context["counts"] == {
        "tasks": 5,
        "done": 2,
        "late": 1,
        "red": 1,
        "yellow": 2,
        "missing": 2,
        "unconfirmed": 0,
        "completion": 40,
    }
    record = {(r.department.code if r.department else None): r for r in page.context["record"]}
    assert (record["xxhc"].tasks, record["xxhc"].late, record["xxhc"].missing) == (2, 1, 1)
    assert (record["zbc"].tasks, record["zbc"].done, record["zbc"].done_on_time) == (2, 1, 1)
    # completed in the month reported, before its deadline
    assert (record[None].tasks, record[None].done, record[None].done_on_time) == (1, 1, 1)
    assert [r.department.code if r.department else None for r in page.context["record"]] == [
        "xxhc",  # late first
        "zbc",  # then reports missing
        None,
    ]
    html = page.content.decode()
    task_list = reverse("plans:task_list")
    assert f'<a class="stat" href="{task_list}?plan={shown.plan.pk}"><b>5</b>' in html
    assert '&amp;state=done"><b>2</b>' in html
    assert "40% of the tasks completed." in html
    assert "is missing for 2 tasks." in html
    assert "各县（区）人民政府" in html  # an owner outside gongxin, in the lead's column


def test_an_issue_refused_says_why_on_the_plan_page(people):
    plan = imported(people, DIGITAL.read_bytes(), DIGITAL.name)
    client = browser(people.staff)
    response = client.post(
        reverse("plans:plan_action", args=[plan.pk]), {"action": "issue"}, follow=True
    )
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "23 tasks are not confirmed yet." in html
    assert "Tasks without an owner: 一、指导思想和主要目标" in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_the_plan_edit_form(people, shown):
    client = browser(people.staff)
    url = reverse("plans:plan_edit", args=[shown.plan.pk])
    assert client.get(url).context["form"]["title"].value() == shown.plan.title
    data = {
        "title": "南昌市数字经济重点工作推进方案（调整）",
        "number": "",
        "author": shown.plan.author,
        "issued_on": "2026-01-15",
        "year": "2026",
        "report_every": "quarter",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    shown.plan.refresh_from_db()
    assert (shown.plan.title, shown.plan.report_every) == (data["title"], "quarter")
    response = client.post(url, {**data, "year": "1980"})
    assert response.status_code == 400
    assert "1990" in str(response.context["form"].errors)
    shown.plan.refresh_from_db()
    assert shown.plan.year == 2026


# A task's page ----------------------------------------------------------------------------------


def test_the_task_page_offers_staff_the_assign_form(people, shown):
    task = shown.tasks["甲项工作"]
    page = browser(people.staff).get(task.get_absolute_url())
    form = page.context["assign_form"]
    assert form["lead"].value() == people.deps["xxhc"].pk
    assert form["official"].value() == people.official.pk
    assert form["deadline"].value() == days(-10)
    assert page.context["can_report"]  # staff report for owners outside gongxin
    lead_page = browser(people.lead).get(task.get_absolute_url())
    assert lead_page.context["assign_form"] is None and lead_page.context["can_report"]
    assert lead_page.context["report_form"]["period"].value() == DUE
    leader_page = browser(people.leader).get(task.get_absolute_url())
    assert leader_page.context["report_form"] is None
    assert 'action="/plans/tasks/' not in leader_page.content.decode()


def test_assigning_through_the_task_page(people, shown):
    task = shown.tasks["丁项工作"]
    client = browser(people.staff)
    url = reverse("plans:task_assign", args=[task.pk])
    data = {
        "title": "丁项工作（调整）",
        "lead": people.deps["jgc"].pk,
        "partners": [people.deps["czj"].pk, people.deps["kjj"].pk],
        "owners_text": "",
        "official": people.official.pk,
        "deadline": days(100).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    task.refresh_from_db()
    assert (task.title, task.lead.code, task.official, task.deadline) == (
        "丁项工作（调整）",
        "jgc",
        people.official,
        days(100),
    )
    assert {d.code for d in task.partners.all()} == {"czj", "kjj"}
    response = client.post(url, {**data, "ongoing": "on"})
    assert response.status_code == 400
    assert response.context["assign_form"].errors["deadline"] == [
        "An ongoing task (长期坚持) has no deadline; clear one of them."
    ]
    response = client.post(url, {**data, "partners": [people.deps["jgc"].pk]})
    assert response.status_code == 400 and "partners" in response.context["assign_form"].errors
    task.refresh_from_db()
    assert not task.ongoing


def test_reporting_with_evidence_through_the_task_page(people, shown):
    task = shown.tasks["甲项工作"]
    client = browser(people.lead)
    data = {
        "period": f"{DUE:%Y-%m}",
        "status": TaskStatus.IN_PROGRESS,
        "progress": "30",
        "text": "完成方案编制。",
        "problems": "",
        "next_steps": "组织评审。",
        "files": [
            SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("签到表.pdf", PDF + b"%2", content_type="application/pdf"),
        ],
    }
    response = client.post(reverse("plans:report_create", args=[task.pk]), data)
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    filed = Report.objects.get(task=task)
    assert (filed.period, filed.progress, filed.reported_by) == (DUE, 30, people.lead)
    assert sorted(a.name for a in filed.attachments.all()) == ["方案.pdf", "签到表.pdf"]
    page = client.get(task.get_absolute_url())
    html = page.content.decode()
    assert "完成方案编制。" in html and "30%" in html
    evidence = filed.attachments.get(name="方案.pdf")
    link = reverse("plans:evidence", args=[evidence.pk])
    assert f'href="{link}"' in html
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    task.refresh_from_db()
    assert (task.status, task.progress, task.last_period) == ("in_progress", 30, DUE)


def test_a_report_refused_shows_why(people, shown):
    task = shown.tasks["甲项工作"]
    client = browser(people.lead)
    url = reverse("plans:report_create", args=[task.pk])
    base = {"period": f"{DUE:%Y-%m}", "status": "done", "progress": "100", "text": "完成。"}
    response = client.post(url, {**base, "files": SimpleUploadedFile("notes.txt", b"words")})
    assert response.status_code == 400
    errors = response.context["report_form"].errors
    assert errors["files"] == [
        "notes.txt: only PDF, JPG, PNG, DOC, DOCX, XLS, XLSX files may be attached."
    ]
    response = client.post(url, {**base, "progress": "80"})
    assert response.status_code == 400 and "progress" in response.context["report_form"].errors
    future = schedule.add_months(TODAY.replace(day=1), 2)
    response = client.post(url, {**base, "period": f"{future:%Y-%m}"})
    assert response.status_code == 400 and "period" in response.context["report_form"].errors
    assert not Report.objects.filter(task=task).exists()


# The task list ----------------------------------------------------------------------------------


@pytest.fixture
def other(people) -> Plan:
    plan = imported(people, OTHER.encode(), "other.md")
    assign(people, plan.tasks.get(is_leaf=True), "xxhc", deadline=days(150))
    services.tasks_confirm(actor=people.staff, plan=plan)
    return services.plan_issue(actor=people.staff, plan=plan)


def listed(client, query: str = "") -> set[str]:
    response = client.get(reverse("plans:task_list") + query)
    assert response.status_code == 200
    return {t.title for t in response.context["page_obj"]}


def test_the_task_list_filters(people, shown, other):
    client = browser(people.leader)
    xxhc = people.deps["xxhc"].pk
    all_tasks = {"甲项工作", "乙项工作", "丙项工作", "丁项工作", "戊项工作", "平台运营服务"}
    assert listed(client) == all_tasks
    assert listed(client, f"?plan={shown.plan.pk}") == all_tasks - {"平台运营服务"}
    assert listed(client, f"?plan={other.pk}") == {"平台运营服务"}
    assert listed(client, f"?lead={xxhc}") == {"甲项工作", "乙项工作", "平台运营服务"}
    assert listed(client, "?state=late") == {"甲项工作"}
    assert listed(client, "?state=done") == {"丙项工作", "戊项工作"}
    assert listed(client, "?state=in_progress") == {"乙项工作"}
    assert listed(client, "?state=not_started") == {"丁项工作", "平台运营服务"}
    assert listed(client, "?colour=red") == {"甲项工作"}
    assert listed(client, "?colour=yellow") == {"乙项工作", "丁项工作"}
    assert listed(client, f"?colour=green&plan={shown.plan.pk}") == {"丙项工作", "戊项工作"}
    assert listed(client, "?q=工业互联网平台") == {"乙项工作", "平台运营服务"}
    assert listed(client, "?q=工业互联网 运营") == {"平台运营服务"}
    assert listed(client, f"?q=工作&lead={xxhc}&colour=yellow") == {"乙项工作"}
    assert listed(client, "?q=没有这样的任务") == set()


def test_the_task_list_shows_owners_and_standing(people, shown):
    html = browser(people.lead).get(reverse("plans:task_list")).content.decode()
    assert "甲项工作" in html and "乙项工作" in html and "丙项工作" not in html
    assert "信息化处" in html and "市科技局" in html  # lead and co-operating, by short name
    assert "report missing" in html and "Late" in html


# Exports ----------------------------------------------------------------------------------------


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    start = next(i for i, row in enumerate(rows) if row[0] == "序号")
    header = rows[start]
    return [dict(zip(header, row, strict=False)) for row in rows[start + 1 :]]


def test_the_xlsx_has_a_row_per_task_with_owners_and_progress(people, shown):
    response = browser(people.leader).get(
        reverse("plans:plan_export", args=[shown.plan.pk, "xlsx"])
    )
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    rows = xlsx_rows(response.content)
    assert [r["任务"] for r in rows] == [
        "数字化改造",
        "甲项工作",
        "乙项工作",
        "平台建设",
        "丙项工作",
        "丁项工作",
        "戊项工作",
    ]
    by_title = {r["任务"]: r for r in rows}
    assert by_title["甲项工作"]["序号"] == "一.1"
    assert by_title["丁项工作"]["序号"] == "二.2"
    first = by_title["甲项工作"]
    assert (first["责任单位"], first["责任人"], first["完成时限"], first["状态"]) == (
        "市工信局信息化推进处",
        "王建华",
        f"{days(-10):%Y-%m-%d}",
        "滞后",
    )
    assert first["红黄绿"] == "红" and first["最新进展"] in ("", None)
    second = by_title["乙项工作"]
    assert (second["配合单位"], second["进度(%)"], second["最新进展"]) == (
        "南昌市科学技术局",
        60,
        "完成平台选型。",
    )
    assert (second["存在问题"], second["下步计划"]) == ("资金缺口", "启动建设")
    assert second["报送期"] == f"{DUE.year}年{DUE.month}月"
    assert by_title["戊项工作"]["责任单位"] == "各县（区）人民政府"
    assert by_title["戊项工作"]["状态"] == "已完成"
    assert by_title["平台建设"]["状态"] == "完成2/3项"
    assert by_title["平台建设"]["进度(%)"] == round((100 + 0 + 100) / 3)


def test_the_word_report_states_the_figures_of_the_plan_page(people, shown):
    client = browser(people.leader)
    counts = client.get(shown.plan.get_absolute_url()).context["counts"]
    response = client.get(reverse("plans:plan_export", args=[shown.plan.pk, "docx"]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        f"共分解任务{counts['tasks']}项。截至目前，已完成{counts['done']}项（其中按期完成2项），"
        f"推进中1项，未启动1项，滞后{counts['late']}项，任务完成率40.0%。"
    ) in text
    label = schedule.period_label(DUE, "month")
    assert f"{label}进展情况应报送3项，缺报{counts['missing']}项。" in text
    assert "1. 一.1 甲项工作。责任单位：市工信局信息化推进处" in text
    assert "对滞后的1项任务实行督办" in text
    record, details = document.tables
    assert [c.text for c in record.rows[1].cells][:6] == [
        "市工信局信息化推进处",
        "2",
        "0",
        "0",
        "1",
        "1",
    ]
    assert len(details.rows) == 1 + counts["tasks"]  # the leaves, no headings
    assert [c.text for c in details.rows[2].cells] == [
        "一.2",
        "乙项工作",
        "市工信局信息化推进处",
        f"{days(10):%Y-%m-%d}",
        "推进中",
        "60",
        "完成平台选型。",
    ]


def test_the_exports_of_an_unknown_format_are_not_found(people, shown):
    url = reverse("plans:plan_export", args=[shown.plan.pk, "pdf"])
    assert browser(people.leader).get(url).status_code == 404
