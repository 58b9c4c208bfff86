"""Who reads which early warnings: the officials of the enterprises and projects they
read (enterprise users none: warnings are the bureau's), and a warning's responsible
official always."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from gongxin.alerts.choices import AlertStatus
from gongxin.alerts.models import Alert
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_reads_everything
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.selectors import project_scope


def alerts_can_read(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.ENTERPRISE)


def alert_scope(user: User) -> QuerySet[Alert]:
    """The warnings `user` reads: about enterprises and projects in their scope, or for
    which they are responsible."""
    qs = Alert.objects.all()
    if not alerts_can_read(user):
        return qs.none()
    if user_reads_everything(user):
        return qs
    return qs.filter(
        Q(official=user)
        | Q(project__isnull=True, enterprise__in=enterprise_scope(user).values("pk"))
        | Q(project__in=project_scope(user).values("pk"))
    )


def alert_rows(user: User) -> QuerySet[Alert]:
    """Warnings in scope with what the list shows, in a fixed number of queries: the
    newest day's first, then by rule, the worst first (the largest fall, the furthest
    behind, the soonest to expire)."""
    return (
        alert_scope(user)
        .select_related("enterprise", "project", "qualification", "district", "official", "visit")
        .order_by(TruncDate("opened_at").desc(), "rule", "measure", "pk")
    )


def alert_counts(user: User) -> dict[str, int]:
    """Open warnings in scope by rule: {rule: count} (one query)."""
    rows = (
        alert_scope(user)
        .filter(status=AlertStatus.OPEN)
        .values("rule")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["rule"]: row["n"] for row in rows}
