"""The cockpit's data (驾驶舱): one read of how the city's industry, chains, projects,
demands, cultivation plans and early warnings stand for a month, for the city or for one
district (the district version). The cockpit page and the monthly briefing both render
`cockpit_build`, so the two never disagree.

Every part is read through the selectors of its app, scoped by the reading user, in a
fixed number of queries whatever the size of the archive: indicators from the monthly
totals (`indicators.rollup`), chains from their totals and the chain list's counts,
projects from their stored header figures and months, demands from the closed loop's
daily statistics, warnings from their open counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.selectors import alert_scope
from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import ChainTarget, EnterpriseNode
from gongxin.chains.selectors import chain_list
from gongxin.core.choices import PARK_KINDS, Role
from gongxin.core.models import Region, User
from gongxin.core.selectors import region_with_descendants, user_reads_everything
from gongxin.demands.statistics import Row as DemandRow
from gongxin.demands.statistics import demand_statistics, demand_totals
from gongxin.enterprises.choices import ItemStatus, PlanStatus
from gongxin.enterprises.models import CultivationPlan, Enterprise, PlanItem
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.indicators import figures
from gongxin.indicators.figures import Reading, Scope
from gongxin.indicators.selectors import overview
from gongxin.plans.selectors import PracticeSummary, plans_can_read, practice_summary
from gongxin.projects.choices import STAGE_ORDER, Health
from gongxin.projects.models import Project, ProjectMonth
from gongxin.projects.selectors import project_scope, project_statistics

#: The indicators the cockpit's headline shows, in order.
HEADLINE = ("output_value", "revenue", "profit", "tax", "electricity", "employees")


def cockpit_can_read(user: User) -> bool:
    """Leadership and every official who reads the whole archive read the city's cockpit;
    district and park staff their own area's."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user_reads_everything(user) or (user.role == Role.DISTRICT and user.region_id))
    )


def cockpit_region(user: User, code: str | None) -> Region | None:
    """The area of the cockpit: a district user's own; for the others the district or park
    `code` names (the district version), or None for the city."""
    if not cockpit_can_read(user):
        raise PermissionDenied
    if not user_reads_everything(user):
        return user.region
    if not code:
        return None
    return Region.objects.filter(code=code).first()


@dataclass
class ChainRow:
    chain: object
    to_date: Decimal | None  # 规上营业收入, year to date (yuan)
    growth: Decimal | None
    target: Decimal | None  # the year's revenue target (yuan), city only
    enterprises: int
    gaps: int

    @property
    def progress(self) -> Decimal | None:
        if not self.target or self.to_date is None:
            return None
        return self.to_date * 100 / self.target


@dataclass
class ProjectSummary:
    total: dict  # projects, planned, completed, equipment, red, yellow, green, share
    by_stage: list[dict]
    year_planned: Decimal  # planned for the months of the year to the month
    year_completed: Decimal

    @property
    def year_share(self) -> Decimal | None:
        return self.year_completed * 100 / self.year_planned if self.year_planned else None


@dataclass
class PlanSummary:
    plans: int
    achieved: int
    items: int
    items_done: int
    items_late: int

    @property
    def done_share(self) -> Decimal | None:
        return Decimal(self.items_done * 100) / self.items if self.items else None


@dataclass
class Cockpit:
    month: dt.date
    region: Region | None
    readings: list[Reading]
    trend: dict  # indicator code → {year: [12 values or None]}
    districts: list[dict]  # the city's districts' output to date (city only)
    chains: list[ChainRow]
    projects: ProjectSummary
    demands: DemandRow
    plans: PlanSummary
    alerts: dict[str, int]
    #: The issued plans' tasks (落实), city-wide: None for a district's cockpit.
    practice: PracticeSummary | None = None
    alert_labels: list[tuple[str, str]] = field(default_factory=lambda: list(Rule.choices))

    @property
    def scope_key(self) -> str:
        return self.region.code if self.region is not None else "city"

    @property
    def headline(self) -> list[Reading]:
        found = {r.indicator.code: r for r in self.readings}
        return [found[code] for code in HEADLINE if code in found]

    def reading(self, code: str) -> Reading | None:
        return next((r for r in self.readings if r.indicator.code == code), None)

    @property
    def alerts_total(self) -> int:
        return sum(self.alerts.values())


def cockpit_month(month: dt.date | None) -> dt.date:
    """The month the cockpit shows: the one asked for, else the latest reported."""
    if month is not None:
        return month.replace(day=1)
    return figures.latest_month() or timezone.localdate().replace(day=1)


def cockpit_build(user: User, month: dt.date, region: Region | None = None) -> Cockpit:
    """Everything the cockpit and the briefing show for `month`, for the city or for
    `region` (a district, a zone or a park), as `user` reads it."""
    if not cockpit_can_read(user):
        raise PermissionDenied
    scope = Scope(region=region)
    readings = overview(scope, month)
    output = next((r.indicator for r in readings if r.indicator.code == "output_value"), None)
    return Cockpit(
        month=month,
        region=region,
        readings=readings,
        trend=_trend(output, scope, month) if output else {},
        districts=_districts(output, month) if output and region is None else [],
        chains=_chains(user, readings, month, region),
        projects=_projects(user, month, region),
        demands=_demands(user, month, region),
        plans=_plans(user, month, region),
        alerts=_alerts(user, region),
        practice=practice_summary(user) if region is None and plans_can_read(user) else None,
    )


def _trend(indicator, scope: Scope, month: dt.date) -> dict:
    series = figures.monthly(indicator, scope, dt.date(month.year - 1, 1, 1), month)
    return {
        year: [series.get(dt.date(year, m, 1)) for m in range(1, 13)]
        for year in (month.year - 1, month.year)
    }


def _districts(indicator, month: dt.date) -> list[dict]:
    found = figures.by_region(indicator, month)
    regions = Region.objects.in_bulk(list(found))
    rows = [{"region": regions[pk], **values} for pk, values in found.items() if pk in regions]
    return sorted(rows, key=lambda r: -(r["to_date"] or 0))


def _chains(user: User, readings, month: dt.date, region: Region | None) -> list[ChainRow]:
    """Each top-level chain with its sub-chains: revenue to date and growth, the year's
    target (the city's), its confirmed enterprises and its gaps — of the area if given."""
    revenue = next((r.indicator for r in readings if r.indicator.code == "revenue"), None)
    totals = figures.by_chain(revenue, month, region=region) if revenue else {}
    targets = (
        dict(ChainTarget.objects.filter(year=month.year).values_list("chain_id", "revenue"))
        if region is None
        else {}
    )
    placed = _chain_enterprises(region)
    rows = []
    for chain in chain_list(user).filter(parent__isnull=True):
        found = totals.get(chain.pk, {})
        rows.append(
            ChainRow(
                chain=chain,
                to_date=found.get("to_date"),
                growth=found.get("growth"),
                target=targets.get(chain.pk),
                enterprises=placed.get(chain.pk, 0),
                gaps=chain.gap_count,
            )
        )
    return rows


def _chain_enterprises(region: Region | None) -> dict[int, int]:
    """{chain id: its confirmed enterprises (with its sub-chains', each once)} in the area
    (one query)."""
    links = EnterpriseNode.objects.filter(status=LinkStatus.CONFIRMED).filter(
        _region_filter(region, "enterprise__")
    )
    found: dict[int, set[int]] = {}
    for enterprise, chain, parent in links.values_list(
        "enterprise_id", "node__chain_id", "node__chain__parent_id"
    ):
        found.setdefault(chain, set()).add(enterprise)
        if parent:
            found.setdefault(parent, set()).add(enterprise)
    return {chain: len(enterprises) for chain, enterprises in found.items()}


def _region_filter(region: Region | None, prefix: str = "") -> Q:
    """The condition on enterprises or projects (through `prefix`, e.g. "project__") of
    the area."""
    if region is None:
        return Q()
    if region.kind in PARK_KINDS:
        return Q(**{f"{prefix}park_id__in": region_with_descendants(region)})
    return Q(**{f"{prefix}district_id": region.pk})


def cockpit_projects(user: User, region: Region | None):
    """The projects the cockpit counts (the list behind its project figures)."""
    return project_scope(user).filter(_region_filter(region))


def cockpit_late_projects(user: User, region: Region | None, limit: int | None = 10):
    """The red projects the cockpit counts, the largest first, with their stages and
    months for the reasons (`projects.services.judgement_of`)."""
    late = (
        cockpit_projects(user, region)
        .filter(health=Health.RED)
        .select_related("enterprise", "district", "chain", "official")
        .prefetch_related("steps", "months")
        .order_by("-planned_investment", "code")
    )
    return list(late[:limit] if limit else late)


def _projects(user: User, month: dt.date, region: Region | None) -> ProjectSummary:
    projects = cockpit_projects(user, region)
    by_stage, total = project_statistics(user, "stage", projects)
    by_stage.sort(key=lambda row: STAGE_ORDER.index(row["key"]))
    months = ProjectMonth.objects.filter(month__gte=month.replace(month=1), month__lte=month)
    if user_reads_everything(user):  # (a join on the area, not a list of every project)
        months = months.filter(_region_filter(region, "project__"))
    else:
        months = months.filter(project__in=projects.values("pk"))
    year = months.aggregate(planned=Sum("planned"), completed=Sum("completed"))
    return ProjectSummary(
        total=total,
        by_stage=by_stage,
        year_planned=year["planned"] or Decimal(0),
        year_completed=year["completed"] or Decimal(0),
    )


def _demands(user: User, month: dt.date, region: Region | None) -> DemandRow:
    """The closed loop for the year to the month: the total of the user's scope, or the
    row of the district read."""
    start = month.replace(month=1)
    if region is None or not user_reads_everything(user):
        return demand_statistics(user, dimension="district", start=start, end=month).total
    if region.kind in PARK_KINDS:  # the daily table keeps districts, not zones and parks
        return demand_totals(user, start, month, where=_region_filter(region, "enterprise__"))
    stats = demand_statistics(user, dimension="district", start=start, end=month)
    return next(
        (row for row in stats.rows if row.key == region.pk),
        DemandRow(region.pk, region.name),
    )


def _plans(user: User, month: dt.date, region: Region | None) -> PlanSummary:
    everything = user_reads_everything(user)
    scoped = enterprise_scope(user).filter(_region_filter(region)).values("pk")

    def where(prefix: str) -> Q:
        # a join on the area, not a list of every enterprise, for those who read them all
        if everything:
            return _region_filter(region, f"{prefix}enterprise__")
        return Q(**{f"{prefix}enterprise__in": scoped})

    plans = CultivationPlan.objects.filter(where("")).exclude(status=PlanStatus.DROPPED)
    counted = plans.aggregate(
        plans=Count("pk"), achieved=Count("pk", filter=Q(status=PlanStatus.ACHIEVED))
    )
    end = month_end(month)
    items = (
        PlanItem.objects.filter(where("plan__"))
        .exclude(plan__status=PlanStatus.DROPPED)
        .aggregate(
            items=Count("pk"),
            done=Count("pk", filter=Q(status=ItemStatus.DONE)),
            late=Count("pk", filter=Q(due_on__lt=end) & ~Q(status=ItemStatus.DONE)),
        )
    )
    return PlanSummary(
        plans=counted["plans"],
        achieved=counted["achieved"],
        items=items["items"],
        items_done=items["done"],
        items_late=items["late"],
    )


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def cockpit_alerts(user: User, region: Region | None):
    """The open warnings the cockpit counts (the list behind its warning figures)."""
    alerts = alert_scope(user).filter(status=AlertStatus.OPEN)
    if region is not None:
        # a project's warning counts where the project is, an enterprise's where it is
        alerts = alerts.filter(
            Q(
                project__isnull=True,
                enterprise__in=Enterprise.objects.filter(_region_filter(region)).values("pk"),
            )
            | Q(project__in=Project.objects.filter(_region_filter(region)).values("pk"))
        )
    return alerts


def _alerts(user: User, region: Region | None) -> dict[str, int]:
    rows = cockpit_alerts(user, region).values("rule").annotate(n=Count("pk")).order_by()
    return {row["rule"]: row["n"] for row in rows}
