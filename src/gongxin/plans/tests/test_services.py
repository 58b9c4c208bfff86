"""Every write to plans and what it checks: importing (draft → corrections → plan), the
plan's description, assigning and confirming tasks, issuing, closing, reopening and
deleting plans, filing progress reports with evidence; the audit entries each leaves;
the supervision sweep (督办) and who it tells; and the standing of a task (state and
colour) as `schedule.standing` computes it next to the SQL of `selectors.with_standing`.

States are built through the services; the dates are fixed (each service takes `now`
or the test passes the day), except where a service stamps the time itself.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry, Department, Notification
from gongxin.core.tests.factories import UserFactory
from gongxin.plans import schedule, selectors, services, tree
from gongxin.plans.choices import Colour, NoticeKind, PlanStatus, State, TaskStatus
from gongxin.plans.models import Plan, PlanDraft, Report, ReportAttachment, Task, TaskNotice
from gongxin.plans.sweep import tasks_sweep

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
DIGITAL = DATA / "digital-2026.md"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

#: Deadlines written without a year ("6月底前") fall in the plan's year.
YEARLESS = """---
title: "南昌市工业设计提升工作要点"
date: 2026-02-01
---

## 一、重点工作

1. 培育工业设计中心。新认定市级工业设计中心5家。（责任单位：市工信局信息化推进处；6月底前）

2. 举办工业设计大赛。组织企业参赛不少于100家。（责任单位：市工信局消费品工业处；配合单位：市商务局；9月底前）
"""  # noqa: E501


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment in the city's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def plan_doc(title: str, items: list[str], date: str = "2026-01-10") -> bytes:
    """A plan document of one section with an item per title, naming no owners."""
    lines = [f'---\ntitle: "{title}"\ndate: {date}\n---\n', "## 一、重点任务\n"]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item}。围绕{item}开展相关工作。\n")
    return "\n".join(lines).encode()


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    """Messages in English (what the assertions read), uploads under tmp."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def people(city):
    deps = city.departments
    return SimpleNamespace(
        deps=deps,
        staff=UserFactory(username="s-staff", role=Role.STAFF),
        admin=UserFactory(username="s-admin", role=Role.ADMIN),
        leader=UserFactory(username="s-leader", role=Role.LEADER),
        lead=UserFactory(username="s-xxhc", role=Role.DEPARTMENT, department=deps["xxhc"]),
        partner=UserFactory(username="s-kjj", role=Role.DEPARTMENT, department=deps["kjj"]),
        official=UserFactory(username="s-official", role=Role.LEADER),
    )


def draft_of(actor, content: bytes, name: str) -> PlanDraft:
    return services.draft_create(actor=actor, fileobj=io.BytesIO(content), name=name)


def imported(people, content: bytes | None = None, name: str = DIGITAL.name) -> Plan:
    content = DIGITAL.read_bytes() if content is None else content
    return services.draft_commit(actor=people.staff, draft=draft_of(people.staff, content, name))


def issued(people, plan: Plan | None = None) -> Plan:
    """Confirmed, every ownerless task given to 综合规划处, issued."""
    plan = plan or imported(people)
    services.tasks_confirm(actor=people.staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        services.task_assign(
            actor=people.staff, task=task, title=task.title, lead=people.deps["ghc"], partners=[]
        )
    return services.plan_issue(actor=people.staff, plan=plan)


def entries(obj, action: str | None = None):
    rows = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return rows.filter(action=action) if action else rows


# Importing -----------------------------------------------------------------------------------


def test_a_document_becomes_a_draft_to_check_and_nothing_else(people):
    draft = draft_of(people.staff, DIGITAL.read_bytes(), "plans/../digital-2026.md")
    assert draft.created_by == people.staff
    assert draft.source_name == "digital-2026.md"  # the path dropped
    assert draft.tree["title"] == "南昌市制造业数字化转型行动方案（2026—2027年）"
    assert draft.tree["year"] == 2026
    ids = [node["id"] for node in tree.walk(draft.tree)]
    assert len(ids) == len(set(ids)) == 23
    platform = next(n for n in tree.walk(draft.tree) if n["title"] == "培育壮大工业互联网平台")
    assert platform["proposal"]["deadline"]["date"] == "2026-09-30"
    with draft.source.open("rb") as handle:
        assert handle.read() == DIGITAL.read_bytes()
    assert not Plan.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize("role", ["leader", "lead"])
def test_only_staff_and_administrators_import(people, role):
    with pytest.raises(PermissionDenied):
        draft_of(getattr(people, role), DIGITAL.read_bytes(), DIGITAL.name)
    with pytest.raises(PermissionDenied):
        services.plan_import(
            actor=getattr(people, role), fileobj=io.BytesIO(b"x"), name="digital.md"
        )
    assert not PlanDraft.objects.exists() and not Plan.objects.exists()
    assert draft_of(people.admin, DIGITAL.read_bytes(), DIGITAL.name).created_by == people.admin


@pytest.mark.parametrize(
    "name, content",
    [("empty.txt", b"  \n\n"), ("broken.pdf", b"%PDF-1.4 garbage"), ("zip.docx", b"PK\x03\x04")],
)
def test_a_document_that_cannot_be_read_is_refused_naming_it(people, name, content):
    with pytest.raises(ValidationError) as refused:
        draft_of(people.staff, content, name)
    assert name in " ".join(refused.value.messages)
    assert not PlanDraft.objects.exists()


def test_the_corrections_change_the_draft_tree(people):
    draft = draft_of(people.staff, DIGITAL.read_bytes(), DIGITAL.name)
    nodes = {n["title"]: n["id"] for n in tree.walk(draft.tree)}
    diagnosis = next(n for n in tree.walk(draft.tree) if n["id"] == nodes["开展数字化转型诊断评估"])
    assert diagnosis["proposal"]["co_owners"] == ["市财政局"]
    draft = services.draft_edit(
        actor=people.staff,
        draft=draft,
        action="retitle",
        node_id=nodes["开展数字化转型诊断评估"],
        value="  开展  数字化诊断  ",
    )
    assert draft.tree["tasks"][1]["children"][0]["children"][0]["title"] == "开展 数字化诊断"
    draft = services.draft_edit(
        actor=people.staff, draft=draft, action="merge", node_id=nodes["推进重点产业链数字化改造"]
    )
    first = draft.tree["tasks"][1]["children"][0]
    assert [c["title"] for c in first["children"]] == ["开展 数字化诊断", "打造数字化改造示范项目"]
    # the merged text is proposed again: the second text's co-operating departments join
    assert first["children"][0]["proposal"]["co_owners"] == [
        "市财政局",
        "市工信局电子信息产业处",
        "市工信局装备工业处",
        "市工信局消费品工业处",
    ]
    draft = services.draft_edit(
        actor=people.staff, draft=draft, action="remove", node_id=nodes["保障措施"]
    )
    assert [n["title"] for n in draft.tree["tasks"]] == ["指导思想和主要目标", "重点任务"]
    draft.refresh_from_db()
    assert len(draft.tree["tasks"]) == 2  # saved


@pytest.mark.parametrize(
    "action, node, value, message",
    [
        ("explode", "n1", "", "Unknown correction 'explode'."),
        ("merge", "n1", "", "The first item of its level has no item before it to merge into."),
        ("indent", "n1", "", "The first item of its level cannot go down a level"),
        ("outdent", "n1", "", "The item is already at the top level."),
        ("split", "n4", "x", "Choose the sentence the new item starts with."),
        ("split", "n4", "9", "Choose a sentence from 2 to"),
        ("retitle", "n4", "   ", "A task needs a title."),
        ("remove", "n999", "", "That item is no longer in the plan; reload the page."),
    ],
)
def test_a_correction_that_makes_no_sense_is_refused(people, action, node, value, message):
    draft = draft_of(people.staff, DIGITAL.read_bytes(), DIGITAL.name)
    before = draft.tree
    with pytest.raises(tree.TreeError) as refused:
        services.draft_edit(
            actor=people.staff, draft=draft, action=action, node_id=node, value=value
        )
    assert message in str(refused.value)
    draft.refresh_from_db()
    assert draft.tree == before


def test_a_leader_may_not_correct_a_draft(people):
    draft = draft_of(people.staff, DIGITAL.read_bytes(), DIGITAL.name)
    with pytest.raises(PermissionDenied):
        services.draft_edit(actor=people.leader, draft=draft, action="remove", node_id="n1")
    with pytest.raises(PermissionDenied):
        services.draft_discard(actor=people.leader, draft=draft)
    assert PlanDraft.objects.filter(pk=draft.pk).exists()


def test_describing_the_draft_checks_title_and_year(people):
    draft = draft_of(people.staff, YEARLESS.encode(), "yearless.md")
    base = {"number": "", "author": "", "date": None}
    with pytest.raises(ValidationError) as refused:
        services.draft_describe(actor=people.staff, draft=draft, title="  ", year=2026, **base)
    assert refused.value.message_dict == {"title": ["A plan needs a title."]}
    with pytest.raises(ValidationError) as refused:
        services.draft_describe(actor=people.staff, draft=draft, title="要点", year=1989, **base)
    assert "year" in refused.value.message_dict


def deadlines_of(draft) -> list[str]:
    return [
        n["proposal"]["deadline"]["date"]
        for n in tree.walk(draft.tree)
        if n["proposal"].get("deadline")
    ]


def test_a_new_year_moves_the_deadlines_written_without_one(people):
    draft = draft_of(people.staff, YEARLESS.encode(), "yearless.md")
    assert deadlines_of(draft) == ["2026-06-30", "2026-09-30"]
    draft = services.draft_describe(
        actor=people.staff,
        draft=draft,
        title=" 南昌市工业设计提升工作要点（2027年） ",
        number="洪工信字〔2027〕1号",
        author="南昌市工业和信息化局",
        date=dt.date(2027, 1, 15),
        year=2027,
    )
    assert deadlines_of(draft) == ["2027-06-30", "2027-09-30"]
    plan = services.draft_commit(actor=people.staff, draft=draft)
    assert (plan.title, plan.number, plan.year, plan.issued_on) == (
        "南昌市工业设计提升工作要点（2027年）",
        "洪工信字〔2027〕1号",
        2027,
        dt.date(2027, 1, 15),
    )
    assert sorted(plan.tasks.filter(is_leaf=True).values_list("deadline", flat=True)) == [
        dt.date(2027, 6, 30),
        dt.date(2027, 9, 30),
    ]


def test_committing_makes_the_plan_and_records_it(people):
    draft = draft_of(people.staff, DIGITAL.read_bytes(), DIGITAL.name)
    draft_file = draft.source.name
    plan = services.draft_commit(actor=people.staff, draft=draft)
    assert plan.status == PlanStatus.DRAFT and plan.created_by == people.staff
    assert plan.tasks.count() == 23 and not plan.tasks.filter(confirmed=True).exists()
    assert not PlanDraft.objects.exists()
    assert not draft.source.storage.exists(draft_file)
    with plan.source.open("rb") as handle:
        assert handle.read() == DIGITAL.read_bytes()
    (entry,) = entries(plan, AuditAction.CREATE)
    assert entry.actor == people.staff
    assert entry.message == "Imported from digital-2026.md with 23 tasks"
    assert entry.changes["title"] == [None, plan.title]
    assert entry.changes["status"] == [None, "draft"]
    assert entry.changes["issued_on"] == [None, "2026-01-20"]


def test_a_draft_with_every_item_removed_is_not_saved(people):
    draft = draft_of(people.staff, YEARLESS.encode(), "yearless.md")
    draft = services.draft_edit(actor=people.staff, draft=draft, action="remove", node_id="n1")
    with pytest.raises(ValidationError) as refused:
        services.draft_commit(actor=people.staff, draft=draft)
    assert refused.value.messages == ["The plan has no tasks left to save."]
    assert PlanDraft.objects.filter(pk=draft.pk).exists() and not Plan.objects.exists()


def test_discarding_removes_the_draft_and_its_file(people):
    draft = draft_of(people.staff, YEARLESS.encode(), "yearless.md")
    name = draft.source.name
    services.draft_discard(actor=people.staff, draft=draft)
    assert not PlanDraft.objects.exists()
    assert not draft.source.storage.exists(name)


def test_the_command_line_imports_as_system(people):
    plan = services.plan_import(actor=None, fileobj=io.BytesIO(YEARLESS.encode()), name="y.md")
    (entry,) = entries(plan, AuditAction.CREATE)
    assert entry.actor is None and entry.actor_name == "system"
    assert plan.created_by is None
    assert plan.tasks.filter(is_leaf=True).count() == 2


# The plan's description ----------------------------------------------------------------------


def test_changing_a_plan_records_what_changed(people):
    plan = imported(people)
    services.plan_update(actor=people.staff, plan=plan, title="新标题", report_every="quarter")
    (entry,) = entries(plan, AuditAction.UPDATE)
    assert entry.changes == {
        "title": ["南昌市制造业数字化转型行动方案（2026—2027年）", "新标题"],
        "report_every": ["month", "quarter"],
    }
    services.plan_update(actor=people.staff, plan=plan, title="新标题")
    assert entries(plan, AuditAction.UPDATE).count() == 1  # nothing changed, nothing recorded
    with pytest.raises(ValidationError) as refused:
        services.plan_update(actor=people.staff, plan=plan, year=1980)
    assert "year" in str(refused.value) or "1990" in str(refused.value)
    with pytest.raises(ValueError):
        services.plan_update(actor=people.staff, plan=plan, status=PlanStatus.ACTIVE)
    with pytest.raises(PermissionDenied):
        services.plan_update(actor=people.leader, plan=plan, title="领导改的标题")
    plan.refresh_from_db()
    assert (plan.title, plan.year, plan.status) == ("新标题", 2026, PlanStatus.DRAFT)


# Assigning and confirming tasks ---------------------------------------------------------------


def test_assigning_a_task_confirms_it_and_records_before_and_after(people):
    plan = imported(people)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    assert (task.lead.code, task.deadline, task.confirmed) == ("xxhc", dt.date(2026, 9, 30), False)
    services.task_assign(
        actor=people.staff,
        task=task,
        title=" 培育工业互联网平台 ",
        lead=people.deps["dzxxc"],
        partners=[people.deps["kjj"], people.deps["xxhc"]],
        official=people.official,
        deadline=dt.date(2026, 12, 31),
    )
    task.refresh_from_db()
    assert task.title == "培育工业互联网平台" and task.confirmed
    assert task.lead == people.deps["dzxxc"] and task.official == people.official
    assert {d.code for d in task.partners.all()} == {"kjj", "xxhc"}
    (entry,) = entries(task, AuditAction.UPDATE)
    assert entry.actor == people.staff
    assert entry.changes["title"] == ["培育壮大工业互联网平台", "培育工业互联网平台"]
    assert entry.changes["lead"] == [people.deps["xxhc"].pk, people.deps["dzxxc"].pk]
    assert entry.changes["deadline"] == ["2026-09-30", "2026-12-31"]
    assert entry.changes["confirmed"] == [False, True]
    assert entry.changes["partners"] == [
        [people.deps["kjj"].pk],
        sorted([people.deps["kjj"].pk, people.deps["xxhc"].pk]),
    ]


def test_an_ongoing_task_without_a_deadline_loses_the_phrase_only_when_cleared(people):
    plan = imported(people)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    services.task_assign(
        actor=people.staff, task=task, title=task.title, lead=task.lead, partners=[], ongoing=True
    )
    task.refresh_from_db()
    assert task.ongoing and task.deadline is None
    assert task.deadline_phrase == "2026年三季度末前"  # kept: it said what the text proposed
    services.task_assign(actor=people.staff, task=task, title=task.title, lead=None, partners=[])
    task.refresh_from_db()
    assert (task.ongoing, task.deadline, task.deadline_phrase) == (False, None, "")


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            {"ongoing": True, "deadline": dt.date(2026, 12, 31)},
            "deadline",
            "An ongoing task (长期坚持) has no deadline; clear one of them.",
        ),
        (
            {"lead": "xxhc", "partners": ["kjj", "xxhc"]},
            "partners",
            "市工信局信息化推进处 leads the task; it cannot also co-operate.",
        ),
        ({"official": "inactive"}, "official", "is not an active user."),
    ],
)
def test_an_assignment_that_contradicts_itself_is_refused(people, change, field, message):
    plan = imported(people)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    values = {"title": task.title, "lead": task.lead, "partners": []}
    for name, value in change.items():
        if name == "lead":
            value = people.deps[value]
        elif name == "partners":
            value = [people.deps[code] for code in value]
        elif name == "official":
            value = UserFactory(username="s-gone", role=Role.OFFICER, is_active=False)
        values[name] = value
    with pytest.raises(ValidationError) as refused:
        services.task_assign(actor=people.staff, task=task, **values)
    assert message in " ".join(refused.value.message_dict[field])
    task.refresh_from_db()
    assert not task.confirmed and not entries(task).exists()


def test_only_staff_assign(people):
    plan = imported(people)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    for actor in (people.leader, people.lead):
        with pytest.raises(PermissionDenied):
            services.task_assign(actor=actor, task=task, title="x", lead=None, partners=[])
    task.refresh_from_db()
    assert task.title == "培育壮大工业互联网平台" and not task.confirmed


def test_a_new_lead_of_an_issued_plan_is_told(people, django_capture_on_commit_callbacks):
    plan = issued(people)
    task = plan.tasks.get(title="做强VR产业支撑能力")
    with django_capture_on_commit_callbacks(execute=True):
        services.task_assign(
            actor=people.staff, task=task, title=task.title, lead=people.deps["xxhc"], partners=[]
        )
    (message,) = Notification.objects.filter(user=people.lead)
    assert message.title == f"1 task of “{plan.title}” assigned to your department"
    assert "做强VR产业支撑能力" in message.body
    with django_capture_on_commit_callbacks(execute=True):  # the same lead: nobody told again
        services.task_assign(
            actor=people.staff, task=task, title="做强VR产业", lead=people.deps["xxhc"], partners=[]
        )
    assert Notification.objects.filter(user=people.lead).count() == 1


def test_confirming_takes_the_proposals_once(people):
    plan = imported(people)
    assert services.tasks_confirm(actor=people.staff, plan=plan) == 23
    assert not plan.tasks.filter(confirmed=False).exists()
    (entry,) = entries(plan, AuditAction.UPDATE)
    assert entry.message == "Confirmed the proposals of 23 tasks"
    assert services.tasks_confirm(actor=people.staff, plan=plan) == 0
    assert entries(plan, AuditAction.UPDATE).count() == 1
    with pytest.raises(PermissionDenied):
        services.tasks_confirm(actor=people.lead, plan=plan)


# Issuing, closing, reopening, deleting --------------------------------------------------------


def test_issuing_is_refused_while_tasks_are_unconfirmed_or_ownerless(people):
    plan = imported(people)
    with pytest.raises(ValidationError) as refused:
        services.plan_issue(actor=people.staff, plan=plan)
    messages = refused.value.messages
    assert messages[0] == "23 tasks are not confirmed yet."
    assert messages[1] == (
        "Tasks without an owner: 一、指导思想和主要目标；一是加强组织领导；四是营造良好氛围."
    )
    services.tasks_confirm(actor=people.staff, plan=plan)
    with pytest.raises(ValidationError) as refused:
        services.plan_issue(actor=people.staff, plan=plan)
    (message,) = refused.value.messages
    assert "指导思想和主要目标" in message and "营造良好氛围" in message
    # a task owned by a district's government (owners_text) has an owner
    assert "打造数字化改造示范项目" not in message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.issued_at is None


def test_issuing_tells_the_lead_departments_and_records_it(
    people, django_capture_on_commit_callbacks
):
    plan = imported(people)
    services.tasks_confirm(actor=people.staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        services.task_assign(
            actor=people.staff, task=task, title=task.title, lead=people.deps["ghc"], partners=[]
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_issue(actor=people.staff, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.issued_at is not None
    entry = entries(plan, AuditAction.UPDATE).order_by("-pk").first()
    assert entry.changes == {"status": ["draft", "active"]}
    (told,) = Notification.objects.filter(user=people.lead)
    assert told.title == f"4 tasks of “{plan.title}” assigned to your department"
    assert told.url == plan.get_absolute_url()
    assert not Notification.objects.filter(user=people.partner).exists()  # co-operates only


def test_the_life_of_a_plan(people):
    plan = issued(people)
    issued_at = plan.issued_at
    with pytest.raises(ValidationError) as refused:
        services.plan_issue(actor=people.staff, plan=plan)
    assert refused.value.messages == ["A plan that is Issued cannot become Issued."]
    with pytest.raises(ValidationError) as refused:
        services.plan_reopen(actor=people.staff, plan=plan)
    assert refused.value.messages == ["Only a closed plan can be reopened."]
    services.plan_close(actor=people.staff, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(ValidationError) as refused:
        services.plan_close(actor=people.staff, plan=plan)
    assert refused.value.messages == ["A plan that is Closed cannot become Closed."]
    services.plan_reopen(actor=people.staff, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.issued_at == issued_at
    changes = [e.changes for e in entries(plan, AuditAction.UPDATE).order_by("pk")][-3:]
    assert changes == [
        {"status": ["draft", "active"]},
        {"status": ["active", "closed"]},
        {"status": ["closed", "active"]},
    ]
    for service in (services.plan_close, services.plan_reopen, services.plan_issue):
        with pytest.raises(PermissionDenied):
            service(actor=people.leader, plan=plan)


def test_a_draft_cannot_be_closed(people):
    plan = imported(people)
    with pytest.raises(ValidationError) as refused:
        services.plan_close(actor=people.staff, plan=plan)
    assert refused.value.messages == ["A plan that is Draft cannot become Closed."]


def test_a_draft_cannot_be_reopened(people):
    plan = imported(people)
    with pytest.raises(ValidationError):
        services.plan_reopen(actor=people.staff, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_only_a_draft_is_deleted(people):
    plan = imported(people)
    source = plan.source.name
    pk = plan.pk
    with pytest.raises(PermissionDenied):
        services.plan_delete(actor=people.leader, plan=plan)
    services.plan_delete(actor=people.staff, plan=plan)
    assert not Plan.objects.filter(pk=pk).exists() and not Task.objects.filter(plan=pk).exists()
    assert not plan.source.storage.exists(source)
    entry = AuditEntry.objects.get(object_type="plans.plan", object_id=str(pk), action="delete")
    assert entry.actor == people.staff and entry.object_repr == plan.title
    active = issued(people)
    with pytest.raises(ValidationError) as refused:
        services.plan_delete(actor=people.staff, plan=active)
    assert refused.value.messages == [
        "Only a draft plan can be deleted; close an issued plan instead."
    ]
    assert Plan.objects.filter(pk=active.pk).exists()


def test_a_deleted_plan_is_kept_in_the_audit_log(people):
    plan = imported(people)
    pk, title = plan.pk, plan.title
    services.plan_delete(actor=people.staff, plan=plan)
    entry = AuditEntry.objects.get(object_type="plans.plan", object_id=str(pk), action="delete")
    assert entry.changes["title"] == [title, None]
    assert entry.changes["status"] == ["draft", None]


# Progress reports ------------------------------------------------------------------------------


@pytest.fixture
def platform(people) -> Task:
    """培育壮大工业互联网平台 of the issued plan: 信息化处 leads, 科技局 co-operates."""
    return issued(people).tasks.get(title="培育壮大工业互联网平台")


def report(actor, task, period, status=TaskStatus.IN_PROGRESS, progress=40, *, now, **more):
    return services.report_file(
        actor=actor,
        task=task,
        period=period,
        status=status,
        progress=progress,
        text=more.pop("text", "推进平台建设。"),
        now=now,
        **more,
    )


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"period": dt.date(2026, 5, 1)}, "period", "a period that has not begun"),
        (
            {"status": TaskStatus.DONE, "progress": 90},
            "progress",
            "A completed task has a progress",
        ),
        ({"progress": 101}, "progress", "Progress is a percentage, 0 to 100."),
        ({"text": "  \n "}, "text", "Say what was done in the period."),
        ({"status": "stalled"}, "status", "Choose a status."),
    ],
)
def test_a_report_that_says_too_little_or_too_much_is_refused(
    people, platform, values, field, message
):
    base = {"period": dt.date(2026, 4, 1), "status": TaskStatus.IN_PROGRESS, "progress": 40}
    base |= values
    with pytest.raises(ValidationError) as refused:
        report(people.lead, platform, now=at(2026, 4, 20), **base)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Report.objects.exists()
    platform.refresh_from_db()
    assert (platform.status, platform.progress, platform.last_period) == ("not_started", 0, None)


def test_the_current_period_may_be_reported(people, platform):
    filed = report(people.lead, platform, dt.date(2026, 4, 15), now=at(2026, 4, 20))
    assert filed.period == dt.date(2026, 4, 1) and not filed.late


@pytest.mark.parametrize("who", ["partner", "leader", "official"])
def test_only_the_lead_department_and_staff_report(people, platform, who):
    with pytest.raises(PermissionDenied):
        report(getattr(people, who), platform, dt.date(2026, 3, 1), now=at(2026, 4, 3))
    assert not Report.objects.exists()
    assert report(people.staff, platform, dt.date(2026, 3, 1), now=at(2026, 4, 3)).reported_by


def test_nobody_reports_on_a_heading_a_draft_or_a_closed_plan(people):
    plan = issued(people)
    heading = plan.tasks.get(title="加快新型基础设施和工业互联网建设")
    with pytest.raises(PermissionDenied):
        report(people.staff, heading, dt.date(2026, 3, 1), now=at(2026, 4, 3))
    services.plan_close(actor=people.staff, plan=plan)
    task = plan.tasks.get(title="培育壮大工业互联网平台")
    for actor in (people.lead, people.staff):
        with pytest.raises(PermissionDenied):
            report(actor, task, dt.date(2026, 3, 1), now=at(2026, 4, 3))
    draft = imported(people)
    with pytest.raises(PermissionDenied):
        report(
            people.staff, draft.tasks.get(title=task.title), dt.date(2026, 3, 1), now=at(2026, 4, 3)
        )
    assert not Report.objects.exists()


def test_a_second_report_for_a_period_replaces_the_first(people, platform):
    first = report(people.lead, platform, dt.date(2026, 3, 1), progress=30, now=at(2026, 4, 2))
    second = report(
        people.staff,
        platform,
        dt.date(2026, 3, 20),
        progress=45,
        text="补充：完成平台遴选。",
        problems="资金未到位",
        next_steps="推动签约",
        now=at(2026, 4, 3),
    )
    assert second.pk == first.pk and Report.objects.count() == 1
    second.refresh_from_db()
    assert (second.progress, second.text, second.problems, second.next_steps) == (
        45,
        "补充：完成平台遴选。",
        "资金未到位",
        "推动签约",
    )
    assert second.reported_by == people.staff and second.reported_at == at(2026, 4, 3)
    created, updated = entries(first).order_by("pk")
    assert created.action == AuditAction.CREATE and updated.action == AuditAction.UPDATE
    assert created.changes == {
        "status": ["not_started", "in_progress"],
        "progress": [0, 30],
        "last_period": [None, "2026-03-01"],
    }
    assert updated.changes == {"progress": [30, 45]}
    assert created.message == "Progress report for 2026年3月"


def test_a_report_after_its_deadline_is_late(people, platform):
    period = dt.date(2026, 10, 1)
    due = schedule.report_due(period, "month")
    assert due == dt.date(2026, 11, 6)  # the fifth working day after 31 October
    on_time = report(people.lead, platform, period, now=at(due.year, due.month, due.day, 23))
    assert not on_time.late
    after = due + dt.timedelta(days=1)
    late = report(people.lead, platform, period, now=at(after.year, after.month, after.day, 8))
    assert late.pk == on_time.pk and late.late


def test_the_deadline_of_a_quarterly_report_skips_the_holidays(people, platform):
    services.plan_update(actor=people.staff, plan=platform.plan, report_every="quarter")
    due = schedule.report_due(dt.date(2026, 7, 1), "quarter")
    assert due > dt.date(2026, 10, 7)  # after the National Day holiday
    filed = report(people.lead, platform, dt.date(2026, 8, 1), now=at(2026, 10, 8))
    assert filed.period == dt.date(2026, 7, 1) and not filed.late  # the quarter's first month
    again = report(people.lead, platform, dt.date(2026, 9, 1), now=at(due.year, due.month, 30))
    assert again.pk == filed.pk and again.late
    with pytest.raises(ValidationError):  # a quarter that has not begun
        report(people.lead, platform, dt.date(2027, 1, 1), now=at(2026, 10, 8))


def test_the_task_follows_its_latest_report(people, platform):
    report(people.lead, platform, dt.date(2026, 3, 1), progress=40, now=at(2026, 4, 2))
    # a report for an earlier period filed later does not move the task back
    report(people.lead, platform, dt.date(2026, 2, 1), TaskStatus.DONE, 100, now=at(2026, 4, 5))
    platform.refresh_from_db()
    assert (platform.status, platform.progress, platform.completed_on, platform.last_period) == (
        TaskStatus.IN_PROGRESS,
        40,
        None,
        dt.date(2026, 3, 1),
    )
    assert platform.last_report_at == at(2026, 4, 5)
    report(people.lead, platform, dt.date(2026, 4, 1), TaskStatus.DONE, 100, now=at(2026, 4, 28))
    platform.refresh_from_db()
    assert (platform.status, platform.progress, platform.completed_on, platform.last_period) == (
        TaskStatus.DONE,
        100,
        dt.date(2026, 4, 28),
        dt.date(2026, 4, 1),
    )
    # filed again as completed: the day it was completed stays
    report(people.lead, platform, dt.date(2026, 4, 1), TaskStatus.DONE, 100, now=at(2026, 4, 30))
    platform.refresh_from_db()
    assert platform.completed_on == dt.date(2026, 4, 28)
    # reopened: no longer completed
    report(
        people.lead, platform, dt.date(2026, 4, 1), TaskStatus.IN_PROGRESS, 90, now=at(2026, 5, 2)
    )
    platform.refresh_from_db()
    assert (platform.status, platform.progress, platform.completed_on) == ("in_progress", 90, None)


def test_evidence_is_kept_with_the_report(people, platform):
    filed = report(
        people.lead,
        platform,
        dt.date(2026, 3, 1),
        now=at(2026, 4, 2),
        files=[SimpleUploadedFile("会议纪要.pdf", PDF), SimpleUploadedFile("现场.png", PNG)],
    )
    kept = {a.name: a for a in filed.attachments.all()}
    assert set(kept) == {"会议纪要.pdf", "现场.png"}
    assert kept["会议纪要.pdf"].content_type == "application/pdf"
    assert kept["现场.png"].content_type == "image/png"
    assert kept["现场.png"].size == len(PNG)
    assert kept["会议纪要.pdf"].uploaded_by == people.lead
    with kept["会议纪要.pdf"].file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"plain words", "notes.txt: only PDF, JPG, PNG, DOC, DOCX, XLS, XLSX"),
        ("photo.pdf", PNG, "photo.pdf is not the PDF file its name says it is."),
        ("empty.png", b"", "empty.png is empty."),
        ("big.pdf", PDF + b"0" * (1024 * 1024 + 10), "big.pdf: 1.0 MB is more than the 1 MB"),
    ],
)
def test_evidence_of_the_wrong_kind_or_size_is_refused(
    people, platform, settings, name, content, message
):
    settings.GONGXIN_ATTACHMENT_MAX_MB = 1
    with pytest.raises(ValidationError) as refused:
        report(
            people.lead,
            platform,
            dt.date(2026, 3, 1),
            now=at(2026, 4, 2),
            files=[SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile(name, content)],
        )
    assert message in " ".join(refused.value.message_dict["files"])
    assert not Report.objects.exists() and not ReportAttachment.objects.exists()


# The sweep -------------------------------------------------------------------------------------

SWEEP_TASKS = ["甲项工作", "乙项工作", "丙项工作", "丁项工作", "戊项工作", "己项工作"]
SWEEP_NOW = at(2026, 11, 20, 9)  # reports for October are due (by 6 November)


@pytest.fixture
def supervised(people):
    """An issued plan (imported by staff, issued 1 February 2026) whose tasks stand, on
    20 November 2026:

        task  lead  deadline     official  report
        甲    xxhc  2026-10-31   yes       —                  overdue, report missing
        乙    xxhc  2026-11-25   yes       —                  due within a week, missing
        丙    zbc   2027-06-30   —         —                  report missing
        丁    zbc   2026-12-31   —         October
        戊    zbc   2026-09-30   —         completed          (nothing)
        己    zbc   ongoing      —         —                  report missing

    信息化处 has a head and a second user who has left (inactive)."""
    deps = people.deps
    people.head = UserFactory(username="s-head", role=Role.LEADER)
    Department.objects.filter(pk=deps["xxhc"].pk).update(head=people.head)
    people.gone = UserFactory(
        username="s-xxhc-gone", role=Role.DEPARTMENT, department=deps["xxhc"], is_active=False
    )
    people.zbc = UserFactory(username="s-zbc", role=Role.DEPARTMENT, department=deps["zbc"])
    plan = imported(people, plan_doc("督办测试方案（2026年）", SWEEP_TASKS), "sweep.md")
    tasks = {t.title: t for t in plan.tasks.filter(is_leaf=True)}
    assert set(tasks) == set(SWEEP_TASKS)
    owners = {
        "甲项工作": ("xxhc", dt.date(2026, 10, 31), people.official),
        "乙项工作": ("xxhc", dt.date(2026, 11, 25), people.official),
        "丙项工作": ("zbc", dt.date(2027, 6, 30), None),
        "丁项工作": ("zbc", dt.date(2026, 12, 31), None),
        "戊项工作": ("zbc", dt.date(2026, 9, 30), None),
        "己项工作": ("zbc", None, None),
    }
    for title, (lead, deadline, official) in owners.items():
        services.task_assign(
            actor=people.staff,
            task=tasks[title],
            title=title,
            lead=deps[lead],
            partners=[],
            official=official,
            deadline=deadline,
            ongoing=deadline is None,
        )
    issued(people, plan)
    Plan.objects.filter(pk=plan.pk).update(issued_at=at(2026, 2, 1))
    report(people.zbc, tasks["丁项工作"], dt.date(2026, 10, 1), now=at(2026, 11, 3))
    report(people.zbc, tasks["戊项工作"], dt.date(2026, 9, 1), "done", 100, now=at(2026, 9, 28))
    Notification.objects.all().delete()  # those of the issue
    return SimpleNamespace(plan=plan, tasks=tasks)


def notices() -> set[tuple[str, str, dt.date]]:
    return {(n.task.title, n.kind, n.key) for n in TaskNotice.objects.select_related("task")}


def told(user) -> dict[str, str]:
    return {n.title: n.body for n in Notification.objects.filter(user=user)}


def test_the_sweep_finds_overdue_close_and_unreported_tasks(people, supervised):
    result = tasks_sweep(SWEEP_NOW)
    assert result.notices == {"overdue": 1, "due_soon": 1, "report_missing": 4}
    october = dt.date(2026, 10, 1)
    assert notices() == {
        ("甲项工作", NoticeKind.OVERDUE, dt.date(2026, 10, 31)),
        ("乙项工作", NoticeKind.DUE_SOON, dt.date(2026, 11, 25)),
        ("甲项工作", NoticeKind.REPORT_MISSING, october),
        ("乙项工作", NoticeKind.REPORT_MISSING, october),
        ("丙项工作", NoticeKind.REPORT_MISSING, october),
        ("己项工作", NoticeKind.REPORT_MISSING, october),
    }
    assert all(n.at == SWEEP_NOW for n in TaskNotice.objects.all())


def test_the_sweep_tells_each_person_once_per_kind(people, supervised):
    result = tasks_sweep(SWEEP_NOW)
    lead = told(people.lead)
    assert set(lead) == {
        "Supervision: 1 task is past its deadline",
        "1 task is due within a week",
        "The progress reports of 2 tasks are missing",
    }
    assert lead["Supervision: 1 task is past its deadline"] == "1.甲项工作（2026-10-31）"
    assert set(lead["The progress reports of 2 tasks are missing"].splitlines()) == {
        "1.甲项工作（2026-10-31）",
        "2.乙项工作（2026-11-25）",
    }
    assert told(people.official) == lead  # the official of 甲 and 乙
    # the head of 信息化处 and the staff member who imported the plan: the overdue only
    assert set(told(people.head)) == {"Supervision: 1 task is past its deadline"}
    assert set(told(people.staff)) == {"Supervision: 1 task is past its deadline"}
    assert set(told(people.zbc)) == {"The progress reports of 2 tasks are missing"}
    assert "3.丙项工作" in told(people.zbc)["The progress reports of 2 tasks are missing"]
    assert not told(people.gone)  # left the department
    assert not told(people.partner) and not told(people.leader)
    assert result.messages == Notification.objects.count() == 3 + 3 + 1 + 1 + 1


def test_a_sweep_run_twice_sends_nothing_twice(people, supervised):
    first = tasks_sweep(SWEEP_NOW)
    messages = Notification.objects.count()
    again = tasks_sweep(SWEEP_NOW + dt.timedelta(hours=2))
    assert again.total == 0 and again.messages == 0
    assert TaskNotice.objects.count() == first.total == 6
    assert Notification.objects.count() == messages


def test_a_new_period_or_a_new_deadline_is_a_new_notice(people, supervised):
    tasks_sweep(SWEEP_NOW)
    # 10 December: November's reports were due by 7 December; 乙's deadline has passed
    later = tasks_sweep(at(2026, 12, 10))
    assert later.notices == {"overdue": 1, "due_soon": 0, "report_missing": 5}
    assert ("乙项工作", NoticeKind.OVERDUE, dt.date(2026, 11, 25)) in notices()
    november = {n for n in notices() if n[2] == dt.date(2026, 11, 1)}
    assert {n[0] for n in november} == {"甲项工作", "乙项工作", "丙项工作", "丁项工作", "己项工作"}
    # a new deadline, passed as well: supervised again
    task = supervised.tasks["甲项工作"]
    services.task_assign(
        actor=people.staff,
        task=task,
        title=task.title,
        lead=people.deps["xxhc"],
        partners=[],
        deadline=dt.date(2026, 12, 5),
    )
    assert tasks_sweep(at(2026, 12, 10, 11)).notices["overdue"] == 1


def test_completed_tasks_and_plans_not_issued_are_left_alone(people, supervised):
    for title in SWEEP_TASKS:
        task = supervised.tasks[title]
        if title != "戊项工作":
            report(people.staff, task, dt.date(2026, 10, 1), "done", 100, now=at(2026, 11, 10))
    draft = imported(people, plan_doc("未下达方案", ["庚项工作"]), "draft.md")
    services.task_assign(
        actor=people.staff,
        task=draft.tasks.get(is_leaf=True),
        title="庚项工作",
        lead=people.deps["xxhc"],
        partners=[],
        deadline=dt.date(2026, 3, 31),
    )
    result = tasks_sweep(SWEEP_NOW)
    assert result.total == 0 and not TaskNotice.objects.exists()
    assert not Notification.objects.exists()


def test_a_closed_plan_is_not_supervised(people, supervised):
    services.plan_close(actor=people.staff, plan=supervised.plan)
    assert tasks_sweep(SWEEP_NOW).total == 0
    assert not Notification.objects.exists()


def test_the_sla_command_runs_the_sweep(people):
    """`gongxin sla` supervises plan tasks with the demands (today, the real date)."""
    today = timezone.localdate()
    plan = imported(people, plan_doc("命令测试方案", ["辛项工作", "壬项工作"]), "cmd.md")
    deadlines = {"辛项工作": today - dt.timedelta(days=3), "壬项工作": today + dt.timedelta(days=2)}
    for task in plan.tasks.filter(is_leaf=True):
        services.task_assign(
            actor=people.staff,
            task=task,
            title=task.title,
            lead=people.deps["xxhc"],
            partners=[],
            deadline=deadlines[task.title],
        )
    issued(people, plan)
    out = io.StringIO()
    call_command("sla", stdout=out)
    lines = out.getvalue().splitlines()
    assert "tasks\toverdue\t1" in lines and "tasks\tdue_soon\t1" in lines
    assert TaskNotice.objects.count() == 2  # issued today: no report is due yet


# Standing: schedule.standing and the SQL -------------------------------------------------------


def standing(**values):
    base = {
        "status": TaskStatus.IN_PROGRESS,
        "deadline": None,
        "last_period": dt.date(2026, 10, 1),
        "issued_on": dt.date(2026, 2, 1),
        "every": "month",
        "reported": True,
        "today": dt.date(2026, 11, 20),
    }
    result = schedule.standing(**(base | values))
    return result.state, result.colour, result.report_missing


@pytest.mark.parametrize(
    "values, expected",
    [
        ({}, (State.IN_PROGRESS, Colour.GREEN, False)),
        ({"status": TaskStatus.NOT_STARTED}, (State.NOT_STARTED, Colour.GREEN, False)),
        # red: the deadline has passed
        ({"deadline": dt.date(2026, 11, 19)}, (State.LATE, Colour.RED, False)),
        ({"deadline": dt.date(2026, 11, 19), "last_period": None}, (State.LATE, Colour.RED, True)),
        # yellow: the deadline within 30 days (today included), or the report missing
        ({"deadline": dt.date(2026, 11, 20)}, (State.IN_PROGRESS, Colour.YELLOW, False)),
        ({"deadline": dt.date(2026, 12, 20)}, (State.IN_PROGRESS, Colour.YELLOW, False)),
        ({"deadline": dt.date(2026, 12, 21)}, (State.IN_PROGRESS, Colour.GREEN, False)),
        ({"last_period": dt.date(2026, 9, 1)}, (State.IN_PROGRESS, Colour.YELLOW, True)),
        ({"last_period": None}, (State.IN_PROGRESS, Colour.YELLOW, True)),
        # no report asked for: of a heading, before the plan is issued, or before it began
        ({"last_period": None, "reported": False}, (State.IN_PROGRESS, Colour.GREEN, False)),
        ({"last_period": None, "issued_on": None}, (State.IN_PROGRESS, Colour.GREEN, False)),
        (
            {"last_period": None, "issued_on": dt.date(2026, 11, 2)},
            (State.IN_PROGRESS, Colour.GREEN, False),
        ),
        # October's report is due by 6 November
        (
            {"last_period": dt.date(2026, 9, 1), "today": dt.date(2026, 11, 6)},
            (State.IN_PROGRESS, Colour.GREEN, False),
        ),
        (
            {"last_period": dt.date(2026, 9, 1), "today": dt.date(2026, 11, 7)},
            (State.IN_PROGRESS, Colour.YELLOW, True),
        ),
        # green once completed, whatever the deadline and the reports
        (
            {"status": TaskStatus.DONE, "deadline": dt.date(2026, 1, 1), "last_period": None},
            (State.DONE, Colour.GREEN, False),
        ),
        # quarterly: the third quarter's report is due in October, after the holiday
        (
            {"every": "quarter", "last_period": dt.date(2026, 7, 1)},
            (State.IN_PROGRESS, "green", False),
        ),
        (
            {"every": "quarter", "last_period": dt.date(2026, 4, 1)},
            (State.IN_PROGRESS, "yellow", True),
        ),
        (
            {"every": "quarter", "last_period": dt.date(2026, 4, 1), "today": dt.date(2026, 10, 9)},
            (State.IN_PROGRESS, Colour.GREEN, False),
        ),
    ],
)
def test_standing(values, expected):
    assert standing(**values) == expected


@pytest.mark.parametrize(
    "today, every, due",
    [
        (dt.date(2026, 11, 6), "month", dt.date(2026, 9, 1)),
        (dt.date(2026, 11, 7), "month", dt.date(2026, 10, 1)),
        (dt.date(2027, 1, 4), "month", dt.date(2026, 11, 1)),  # across the new year
        (dt.date(2027, 1, 20), "month", dt.date(2026, 12, 1)),
        (dt.date(2026, 7, 3), "quarter", dt.date(2026, 1, 1)),
        (dt.date(2026, 7, 20), "quarter", dt.date(2026, 4, 1)),
        (dt.date(2027, 1, 5), "quarter", dt.date(2026, 7, 1)),
        (dt.date(2027, 1, 20), "quarter", dt.date(2026, 10, 1)),
    ],
)
def test_the_period_whose_report_is_due(today, every, due):
    assert schedule.due_period(today, every) == due
    assert schedule.report_due(due, every) < today


GRID_DEADLINES = [
    None,
    dt.date(2026, 10, 31),
    dt.date(2026, 11, 30),
    dt.date(2026, 12, 15),
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 10),
    dt.date(2027, 1, 31),
    dt.date(2027, 3, 31),
]
#: (status, progress, period reported) — None: no report
GRID_REPORTS = [
    None,
    (TaskStatus.NOT_STARTED, 0, dt.date(2026, 7, 1)),
    (TaskStatus.IN_PROGRESS, 50, dt.date(2026, 10, 1)),
    (TaskStatus.IN_PROGRESS, 70, dt.date(2026, 12, 1)),
    (TaskStatus.DONE, 100, dt.date(2026, 11, 1)),
]
GRID_DAYS = [
    dt.date(2026, 9, 30),
    dt.date(2026, 10, 13),
    dt.date(2026, 10, 14),
    dt.date(2026, 11, 6),
    dt.date(2026, 11, 7),
    dt.date(2026, 12, 1),
    dt.date(2026, 12, 15),
    dt.date(2026, 12, 16),
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 1),
    dt.date(2027, 1, 7),
    dt.date(2027, 1, 8),
    dt.date(2027, 1, 11),
    dt.date(2027, 2, 1),
    dt.date(2027, 4, 12),
]


def grid_plan(people, title: str, every: str, issued_on: dt.datetime | None) -> Plan:
    """A plan with a task for every deadline and every report of the grid."""
    names = [f"第{i}项任务" for i in range(1, len(GRID_DEADLINES) * len(GRID_REPORTS) + 1)]
    plan = imported(people, plan_doc(title, names), f"{every}.md")
    services.plan_update(actor=people.staff, plan=plan, report_every=every)
    tasks = list(plan.tasks.filter(is_leaf=True).order_by("position"))
    combos = [(d, r) for d in GRID_DEADLINES for r in GRID_REPORTS]
    for task, (deadline, _report) in zip(tasks, combos, strict=True):
        services.task_assign(
            actor=people.staff,
            task=task,
            title=task.title,
            lead=people.deps["xxhc"],
            partners=[],
            deadline=deadline,
            ongoing=deadline is None,
        )
    if issued_on is None:
        services.tasks_confirm(actor=people.staff, plan=plan)
        return plan
    issued(people, plan)
    for task, (_deadline, filed) in zip(tasks, combos, strict=True):
        if filed:
            status, progress, period = filed
            report(people.staff, task, period, status, progress, now=at(2027, 4, 1))
    Plan.objects.filter(pk=plan.pk).update(issued_at=issued_on)
    return plan


def test_the_sql_standing_agrees_with_schedule_on_a_grid(people):
    plans = [
        grid_plan(people, "月报方案", "month", at(2026, 3, 5)),
        grid_plan(people, "晚下达月报方案", "month", at(2026, 12, 20)),
        grid_plan(people, "季报方案", "quarter", at(2026, 3, 5)),
        grid_plan(people, "未下达方案", "month", None),
    ]
    issued_on = {
        p.pk: timezone.localdate(p.issued_at) if p.issued_at else None
        for p in Plan.objects.filter(pk__in=[p.pk for p in plans])
    }
    seen = set()
    for today in GRID_DAYS:
        rows = selectors.with_standing(Task.objects.select_related("plan"), today)
        for task in rows:
            expected = schedule.standing(
                status=task.status,
                deadline=task.deadline,
                last_period=task.last_period,
                issued_on=issued_on[task.plan_id],
                every=task.plan.report_every,
                reported=task.is_leaf,
                today=today,
            )
            got = (task.state, task.colour, task.report_missing)
            want = (expected.state, expected.colour, expected.report_missing)
            assert got == want, (today, task.plan.title, task.title, task.deadline, task.status)
            seen.add(want)
    # the grid reaches every state and colour, with and without a report missing
    assert {s[0] for s in seen} == set(State.values)
    assert {s[1] for s in seen} == set(Colour.values)
    assert {(s[1], s[2]) for s in seen} >= {("yellow", True), ("yellow", False), ("red", True)}


def test_the_plan_counts_agree_with_the_tasks(people):
    plan = grid_plan(people, "月报方案", "month", at(2026, 3, 5))
    for today in (dt.date(2026, 11, 7), dt.date(2027, 1, 8)):
        leaves = list(selectors.task_list(people.staff, {"plan": plan.pk}, today))
        (row,) = selectors.plan_list(people.staff, today=today).filter(pk=plan.pk)
        assert row.task_count == len(leaves) == 40
        assert row.done_count == sum(t.state == State.DONE for t in leaves)
        assert row.red_count == sum(t.colour == Colour.RED for t in leaves)
        assert row.yellow_count == sum(t.colour == Colour.YELLOW for t in leaves)
        assert row.missing_count == sum(t.report_missing for t in leaves)
        (record,) = selectors.department_record(people.staff, plan=plan, today=today)
        assert (record.tasks, record.done, record.late, record.missing) == (
            40,
            row.done_count,
            sum(t.state == State.LATE for t in leaves),
            row.missing_count,
        )
