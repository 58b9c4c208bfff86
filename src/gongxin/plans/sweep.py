"""Supervision of plan tasks (督办), run by the same sweep as the demands (`gongxin sla`).

For the tasks of issued plans that report (leaves) and are not completed:

- deadline within DUE_SOON days: the lead department (its users and the task's
  official) is reminded;
- deadline passed: a 督办 notice to the lead department, the official, the department's
  head and the staff member who imported the plan;
- the report of the latest period now due is missing: the lead department and the
  official are reminded.

Set-based like the demands' sweep: one INSERT … SELECT per kind records the notices not
sent yet (ON CONFLICT DO NOTHING on task, kind and key, the key being the deadline or the
period) and returns only those, so a sweep run twice, or two at once, sends each notice
once. Each person gets one message per kind listing their tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.core.notify import Message, notify
from gongxin.plans import schedule
from gongxin.plans.choices import NoticeKind, PlanStatus, ReportEvery, TaskStatus
from gongxin.plans.models import Task

#: Calendar days before a deadline the lead department is reminded.
DUE_SOON = 7


@dataclass
class TaskSweep:
    notices: dict[str, int]
    messages: int

    @property
    def total(self) -> int:
        return sum(self.notices.values())


def _open_tasks() -> QuerySet[Task]:
    return Task.objects.filter(is_leaf=True, plan__status=PlanStatus.ACTIVE).exclude(
        status=TaskStatus.DONE
    )


def _record(kind: str, tasks: QuerySet[Task], now: dt.datetime, key: dt.date | None) -> list[int]:
    """Record a notice for each task not told yet; the ids of those recorded now."""
    # Named columns: how a database names an unnamed one in a subquery varies.
    select = tasks.order_by().annotate(notice_task=F("pk"), notice_key=F("deadline"))
    select = select.values_list("notice_task", "notice_key")
    sql, params = select.query.sql_with_params()
    key_sql = "sub.notice_key" if key is None else "%s"
    key_params = [] if key is None else [key]
    statement = (
        "INSERT INTO plans_tasknotice (task_id, kind, key, at) "
        # "WHERE true": SQLite reads ON CONFLICT after a bare FROM as a join clause.
        f"SELECT sub.notice_task, %s, {key_sql}, %s FROM ({sql}) sub WHERE true "
        "ON CONFLICT (task_id, kind, key) DO NOTHING RETURNING task_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [str(kind), *key_params, now, *params])
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def tasks_sweep(now: dt.datetime | None = None) -> TaskSweep:
    now = now or timezone.now()
    today = timezone.localdate(now)
    tasks = _open_tasks()
    found: dict[str, list[int]] = {
        NoticeKind.OVERDUE: _record(
            NoticeKind.OVERDUE, tasks.filter(deadline__lt=today), now, None
        ),
        NoticeKind.DUE_SOON: _record(
            NoticeKind.DUE_SOON,
            tasks.filter(deadline__gte=today, deadline__lte=today + dt.timedelta(DUE_SOON)),
            now,
            None,
        ),
        NoticeKind.REPORT_MISSING: [],
    }
    for every in ReportEvery.values:
        due = schedule.due_period(today, every)
        after = schedule.add_months(due, schedule.period_length(every))
        missing = tasks.filter(
            plan__report_every=every,
            plan__issued_at__lt=timezone.make_aware(dt.datetime.combine(after, dt.time.min)),
        ).exclude(last_period__gte=due)
        found[NoticeKind.REPORT_MISSING] += _record(NoticeKind.REPORT_MISSING, missing, now, due)
    counts = {kind: len(ids) for kind, ids in found.items()}
    if not any(counts.values()):
        return TaskSweep(counts, 0)
    messages = _messages(found)
    return TaskSweep(counts, notify(messages))


def _messages(found: dict[str, list[int]]) -> list[Message]:
    ids = {pk for pks in found.values() for pk in pks}
    tasks = Task.objects.in_bulk(list(ids))
    leads = {t.lead_id for t in tasks.values() if t.lead_id}
    staff: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(is_active=True, role=Role.DEPARTMENT, department__in=leads):
        staff[user.department_id].append(user)
    heads = dict(
        Department.objects.filter(pk__in=leads, head__isnull=False).values_list("pk", "head")
    )
    plan_owners = dict(Task.objects.filter(pk__in=ids).values_list("pk", "plan__created_by"))
    people = User.objects.in_bulk(
        {t.official_id for t in tasks.values() if t.official_id}
        | set(heads.values())
        | {pk for pk in plan_owners.values() if pk}
    )
    per_user: dict[tuple[int, str], list[Task]] = defaultdict(list)
    users: dict[int, User] = {}
    for kind, pks in found.items():
        for pk in pks:
            task = tasks[pk]
            recipients = list(staff.get(task.lead_id, []))
            if task.official_id in people:
                recipients.append(people[task.official_id])
            if kind == NoticeKind.OVERDUE:
                head = people.get(heads.get(task.lead_id))
                owner = people.get(plan_owners.get(pk))
                recipients += [u for u in (head, owner) if u is not None]
            for user in recipients:
                if user.is_active:
                    users[user.pk] = user
                    per_user[(user.pk, kind)].append(task)
    url = reverse("plans:task_list")
    messages = []
    for (user_pk, kind), listed in per_user.items():
        listed = list({t.pk: t for t in listed}.values())
        messages.append(Message(users[user_pk], _title(kind, len(listed)), _body(listed), url))
    return messages


def _title(kind: str, n: int) -> str:
    if kind == NoticeKind.OVERDUE:
        return ngettext(
            "Supervision: %(n)d task is past its deadline",
            "Supervision: %(n)d tasks are past their deadline",
            n,
        ) % {"n": n}
    if kind == NoticeKind.DUE_SOON:
        return ngettext(
            "%(n)d task is due within a week", "%(n)d tasks are due within a week", n
        ) % {"n": n}
    return ngettext(
        "The progress report of %(n)d task is missing",
        "The progress reports of %(n)d tasks are missing",
        n,
    ) % {"n": n}


def _body(tasks: list[Task]) -> str:
    lines = []
    for task in tasks[:20]:
        when = f"（{task.deadline:%Y-%m-%d}）" if task.deadline else ""
        lines.append(f"{task}{when}")
    if len(tasks) > 20:
        lines.append(_("… and %(n)d more") % {"n": len(tasks) - 20})
    return "\n".join(lines)
