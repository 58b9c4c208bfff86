"""Reads of chains, scoped by the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from gongxin.chains import gaps
from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, ChainNode, EnterpriseNode, SupplyLink
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.enterprises.models import AnnualFigure


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


def chain_map(chain: Chain) -> ChainMap:
    """Three queries whatever the chain's size: nodes, supply links, per-node figures."""
    rows = list(
        ChainNode.objects.filter(chain=chain)
        .order_by("position", "pk")
        .values_list("pk", "name", "parent_id", "segment", "kind", "key_link", "bottleneck")
    )
    year = AnnualFigure.objects.aggregate(year=Max("year"))["year"]
    figures = {
        row["node"]: row
        for row in EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
        .values("node")
        .annotate(
            enterprises=Count("enterprise", distinct=True),
            above=Count("enterprise", distinct=True, filter=Q(enterprise__above_scale=True)),
            revenue=Sum(
                "enterprise__annual_figures__revenue",
                filter=Q(enterprise__annual_figures__year=year),
            ),
        )
    }
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
            own = figures.get(pk, {})
            below = walk(pk, depth + 1)
            node.enterprises = own.get("enterprises", 0) + below[0]
            node.above_scale = own.get("above", 0) + below[1]
            node.revenue = (own.get("revenue") or Decimal(0)) + below[2]
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


def chain_gaps(chain: Chain, year: int | None = None) -> list[gaps.Gap]:
    """The gap analysis of a chain (see `gaps`), from three queries: the nodes, the local
    enterprises on them with their revenue in `year` (default: the latest with annual
    figures), the supply links."""
    if year is None:
        year = AnnualFigure.objects.aggregate(year=Max("year"))["year"]
    facts = {
        pk: gaps.NodeFacts(pk, name, parent, key_link, bottleneck)
        for pk, name, parent, key_link, bottleneck in ChainNode.objects.filter(chain=chain)
        .order_by("position", "pk")
        .values_list("pk", "name", "parent_id", "key_link", "bottleneck")
    }
    revenue = AnnualFigure.objects.filter(enterprise=OuterRef("enterprise"), year=year)
    placed = (
        EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
        .annotate(revenue=Subquery(revenue.values("revenue")[:1]))
        .values_list("node_id", "enterprise__above_scale", "revenue")
    )
    for node, above_scale, amount in placed:
        facts[node].revenues.append(amount)
        facts[node].above_scale += above_scale
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
