"""Reads of key projects: scope, lists, one project with its stages, months and
milestones, statistics by type, chain and district, the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import User
from gongxin.core.selectors import region_with_descendants, user_reads_everything
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.choices import Health, ProjectType
from gongxin.projects.models import Project


def project_scope(user: User) -> QuerySet[Project]:
    """The projects `user` reads: every official who reads the whole archive reads every
    project; district and park staff the projects in their district; enterprise users the
    projects of their enterprise; service officers those of the enterprises they serve;
    and a project's responsible official reads it, whoever they are."""
    qs = Project.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user_reads_everything(user):
        return qs
    responsible = Q(official=user)
    if user.role == Role.DISTRICT and user.region_id:
        if user.region.kind in PARK_KINDS:
            return qs.filter(Q(park_id__in=region_with_descendants(user.region)) | responsible)
        return qs.filter(Q(district_id=user.region_id) | responsible)
    return qs.filter(Q(enterprise__in=enterprise_scope(user).values("pk")) | responsible)


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


def project_get(user: User, pk: int) -> Project:
    """One project in scope, with everything its page shows (raises DoesNotExist)."""
    return (
        project_list(user)
        .prefetch_related(
            "steps",
            "months",
            "milestones",
            Prefetch("demands", queryset=_project_demands(user)),
        )
        .get(pk=pk)
    )


def _project_demands(user: User):
    """The demands raised for projects that `user` may read (a handling department only
    those dispatched to it)."""
    from gongxin.demands.selectors import demand_scope

    return demand_scope(user).select_related("lead").order_by("-registered_at")


def project_rows(user: User) -> QuerySet[Project]:
    """The list's rows with their stages and months (for the reasons of their health):
    a fixed number of queries for a page."""
    return project_list(user).prefetch_related("steps", "months")


#: What statistics group by: the field, the field of its label, the field of the code the
#: list's filter takes (None: the field's own value, a choice).
GROUPS = {
    "type": ("project_type", None, None),
    "chain": ("chain", "chain__name", "chain__code"),
    "district": ("district", "district__name", "district__code"),
    "health": ("health", None, None),
    "stage": ("stage", None, None),
}
#: The list's filter for each grouping.
GROUP_FILTERS = {
    "type": "project_type",
    "chain": "chain",
    "district": "district",
    "health": "health",
    "stage": "stage",
}


def project_statistics(user: User, by: str, queryset: QuerySet[Project] | None = None):
    """Per group (type, chain, district, health or stage) of the projects in scope:
    projects, planned, completed and equipment investment, and how many are red,
    yellow and green; plus the total row. One query for the groups, one for the total."""
    if by not in GROUPS:
        raise ValueError(by)
    field, label, code = GROUPS[by]
    qs = (queryset if queryset is not None else project_scope(user)).order_by()
    figures = {
        "projects": Count("pk"),
        "planned": Sum("planned_investment"),
        "completed": Sum("completed_investment"),
        "equipment": Sum("equipment_completed"),
        "red": Count("pk", filter=Q(health=Health.RED)),
        "yellow": Count("pk", filter=Q(health=Health.YELLOW)),
        "green": Count("pk", filter=Q(health=Health.GREEN)),
    }
    keys = [field] + [f for f in (label, code) if f]
    rows = list(qs.values(*keys).annotate(**figures).order_by("-planned", field))
    total = qs.aggregate(**figures)
    choices = {
        "type": dict(ProjectType.choices),
        "health": dict(Health.choices),
    }
    if by == "stage":
        from gongxin.projects.choices import ProjectStage

        choices["stage"] = dict(ProjectStage.choices)
    for row in rows:
        row["key"] = row[code] if code else row[field]
        row["label"] = (row[label] if label else choices[by].get(row[field], row[field])) or None
        row["share"] = _share(row["completed"], row["planned"])
    total["share"] = _share(total["completed"], total["planned"])
    return rows, total


def _share(part, whole):
    if not whole or part is None:
        return None
    return part * 100 / whole


def timeline(user: User, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects in scope with planned dates, by planned start, with their stages: the
    Gantt chart's bars."""
    qs = queryset if queryset is not None else project_list(user)
    return (
        qs.filter(Q(start_planned__isnull=False) | Q(end_planned__isnull=False))
        .prefetch_related("steps", "milestones")
        .order_by(F("start_planned").asc(nulls_last=True), "pk")
    )


def investment_by_month(project: Project) -> list[dict]:
    """The project's months with cumulative planned and completed investment (for its
    chart), from its prefetched months."""
    planned = completed = Decimal(0)
    rows = []
    for m in sorted(project.months.all(), key=lambda m: m.month):
        planned += m.planned or 0
        completed += m.completed or 0
        rows.append(
            {
                "month": m.month,
                "planned": m.planned,
                "completed": m.completed,
                "equipment": m.equipment,
                "progress": m.progress,
                "planned_total": planned,
                "completed_total": completed,
            }
        )
    return rows
