"""Reads of key projects."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import User
from gongxin.core.selectors import region_with_descendants, user_reads_everything
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.models import Project


def project_scope(user: User) -> QuerySet[Project]:
    """The projects `user` reads: every official who reads the whole archive reads every
    project; district and park staff the projects in their district; enterprise users the
    projects of their enterprise; service officers those of the enterprises they serve."""
    qs = Project.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user_reads_everything(user):
        return qs
    if user.role == Role.DISTRICT and user.region_id:
        if user.region.kind in PARK_KINDS:
            return qs.filter(park_id__in=region_with_descendants(user.region))
        return qs.filter(district_id=user.region_id)
    return qs.filter(Q(enterprise__in=enterprise_scope(user).values("pk")))


def project_list(user: User, *, chains: Iterable[int] | None = None) -> QuerySet[Project]:
    """Projects in scope (on the given chains), with what lists show, in a fixed number of
    queries."""
    qs = project_scope(user).select_related(
        "enterprise", "chain", "node", "district", "park", "official"
    )
    if chains is not None:
        qs = qs.filter(chain__in=list(chains))
    return qs


def project_totals(*, chains: Iterable[int], by: str) -> list[tuple[int, int, Decimal | None]]:
    """(region id, projects, planned investment) of the projects on `chains`, by their
    district or park (`by`): counts for the chain maps, which every reader of a chain sees
    whatever projects they may open."""
    if by not in ("district", "park"):
        raise ValueError(by)
    return list(
        Project.objects.filter(chain__in=list(chains), **{f"{by}__isnull": False})
        .values(by)
        .annotate(n=Count("pk"), investment=Sum("planned_investment"))
        .values_list(by, "n", "investment")
        .order_by()
    )


def chain_projects(chain) -> QuerySet[Project]:
    """The projects on one chain with their node, by planned start (for the chain's
    technology roadmap, which every reader of the chain sees)."""
    return (
        Project.objects.filter(chain=chain).select_related("node").order_by("start_planned", "pk")
    )
