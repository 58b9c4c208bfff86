"""Gap analysis of a chain (强链、补链、延链), on plain values (no database).

Each leaf node of the structure is classed from the local enterprises on it and on the
nodes it trades with (its supply links, and those of the nodes above it):

- 补链 (fill): no local enterprise, and either local enterprises on both its supplier and
  its customer side (a broken link) or on neither (a hole);
- 延链 (extend): no local enterprise, but local enterprises on one side only: the chain
  can grow from what is there, upstream or downstream;
- 强链 (strengthen): local enterprises, but fewer than `min_enterprises`, none above
  designated size, one of them holding most of the node (HHI of revenue above
  `max_hhi`), or the city's buyers getting less than `min_local_supply` of what they buy
  on the node from local suppliers (本地配套率);
- nodes with none of these weaknesses are strong (优势).

Gaps are ranked by a score: 3 for a bottleneck, 2 for a key link, 1 for each
neighbouring node with local enterprises, 1 when the city's buyers purchase on the node
mostly from elsewhere, and for 强链 nodes 1 per missing enterprise up to
`min_enterprises`, 1 without any enterprise above designated size, 1 when too
concentrated. Ties keep the order of the structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

FILL, EXTEND, STRENGTHEN, STRONG = "fill", "extend", "strengthen", "strong"


@dataclass(frozen=True)
class Thresholds:
    min_enterprises: int = 3
    max_hhi: float = 0.5
    min_local_supply: float = 0.3


@dataclass
class NodeFacts:
    pk: int
    name: str
    parent: int | None
    key_link: bool = False
    bottleneck: bool = False
    #: Revenue of each local enterprise on the node (None: not reported); or, from the
    #: database, their aggregates below.
    revenues: list[Decimal | None] = field(default_factory=list)
    above_scale: int = 0
    enterprises: int = 0
    revenue: Decimal = Decimal(0)  # total reported
    positive_revenue: float = 0.0  # total of the revenues above 0 (for concentration)
    revenue_squares: float = 0.0  # sum of their squares
    revenue_max: float = 0.0  # the largest
    #: What the city's enterprises bought on the node in the year, and of it from local
    #: suppliers (supplier relations).
    bought: Decimal = Decimal(0)
    bought_local: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.revenues:
            reported = [r for r in self.revenues if r is not None]
            positive = [float(r) for r in reported if r > 0]
            self.enterprises = len(self.revenues)
            self.revenue = sum(reported, Decimal(0))
            self.positive_revenue = sum(positive)
            self.revenue_squares = sum(v * v for v in positive)
            self.revenue_max = max(positive, default=0.0)

    @property
    def concentration(self) -> tuple[float | None, float | None]:
        """(share of the largest, HHI) of the reported revenues; (None, None) without any."""
        total = self.positive_revenue
        if not total:
            return None, None
        return self.revenue_max / total, self.revenue_squares / (total * total)

    @property
    def local_supply(self) -> float | None:
        """The local supply ratio (本地配套率) on the node; None without purchases."""
        return float(self.bought_local / self.bought) if self.bought else None


@dataclass
class Gap:
    node: NodeFacts
    kind: str
    score: int
    enterprises: int
    above_scale: int
    revenue: Decimal
    top_share: float | None  # revenue share of the largest enterprise
    hhi: float | None  # Herfindahl–Hirschman index of revenue shares, 0–1
    suppliers_present: int  # neighbouring nodes upstream with local enterprises
    customers_present: int  # … downstream
    reasons: list[str]
    local_supply: float | None = None  # see NodeFacts.local_supply
    rank: int = 0


def concentration(revenues: Iterable[Decimal | None]) -> tuple[float | None, float | None]:
    """(share of the largest, HHI) of the reported revenues; (None, None) without any."""
    values = [float(r) for r in revenues if r is not None and r > 0]
    total = sum(values)
    if not total:
        return None, None
    shares = [v / total for v in values]
    return max(shares), sum(s * s for s in shares)


def analyse(
    nodes: list[NodeFacts],
    links: Iterable[tuple[int, int]],
    thresholds: Thresholds = Thresholds(),
) -> list[Gap]:
    """The leaves of the structure, classed and ranked (strong nodes last, unranked)."""
    by_pk = {n.pk: n for n in nodes}
    children: dict[int | None, list[int]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node.pk)
    present: dict[int, bool] = {}

    def subtree_present(pk: int) -> bool:
        if pk not in present:
            present[pk] = bool(by_pk[pk].enterprises) or any(
                subtree_present(c) for c in children.get(pk, [])
            )
        return present[pk]

    suppliers: dict[int, set[int]] = {}
    customers: dict[int, set[int]] = {}
    for a, b in links:
        customers.setdefault(a, set()).add(b)
        suppliers.setdefault(b, set()).add(a)

    def lineage(pk: int) -> list[int]:
        chain = []
        while pk is not None:
            chain.append(pk)
            pk = by_pk[pk].parent
        return chain

    def neighbours(pk: int, edges: Mapping[int, set[int]]) -> set[int]:
        found: set[int] = set()
        for own in lineage(pk):
            found |= edges.get(own, set())
        return found - set(lineage(pk))

    gaps: list[Gap] = []
    for node in nodes:
        if children.get(node.pk):
            continue
        up = sum(subtree_present(n) for n in neighbours(node.pk, suppliers))
        down = sum(subtree_present(n) for n in neighbours(node.pk, customers))
        count = node.enterprises
        top, hhi = node.concentration
        revenue = node.revenue
        score = 3 * node.bottleneck + 2 * node.key_link + up + down
        reasons: list[str] = []
        local_supply = node.local_supply
        if local_supply is not None and local_supply < thresholds.min_local_supply:
            reasons.append("bought_elsewhere")
            score += 1
        if count == 0:
            kind = EXTEND if (up > 0) != (down > 0) else FILL
        else:
            if count < thresholds.min_enterprises:
                reasons.append("few")
                score += thresholds.min_enterprises - count
            if node.above_scale == 0:
                reasons.append("no_above_scale")
                score += 1
            if hhi is not None and hhi > thresholds.max_hhi:
                reasons.append("concentrated")
                score += 1
            kind = STRENGTHEN if reasons else STRONG
            if kind == STRONG:
                score = 0  # not a gap: nothing to rank
        gaps.append(
            Gap(
                node,
                kind,
                score,
                count,
                node.above_scale,
                revenue,
                top,
                hhi,
                up,
                down,
                reasons,
                local_supply,
            )
        )
    order = {pk: i for i, pk in enumerate(n.pk for n in nodes)}
    ranked = sorted(
        (g for g in gaps if g.kind != STRONG), key=lambda g: (-g.score, order[g.node.pk])
    )
    for rank, gap in enumerate(ranked, 1):
        gap.rank = rank
    return ranked + [g for g in gaps if g.kind == STRONG]


@dataclass(frozen=True)
class Coverage:
    """How much of the chain the city holds: its finest nodes with local enterprises, and
    of those the strong ones."""

    leaves: int
    present: int
    strong: int

    @property
    def ratio(self) -> float | None:
        return self.present / self.leaves if self.leaves else None


def coverage(analysed: Iterable[Gap]) -> Coverage:
    """The coverage of a chain from its analysed leaves (`analyse`'s whole result)."""
    leaves = list(analysed)
    return Coverage(
        len(leaves),
        sum(1 for g in leaves if g.enterprises),
        sum(1 for g in leaves if g.kind == STRONG),
    )
