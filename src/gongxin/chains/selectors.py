"""Reads of chains, scoped by the acting user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongxin.chains.models import Chain
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything


def chain_scope(user: User, *, for_change: bool = False) -> QuerySet[Chain]:
    """The chains `user` may see (or, with for_change, edit). The one place where the
    chains' scope is decided.

    - administrators and division staff: all, read and edit;
    - chain office staff: all, read; their own chains and the sub-chains under them, edit;
    - every other official (leadership, districts, parks, departments, service officers):
      all, read only — a chain is the city's, not one district's;
    - enterprise users: none.
    """
    qs = Chain.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user_edits_everything(user):
        return qs
    if not for_change:
        return qs.none() if user.role == Role.ENTERPRISE else qs
    if user.role == Role.CHAIN_OFFICE:
        return qs.filter(Q(office_members=user) | Q(parent__office_members=user)).distinct()
    return qs.none()


def chain_can_change(user: User, chain: Chain) -> bool:
    return chain_scope(user, for_change=True).filter(pk=chain.pk).exists()
