"""Reads of chains, scoped by the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from gongxin.chains import gaps, structure
from gongxin.chains.choices import BottleneckStatus, LinkStatus, PlatformLevel, ProspectStage
from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Chain,
    ChainNode,
    ChainSnapshot,
    EnterpriseNode,
    Platform,
    Prospect,
    SupplierRelation,
    SupplyLink,
    TechTarget,
    TechTask,
)
from gongxin.core import versions
from gongxin.core.choices import Role
from gongxin.core.models import Region, User
from gongxin.core.selectors import user_edits_everything
from gongxin.enterprises.choices import QualificationKind
from gongxin.enterprises.models import AnnualFigure, Enterprise
from gongxin.enterprises.selectors import enterprise_scope, valid_qualifications
from gongxin.projects.selectors import chain_projects, project_list, project_totals


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


def chain_can_create(user: User) -> bool:
    """Whether `user` sets up new chains (division staff and administrators)."""
    return bool(user and user_edits_everything(user))


def chain_can_change(user: User, chain: Chain) -> bool:
    return chain_scope(user, for_change=True).filter(pk=chain.pk).exists()


def chain_list(user: User) -> QuerySet[Chain]:
    """The chains `user` reads, each with its node, enterprise, chain-master and gap counts
    (correlated subqueries: the query count does not grow with the chains)."""
    nodes = ChainNode.objects.filter(chain=OuterRef("pk"))
    placed = EnterpriseNode.objects.filter(node__chain=OuterRef("pk"), status=LinkStatus.CONFIRMED)
    gaps = nodes.filter(children__isnull=True).exclude(
        enterprise_links__status=LinkStatus.CONFIRMED
    )
    masters = Chain.masters.through.objects.filter(chain=OuterRef("pk"))
    return (
        chain_scope(user)
        .select_related("parent", "office")
        .prefetch_related("leaders")
        .annotate(
            node_count=_count(nodes, "chain", "pk"),
            enterprise_count=_count(placed, "node__chain", "enterprise"),
            master_count=_count(masters, "chain", "pk"),
            gap_count=_count(gaps, "chain", "pk"),
        )
        .order_by("sort_order", "code")
    )


def _count(qs: QuerySet, group: str, counted: str) -> Coalesce:
    """COUNT(DISTINCT counted) of a queryset correlated to the outer row by `group`."""
    counts = qs.order_by().values(group).annotate(n=Count(counted, distinct=True)).values("n")
    return Coalesce(Subquery(counts[:1]), 0)


@dataclass
class MapNode:
    pk: int
    name: str
    parent: int | None
    segment: str
    kind: str
    key_link: bool
    bottleneck: bool
    depth: int = 0
    enterprises: int = 0
    above_scale: int = 0
    revenue: Decimal = Decimal(0)


@dataclass
class ChainMap:
    """What the chain map (产业链图) draws: nodes in tree order with the confirmed local
    enterprises on each (and below it), 规上 among them and their revenue in `year`."""

    nodes: list[MapNode]
    links: list[tuple[int, int]]
    year: int | None


@dataclass
class NodeFigures:
    """The confirmed local enterprises on one node (not below it) and their revenue."""

    enterprises: int = 0
    above_scale: int = 0
    revenue: Decimal = Decimal(0)
    positive_revenue: float = 0.0
    revenue_squares: float = 0.0
    revenue_max: float = 0.0


def node_figures(chain: Chain, year: int | None) -> dict[int, NodeFigures]:
    """Per node of the chain, in one aggregate query: its confirmed enterprises, those
    above designated size, and their revenue in `year` (total; and over the revenues above
    0 their total, sum of squares and largest, from which concentration follows)."""
    revenue = Cast("figure__revenue", FloatField())
    positive = Q(figure__revenue__gt=0)
    rows = (
        EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
        .annotate(
            figure=FilteredRelation(
                "enterprise__annual_figures",
                condition=Q(enterprise__annual_figures__year=year),
            )
        )
        .values("node")
        .annotate(
            n=Count("pk"),
            above=Count("pk", filter=Q(enterprise__above_scale=True)),
            total=Sum("figure__revenue"),
            positive=Sum(revenue, filter=positive),
            squares=Sum(revenue * revenue, filter=positive),
            top=Max(revenue, filter=positive),
        )
        .values_list("node", "n", "above", "total", "positive", "squares", "top")
        .order_by()
    )
    return {
        node: NodeFigures(
            n, above, total or Decimal(0), positive or 0.0, squares or 0.0, top or 0.0
        )
        for node, n, above, total, positive, squares, top in rows
    }


def chain_map(
    chain: Chain, year: int | None = None, figures: dict[int, NodeFigures] | None = None
) -> ChainMap:
    """Three queries whatever the chain's size: nodes, supply links, per-node figures (of
    `year`, default the latest; or the `figures` given, computed once for a whole page)."""
    rows = list(
        ChainNode.objects.filter(chain=chain)
        .order_by("position", "pk")
        .values_list("pk", "name", "parent_id", "segment", "kind", "key_link", "bottleneck")
    )
    year = year or latest_year()
    if figures is None:
        figures = node_figures(chain, year)
    nodes = {pk: MapNode(pk, *rest) for pk, *rest in rows}
    children: dict[int | None, list[int]] = {}
    for node in nodes.values():
        children.setdefault(node.parent, []).append(node.pk)
    ordered: list[MapNode] = []

    def walk(parent: int | None, depth: int) -> tuple[int, int, Decimal]:
        """Adds the subtree in tree order; returns its totals (an enterprise counts once per
        node it is placed on)."""
        total = (0, 0, Decimal(0))
        for pk in children.get(parent, []):
            node = nodes[pk]
            node.depth = depth
            ordered.append(node)
            own = figures.get(pk) or NodeFigures()
            below = walk(pk, depth + 1)
            node.enterprises = own.enterprises + below[0]
            node.above_scale = own.above_scale + below[1]
            node.revenue = own.revenue + below[2]
            total = (
                total[0] + node.enterprises,
                total[1] + node.above_scale,
                total[2] + node.revenue,
            )
        return total

    walk(None, 0)
    links = list(
        SupplyLink.objects.filter(chain=chain)
        .order_by("pk")
        .values_list("supplier_id", "customer_id")
    )
    return ChainMap(ordered, links, year)


def chain_can_read(user: User) -> bool:
    """Whether `user` reads chains at all (as `chain_scope` decides, without a query)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user_edits_everything(user) or user.role != Role.ENTERPRISE)
    )


def gap_thresholds() -> gaps.Thresholds:
    """The thresholds of the gap analysis, from settings.GONGXIN_CHAIN_GAPS."""
    return gaps.Thresholds(**getattr(settings, "GONGXIN_CHAIN_GAPS", {}))


def chain_gaps(
    chain: Chain, year: int | None = None, figures: dict[int, NodeFigures] | None = None
) -> list[gaps.Gap]:
    """The gap analysis of a chain (see `gaps`), from five queries: the nodes, the local
    enterprises on them with their revenue in `year` (default: the latest with annual
    figures), what the city's enterprises bought on each node in the latest year recorded
    up to `year`, the supply links."""
    if year is None:
        year = AnnualFigure.objects.aggregate(year=Max("year"))["year"]
    facts = {
        pk: gaps.NodeFacts(pk, name, parent, key_link, bottleneck)
        for pk, name, parent, key_link, bottleneck in ChainNode.objects.filter(chain=chain)
        .order_by("position", "pk")
        .values_list("pk", "name", "parent_id", "key_link", "bottleneck")
    }
    if figures is None:
        figures = node_figures(chain, year)
    for node, own in figures.items():
        for name, value in vars(own).items():  # NodeFacts has the same fields
            setattr(facts[node], name, value)
    # Purchases of the latest year recorded up to `year` (they come later than figures).
    purchases = SupplierRelation.objects.filter(node__chain=chain, year__lte=year or 9999)
    bought_in = purchases.aggregate(year=Max("year"))["year"]
    bought = (
        purchases.filter(year=bought_in)
        .values("node")
        .annotate(total=Sum("amount"), local=Sum("amount", filter=Q(supplier__isnull=False)))
        .values_list("node", "total", "local")
    )
    for node, total, local in bought:
        facts[node].bought, facts[node].bought_local = total, local or Decimal(0)
    links = SupplyLink.objects.filter(chain=chain).values_list("supplier_id", "customer_id")
    return gaps.analyse(list(facts.values()), list(links), gap_thresholds())


def enterprise_positions(user: User, enterprise) -> QuerySet[EnterpriseNode]:
    """Where an enterprise sits on the chains `user` reads (confirmed and suggested)."""
    return (
        EnterpriseNode.objects.filter(enterprise=enterprise, node__chain__in=chain_scope(user))
        .exclude(status=LinkStatus.REJECTED)
        .select_related("node__chain", "node__parent")
        .order_by("node__chain__sort_order", "node__position")
    )


def chain_suggestions(chain: Chain, limit: int | None = 100) -> QuerySet[EnterpriseNode]:
    """Suggested places on a chain waiting for staff, in the order of the structure (the
    first `limit` of them; None: all)."""
    waiting = (
        EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.SUGGESTED)
        .select_related("enterprise", "node")
        .order_by("node__position", "enterprise__name")
    )
    return waiting if limit is None else waiting[:limit]


def latest_year() -> int | None:
    """The latest year with annual figures: the year lists and maps report on."""
    return AnnualFigure.objects.aggregate(year=Max("year"))["year"]


def chain_family(chain: Chain) -> list[int]:
    """The chain and its sub-chains: what its lists cover."""
    return [chain.pk, *Chain.objects.filter(parent=chain).values_list("pk", flat=True)]


# The five lists (五清单) and the attraction list. Each is a queryset over the chain and
# its sub-chains, in a fixed number of queries whatever its length.

#: Qualifications that make an enterprise on the chain a key enterprise.
KEY_QUALIFICATIONS = (
    QualificationKind.HIGH_TECH,
    QualificationKind.SPECIALIZED_SME,
    QualificationKind.LITTLE_GIANT,
    QualificationKind.SINGLE_CHAMPION,
    QualificationKind.CHAIN_MASTER,
)


def _in_order(field: str, values) -> Case:
    """Order by a choice field in the order of its choices (not of the stored strings)."""
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(values)),
        default=Value(len(values)),
    )


def key_enterprises(user: User, chain: Chain, year: int | None = None) -> QuerySet[Enterprise]:
    """重点企业清单: the enterprises confirmed on the chain that are its chain masters, above
    designated size or hold a key qualification (valid today), as far as `user` reads the
    archive; each with `is_master`, revenue, last year's revenue, tax and employees of
    `year`, its valid qualifications and its places on the chain."""
    family = chain_family(chain)
    year = year or latest_year()
    placed = EnterpriseNode.objects.filter(node__chain__in=family, status=LinkStatus.CONFIRMED)
    masters = Chain.masters.through.objects.filter(chain__in=family)
    qualified = valid_qualifications().filter(kind__in=KEY_QUALIFICATIONS)
    figures = AnnualFigure.objects.filter(enterprise=OuterRef("pk"))
    return (
        enterprise_scope(user)
        .filter(pk__in=placed.values("enterprise"))
        .filter(
            Q(above_scale=True)
            | Q(pk__in=masters.values("enterprise"))
            | Q(pk__in=qualified.values("enterprise"))
        )
        .select_related("district", "park")
        .annotate(
            is_master=Exists(masters.filter(enterprise=OuterRef("pk"))),
            revenue=Subquery(figures.filter(year=year).values("revenue")[:1]),
            revenue_before=Subquery(figures.filter(year=year and year - 1).values("revenue")[:1]),
            tax=Subquery(figures.filter(year=year).values("tax")[:1]),
            employees=Subquery(figures.filter(year=year).values("employees")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "qualifications",
                queryset=qualified.order_by("kind"),
                to_attr="key_qualifications",
            ),
            Prefetch(
                "chain_positions",
                queryset=placed.select_related("node").order_by("node__position"),
                to_attr="places",
            ),
        )
        .order_by("-is_master", F("revenue").desc(nulls_last=True), "name")
    )


def key_projects(user: User, chain: Chain):
    """重点项目清单: the projects on the chain and its sub-chains, largest first."""
    return project_list(user, chains=chain_family(chain)).order_by(
        F("planned_investment").desc(nulls_last=True), "pk"
    )


def key_platforms(chain: Chain) -> QuerySet[Platform]:
    """重点平台清单: the chain's innovation platforms, national first."""
    return (
        Platform.objects.filter(chain__in=chain_family(chain))
        .select_related("chain", "node", "enterprise")
        .order_by(_in_order("level", PlatformLevel.values), "kind", "name")
    )


def key_technologies(chain: Chain) -> QuerySet[TechTask]:
    """关键共性技术清单: the technology tasks with their owners and targets by year."""
    return (
        TechTask.objects.filter(chain__in=chain_family(chain))
        .select_related("chain", "node", "owner", "enterprise")
        .prefetch_related(Prefetch("targets", queryset=TechTarget.objects.order_by("year")))
        .order_by("deadline", "pk")
    )


def chain_bottlenecks(chain: Chain) -> QuerySet[Bottleneck]:
    """制约瓶颈清单: blockages, breaks and choke points with owner, deadline and status."""
    return (
        Bottleneck.objects.filter(chain__in=chain_family(chain))
        .select_related("chain", "node", "owner")
        .order_by(_in_order("status", BottleneckStatus.values), "deadline", "pk")
    )


def chain_prospects(chain: Chain) -> QuerySet[Prospect]:
    """招商目标清单: the prospects with their nodes and responsible official."""
    return (
        Prospect.objects.filter(chain__in=chain_family(chain))
        .select_related("chain", "official", "enterprise")
        .prefetch_related(Prefetch("nodes", queryset=ChainNode.objects.order_by("position")))
        .order_by(
            _in_order("stage", ProspectStage.values), F("revenue").desc(nulls_last=True), "name"
        )
    )


# 本地配套率 (local supply).


@dataclass
class SupplyRatio:
    enterprise: Enterprise | None  # None: the chain as a whole
    bought: Decimal
    bought_local: Decimal

    @property
    def ratio(self) -> float | None:
        return float(self.bought_local / self.bought) if self.bought else None


@dataclass
class LocalSupply:
    year: int | None
    masters: list[SupplyRatio]
    chain: SupplyRatio


def local_supply(chain: Chain, year: int | None = None) -> LocalSupply:
    """The local supply ratio (本地配套率) of each chain master of the chain: the share of
    what it bought in `year` (default: the latest year recorded for them) from enterprises
    in the city; and of the chain: the same over all its chain masters together."""
    masters = list(chain.masters.order_by("name"))
    bought = SupplierRelation.objects.filter(customer__in=masters)
    if year is None:
        year = bought.aggregate(year=Max("year"))["year"]
    sums = {
        customer: (total, local or Decimal(0))
        for customer, total, local in bought.filter(year=year)
        .values("customer")
        .annotate(total=Sum("amount"), local=Sum("amount", filter=Q(supplier__isnull=False)))
        .values_list("customer", "total", "local")
    }
    rows = [SupplyRatio(m, *sums.get(m.pk, (Decimal(0), Decimal(0)))) for m in masters]
    whole = SupplyRatio(
        None,
        sum((r.bought for r in rows), Decimal(0)),
        sum((r.bought_local for r in rows), Decimal(0)),
    )
    return LocalSupply(year, rows, whole)


# The maps besides the chain map.


def tech_roadmap(chain: Chain) -> dict:
    """技术路线图: for each node with technology tasks, platforms or projects, the tasks with
    their targets by year, the platforms with the year they were recognised and the
    projects with the year they start (or are to start) and their stage."""
    tasks = list(
        TechTask.objects.filter(chain=chain)
        .select_related("node", "owner")
        .prefetch_related(Prefetch("targets", queryset=TechTarget.objects.order_by("year")))
        .order_by("deadline", "pk")
    )
    platforms = list(
        Platform.objects.filter(chain=chain).select_related("node", "enterprise").order_by("name")
    )
    order = dict(ChainNode.objects.filter(chain=chain).values_list("pk", "position").order_by())
    rows: dict[int | None, dict] = {}

    def row(node: ChainNode | None) -> dict:
        key = node.pk if node else None
        if key not in rows:
            rows[key] = {
                "node": node.name if node else "",
                "tasks": [],
                "platforms": [],
                "projects": [],
            }
        return rows[key]

    years: set[int] = set()
    for task in tasks:
        targets = [(t.year, t.target) for t in task.targets.all()]
        years.update(y for y, _ in targets)
        row(task.node)["tasks"].append(
            {
                "name": task.name,
                "kind": task.kind,
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "owner": task.owner.short_name or task.owner.name if task.owner else "",
                "deadline": task.deadline.isoformat(),
                "targets": targets,
            }
        )
    for platform in platforms:
        if platform.recognised_in:
            years.add(platform.recognised_in)
        row(platform.node)["platforms"].append(
            {
                "name": platform.name,
                "kind": str(platform.get_kind_display()),
                "level": str(platform.get_level_display()),
                "year": platform.recognised_in,
                "host": platform.host_name,
            }
        )
    for project in chain_projects(chain):
        start = project.started_on or project.start_planned
        if start is None:
            continue
        years.add(start.year)
        row(project.node)["projects"].append(
            {
                "name": project.name,
                "type": str(project.get_project_type_display()),
                "stage": str(project.get_stage_display()),
                "year": start.year,
                "investment": float(project.planned_investment or 0),
            }
        )
    ordered = sorted(rows.items(), key=lambda item: order.get(item[0], 10**9))
    return {"years": sorted(years), "rows": [r for _, r in ordered]}


def application_map(
    chain: Chain,
    year: int | None = None,
    top: int = 8,
    figures: dict[int, NodeFigures] | None = None,
) -> dict:
    """应用领域图: the markets the chain serves, the nodes that serve each with the
    confirmed local enterprises on them (and below them), and for each market how many
    distinct local enterprises serve it and the `top` largest by `year`'s revenue.

    A fixed number of queries: the fields with their nodes, the tree, the per-node
    figures, one union of a distinct count per field, and the `top` largest of each node
    (the largest of a market are among the largest of its nodes)."""
    year = year or latest_year()
    fields = list(
        ApplicationField.objects.filter(chain=chain)
        .prefetch_related(Prefetch("nodes", queryset=ChainNode.objects.order_by("position")))
        .order_by("position", "pk")
    )
    children: dict[int | None, list[int]] = {}
    for pk, parent in ChainNode.objects.filter(chain=chain).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    if figures is None:
        figures = node_figures(chain, year)
    below = {
        node.pk: structure.subtree(children, node.pk)
        for field in fields
        for node in field.nodes.all()
    }
    served = {field.pk: set().union(*(below[n.pk] for n in field.nodes.all())) for field in fields}
    placed = EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
    counts: dict[int, int] = {}
    parts = [
        placed.filter(node__in=nodes)
        .annotate(field=Value(pk))
        .values("field")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("field", "n")
        .order_by()
        for pk, nodes in served.items()
        if nodes
    ]
    if parts:
        counts = dict(parts[0].union(*parts[1:], all=True))
    largest: dict[int, list[tuple[int, str, Decimal]]] = {}
    for node, enterprise, name, amount in (
        placed.annotate(
            figure=FilteredRelation(
                "enterprise__annual_figures", condition=Q(enterprise__annual_figures__year=year)
            ),
            rank=Window(
                RowNumber(),
                partition_by=F("node"),
                order_by=[F("figure__revenue").desc(nulls_last=True), F("enterprise")],
            ),
        )
        .filter(rank__lte=top)
        .values_list("node", "enterprise", "enterprise__name", "figure__revenue")
    ):
        largest.setdefault(node, []).append((enterprise, name, amount))
    result = []
    for field in fields:
        nodes = [
            {
                "id": node.pk,
                "name": node.name,
                "enterprises": sum(figures[n].enterprises for n in below[node.pk] if n in figures),
            }
            for node in field.nodes.all()
        ]
        candidates = {
            pk: (name, amount) for n in served[field.pk] for pk, name, amount in largest.get(n, [])
        }
        # as the window ranks them: by revenue (none reported last), then id
        ranked = sorted(
            candidates.items(),
            key=lambda item: (item[1][1] is None, -(item[1][1] or 0), item[0]),
        )[:top]
        result.append(
            {
                "name": field.name,
                "description": field.description,
                "nodes": nodes,
                "count": counts.get(field.pk, 0),
                "enterprises": [
                    {"id": pk, "name": name, "revenue": float(amount or 0)}
                    for pk, (name, amount) in ranked
                ],
            }
        )
    return {"year": year, "fields": result}


def regional_distribution(chain: Chain, year: int | None = None) -> dict:
    """区域分布图: the chain's (and its sub-chains') confirmed enterprises, 规上 among them,
    their revenue in `year` and the chain's projects with their planned investment, by
    district and by park (counts and totals, the same for every reader of the chain)."""
    family = chain_family(chain)
    year = year or latest_year()
    placed = EnterpriseNode.objects.filter(
        node__chain__in=family, status=LinkStatus.CONFIRMED, enterprise=OuterRef("pk")
    )
    enterprises = Enterprise.objects.filter(Exists(placed)).annotate(
        figure=FilteredRelation("annual_figures", condition=Q(annual_figures__year=year))
    )
    per = {}
    for level in ("district", "park"):
        rows = (
            enterprises.filter(**{f"{level}__isnull": False})
            .values(level)
            .annotate(
                count=Count("pk"),
                above=Count("pk", filter=Q(above_scale=True)),
                total=Sum("figure__revenue"),
            )
            .values_list(level, "count", "above", "total")
            .order_by()
        )
        projects = project_totals(chains=family, by=level)
        table: dict[int, dict] = {}
        for pk, count, above, total in rows:
            table[pk] = {"enterprises": count, "above_scale": above, "revenue": total or 0}
        for pk, n, investment in projects:
            table.setdefault(pk, {"enterprises": 0, "above_scale": 0, "revenue": 0})
            table[pk].update(projects=n, investment=investment or 0)
        per[level] = table
    names = {
        r.pk: r
        for r in Region.objects.filter(pk__in=[*per["district"], *per["park"]]).order_by("code")
    }

    def listed(level: str) -> list[dict]:
        out = []
        for pk, row in per[level].items():
            region = names[pk]
            out.append(
                {
                    "id": pk,
                    "name": region.short_name or region.name,
                    "code": region.code,
                    "enterprises": row["enterprises"],
                    "above_scale": row["above_scale"],
                    "revenue": float(row["revenue"]),
                    "projects": row.get("projects", 0),
                    "investment": float(row.get("investment", 0)),
                }
            )
        return sorted(out, key=lambda r: (-r["enterprises"], -r["revenue"], r["code"]))

    return {"year": year, "districts": listed("district"), "parks": listed("park")}


def attraction_map(
    chain: Chain, year: int | None = None, per_gap: int = 5, ranked: list | None = None
) -> dict:
    """招商图: the chain's ranked gaps (computed here unless given), and for each the
    prospects recommended for it (see `attraction.recommend`), with the reason for each."""
    from gongxin.chains import attraction

    if ranked is None:
        ranked = [g for g in chain_gaps(chain, year) if g.rank]
    keywords = dict(ChainNode.objects.filter(chain=chain).values_list("pk", "keywords"))
    prospects = [
        attraction.Candidate(
            p.pk,
            p.name,
            p.province,
            p.city,
            p.size_class,
            p.stage,
            p.revenue,
            p.products,
            frozenset(n.pk for n in p.nodes.all()),
        )
        for p in Prospect.objects.filter(chain=chain)
        .exclude(stage=ProspectStage.LANDED)
        .prefetch_related("nodes")
    ]
    partners = tuple(getattr(settings, "GONGXIN_PARTNER_PROVINCES", ("广东省",)))
    return {
        "gaps": [
            {
                "gap": gap,
                "prospects": attraction.recommend(
                    gap.node.pk, keywords.get(gap.node.pk, []), prospects, partners
                )[:per_gap],
            }
            for gap in ranked
        ]
    }


@dataclass
class ChainFigures:
    """The heavy part of a chain page's data (see `ChainSnapshot`)."""

    year: int | None
    nodes: dict[int, NodeFigures]
    application: dict
    regional: dict


def chain_figures(chain: Chain, year: int | None = None) -> ChainFigures:
    """The per-node figures, application fields and regional distribution of a chain in
    `year` (default: the latest with annual figures): read from the chain's snapshot when
    it was computed at the archive's current version, else computed and stored."""
    year = year or latest_year()
    version = versions.current()
    stored = (
        ChainSnapshot.objects.filter(chain=chain, year=year or 0, version=version)
        .values_list("data", flat=True)
        .first()
    )
    if stored is not None:
        return ChainFigures(
            year,
            {
                int(pk): NodeFigures(n, above, Decimal(revenue), positive, squares, top)
                for pk, (n, above, revenue, positive, squares, top) in stored["nodes"].items()
            },
            stored["application"],
            stored["regional"],
        )
    nodes = node_figures(chain, year)
    figures = ChainFigures(
        year,
        nodes,
        application_map(chain, year, figures=nodes),
        regional_distribution(chain, year),
    )
    data = {
        "nodes": {
            str(pk): [
                f.enterprises,
                f.above_scale,
                str(f.revenue),
                f.positive_revenue,
                f.revenue_squares,
                f.revenue_max,
            ]
            for pk, f in nodes.items()
        },
        "application": figures.application,
        "regional": figures.regional,
    }
    try:
        with transaction.atomic():
            ChainSnapshot.objects.update_or_create(
                chain=chain, year=year or 0, defaults={"version": version, "data": data}
            )
    except IntegrityError:  # another request stored it meanwhile: theirs is as good
        pass
    return figures
