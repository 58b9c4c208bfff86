"""Who may do what with plans, on every page and every API endpoint, and that what is
refused leaks nothing.

The scene, built once for the module through the services:

    plan     status  document             xxhc (信息化处)          kjj (市科技局)
    digital  issued  digital-2026.md      leads 4 tasks, co-ops 1  co-operates on 3 tasks
    green    issued  绿色制造工作要点      —                        —
    closed   closed  工业互联网专项要点    leads 1 task             —
    ready    draft   confirmed, owned      leads 1 task             co-operates on it
    draft    draft   not confirmed         leads 1 task             —

and `pending`, a document staff imported and are still checking (a PlanDraft). `task`
is digital's 培育壮大工业互联网平台 (xxhc leads, kjj co-operates), with a progress
report and its evidence filed by xxhc; `green_task` is green's 推进工业节能降碳, with
a report and evidence filed by staff.

Roles: leadership, division staff, an administrator, a chain office; three handling
department users: `lead` (xxhc), `partner` (kjj, co-operates only) and `outsider`
(jtj, no task anywhere); a district user, a service officer, an enterprise user and
anonymous visitors.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gongxin.core.auth import token_issue
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.tests.clock import TODAY
from gongxin.core.tests.factories import UserFactory, city_load
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.plans import schedule, selectors, services
from gongxin.plans.choices import PlanStatus, TaskStatus
from gongxin.plans.forms import official_choices
from gongxin.plans.models import Plan, PlanDraft, Report, ReportAttachment, Task

DATA = Path(__file__).resolve().parents[1] / "data"
DIGITAL = DATA / "digital-2026.md"
API = "/api/v1/plans"
#: The period the module's reports are for (already due), and the one the tests file.
DUE = schedule.due_period(TODAY, "month")
NOW_PERIOD = schedule.period_of(TODAY, "month")

GREEN = """---
title: "南昌市绿色制造工作要点（2026年）"
date: 2026-02-10
author: "南昌市工业和信息化局"
number: "洪工信字〔2026〕9号"
---

## 一、重点工作

1. 推进工业节能降碳。开展重点用能企业节能诊断，推广先进节能技术装备。（责任单位：市工信局节能与综合利用处；配合单位：市生态环境局；2026年10月底前）

2. 建设绿色工厂。培育省级以上绿色工厂10家。（责任单位：市工信局原材料工业处；2027年底前）
"""  # noqa: E501

CLOSED = """---
title: "南昌市工业互联网专项工作要点（2025年）"
date: 2025-02-10
---

## 一、重点工作

1. 建设工业互联网公共服务平台。完善平台功能，服务企业不少于200家。（责任单位：市工信局信息化推进处；2025年底前）
"""  # noqa: E501

READY = """---
title: "南昌市数据要素赋能制造业方案（2027年）"
date: 2026-11-20
---

## 一、重点工作

1. 开展工业数据分类分级。指导企业建立工业数据目录。（牵头单位：市工信局信息化推进处；配合单位：市科技局；2027年6月底前）
"""  # noqa: E501

DRAFT = """---
title: "南昌市算力基础设施建设方案（2027年）"
date: 2026-11-25
---

## 一、重点工作

1. 建设智能算力中心。推动算力资源向工业企业开放。（责任单位：市工信局信息化推进处；2027年底前）
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

ROLES = (
    "anonymous",
    "leader",
    "staff",
    "admin",
    "chain_office",
    "lead",
    "partner",
    "outsider",
    "district",
    "officer",
    "enterprise",
)
READERS = ("leader", "staff", "admin", "chain_office", "lead", "partner", "outsider")
OUTSIDE = ("district", "officer", "enterprise")

#: The tasks each department user reads (titles): as lead or co-operating department.
LEAD_TASKS = {
    "开展数字化转型诊断评估",
    "推进5G+智慧工厂建设",
    "培育壮大工业互联网平台",
    "筑牢工业数据和网络安全防线",
    "推广“小快轻准”数字化产品",  # co-operating
    "建设工业互联网公共服务平台",  # the closed plan
}
PARTNER_TASKS = {"培育壮大工业互联网平台", "做强VR产业支撑能力", "发展智能装备和工业软件"}


# The scene -------------------------------------------------------------------------------


@dataclass
class Scene:
    users: dict[str, User | None]
    digital: Plan
    green: Plan
    closed: Plan
    ready: Plan
    draft: Plan
    pending: PlanDraft
    task: Task
    green_task: Task
    closed_task: Task
    evidence: ReportAttachment
    green_evidence: ReportAttachment


def _commit(staff: User, content: bytes, name: str) -> Plan:
    draft = services.draft_create(actor=staff, fileobj=io.BytesIO(content), name=name)
    return services.draft_commit(actor=staff, draft=draft)


def _issue(staff: User, plan: Plan, fallback) -> Plan:
    services.tasks_confirm(actor=staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        services.task_assign(actor=staff, task=task, title=task.title, lead=fallback, partners=[])
    return services.plan_issue(actor=staff, plan=plan)


def scene_build() -> Scene:
    city = city_load()
    deps = city.departments
    enterprise = EnterpriseFactory(name="南昌测试电子有限公司", district=city.regions["360111"])
    users: dict[str, User | None] = {
        "anonymous": None,
        "leader": UserFactory(username="p-leader", role=Role.LEADER),
        "staff": UserFactory(username="p-staff", role=Role.STAFF),
        "admin": UserFactory(username="p-admin", role=Role.ADMIN),
        "chain_office": UserFactory(username="p-chain", role=Role.CHAIN_OFFICE),
        "lead": UserFactory(username="p-xxhc", role=Role.DEPARTMENT, department=deps["xxhc"]),
        "partner": UserFactory(username="p-kjj", role=Role.DEPARTMENT, department=deps["kjj"]),
        "outsider": UserFactory(username="p-jtj", role=Role.DEPARTMENT, department=deps["jtj"]),
        "district": UserFactory(
            username="p-district", role=Role.DISTRICT, region=city.regions["360111"]
        ),
        "officer": UserFactory(username="p-officer", role=Role.OFFICER),
        "enterprise": UserFactory(
            username="p-enterprise", role=Role.ENTERPRISE, enterprise=enterprise
        ),
    }
    staff = users["staff"]
    digital = _issue(staff, _commit(staff, DIGITAL.read_bytes(), DIGITAL.name), deps["ghc"])
    green = _issue(staff, _commit(staff, GREEN.encode(), "green.md"), deps["ghc"])
    closed = _issue(staff, _commit(staff, CLOSED.encode(), "closed.md"), deps["ghc"])
    closed = services.plan_close(actor=staff, plan=closed)
    ready = _commit(staff, READY.encode(), "ready.md")
    services.tasks_confirm(actor=staff, plan=ready)
    draft = _commit(staff, DRAFT.encode(), "draft.md")
    pending = services.draft_create(
        actor=staff, fileobj=io.BytesIO(GREEN.encode()), name="pending.md"
    )
    task = digital.tasks.get(title="培育壮大工业互联网平台")
    report = services.report_file(
        actor=users["lead"],
        task=task,
        period=DUE,
        status=TaskStatus.IN_PROGRESS,
        progress=40,
        text="完成平台遴选。",
        files=[SimpleUploadedFile("平台遴选纪要.pdf", PDF)],
    )
    green_task = green.tasks.get(title="推进工业节能降碳")
    green_report = services.report_file(
        actor=staff,
        task=green_task,
        period=DUE,
        status=TaskStatus.IN_PROGRESS,
        progress=60,
        text="完成节能诊断30家。",
        files=[SimpleUploadedFile("现场照片.png", PNG)],
    )
    return Scene(
        users=users,
        digital=digital,
        green=green,
        closed=closed,
        ready=ready,
        draft=draft,
        pending=pending,
        task=Task.objects.get(pk=task.pk),
        green_task=Task.objects.get(pk=green_task.pk),
        closed_task=closed.tasks.get(is_leaf=True),
        evidence=report.attachments.get(),
        green_evidence=green_report.attachments.get(),
    )


@pytest.fixture(scope="module")
def _module_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("plans-scope-media"))
    media.enable()
    try:
        yield from built_for_module(django_db_blocker, scene_build)
    finally:
        media.disable()


@pytest.fixture
def scene(_module_scene, db) -> Scene:
    return _module_scene


def browser(scene: Scene, role: str) -> Client:
    """A client signed in as `role` (anonymous: signed out), answering in English."""
    client = Client()
    if scene.users[role] is not None:
        client.force_login(scene.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# What each endpoint is expected to answer --------------------------------------------------

LOGIN = "login"  # a redirect to the sign-in page


def web(default, **codes) -> dict[str, int | str]:
    """Anonymous visitors are sent to sign in, districts, officers and enterprises get
    403; the readers `default` unless named."""
    expected: dict[str, int | str] = {"anonymous": LOGIN, **dict.fromkeys(OUTSIDE, 403)}
    expected |= dict.fromkeys(READERS, default)
    return expected | codes


def api(default, **codes) -> dict[str, int]:
    expected = {"anonymous": 401, **dict.fromkeys(OUTSIDE, 403)}
    expected |= dict.fromkeys(READERS, default)
    return expected | codes


EDITORS_ONLY = {"staff": 200, "admin": 200}


def _url(name: str, *attrs: str) -> Callable[[Scene], str]:
    def build(s: Scene) -> str:
        return reverse(name, args=[getattr(s, a).pk for a in attrs])

    return build


def _export(attr: str, fmt: str) -> Callable[[Scene], str]:
    return lambda s: reverse("plans:plan_export", args=[getattr(s, attr).pk, fmt])


def _report_body(s: Scene) -> dict:
    return {
        "period": f"{NOW_PERIOD:%Y-%m}",
        "status": TaskStatus.IN_PROGRESS,
        "progress": "55",
        "text": "本月新建行业二级节点1个。",
        "problems": "",
        "next_steps": "",
    }


def _assign_body(s: Scene) -> dict:
    return {
        "title": s.task.title,
        "lead": s.users["lead"].department_id,
        "partners": [s.users["partner"].department_id],
        "owners_text": "",
        "official": s.users["lead"].pk,
        "deadline": "2027-03-31",
    }


def _edit_body(s: Scene) -> dict:
    return {
        "title": "南昌市制造业数字化转型行动方案（修订）",
        "number": s.digital.number,
        "author": s.digital.author,
        "issued_on": s.digital.issued_on.isoformat(),
        "year": "2026",
        "report_every": "month",
    }


def _upload(s: Scene) -> dict:
    return {"document": SimpleUploadedFile("green-2.md", GREEN.encode())}


# Effects: (scene, allowed, response), checked after the request ------------------------------


def _report_filed(task_attr: str):
    def check(s: Scene, allowed: bool, response) -> None:
        task = getattr(s, task_attr)
        filed = Report.objects.filter(task=task, period=NOW_PERIOD).first()
        if allowed:
            assert filed is not None and filed.text == "本月新建行业二级节点1个。"
            task = Task.objects.get(pk=task.pk)
            assert (task.progress, task.last_period) == (55, NOW_PERIOD)
        else:
            assert filed is None
            assert Task.objects.get(pk=task.pk).progress == getattr(s, task_attr).progress

    return check


def _status_becomes(attr: str, status: str):
    def check(s: Scene, allowed: bool, response) -> None:
        before = getattr(s, attr).status
        assert Plan.objects.get(pk=getattr(s, attr).pk).status == (status if allowed else before)

    return check


def _confirmed(s: Scene, allowed: bool, response) -> None:
    left = Task.objects.filter(plan=s.draft, confirmed=False).count()
    assert (left == 0) if allowed else (left == s.draft.tasks.count() > 0)


def _deleted(s: Scene, allowed: bool, response) -> None:
    assert Plan.objects.filter(pk=s.draft.pk).exists() is not allowed


def _retitled(s: Scene, allowed: bool, response) -> None:
    title = Plan.objects.get(pk=s.digital.pk).title
    assert (title == "南昌市制造业数字化转型行动方案（修订）") is allowed


def _assigned(s: Scene, allowed: bool, response) -> None:
    task = Task.objects.get(pk=s.task.pk)
    if allowed:
        assert (task.official, str(task.deadline)) == (s.users["lead"], "2027-03-31")
    else:
        assert (task.official_id, task.deadline) == (s.task.official_id, s.task.deadline)


def _drafted(s: Scene, allowed: bool, response) -> None:
    assert PlanDraft.objects.filter(source_name="green-2.md").exists() is allowed


def _imported(s: Scene, allowed: bool, response) -> None:
    assert Plan.objects.filter(source_name="green-2.md").exists() is allowed


def _file_is(content: bytes):
    def check(s: Scene, allowed: bool, response) -> None:
        if allowed:
            assert b"".join(response.streaming_content) == content

    return check


def _export_of(kind: str):
    """An XLSX or DOCX (both zip archives) as an attachment."""

    def check(s: Scene, allowed: bool, response) -> None:
        if allowed:
            assert response["Content-Type"].endswith(kind)
            assert response["Content-Disposition"].startswith("attachment;")
            assert response.content.startswith(b"PK\x03\x04")

    return check


#: name: (method, url, body, expected by role, effect)
WEB = {
    "plan_list": ("get", _url("plans:plan_list"), None, web(200), None),
    "plan_detail": ("get", _url("plans:plan_detail", "digital"), None, web(200, outsider=404)),
    "plan_detail_not_theirs": (
        "get",
        _url("plans:plan_detail", "green"),
        None,
        web(200, lead=404, partner=404, outsider=404),
    ),
    "plan_detail_draft": (
        "get",
        _url("plans:plan_detail", "ready"),
        None,
        web(404, **EDITORS_ONLY),
    ),
    "draft_detail": ("get", _url("plans:draft_detail", "pending"), None, web(403, **EDITORS_ONLY)),
    "import_get": ("get", _url("plans:plan_import"), None, web(403, **EDITORS_ONLY)),
    "import_post": (
        "post",
        _url("plans:plan_import"),
        _upload,
        web(403, staff=302, admin=302),
        _drafted,
    ),
    "issue": (
        "post",
        _url("plans:plan_action", "ready"),
        lambda s: {"action": "issue"},
        web(403, staff=302, admin=302),
        _status_becomes("ready", PlanStatus.ACTIVE),
    ),
    "close": (
        "post",
        _url("plans:plan_action", "digital"),
        lambda s: {"action": "close"},
        web(403, staff=302, admin=302),
        _status_becomes("digital", PlanStatus.CLOSED),
    ),
    "confirm": (
        "post",
        _url("plans:plan_action", "draft"),
        lambda s: {"action": "confirm"},
        web(403, staff=302, admin=302),
        _confirmed,
    ),
    "delete": (
        "post",
        _url("plans:plan_action", "draft"),
        lambda s: {"action": "delete"},
        web(403, staff=302, admin=302),
        _deleted,
    ),
    "edit_get": ("get", _url("plans:plan_edit", "digital"), None, web(403, **EDITORS_ONLY)),
    "edit_post": (
        "post",
        _url("plans:plan_edit", "digital"),
        _edit_body,
        web(403, staff=302, admin=302),
        _retitled,
    ),
    "task_list": ("get", _url("plans:task_list"), None, web(200)),
    "task_detail": ("get", _url("plans:task_detail", "task"), None, web(200, outsider=404)),
    "task_detail_not_theirs": (
        "get",
        _url("plans:task_detail", "green_task"),
        None,
        web(200, lead=404, partner=404, outsider=404),
    ),
    "task_assign": (
        "post",
        _url("plans:task_assign", "task"),
        _assign_body,
        web(403, staff=302, admin=302),
        _assigned,
    ),
    # Refused reports come back on the form (400): the lead department and staff only.
    "report_create": (
        "post",
        _url("plans:report_create", "task"),
        _report_body,
        web(403, lead=302, staff=302, admin=302, outsider=404),
        _report_filed("task"),
    ),
    "report_not_theirs": (
        "post",
        _url("plans:report_create", "green_task"),
        _report_body,
        web(403, staff=302, admin=302, lead=404, partner=404, outsider=404),
        _report_filed("green_task"),
    ),
    # A closed plan asks for no reports, not even of its lead department.
    "report_closed_plan": (
        "post",
        _url("plans:report_create", "closed_task"),
        _report_body,
        web(403, partner=404, outsider=404),
        _report_filed("closed_task"),
    ),
    "evidence": (
        "get",
        _url("plans:evidence", "evidence"),
        None,
        web(200, outsider=404),
        _file_is(PDF),
    ),
    "evidence_not_theirs": (
        "get",
        _url("plans:evidence", "green_evidence"),
        None,
        web(200, lead=404, partner=404, outsider=404),
        _file_is(PNG),
    ),
    "export_xlsx": (
        "get",
        _export("digital", "xlsx"),
        None,
        web(200, outsider=404),
        _export_of("spreadsheetml.sheet"),
    ),
    "export_docx": (
        "get",
        _export("digital", "docx"),
        None,
        web(200, outsider=404),
        _export_of("wordprocessingml.document"),
    ),
    "export_xlsx_draft": (
        "get",
        _export("ready", "xlsx"),
        None,
        web(404, **EDITORS_ONLY),
        _export_of("spreadsheetml.sheet"),
    ),
    "export_docx_draft": (
        "get",
        _export("ready", "docx"),
        None,
        web(404, **EDITORS_ONLY),
        _export_of("wordprocessingml.document"),
    ),
    "export_xlsx_not_theirs": (
        "get",
        _export("green", "xlsx"),
        None,
        web(200, lead=404, partner=404, outsider=404),
    ),
    "source": (
        "get",
        _url("plans:plan_source", "digital"),
        None,
        web(200, outsider=404),
        _file_is(DIGITAL.read_bytes()),
    ),
    "source_draft": (
        "get",
        _url("plans:plan_source", "ready"),
        None,
        web(404, **EDITORS_ONLY),
        _file_is(READY.encode()),
    ),
    "department_record": ("get", _url("plans:department_record"), None, web(200)),
}


def _send(client: Client, method: str, url: str, body):
    if method == "get":
        return client.get(url)
    return client.post(url, body or {})


@pytest.mark.parametrize("endpoint, role", [(e, r) for e in WEB for r in ROLES])
def test_every_page_for_every_role(scene, endpoint, role):
    method, url, body, expected, *effect = WEB[endpoint]
    response = _send(browser(scene, role), method, url(scene), body(scene) if body else None)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in response["Location"], endpoint
    else:
        assert response.status_code == want, (endpoint, role, response.content[:300])
    if effect and effect[0] is not None:
        effect[0](scene, want in (200, 302) and role != "anonymous", response)


def test_a_refused_report_says_why(scene):
    response = browser(scene, "partner").post(
        reverse("plans:report_create", args=[scene.task.pk]), _report_body(scene)
    )
    assert response.status_code == 403
    assert "Only the lead department reports on this task." in response.content.decode()
    assert not Report.objects.filter(task=scene.task, period=NOW_PERIOD).exists()


def test_a_plan_action_that_does_not_exist_is_not_found(scene):
    url = reverse("plans:plan_action", args=[scene.digital.pk])
    assert browser(scene, "staff").post(url, {"action": "explode"}).status_code == 404


def test_a_draft_is_its_importers_or_an_administrators(scene):
    """Another member of staff does not see the document a colleague is checking."""
    colleague = UserFactory(username="p-staff-2", role=Role.STAFF)
    client = Client()
    client.force_login(colleague)
    assert client.get(reverse("plans:draft_detail", args=[scene.pending.pk])).status_code == 404
    assert scene.pending not in selectors.draft_list(colleague)
    assert list(selectors.draft_list(scene.users["staff"])) == [scene.pending]


# The same through the API --------------------------------------------------------------------


def _api_report(s: Scene) -> dict:
    # The body repeats the period (the API asks for it; see test_api for why it should not).
    return {
        "period": f"{NOW_PERIOD:%Y-%m}",
        "status": "in_progress",
        "progress": 55,
        "text": "本月新建行业二级节点1个。",
    }


def _document(s: Scene) -> dict:
    return {"document": SimpleUploadedFile("green-2.md", GREEN.encode())}


#: name: (method, url, body, expected by role, effect)
API_ENDPOINTS = {
    "list": ("get", lambda s: API, None, api(200)),
    "detail": ("get", lambda s: f"{API}/{s.digital.pk}", None, api(200, outsider=404)),
    "detail_not_theirs": (
        "get",
        lambda s: f"{API}/{s.green.pk}",
        None,
        api(200, lead=404, partner=404, outsider=404),
    ),
    "detail_draft": ("get", lambda s: f"{API}/{s.ready.pk}", None, api(404, **EDITORS_ONLY)),
    "tasks": ("get", lambda s: f"{API}/tasks", None, api(200)),
    "task": ("get", lambda s: f"{API}/tasks/{s.task.pk}", None, api(200, outsider=404)),
    "task_not_theirs": (
        "get",
        lambda s: f"{API}/tasks/{s.green_task.pk}",
        None,
        api(200, lead=404, partner=404, outsider=404),
    ),
    "task_draft": (
        "get",
        lambda s: f"{API}/tasks/{s.ready.tasks.get(is_leaf=True).pk}",
        None,
        api(404, **EDITORS_ONLY),
    ),
    "patch": (
        "patch",
        lambda s: f"{API}/tasks/{s.task.pk}",
        lambda s: {"official": "p-xxhc", "deadline": "2027-03-31"},
        api(403, staff=200, admin=200, outsider=404),
        _assigned,
    ),
    "report_put": (
        "put",
        lambda s: f"{API}/tasks/{s.task.pk}/reports/{NOW_PERIOD:%Y-%m}",
        _api_report,
        api(403, lead=201, staff=201, admin=201, outsider=404),
        _report_filed("task"),
    ),
    "report_put_not_theirs": (
        "put",
        lambda s: f"{API}/tasks/{s.green_task.pk}/reports/{NOW_PERIOD:%Y-%m}",
        _api_report,
        api(403, staff=201, admin=201, lead=404, partner=404, outsider=404),
        _report_filed("green_task"),
    ),
    "report_put_closed": (
        "put",
        lambda s: f"{API}/tasks/{s.closed_task.pk}/reports/{NOW_PERIOD:%Y-%m}",
        _api_report,
        api(403, partner=404, outsider=404),
        _report_filed("closed_task"),
    ),
    "reports": ("get", lambda s: f"{API}/tasks/{s.task.pk}/reports", None, api(200, outsider=404)),
    "departments": ("get", lambda s: f"{API}/departments", None, api(200)),
    "departments_not_theirs": (
        "get",
        lambda s: f"{API}/departments?plan={s.green.pk}",
        None,
        api(200, lead=404, partner=404, outsider=404),
    ),
    "parse": ("post", lambda s: f"{API}/parse", _document, api(200)),
    "import": (
        "post",
        lambda s: f"{API}/import",
        _document,
        api(403, staff=201, admin=201),
        _imported,
    ),
    "issue": (
        "post",
        lambda s: f"{API}/{s.ready.pk}/issue",
        None,
        api(404, **EDITORS_ONLY),
        _status_becomes("ready", PlanStatus.ACTIVE),
    ),
    "confirm": (
        "post",
        lambda s: f"{API}/{s.draft.pk}/confirm",
        None,
        api(404, **EDITORS_ONLY),
        _confirmed,
    ),
}


def api_client(scene: Scene, role: str, *, token: bool = False) -> Client:
    user = scene.users[role]
    if user is None:
        return Client()
    if token:
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})
    client = Client()
    client.force_login(user)
    return client


def _call(client: Client, method: str, url: str, body):
    if method == "get":
        return client.get(url)
    if method == "post":
        return client.post(url, body or {})
    return getattr(client, method)(url, data=body, content_type="application/json")


@pytest.mark.parametrize("endpoint, role", [(e, r) for e in API_ENDPOINTS for r in ROLES])
def test_every_api_endpoint_for_every_role(scene, endpoint, role):
    method, url, body, expected, *effect = API_ENDPOINTS[endpoint]
    response = _call(api_client(scene, role), method, url(scene), body(scene) if body else None)
    assert response.status_code == expected[role], (endpoint, role, response.content[:300])
    if effect:
        effect[0](scene, expected[role] in (200, 201), response)


def test_a_bearer_token_reads_in_the_same_scope(scene):
    body = api_client(scene, "partner", token=True).get(f"{API}/tasks").json()
    assert {t["title"] for t in body["items"]} == PARTNER_TASKS


# What a department reads, and nothing more ------------------------------------------------------


def _page_titles(response) -> set[str]:
    assert response.status_code == 200
    return {t.title for t in response.context["page_obj"]}


@pytest.mark.parametrize(
    "role, expected",
    [("lead", LEAD_TASKS), ("partner", PARTNER_TASKS), ("outsider", set())],
)
def test_a_departments_task_list_holds_its_tasks_only(scene, role, expected):
    response = browser(scene, role).get(reverse("plans:task_list"))
    assert _page_titles(response) == expected
    body = api_client(scene, role).get(f"{API}/tasks").json()
    assert {t["title"] for t in body["items"]} == expected
    assert body["count"] == len(expected)


def test_leadership_reads_every_issued_task_and_no_draft(scene):
    titles = _page_titles(
        browser(scene, "leader").get(reverse("plans:task_list") + "?per_page=100")
    )
    issued = Task.objects.filter(is_leaf=True).exclude(plan__status=PlanStatus.DRAFT)
    assert titles == set(issued.values_list("title", flat=True))
    assert "开展工业数据分类分级" not in titles and "建设智能算力中心" not in titles
    staff = _page_titles(browser(scene, "staff").get(reverse("plans:task_list") + "?per_page=100"))
    assert {"开展工业数据分类分级", "建设智能算力中心"} <= staff


def test_filtering_on_a_plan_out_of_scope_shows_nothing_more(scene):
    url = reverse("plans:task_list") + f"?plan={scene.green.pk}"
    assert _page_titles(browser(scene, "lead").get(url)) <= LEAD_TASKS
    body = api_client(scene, "lead").get(f"{API}/tasks?plan={scene.green.pk}").json()
    assert body["items"] == []
    lead = api_client(scene, "lead").get(f"{API}/tasks?lead=jnc").json()
    assert lead["items"] == []  # green's tasks, led by jnc, stay hidden


@pytest.mark.parametrize(
    "role, plans",
    [
        ("lead", {"digital", "closed"}),
        ("partner", {"digital"}),
        ("outsider", set()),
        ("leader", {"digital", "green", "closed"}),
        ("chain_office", {"digital", "green", "closed"}),
        ("staff", {"digital", "green", "closed", "ready", "draft"}),
    ],
)
def test_the_plan_list_keeps_to_the_scope(scene, role, plans):
    expected = {getattr(scene, name).title for name in plans}
    page = browser(scene, role).get(reverse("plans:plan_list"))
    assert {p.title for p in page.context["page_obj"]} == expected
    body = api_client(scene, role).get(API).json()
    assert {p["title"] for p in body["items"]} == expected


def test_a_departments_counts_are_of_its_tasks(scene):
    """The plan list counts only the tasks the department owns or co-owns."""
    body = api_client(scene, "partner").get(API).json()
    (digital,) = body["items"]
    assert digital["tasks"] == len(PARTNER_TASKS)
    page = browser(scene, "lead").get(reverse("plans:plan_list"))
    counts = {p.title: p.task_count for p in page.context["page_obj"]}
    assert counts == {scene.digital.title: 5, scene.closed.title: 1}


def test_the_plan_page_and_detail_show_a_department_its_tasks_only(scene):
    page = browser(scene, "partner").get(reverse("plans:plan_detail", args=[scene.digital.pk]))
    assert {row.task.title for row in page.context["rows"]} == PARTNER_TASKS
    assert page.context["counts"]["tasks"] == 3
    html = page.content.decode()
    assert "开展数字化转型诊断评估" not in html and "重点任务" not in html
    record = page.context["record"]
    assert sum(r.tasks for r in record) == 3
    body = api_client(scene, "partner").get(f"{API}/{scene.digital.pk}").json()
    assert {t["title"] for t in body["task_tree"]} == PARTNER_TASKS
    assert body["tasks"] == 3


def test_the_departments_record_covers_the_departments_tasks_only(scene):
    page = browser(scene, "partner").get(reverse("plans:department_record"))
    record = page.context["record"]
    assert {r.department.code for r in record} == {"xxhc", "dzxxc", "zbc"}
    assert sum(r.tasks for r in record) == 3
    body = api_client(scene, "outsider").get(f"{API}/departments").json()
    assert body == []
    staff = api_client(scene, "staff").get(f"{API}/departments").json()
    issued = Task.objects.filter(is_leaf=True).exclude(plan__status=PlanStatus.DRAFT).count()
    assert sum(r["tasks"] for r in staff) == issued


def _xlsx_titles(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    return [row[1] for row in rows[header + 1 :]]


def test_a_departments_exports_hold_its_tasks_only(scene):
    client = browser(scene, "lead")
    xlsx = client.get(reverse("plans:plan_export", args=[scene.digital.pk, "xlsx"]))
    titles = _xlsx_titles(xlsx.content)
    assert set(titles) == LEAD_TASKS - {"建设工业互联网公共服务平台"}
    assert len(titles) == 5  # no headings, nobody else's task
    word = client.get(reverse("plans:plan_export", args=[scene.digital.pk, "docx"]))
    document = docx.Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "共分解任务5项" in text
    assert "培育壮大工业互联网平台" in cells
    assert "做强VR产业支撑能力" not in cells and "推进重点产业链数字化改造" not in cells
    assert "完成平台遴选。" in cells  # its own report's progress


def test_a_refused_page_leaks_no_title(scene):
    for role in ("lead", "partner", "outsider"):
        client = browser(scene, role)
        for url in (
            reverse("plans:plan_detail", args=[scene.green.pk]),
            reverse("plans:task_detail", args=[scene.green_task.pk]),
            reverse("plans:plan_detail", args=[scene.ready.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404
            html = response.content.decode()
            assert scene.green.title not in html and scene.ready.title not in html
            assert "推进工业节能降碳" not in html


@pytest.mark.parametrize("role", ["officer", "outsider"])
def test_the_responsible_official_is_someone_who_sees_the_task(scene, role):
    """A service officer or a user of an uninvolved department could not open the task:
    they cannot be made its official (and officers are not offered)."""
    official = scene.users[role]
    with pytest.raises(ValidationError) as refused:
        services.task_assign(
            actor=scene.users["staff"],
            task=scene.task,
            title=scene.task.title,
            lead=scene.task.lead,
            partners=list(scene.task.partners.all()),
            official=official,
        )
    assert "official" in refused.value.message_dict
    assert (official in official_choices()) == (role == "outsider")
    scene.task.refresh_from_db()
    assert scene.task.official_id != official.pk


def test_an_official_keeps_reading_the_task_when_the_lead_changes(scene):
    """A lead department's user made official still reads the task after another
    department is made lead."""
    lead_user = scene.users["lead"]
    services.task_assign(
        actor=scene.users["staff"],
        task=scene.task,
        title=scene.task.title,
        lead=scene.task.lead,
        partners=list(scene.task.partners.all()),
        official=lead_user,
    )
    Task.objects.filter(pk=scene.task.pk).update(lead=scene.users["outsider"].department)
    response = browser(scene, "lead").get(reverse("plans:task_detail", args=[scene.task.pk]))
    assert response.status_code == 200
