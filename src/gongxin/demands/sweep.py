"""The deadline sweep (`gongxin sla`): warnings before a demand's deadline, escalations
after it. Set-based: one INSERT … SELECT per deadline and level records the alerts not
sent yet (ON CONFLICT DO NOTHING on their key) and returns only those, so a sweep run
twice, or two at once, sends each alert once.

- yellow: the deadline falls within the next working day: the department that has to act
  (the desk for dispatching) is warned;
- red: the deadline has passed: the same, and the escalation to the department's head and
  the desk; the demand is on the 督办 list (`selectors.overdue`) until it moves on.

Visits of a plan past their due day and not made are told to their official, once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core import workdays
from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.core.notify import Message, notify
from gongxin.demands.choices import Status
from gongxin.demands.models import Demand
from gongxin.demands.selectors import desk_users
from gongxin.enterprises.models import Enterprise

#: deadline: (the field, the statuses in which it is pending)
PHASES = {
    "dispatch": ("dispatch_due", (Status.REGISTERED,)),
    "reply": ("reply_due", (Status.DISPATCHED, Status.ACCEPTED)),
    "resolve": ("resolve_due", (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS)),
}
YELLOW, RED = "yellow", "red"


@dataclass
class SweepResult:
    alerts: dict[tuple[str, str], int]
    messages: int
    late_visits: int = 0

    @property
    def total(self) -> int:
        return sum(self.alerts.values())


def _record(phase: str, level: str, now: dt.datetime, warn_until: dt.datetime) -> list[int]:
    """Record the alerts of one deadline and level not sent yet; their demand ids."""
    column, statuses = PHASES[phase]
    placeholders = ", ".join(["%s"] * len(statuses))
    condition = f"d.{column} < %s" if level == RED else f"d.{column} >= %s AND d.{column} <= %s"
    bounds = [now] if level == RED else [now, warn_until]
    sql = (
        "INSERT INTO demands_demandalert (demand_id, phase, level, due, at) "
        f"SELECT d.id, %s, %s, d.{column}, %s FROM demands_demand d "
        f"WHERE d.status IN ({placeholders}) AND d.{column} IS NOT NULL AND {condition} "
        "ON CONFLICT (demand_id, phase, level, due) DO NOTHING RETURNING demand_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [phase, level, now, *[str(s) for s in statuses], *bounds])
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    warn_until = workdays.add_workdays(now, 1)
    alerts: dict[tuple[str, str], int] = {}
    found: list[tuple[str, str, int]] = []
    for phase in PHASES:
        for level in (RED, YELLOW):
            ids = _record(phase, level, now, warn_until)
            alerts[(phase, level)] = len(ids)
            found.extend((phase, level, pk) for pk in ids)
    late_visits, visit_messages = _late_visits(now)
    if not found:
        return SweepResult(alerts, visit_messages, late_visits)
    demands = {
        d.pk: d
        for d in Demand.objects.filter(pk__in={pk for _p, _l, pk in found}).select_related(
            "enterprise", "lead"
        )
    }
    leads = {d.lead_id for d in demands.values() if d.lead_id}
    staff: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        is_active=True, department__in=leads, role__in=(Role.DEPARTMENT, Role.STAFF)
    ):
        staff[user.department_id].append(user)
    heads = dict(
        Department.objects.filter(pk__in=leads, head__isnull=False).values_list("pk", "head")
    )
    head_users = User.objects.in_bulk(set(heads.values()))
    desk = desk_users()
    messages: list[Message] = []
    for phase, level, pk in found:
        demand = demands[pk]
        due = getattr(demand, PHASES[phase][0])
        recipients = list(staff.get(demand.lead_id, [])) if phase != "dispatch" else list(desk)
        if level == RED:
            recipients += desk
            head = head_users.get(heads.get(demand.lead_id))
            if head is not None:
                recipients.append(head)
        title = _alert_title(phase, level, demand, due)
        body = _("%(enterprise)s: %(title)s") % {
            "enterprise": demand.enterprise.name,
            "title": demand.title,
        }
        url = reverse("demands:demand_detail", args=[demand.pk])
        for user in {u.pk: u for u in recipients}.values():
            messages.append(Message(user, title, body, url))
    return SweepResult(alerts, notify(messages) + visit_messages, late_visits)


def _late_visits(now: dt.datetime) -> tuple[int, int]:
    """Visits now past their due day and not made: each official is told once, in one
    message listing theirs (set-based: the tasks are marked told as they are found)."""
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE demands_visittask SET late_told_at = %s "
            "WHERE due < %s AND visited_on IS NULL AND late_told_at IS NULL "
            "RETURNING official_id, enterprise_id",
            [now, today],
        )
        rows = cursor.fetchall()
    if not rows:
        return 0, 0
    by_official: dict[int, list[int]] = defaultdict(list)
    for official, enterprise in rows:
        if official is not None:
            by_official[official].append(enterprise)
    users = User.objects.in_bulk(list(by_official))
    names = dict(
        Enterprise.objects.filter(
            pk__in={e for es in by_official.values() for e in es}
        ).values_list("pk", "name")
    )
    url = reverse("visits:visit_list")
    messages = [
        Message(
            users[official],
            _("%(n)d visits overdue") % {"n": len(enterprises)},
            "、".join(sorted({names[e] for e in enterprises})),
            url,
        )
        for official, enterprises in by_official.items()
        if official in users and users[official].is_active
    ]
    return len(rows), notify(messages)


def _alert_title(phase: str, level: str, demand: Demand, due: dt.datetime) -> str:
    when = timezone.localtime(due).strftime("%Y-%m-%d")
    what = {
        "dispatch": _("to be dispatched"),
        "reply": _("to be answered for the first time"),
        "resolve": _("to be resolved"),
    }[phase]
    if level == RED:
        return _("Overdue since %(when)s: demand “%(title)s”, %(what)s") % {
            "when": when,
            "title": demand.title,
            "what": what,
        }
    return _("Due %(when)s: demand “%(title)s”, %(what)s") % {
        "when": when,
        "title": demand.title,
        "what": what,
    }
