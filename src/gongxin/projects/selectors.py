"""Reads of key projects."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

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
