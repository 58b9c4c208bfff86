"""Chains API: the chains you read, one chain with its structure and local strength (the
data of the chain map), and its gap analysis. Scope as in the web UI: out of scope is a 404."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from gongxin.chains import selectors

router = Router(tags=["chains"])


class ChainOut(Schema):
    code: str
    name: str
    parent: str | None
    office: str | None
    leaders: list[str]
    node_count: int
    enterprise_count: int
    master_count: int
    gap_count: int

    @staticmethod
    def resolve_parent(chain) -> str | None:
        return chain.parent.code if chain.parent_id else None

    @staticmethod
    def resolve_office(chain) -> str | None:
        return chain.office.code if chain.office_id else None

    @staticmethod
    def resolve_leaders(chain) -> list[str]:
        return [str(leader) for leader in chain.leaders.all()]


class NodeOut(Schema):
    id: int
    name: str
    parent: int | None
    segment: str
    kind: str
    depth: int
    key_link: bool
    bottleneck: bool
    enterprises: int
    above_scale: int
    revenue: Decimal


class ChainMapOut(Schema):
    code: str
    name: str
    year: int | None
    nodes: list[NodeOut]
    links: list[tuple[int, int]]


class GapOut(Schema):
    rank: int
    node: int
    name: str
    kind: str
    score: int
    enterprises: int
    above_scale: int
    revenue: Decimal
    top_share: float | None
    hhi: float | None
    suppliers_present: int
    customers_present: int
    reasons: list[str]


def _chain(request, code: str):
    return get_object_or_404(selectors.chain_scope(request.user), code=code)


@router.get("", response=list[ChainOut], summary="Chains you read, with their counts")
def chain_list(request):
    return list(selectors.chain_list(request.user))


@router.get("/{code}", response=ChainMapOut, summary="A chain's structure and local strength")
def chain_detail(request, code: str):
    chain = _chain(request, code)
    chain_map = selectors.chain_map(chain)
    return {
        "code": chain.code,
        "name": chain.name,
        "year": chain_map.year,
        "nodes": [{**vars(n), "id": n.pk} for n in chain_map.nodes],
        "links": chain_map.links,
    }


@router.get("/{code}/gaps", response=list[GapOut], summary="A chain's gaps, ranked")
def chain_gaps(request, code: str):
    chain = _chain(request, code)
    return [
        {**vars(g), "node": g.node.pk, "name": g.node.name}
        for g in selectors.chain_gaps(chain)
        if g.rank
    ]
