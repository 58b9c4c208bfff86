"""Reads of demands, scoped by the acting user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
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
    from django.utils import timezone

    from gongxin.demands.choices import Status

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
