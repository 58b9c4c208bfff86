"""How visit plans are kept (走访覆盖): per plan, official, district or chain, of the tasks
whose period has ended, how many were visited in it (on time), made up later (late) or not
at all (overdue); and of the periods running now, how many are visited already. Read
from `VisitTask` in one aggregate query, scoped like every read of visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain
from gongxin.core.models import Region, User
from gongxin.demands.models import VisitPlan, VisitTask
from gongxin.demands.selectors import visit_task_scope

BY = {
    "plan": ("plan_id", gettext_lazy("Plan")),
    "official": ("official_id", gettext_lazy("Official")),
    "district": ("enterprise__district_id", gettext_lazy("District")),
    "chain": ("enterprise__chain_positions__node__chain_id", gettext_lazy("Chain")),
}


@dataclass
class CoverageRow:
    key: object
    label: str
    due: int  # tasks whose period has ended by the day
    on_time: int  # of those, visited in their period
    late: int  # visited after it (made up)
    overdue: int  # not visited
    current: int  # tasks of the periods running on the day
    current_done: int  # of those, visited already

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def open(self) -> int:
        return self.current - self.current_done

    @property
    def coverage(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


def visit_coverage(
    user: User, *, by: str = "official", plan: VisitPlan | None = None, on: dt.date | None = None
) -> list[CoverageRow]:
    """Coverage of the visit tasks `user` sees (of one plan, or all), by `by`."""
    on = on or timezone.localdate()
    column = BY[by][0]
    tasks = visit_task_scope(user).filter(period_start__lte=on)
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    if by == "chain":
        tasks = tasks.filter(enterprise__chain_positions__status=LinkStatus.CONFIRMED)
    due = Q(due__lt=on)
    visited = Q(visited_on__isnull=False)
    distinct = by == "chain"  # an enterprise on two nodes of a chain counts once
    values = (
        tasks.values(column)
        .annotate(
            due_n=Count("pk", filter=due, distinct=distinct),
            on_time=Count(
                "pk", filter=due & visited & Q(visited_on__lte=F("due")), distinct=distinct
            ),
            late=Count("pk", filter=due & visited & Q(visited_on__gt=F("due")), distinct=distinct),
            overdue_n=Count("pk", filter=due & ~visited, distinct=distinct),
            current=Count("pk", filter=~due, distinct=distinct),
            current_done=Count("pk", filter=~due & visited, distinct=distinct),
        )
        .order_by()
    )
    values = list(values)
    labels = _labels(by, [v[column] for v in values])
    rows = [
        CoverageRow(
            key=v[column],
            label=labels.get(v[column], str(gettext_lazy("Unassigned"))),
            due=v["due_n"],
            on_time=v["on_time"],
            late=v["late"],
            overdue=v["overdue_n"],
            current=v["current"],
            current_done=v["current_done"],
        )
        for v in values
    ]
    if by == "plan":
        rows.sort(key=lambda r: -r.key)
    else:
        rows.sort(key=lambda r: (-r.overdue, r.coverage or 0, r.label))
    return rows


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "official":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=keys)}
    if by == "district":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "plan":
        return dict(VisitPlan.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Chain.objects.filter(pk__in=keys).values_list("pk", "name"))


def overdue_tasks(user: User, *, plan: VisitPlan | None = None, on=None) -> QuerySet[VisitTask]:
    """Visits due and not made, the longest overdue first (lateness cannot hide)."""
    on = on or timezone.localdate()
    qs = visit_task_scope(user).filter(due__lt=on, visited_on__isnull=True)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.select_related("enterprise", "official", "plan").order_by("due", "pk")


def open_tasks(user: User, *, mine: bool = False, on=None) -> QuerySet[VisitTask]:
    """Visits of the periods running now, not made yet (soonest due first)."""
    on = on or timezone.localdate()
    qs = visit_task_scope(user).filter(period_start__lte=on, due__gte=on, visited_on__isnull=True)
    if mine:
        qs = qs.filter(official=user)
    return qs.select_related("enterprise", "official", "plan").order_by("due", "pk")
