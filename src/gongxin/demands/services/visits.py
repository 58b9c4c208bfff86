"""Visit plans and visits (大走访): a plan names the enterprises to visit and how often;
its tasks (one per enterprise and period, assigned to the enterprise's service officer)
are generated set-based and idempotently. A recorded visit completes, in each plan, the
task of the period it falls in, or else makes up the latest period missed (late); it may
raise demands."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import EnterpriseNode
from gongxin.core.audit import audit_record
from gongxin.core.choices import PARK_KINDS, AuditAction, Role
from gongxin.core.models import User
from gongxin.core.selectors import region_with_descendants
from gongxin.demands.choices import Action, Frequency, Urgency, VisitKind, VisitTarget
from gongxin.demands.models import Visit, VisitPlan, VisitTask
from gongxin.demands.selectors import is_desk, visit_plan_can_create
from gongxin.demands.services.changes import attachments_add, attachments_check
from gongxin.demands.services.loop import FactorAsk, demand_register
from gongxin.enterprises.choices import EnterpriseStatus
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope


@dataclass
class RaisedDemand:
    """A demand heard at a visit, in the same fields as the registration form."""

    title: str
    text: str
    category: str = ""
    urgency: str = Urgency.NORMAL
    factor: FactorAsk | None = None
    attachments: list = field(default_factory=list)


def periods(frequency: str, starts_on: dt.date, ends_on: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The (first day, due day) of each period of a plan between its dates."""
    if frequency == Frequency.ONCE:
        return [(starts_on, ends_on)]
    months = 1 if frequency == Frequency.MONTHLY else 3
    out = []
    first = starts_on.replace(day=1)
    if months == 3:
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1)
    while first <= ends_on:
        month = first.month - 1 + months
        following = dt.date(first.year + month // 12, month % 12 + 1, 1)
        out.append((max(first, starts_on), min(following - dt.timedelta(days=1), ends_on)))
        first = following
    return out


def plan_enterprises(plan: VisitPlan) -> QuerySet[Enterprise]:
    """The operating enterprises a plan covers."""
    qs = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
    if plan.target == VisitTarget.ABOVE_SCALE:
        qs = qs.filter(above_scale=True)
    elif plan.target in (VisitTarget.CHAIN, VisitTarget.KEY_CHAINS):
        placed = EnterpriseNode.objects.filter(status=LinkStatus.CONFIRMED)
        if plan.target == VisitTarget.CHAIN:
            placed = placed.filter(node__chain=plan.chain)
        qs = qs.filter(pk__in=placed.values("enterprise_id"))
    if plan.region_id:
        region = plan.region
        if region.kind in PARK_KINDS:
            qs = qs.filter(park_id__in=region_with_descendants(region))
        else:
            qs = qs.filter(district_id=region.pk)
    return qs


@transaction.atomic
def visit_plan_generate(plan: VisitPlan) -> int:
    """Create the plan's missing tasks (for enterprises that joined its target since, or
    all of them the first time); the tasks there are, done or not, stay. Returns how
    many were created."""
    spans = periods(plan.frequency, plan.starts_on, plan.ends_on)
    officers = dict(plan_enterprises(plan).values_list("pk", "service_officer_id"))
    before = plan.tasks.count()
    VisitTask.objects.bulk_create(
        (
            VisitTask(plan=plan, enterprise_id=e, official_id=o, period_start=start, due=due)
            for start, due in spans
            for e, o in officers.items()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    _complete_from_visits(plan)
    return plan.tasks.count() - before


def task_for_visit(open_tasks: list[VisitTask], day: dt.date) -> VisitTask | None:
    """Which of one plan's open tasks for an enterprise a visit on `day` completes: the
    task of the period it falls in; else (that one done, or the plan over) the latest
    period missed before it, made up late. One visit counts once per plan, so a visit
    never covers several periods at once."""
    current = [t for t in open_tasks if t.period_start <= day <= t.due]
    if current:
        return current[0]
    missed = [t for t in open_tasks if t.due < day]
    return max(missed, key=lambda t: t.due) if missed else None


def _complete_from_visits(plan: VisitPlan) -> None:
    """Complete the plan's open tasks from the visits already recorded (a plan made after
    some of its visits), each visit counted as `task_for_visit` says."""
    tasks: dict[int, list[VisitTask]] = defaultdict(list)
    for task in plan.tasks.filter(visit__isnull=True).only(
        "pk", "enterprise_id", "period_start", "due"
    ):
        tasks[task.enterprise_id].append(task)
    if not tasks:
        return
    visits = Visit.objects.filter(
        enterprise_id__in=list(tasks), visited_on__gte=plan.starts_on
    ).values_list("pk", "enterprise_id", "visited_on").order_by("visited_on", "pk")
    done = []
    for visit_id, enterprise_id, day in visits.iterator(chunk_size=5000):
        task = task_for_visit(tasks[enterprise_id], day)
        if task is not None:
            tasks[enterprise_id].remove(task)
            task.visit_id, task.visited_on = visit_id, day
            done.append(task)
    VisitTask.objects.bulk_update(done, ["visit", "visited_on"], batch_size=2000)


@transaction.atomic
def visit_plan_create(
    *,
    actor: User,
    name: str,
    target: str,
    frequency: str,
    starts_on: dt.date,
    ends_on: dt.date,
    chain=None,
    region=None,
    note: str = "",
) -> VisitPlan:
    """A visit plan with its tasks. The desk plans for the city; a district or park plans
    for its own enterprises (its region is the plan's)."""
    if not visit_plan_can_create(actor):
        raise PermissionDenied(_("Visit plans are made by the desk, districts and parks."))
    if actor.role == Role.DISTRICT and not is_desk(actor):
        if region is not None and region.pk != actor.region_id:
            raise PermissionDenied(_("A district or park plans visits to its own enterprises."))
        region = actor.region
    plan = VisitPlan(
        name=(name or "").strip(),
        target=target,
        chain=chain if target == VisitTarget.CHAIN else None,
        region=region,
        frequency=frequency,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    created = visit_plan_generate(plan)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        message=_("%(name)s: %(tasks)d visits to make") % {"name": plan.name, "tasks": created},
    )
    return plan


@transaction.atomic
def visit_record(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: dt.date,
    seen: str,
    findings: str = "",
    kind: str = VisitKind.ON_SITE,
    officials: Iterable[User] = (),
    demands: Iterable[RaisedDemand] = (),
    at=None,
) -> Visit:
    """Record a visit by the officials who went (the recorder by default); it completes
    the enterprise's open visit tasks up to its date and registers the demands raised."""
    if not (is_desk(actor) or actor.role in (Role.DISTRICT, Role.OFFICER)):
        raise PermissionDenied(_("Visits are recorded by the desk, districts, parks and officers."))
    if not enterprise_scope(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("This enterprise is outside your part of the archive."))
    now = at or timezone.now()
    if visited_on > timezone.localdate(now):
        raise ValidationError({"visited_on": [_("A visit is recorded once it has happened.")]})
    visit = Visit(
        enterprise=enterprise,
        visited_on=visited_on,
        kind=kind,
        seen=(seen or "").strip(),
        findings=(findings or "").strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    visit.full_clean()
    visit.save()
    visit.officials.set(list(officials) or [actor])
    open_tasks: dict[int, list[VisitTask]] = defaultdict(list)
    for task in VisitTask.objects.filter(
        enterprise=enterprise, visit__isnull=True, period_start__lte=visited_on
    ):
        open_tasks[task.plan_id].append(task)
    done = [t for ts in open_tasks.values() if (t := task_for_visit(ts, visited_on))]
    VisitTask.objects.filter(pk__in=[t.pk for t in done]).update(
        visit=visit, visited_on=visited_on
    )
    # Files are written last, once every demand is registered and every file checked: a
    # refusal rolls the rows back, but nothing would take written files away again.
    demands = list(demands)
    for raised in demands:
        attachments_check(raised.attachments)
    files = []
    for raised in demands:
        demand = demand_register(
            actor=actor,
            enterprise=enterprise,
            title=raised.title,
            text=raised.text,
            category=raised.category,
            urgency=raised.urgency,
            source="visit",
            visit=visit,
            factor=raised.factor,
            at=now,
        )
        if raised.attachments:
            files.append((demand, raised.attachments))
    for demand, attachments in files:
        event = demand.events.get(action=Action.REGISTER)
        attachments_add(actor=actor, demand=demand, files=attachments, event=event, at=now)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        message=f"{enterprise.name} {visited_on:%Y-%m-%d}",
    )
    return visit
