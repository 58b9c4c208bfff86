"""Reads of demands, scoped by the acting user."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.demands.choices import Status
from gongxin.demands.models import Demand
from gongxin.enterprises.selectors import enterprise_scope


def is_desk(user: User) -> bool:
    """The bureau's demand desk (division staff, administrators): registers, dispatches,
    follows up every demand."""
    return bool(user and user_edits_everything(user))


def demand_scope(user: User) -> QuerySet[Demand]:
    """The demands `user` sees. The one place where the demands' scope is decided.

    - the desk (division staff, administrators) and leadership: all;
    - a handling department (or a division acting as one): those it leads or co-handles;
    - district, park and service officers: those of the enterprises in their part of the
      archive;
    - an enterprise user: its enterprise's.
    """
    qs = Demand.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if is_desk(user) or user.role == Role.LEADER:
        return qs
    if user.role == Role.DEPARTMENT:
        if not user.department_id:
            return qs.none()
        return qs.filter(
            Q(lead_id=user.department_id) | Q(co_departments=user.department_id)
        ).distinct()
    return qs.filter(enterprise__in=enterprise_scope(user).values("pk"))


def is_lead(user: User, demand: Demand) -> bool:
    """Whether `user` acts for the demand's lead department."""
    return bool(
        user
        and user.is_active
        and demand.lead_id
        and user.department_id == demand.lead_id
        and user.role in (Role.DEPARTMENT, Role.STAFF)
    )


def overdue(user: User, now=None) -> QuerySet[Demand]:
    """The 督办 list: demands in `user`'s scope past the deadline of the step they wait
    for (dispatch, first answer, resolution), the longest overdue first."""
    now = now or timezone.now()
    waiting = (
        Q(status=Status.REGISTERED, dispatch_due__lt=now)
        | Q(status__in=(Status.DISPATCHED, Status.ACCEPTED), reply_due__lt=now)
        | Q(
            status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS),
            resolve_due__lt=now,
        )
    )
    return (
        demand_scope(user)
        .filter(waiting)
        .select_related("enterprise", "lead")
        .order_by("dispatch_due", "pk")
    )


def demand_can_register(user: User) -> bool:
    """The desk, districts, parks, officers and enterprise users register demands."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (
            is_desk(user)
            or user.role in (Role.DISTRICT, Role.OFFICER)
            or (user.role == Role.ENTERPRISE and user.enterprise_id)
        )
    )


def waiting_for(user: User) -> Q:
    """The demands waiting for a step of `user`'s (the inbox's first tab)."""
    if is_desk(user):
        return Q(status__in=(Status.REGISTERED, Status.RATED))
    if user.role in (Role.DEPARTMENT, Role.STAFF) and user.department_id:
        return Q(
            lead_id=user.department_id,
            status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS),
        )
    if user.role == Role.ENTERPRISE:
        return Q(status=Status.RESOLVED)
    if user.role in (Role.DISTRICT, Role.OFFICER):
        return Q(status=Status.RATED)
    return Q(pk__in=[])


def demand_list(user: User, *, tab: str = "all", now=None) -> QuerySet[Demand]:
    """A tab of the inbox, with what its rows show, in a fixed number of queries."""
    if tab == "overdue":
        qs = overdue(user, now)
    else:
        qs = demand_scope(user)
        if tab == "mine":
            qs = qs.filter(waiting_for(user))
        qs = qs.select_related("enterprise", "lead").order_by("-registered_at", "-pk")
    return qs


def current_due(demand: Demand):
    """The deadline of the step the demand waits for (None when none is timed)."""
    if demand.status == Status.REGISTERED:
        return demand.dispatch_due
    if demand.status in (Status.DISPATCHED, Status.ACCEPTED):
        return min(d for d in (demand.reply_due, demand.resolve_due) if d)
    if demand.status == Status.IN_PROGRESS:
        return demand.resolve_due
    return None


def mark(demand: Demand, now, soon) -> str:
    """red: past its deadline; yellow: due by the end of the next working day; "" else."""
    due = current_due(demand)
    if due is None:
        return ""
    if due < now:
        return "red"
    return "yellow" if due <= soon else ""


def demand_menu(user: User) -> bool:
    """Everyone signed in who sees demands (all roles but a user without a scope)."""
    return bool(user and user.is_authenticated and user.is_active)
