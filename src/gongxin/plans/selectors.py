"""Reads of plans and tasks, scoped to the acting user, with each task's standing
(state, colour, report missing) computed in SQL the way `schedule.standing` computes it
for one task.

Who sees what: leadership, division staff, administrators and chain offices read every
plan that has been issued (staff and administrators the drafts too); a handling
department reads the issued plans it owns or co-owns tasks in, and only those tasks;
nobody else reads plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.core.selectors import user_edits_everything
from gongxin.plans import schedule
from gongxin.plans.choices import Colour, PlanStatus, ReportEvery, State, TaskStatus
from gongxin.plans.models import Plan, PlanDraft, Report, Task
from gongxin.plans.proposals import Named, Vocabulary

READ_ALL = (Role.LEADER, Role.STAFF, Role.ADMIN, Role.CHAIN_OFFICE)


def plans_can_read(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in READ_ALL or user.role == Role.DEPARTMENT)
    )


def plans_can_edit(user: User) -> bool:
    """Division staff and administrators import plans, assign and supervise tasks."""
    return user_edits_everything(user)


def _department_of(user: User) -> int | None:
    return user.department_id if user.role == Role.DEPARTMENT else None


def plan_scope(user: User) -> QuerySet[Plan]:
    if not plans_can_read(user):
        return Plan.objects.none()
    plans = Plan.objects.all()
    if plans_can_edit(user):
        return plans
    plans = plans.exclude(status=PlanStatus.DRAFT)
    department = _department_of(user)
    if department is not None:
        mine = Task.objects.filter(plan=OuterRef("pk")).filter(
            Q(lead=department) | Q(partners=department) | Q(official=user)
        )
        plans = plans.filter(Exists(mine))
    return plans


def task_scope(user: User) -> QuerySet[Task]:
    if not plans_can_read(user):
        return Task.objects.none()
    tasks = Task.objects.filter(plan__in=plan_scope(user))
    department = _department_of(user)
    if department is not None:
        partner = Task.partners.through.objects.filter(task=OuterRef("pk"), department=department)
        tasks = tasks.filter(Q(lead=department) | Exists(partner) | Q(official=user))
    return tasks


def plan_get(user: User, pk: int) -> Plan:
    try:
        return plan_scope(user).get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None


def task_get(user: User, pk: int) -> Task:
    try:
        return task_rows(user).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None


def draft_get(user: User, pk: int) -> PlanDraft:
    """A draft being checked: its author's, or any for administrators."""
    if not plans_can_edit(user):
        raise Http404
    drafts = PlanDraft.objects.all()
    if not user.is_admin:
        drafts = drafts.filter(created_by=user)
    try:
        return drafts.get(pk=pk)
    except PlanDraft.DoesNotExist:
        raise Http404 from None


def task_can_report(user: User, task: Task) -> bool:
    """The lead department's users report on an issued plan's task; staff may report on
    any (for owners outside gongxin, such as the districts' governments)."""
    if not task.is_leaf or task.plan.status != PlanStatus.ACTIVE:
        return False
    if plans_can_edit(user):
        return True
    return (
        user.role == Role.DEPARTMENT
        and task.lead_id is not None
        and (user.department_id == task.lead_id)
    )


# ---------------------------------------------------------------------------------------
# Standing in SQL


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _period_end_moment(period: dt.date, every: str) -> dt.datetime:
    after = schedule.add_months(period, schedule.period_length(every))
    return timezone.make_aware(dt.datetime.combine(after, dt.time.min))


def standing_q(today: dt.date | None = None, prefix: str = "") -> dict[str, Q]:
    """Conditions on tasks (through `prefix`, e.g. "tasks__") for: done, late, report
    missing, due soon. Same rules as `schedule.standing`."""
    today = _today(today)
    p = prefix
    done = Q(**{f"{p}status": TaskStatus.DONE})
    late = Q(**{f"{p}deadline__lt": today})
    missing = Q()
    for every in ReportEvery.values:
        due = schedule.due_period(today, every)
        missing |= Q(
            **{
                f"{p}plan__report_every": every,
                f"{p}plan__issued_at__lt": _period_end_moment(due, every),
            }
        ) & (Q(**{f"{p}last_period__isnull": True}) | Q(**{f"{p}last_period__lt": due}))
    missing = Q(**{f"{p}is_leaf": True, f"{p}plan__status": PlanStatus.ACTIVE}) & missing & ~done
    soon = Q(
        **{
            f"{p}deadline__gte": today,
            f"{p}deadline__lte": today + dt.timedelta(schedule.DUE_SOON_DAYS),
        }
    )
    return {
        "done": done,
        "late": late & ~done,
        "missing": missing,
        "yellow": ~done & ~late & (missing | soon),
        "red": late & ~done,
    }


def with_standing(tasks: QuerySet[Task], today: dt.date | None = None) -> QuerySet[Task]:
    q = standing_q(today)
    return tasks.annotate(
        state=Case(
            When(q["done"], then=Value(State.DONE)),
            When(q["late"], then=Value(State.LATE)),
            default=F("status"),
            output_field=CharField(),
        ),
        colour=Case(
            When(q["done"], then=Value(Colour.GREEN)),
            When(q["red"], then=Value(Colour.RED)),
            When(q["yellow"], then=Value(Colour.YELLOW)),
            default=Value(Colour.GREEN),
            output_field=CharField(),
        ),
        report_missing=Case(
            When(q["missing"], then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def task_rows(user: User, today: dt.date | None = None) -> QuerySet[Task]:
    """Tasks in scope with what lists show: plan, lead, official, partners, standing."""
    return with_standing(
        task_scope(user)
        .select_related("plan", "lead", "official", "parent")
        .prefetch_related(Prefetch("partners", queryset=Department.objects.order_by("sort_order"))),
        today,
    )


def task_list(
    user: User, filters: Mapping[str, Any] | None = None, today: dt.date | None = None
) -> QuerySet[Task]:
    """Reported-on tasks (leaves) in scope, filtered: plan, lead department, state,
    colour, words in the title or text, `mine` (the user's department leads)."""
    filters = filters or {}
    tasks = task_rows(user, today)
    if filters.get("leaf", True):
        tasks = tasks.filter(is_leaf=True)
    if filters.get("plan"):
        tasks = tasks.filter(plan=filters["plan"])
    if filters.get("lead"):
        tasks = tasks.filter(lead=filters["lead"])
    if filters.get("state"):
        tasks = tasks.filter(state=filters["state"])
    if filters.get("colour"):
        tasks = tasks.filter(colour=filters["colour"])
    if filters.get("q"):
        for word in str(filters["q"]).split():
            tasks = tasks.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if filters.get("mine") and user.department_id:
        tasks = tasks.filter(lead=user.department_id)
    return tasks.order_by("plan", "position")


# ---------------------------------------------------------------------------------------
# Plans


def plan_list(user: User, filters: Mapping[str, Any] | None = None, today=None) -> QuerySet[Plan]:
    """Plans in scope with their counts of reported-on tasks: all, completed, late (red),
    needing attention (yellow), and their completion (share of tasks completed)."""
    filters = filters or {}
    q = standing_q(today, prefix="tasks__")
    leaf = Q(tasks__is_leaf=True)
    department = _department_of(user)
    if department is not None:
        leaf &= Q(tasks__lead=department) | Q(tasks__partners=department)
    plans = plan_scope(user).annotate(
        task_count=Count("tasks", filter=leaf, distinct=True),
        done_count=Count("tasks", filter=leaf & q["done"], distinct=True),
        red_count=Count("tasks", filter=leaf & q["red"], distinct=True),
        yellow_count=Count("tasks", filter=leaf & q["yellow"], distinct=True),
        missing_count=Count("tasks", filter=leaf & q["missing"], distinct=True),
        unconfirmed_count=Count("tasks", filter=Q(tasks__confirmed=False), distinct=True),
    )
    if filters.get("status"):
        plans = plans.filter(status=filters["status"])
    if filters.get("year"):
        plans = plans.filter(year=filters["year"])
    if filters.get("q"):
        plans = plans.filter(title__icontains=filters["q"])
    return plans.order_by("-year", "-issued_on", "-pk")


@dataclass
class TreeRow:
    task: Task
    leaves: int = 0
    done: int = 0
    red: int = 0
    yellow: int = 0
    progress: float = 0.0
    children: list[TreeRow] = field(default_factory=list)

    @property
    def completion(self) -> int:
        return round(self.done * 100 / self.leaves) if self.leaves else 0

    @property
    def colour(self) -> str:
        if self.task.is_leaf:
            return self.task.colour
        if self.red:
            return Colour.RED
        return Colour.YELLOW if self.yellow else Colour.GREEN


def plan_tree(user: User, plan: Plan, today: dt.date | None = None) -> list[TreeRow]:
    """The plan's tasks in scope as a tree, each heading with the counts of the tasks
    under it (one query for the tasks, one for their partners)."""
    tasks = list(task_rows(user, today).filter(plan=plan).order_by("position"))
    rows = {task.pk: TreeRow(task) for task in tasks}
    roots: list[TreeRow] = []
    for task in tasks:
        row = rows[task.pk]
        parent = rows.get(task.parent_id)
        (parent.children if parent else roots).append(row)

    def total(row: TreeRow) -> None:
        if row.task.is_leaf:
            row.leaves = 1
            row.done = int(row.task.state == State.DONE)
            row.red = int(row.task.colour == Colour.RED)
            row.yellow = int(row.task.colour == Colour.YELLOW)
            row.progress = row.task.progress
            return
        for child in row.children:
            total(child)
            row.leaves += child.leaves
            row.done += child.done
            row.red += child.red
            row.yellow += child.yellow
            row.progress += child.progress * child.leaves
        row.progress = row.progress / row.leaves if row.leaves else 0

    for row in roots:
        total(row)
    return roots


def flatten(rows: list[TreeRow]) -> list[TreeRow]:
    out: list[TreeRow] = []
    for row in rows:
        out.append(row)
        out.extend(flatten(row.children))
    return out


@dataclass
class DepartmentRecord:
    department: Department | None
    tasks: int
    done: int
    done_on_time: int
    late: int
    missing: int
    progress: float

    @property
    def completion(self) -> int:
        return round(self.done * 100 / self.tasks) if self.tasks else 0


def department_record(
    user: User, *, plan: Plan | None = None, today: dt.date | None = None
) -> list[DepartmentRecord]:
    """Each lead department's record on the reported-on tasks in scope: how many, how
    many completed (and by their deadline), late, with a report missing."""
    q = standing_q(today)
    tasks = task_scope(user).filter(is_leaf=True).exclude(plan__status=PlanStatus.DRAFT)
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    on_time = q["done"] & (Q(deadline__isnull=True) | Q(completed_on__lte=F("deadline")))
    rows = (
        tasks.values("lead")
        .annotate(
            tasks=Count("pk"),
            done=Count("pk", filter=q["done"]),
            done_on_time=Count("pk", filter=on_time),
            late=Count("pk", filter=q["late"]),
            missing=Count("pk", filter=q["missing"]),
            progress=Avg("progress"),
        )
        .order_by("lead")
    )
    rows = list(rows)
    departments = Department.objects.in_bulk([r["lead"] for r in rows if r["lead"]])
    records = [
        DepartmentRecord(
            department=departments.get(r["lead"]),
            tasks=r["tasks"],
            done=r["done"],
            done_on_time=r["done_on_time"],
            late=r["late"],
            missing=r["missing"],
            progress=float(r["progress"] or 0),
        )
        for r in rows
    ]
    records.sort(
        key=lambda r: (
            -r.late,
            -r.missing,
            r.department is None,
            r.department.sort_order if r.department else 0,
        )
    )
    return records


def report_list(user: User, task: Task) -> QuerySet[Report]:
    return (
        Report.objects.filter(task__in=task_scope(user), task=task)
        .select_related("reported_by")
        .prefetch_related("attachments")
        .order_by("-period")
    )


def draft_list(user: User) -> QuerySet[PlanDraft]:
    if not plans_can_edit(user):
        return PlanDraft.objects.none()
    return PlanDraft.objects.filter(created_by=user).order_by("-created_at")


# ---------------------------------------------------------------------------------------
# What task texts are matched against

#: How documents write the figures of the indicator catalogue.
INDICATOR_WORDS = {
    "revenue": ("营业收入", "营收", "主营业务收入"),
    "output_value": ("工业总产值", "总产值", "产值"),
    "profit": ("利润总额", "利润"),
    "tax": ("税收",),
    "electricity": ("用电量", "用电"),
    "employees": ("从业人员", "用工"),
    "profit_margin": ("利润率",),
}
#: How documents name kinds of project.
PROJECT_TYPE_WORDS = {
    "smart_factory": ("5G+智慧工厂", "5G+智能工厂", "智慧工厂"),
    "digital": ("数字化改造", "数字化转型示范"),
    "tech_upgrade": ("技术改造", "技改", "机器换人", "设备换芯", "生产换线"),
    "standard_building": ("标准厂房",),
    "attraction": ("招商引资", "产业链招商"),
}


def vocabulary(user: User | None) -> Vocabulary:
    """Departments, chains, projects, policies, kinds of project and indicators that a
    task's text may name (what `user` may read of them; all of them for the command
    line, user None)."""
    from gongxin.chains.models import Chain
    from gongxin.chains.selectors import chain_scope
    from gongxin.indicators.models import Indicator
    from gongxin.policies.models import Policy
    from gongxin.policies.selectors import policy_scope
    from gongxin.projects.choices import ProjectType
    from gongxin.projects.models import Project
    from gongxin.projects.selectors import project_scope

    chains = chain_scope(user) if user else Chain.objects.all()
    projects = project_scope(user) if user else Project.objects.all()
    policies = policy_scope(user) if user else Policy.objects.all()

    departments = [
        Named("department", str(pk), name, (name, short, _without_city(name)))
        for pk, name, short in Department.objects.values_list("pk", "name", "short_name")
    ]
    links = [
        Named("chain", str(pk), name, _chain_names(name))
        for pk, name in chains.values_list("pk", "name")
    ]
    links += [
        Named("project", str(pk), name, (name,)) for pk, name in projects.values_list("pk", "name")
    ]
    links += [
        Named("policy", str(pk), title, (title,))
        for pk, title in policies.values_list("pk", "title")
    ]
    labels = dict(ProjectType.choices)
    links += [
        Named("project_type", code, str(labels.get(code, code)), words)
        for code, words in PROJECT_TYPE_WORDS.items()
        if code in labels
    ]
    indicators = [
        Named(
            "indicator",
            str(pk),
            name,
            (name, name.removeprefix("规上工业"), *INDICATOR_WORDS.get(code, ())),
        )
        for pk, code, name in Indicator.objects.values_list("pk", "code", "name")
    ]
    return Vocabulary(departments=departments, links=links, indicators=indicators)


def _without_city(name: str) -> str:
    """南昌市发展和改革委员会 → 市发展和改革委员会 (documents of the city drop its name)."""
    index = name.find("市")
    return name[index:] if 0 < index <= 4 else ""


def _chain_names(name: str) -> tuple[str, ...]:
    """VR（虚拟现实） → VR（虚拟现实）, VR, 虚拟现实."""
    names = [name]
    for opening, closing in (("（", "）"), ("(", ")")):
        if opening in name and name.endswith(closing):
            outer, inner = name[:-1].split(opening, 1)
            names += [outer.strip(), inner.strip()]
    return tuple(n for n in names if len(n) >= 2)


@dataclass
class PracticeSummary:
    """How the issued plans stand (for the cockpit and the briefing)."""

    plans: int
    tasks: int
    done: int
    late: int
    attention: int
    missing: int

    @property
    def done_share(self) -> float | None:
        return self.done * 100 / self.tasks if self.tasks else None


def practice_summary(user: User, today: dt.date | None = None) -> PracticeSummary:
    """The reported-on tasks of the issued plans in scope: how many, completed, late
    (red), needing attention (yellow), missing their report (two queries)."""
    q = standing_q(today)
    tasks = task_scope(user).filter(is_leaf=True, plan__status=PlanStatus.ACTIVE)
    counted = tasks.aggregate(
        tasks=Count("pk"),
        done=Count("pk", filter=q["done"]),
        late=Count("pk", filter=q["red"]),
        attention=Count("pk", filter=q["yellow"]),
        missing=Count("pk", filter=q["missing"]),
    )
    plans = plan_scope(user).filter(status=PlanStatus.ACTIVE).count()
    return PracticeSummary(plans=plans, **counted)
