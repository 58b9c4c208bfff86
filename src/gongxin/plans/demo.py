"""The demo's plans: the source article (2022) and two plans written for the demo (the
digital transformation action plan and the year's work points, 2026), each imported
through the same services as an upload, its tasks assigned, the plan issued, and a year
of monthly progress reports filed by the lead departments — most on time, some late,
some missing, a few tasks past their deadline. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.plans import schedule, services
from gongxin.plans.choices import TaskStatus
from gongxin.plans.models import Plan, Task

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class DemoPlan:
    file: str
    issued: dt.date  # when the plan was issued (下达)
    closed: dt.date | None  # closed when its year is over
    #: Default deadline for tasks whose text names none (the plan's year end).
    deadline: dt.date


PLANS = [
    DemoPlan("nanchang-2022.md", dt.date(2022, 2, 10), dt.date(2023, 2, 15), dt.date(2022, 12, 31)),
    DemoPlan("digital-2026.md", dt.date(2026, 1, 26), None, dt.date(2027, 12, 31)),
    DemoPlan("work-points-2026.txt", dt.date(2026, 2, 12), None, dt.date(2026, 12, 31)),
]

#: Owners for tasks whose text names none: (words in the title, lead, partners, ongoing).
OWNERS = [
    (("两个确立", "十个坚持", "干在一线"), "bgs", (), True),
    (("新旧动能",), "jgc", ("xfpc", "yclc"), False),
    (("新兴产业",), "dzxxc", ("zbc",), False),
    (("数字经济",), "xxhc", ("dzxxc",), False),
    (("链长制",), "ghc", (), False),
    (("招商",), "ghc", ("tzcj", "swj"), False),
    (("科创城",), "dzxxc", ("zbc", "kjj"), False),
    (("政策",), "ghc", ("czj",), False),
    (("走访", "帮扶"), "yxc", ("zxqyc",), False),
    (("优强企业", "培育"), "zxqyc", (), False),
    (("组织领导",), "bgs", (), True),
    (("人才",), "zxqyc", ("rsj",), False),
    (("氛围", "宣传"), "bgs", (), True),
    (("营商环境",), "yxc", ("xzspj",), True),
    (("重大项目",), "jgc", ("fgw",), False),
    (("公共服务",), "zxqyc", (), False),
    (("中小企业数字化",), "xxhc", ("zxqyc",), False),
]

OPENINGS = [
    "{month}月，{lead}围绕“{title}”",
    "本月，{lead}聚焦“{title}”",
    "{month}月份，{lead}牵头推进“{title}”",
]
EARLY = [
    "制定了工作方案，明确责任分工和时间节点",
    "召开专题部署会，细化任务清单并分解到岗",
    "开展摸底调研，梳理重点企业和项目名单",
]
MIDDLE = [
    "组织召开推进会{n}次，协调解决企业反映问题{m}个",
    "完成阶段性任务{n}项，累计服务企业{m}家",
    "赴县区和开发区实地督导{n}次，推动{m}个事项落地",
    "会同相关部门联合调度，已完成年度目标的{p}%",
]
LATE = [
    "主要工作基本完成，正在开展总结评估",
    "各项任务已进入收尾阶段，相关成果正在验收",
]
DONE = [
    "任务已全面完成，成果材料已归档",
    "已按要求完成全部工作，形成总结报告报局领导",
]
PROBLEMS = [
    "部分企业资金压力较大，改造进度偏慢。",
    "个别县区配套资金尚未到位。",
    "项目用地指标紧张，审批周期较长。",
    "专业人才缺口较大，企业招聘困难。",
    "",
    "",
    "",
]
NEXT = [
    "下步将加强调度，确保按期完成。",
    "下月重点推动剩余事项落地，及时报送进展。",
    "将会同相关部门协调解决存在问题。",
]


def _owners_for(task: Task) -> tuple[str, tuple[str, ...], bool]:
    for words, lead, partners, ongoing in OWNERS:
        if any(word in task.title for word in words):
            return lead, partners, ongoing
    return "ghc", (), False


def _report_text(rng: random.Random, task: Task, period: dt.date, progress: int) -> str:
    lead = task.lead.short_name or task.lead.name if task.lead else "责任单位"
    opening = rng.choice(OPENINGS).format(month=period.month, lead=lead, title=task.title)
    if progress >= 100:
        body = rng.choice(DONE)
    elif progress >= 80:
        body = rng.choice(LATE)
    elif progress >= 25:
        body = rng.choice(MIDDLE).format(n=rng.randint(2, 6), m=rng.randint(3, 30), p=progress)
    else:
        body = rng.choice(EARLY)
    return f"{opening}，{body}。"


def plans_build(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Import, assign, issue and report on the demo plans; returns counts."""
    today = today or timezone.localdate()
    rng = random.Random(seed * 7 + 3)
    staff = User.objects.get(username="staff")
    departments = {d.code: d for d in Department.objects.all()}
    reporters = {
        u.department_id: u
        for u in User.objects.filter(role=Role.DEPARTMENT, is_active=True).order_by("pk")
    }
    counts = {"plans": 0, "tasks": 0, "reports": 0}
    for spec in PLANS:
        with open(DATA / spec.file, "rb") as handle:
            plan = services.plan_import(actor=staff, fileobj=handle, name=spec.file)
        _assign(rng, plan, spec, staff, departments, reporters)
        Plan.objects.filter(pk=plan.pk).update(issued_at=_moment(spec.issued, 9))
        services.plan_issue(actor=staff, plan=plan)
        counts["reports"] += _reports(rng, plan, spec, staff, reporters, today)
        if spec.closed is not None and spec.closed <= today:
            services.plan_close(actor=staff, plan=plan)
        counts["plans"] += 1
        counts["tasks"] += plan.tasks.filter(is_leaf=True).count()
    return counts


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def _assign(rng, plan: Plan, spec: DemoPlan, staff, departments, reporters) -> None:
    for task in plan.tasks.select_related("lead").order_by("position"):
        if not task.is_leaf:
            services.task_assign(
                actor=staff,
                task=task,
                title=task.title,
                lead=task.lead,
                partners=list(task.partners.all()),
                owners_text=task.owners_text,
                deadline=task.deadline,
                ongoing=task.ongoing,
            )
            continue
        lead, partners, ongoing = task.lead, list(task.partners.all()), task.ongoing
        deadline = task.deadline
        if lead is None and not task.owners_text:
            code, partner_codes, ongoing = _owners_for(task)
            lead = departments[code]
            partners = [departments[c] for c in partner_codes]
        if deadline is None and not ongoing:
            deadline = spec.deadline
        official = reporters.get(lead.pk) if lead is not None else None
        services.task_assign(
            actor=staff,
            task=task,
            title=task.title,
            lead=lead,
            partners=[p for p in partners if p != lead],
            owners_text=task.owners_text,
            official=official,
            deadline=deadline,
            ongoing=ongoing and deadline is None,
        )


def _reports(rng, plan: Plan, spec: DemoPlan, staff, reporters, today: dt.date) -> int:
    """A year of monthly reports (or up to the latest period begun): progress rising to
    the deadline; two tasks whose deadline has passed fell behind and missed it, two
    more stopped reporting for the last months (open plans), one report in seven is
    filed late."""
    end = spec.closed or today
    last_period = schedule.period_of(min(end, today), plan.report_every)
    filed = 0
    tasks = list(plan.tasks.filter(is_leaf=True).select_related("lead").order_by("position"))
    past = [t.pk for t in tasks if not t.ongoing and (t.deadline or spec.deadline) < end]
    behind_ones = set(rng.sample(past, min(2, len(past))))
    others = [t.pk for t in tasks if t.pk not in behind_ones]
    silent_ones = set(rng.sample(others, min(2, len(others)))) if spec.closed is None else set()
    for index, task in enumerate(tasks):
        reporter = reporters.get(task.lead_id) or staff
        deadline = task.deadline or spec.deadline
        behind = task.pk in behind_ones
        silent_from = None
        if task.pk in silent_ones:
            silent_from = schedule.add_months(last_period, -rng.randint(2, 3))
        start = schedule.period_of(spec.issued, plan.report_every)
        span = max(1, (deadline.year - start.year) * 12 + deadline.month - start.month + 1)
        period = start
        step = 0
        progress = 0
        while period <= last_period:
            if silent_from is not None and period >= silent_from:
                break
            # the report of the month now running is filed by some, not yet by others
            due = schedule.report_due(period, plan.report_every)
            if period == schedule.period_of(today, plan.report_every) and rng.random() < 0.6:
                break
            step += 1
            share = step / span
            if behind:
                share *= 0.7
            target = 100 if task.ongoing else min(100, round(share * 100 / 5) * 5)
            if task.ongoing:
                target = min(90, 10 + step * 8)
            progress = max(progress, min(target + rng.choice((-5, 0, 0, 5)), 100))
            status = TaskStatus.IN_PROGRESS
            if progress >= 100 and not behind:
                status, progress = TaskStatus.DONE, 100
            elif progress >= 100:
                progress = 95
            late = rng.random() < 0.14
            filed_on = (
                due + dt.timedelta(days=rng.randint(2, 12))
                if late
                else schedule.period_end(period, plan.report_every)
                + dt.timedelta(days=rng.randint(1, 4))
            )
            filed_on = min(filed_on, today)
            services.report_file(
                actor=reporter,
                task=task,
                period=period,
                status=status,
                progress=progress,
                text=_report_text(rng, task, period, progress),
                problems=rng.choice(PROBLEMS) if status != TaskStatus.DONE else "",
                next_steps=rng.choice(NEXT) if status != TaskStatus.DONE else "",
                now=_moment(filed_on, 10 + index % 7),
            )
            filed += 1
            if status == TaskStatus.DONE:
                break
            period = schedule.add_months(period, 1)
    return filed
