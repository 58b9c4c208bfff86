"""A plan from document to report: the seed article is imported, checked, saved, its
tasks assigned and the plan issued; a department files a report; the sweep supervises;
the exports carry the same figures as the plan page."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry, Notification
from gongxin.core.tests.factories import UserFactory
from gongxin.plans import selectors, services
from gongxin.plans.choices import PlanStatus, TaskStatus
from gongxin.plans.models import Plan, PlanDraft, Task, TaskNotice
from gongxin.plans.sweep import tasks_sweep

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "nanchang-2022.md"
DIGITAL = DATA / "digital-2026.md"


@pytest.fixture
def staff(city):
    return UserFactory(username="staff-plans", role=Role.STAFF)


@pytest.fixture
def dept_user(city):
    return UserFactory(
        username="dept-xxhc", role=Role.DEPARTMENT, department=city.departments["xxhc"]
    )


def _import(staff, path: Path) -> Plan:
    with open(path, "rb") as handle:
        draft = services.draft_create(actor=staff, fileobj=handle, name=path.name)
    return services.draft_commit(actor=staff, draft=draft)


def test_the_seed_article_becomes_four_sections_of_three_tasks(staff):
    plan = _import(staff, SEED)
    assert plan.title == "全力推动南昌工业高质量跨越式发展实现新突破"
    assert plan.author == "唐艳华"
    assert plan.issued_on == dt.date(2022, 1, 17)
    sections = list(plan.tasks.filter(parent=None).order_by("position"))
    assert [s.number for s in sections] == ["一", "二", "三", "四"]
    assert [s.title for s in sections][
        1
    ] == "突出优结构转方式，以勇于担当的使命塑造南昌制造业新辉煌"
    titles = [[t.title for t in s.children.order_by("position")] for s in sections]
    assert titles == [
        ["坚决拥护“两个确立”", "准确把握“十个坚持”", "坚定不移“干在一线”"],
        ["推动新旧动能转换", "聚焦新兴产业壮大", "加速数字经济发展"],
        ["以链长制抓手布局", "以产业链招商开局", "以科创城建设破局"],
        ["不断完善政策体系", "紧抓入企帮扶走访", "加快优强企业培育"],
    ]
    assert plan.tasks.filter(is_leaf=True).count() == 12
    assert not PlanDraft.objects.exists()
    assert AuditEntry.objects.filter(object_type="plans.plan", action="create").count() == 1


def test_proposals_become_unconfirmed_owners_and_deadlines(staff, city):
    plan = _import(staff, DIGITAL)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    assert task.lead == city.departments["xxhc"]
    assert list(task.partners.all()) == [city.departments["kjj"]]
    assert task.deadline == dt.date(2026, 9, 30)
    assert not task.confirmed
    regions = plan.tasks.get(title="打造数字化改造示范项目")
    assert regions.lead is None and "各县（区）人民政府" in regions.owners_text
    ongoing = plan.tasks.get(title="筑牢工业数据和网络安全防线")
    assert ongoing.ongoing and ongoing.deadline is None


def test_a_plan_is_issued_only_when_confirmed_and_owned(staff, city):
    plan = _import(staff, SEED)
    with pytest.raises(ValidationError) as refused:
        services.plan_issue(actor=staff, plan=plan)
    assert "confirmed" in str(refused.value) or "确认" in str(refused.value)
    services.tasks_confirm(actor=staff, plan=plan)
    with pytest.raises(ValidationError):  # the seed names no owners
        services.plan_issue(actor=staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True):
        services.task_assign(
            actor=staff,
            task=task,
            title=task.title,
            lead=city.departments["ghc"],
            partners=[],
            deadline=dt.date(2026, 12, 31),
        )
    services.plan_issue(actor=staff, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.issued_at is not None


def _issued(staff, city, path=DIGITAL) -> Plan:
    plan = _import(staff, path)
    services.tasks_confirm(actor=staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        services.task_assign(
            actor=staff, task=task, title=task.title, lead=city.departments["ghc"], partners=[]
        )
    return services.plan_issue(actor=staff, plan=plan)


def test_the_lead_department_reports_and_the_task_moves_on(staff, dept_user, city):
    plan = _issued(staff, city)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    other = plan.tasks.get(title="推进重点产业链数字化改造")
    assert selectors.task_scope(dept_user).filter(pk=task.pk).exists()
    with pytest.raises(PermissionDenied):
        services.report_file(
            actor=dept_user,
            task=other,
            period=dt.date(2026, 3, 1),
            status=TaskStatus.IN_PROGRESS,
            progress=10,
            text="x",
        )
    now = timezone.make_aware(dt.datetime(2026, 4, 3, 10))
    services.report_file(
        actor=dept_user,
        task=task,
        period=dt.date(2026, 3, 1),
        status=TaskStatus.IN_PROGRESS,
        progress=40,
        text="完成平台遴选。",
        now=now,
    )
    task.refresh_from_db()
    assert (task.status, task.progress, task.last_period) == (
        TaskStatus.IN_PROGRESS,
        40,
        dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as refused:
        services.report_file(
            actor=dept_user,
            task=task,
            period=dt.date(2026, 3, 1),
            status=TaskStatus.DONE,
            progress=90,
            text="完成。",
            now=now,
        )
    assert "progress" in refused.value.message_dict


def test_standing_in_sql_agrees_with_schedule(staff, city):
    from gongxin.plans import schedule

    plan = _issued(staff, city)
    today = dt.date(2026, 11, 20)
    for task in selectors.task_rows(staff, today).filter(plan=plan):
        expected = schedule.standing(
            status=task.status,
            deadline=task.deadline,
            last_period=task.last_period,
            issued_on=timezone.localdate(plan.issued_at),
            every=plan.report_every,
            reported=task.is_leaf,
            today=today,
        )
        assert (task.state, task.colour, task.report_missing) == (
            expected.state,
            expected.colour,
            expected.report_missing,
        ), task.title


def test_the_sweep_supervises_once(staff, dept_user, city):
    plan = _issued(staff, city)
    Plan.objects.filter(pk=plan.pk).update(
        issued_at=timezone.make_aware(dt.datetime(2026, 2, 1, 9))
    )
    now = timezone.make_aware(dt.datetime(2026, 11, 20, 9))
    first = tasks_sweep(now)
    assert first.notices["overdue"] > 0 and first.notices["report_missing"] > 0
    assert Notification.objects.filter(user=dept_user).exists()
    again = tasks_sweep(now)
    assert again.total == 0
    assert TaskNotice.objects.count() == first.total


def test_pages_and_exports(client, staff, city):
    plan = _issued(staff, city)
    client.force_login(staff)
    for url in (
        reverse("plans:plan_list"),
        reverse("plans:plan_detail", args=[plan.pk]),
        reverse("plans:task_list"),
        reverse("plans:department_record"),
        reverse("plans:task_detail", args=[plan.tasks.filter(is_leaf=True).first().pk]),
    ):
        assert client.get(url).status_code == 200, url
    xlsx = client.get(reverse("plans:plan_export", args=[plan.pk, "xlsx"]))
    assert xlsx.status_code == 200
    docx_response = client.get(reverse("plans:plan_export", args=[plan.pk, "docx"]))
    import docx

    document = docx.Document(io.BytesIO(docx_response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    leaves = plan.tasks.filter(is_leaf=True).count()
    assert f"共分解任务{leaves}项" in text


def test_draft_corrections_through_the_page(client, staff):
    client.force_login(staff)
    with open(SEED, "rb") as handle:
        response = client.post(reverse("plans:plan_import"), {"document": handle})
    assert response.status_code == 302
    draft = PlanDraft.objects.get()
    first_item = draft.tree["tasks"][0]["children"][1]["id"]
    response = client.post(draft.get_absolute_url(), {"action": "merge", "node": first_item})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert len(draft.tree["tasks"][0]["children"]) == 2
    response = client.post(
        draft.get_absolute_url(), {"action": "indent", "node": draft.tree["tasks"][0]["id"]}
    )
    assert response.status_code == 400
    response = client.post(draft.get_absolute_url(), {"action": "commit"})
    assert response.status_code == 302
    assert Task.objects.filter(is_leaf=True).count() == 11


def test_garbage_gets_a_clear_message(client, staff):
    client.force_login(staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    for name, content in (
        ("empty.txt", b"   \n"),
        ("binary.pdf", b"%PDF-1.4 garbage"),
        ("x.docx", b"PK\x03\x04junk"),
        ("photo.txt", bytes(range(256)) * 8),
    ):
        response = client.post(
            reverse("plans:plan_import"), {"document": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 400, name
        assert name in response.content.decode()
    assert not PlanDraft.objects.exists()
