"""Chains API: the chains you read, one chain with its structure and local strength (the
data of the chain map), its gap analysis, its other maps, its local supply and its lists.
Scope as in the web UI: out of scope is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from gongxin.chains import selectors
from gongxin.chains.lists import LISTS, list_rows

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
    local_supply: float | None
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


class SupplyOut(Schema):
    enterprise: int | None
    name: str
    bought: Decimal
    bought_local: Decimal
    ratio: float | None


class LocalSupplyOut(Schema):
    year: int | None
    chain: SupplyOut
    masters: list[SupplyOut]


def _supply(row) -> dict:
    return {
        "enterprise": row.enterprise.pk if row.enterprise else None,
        "name": row.enterprise.name if row.enterprise else "",
        "bought": row.bought,
        "bought_local": row.bought_local,
        "ratio": row.ratio,
    }


@router.get(
    "/{code}/local-supply",
    response=LocalSupplyOut,
    summary="Local supply ratio (本地配套率) of each chain master and of the chain",
)
def chain_local_supply(request, code: str, year: int | None = None):
    supply = selectors.local_supply(_chain(request, code), year)
    return {
        "year": supply.year,
        "chain": _supply(supply.chain),
        "masters": [_supply(r) for r in supply.masters],
    }


MapName = Literal["roadmap", "application", "regional", "attraction"]


@router.get(
    "/{code}/maps/{name}",
    response=dict[str, Any],
    summary="The data of a chain's technology roadmap, application-field, regional or "
    "attraction map",
)
def chain_map_data(request, code: str, name: MapName):
    chain = _chain(request, code)
    if name == "roadmap":
        return selectors.tech_roadmap(chain)
    if name == "application":
        return selectors.application_map(chain)
    if name == "regional":
        return selectors.regional_distribution(request.user, chain)
    return {
        "gaps": [
            {
                "rank": item["gap"].rank,
                "node": item["gap"].node.pk,
                "name": item["gap"].node.name,
                "kind": item["gap"].kind,
                "score": item["gap"].score,
                "prospects": [
                    {
                        "id": rec.candidate.pk,
                        "name": rec.candidate.name,
                        "city": rec.candidate.city,
                        "stage": rec.candidate.stage,
                        "score": rec.score,
                        "reasons": [{"reason": r, "detail": d} for r, d in rec.reasons],
                    }
                    for rec in item["prospects"]
                ],
            }
            for item in selectors.attraction_map(chain)["gaps"]
        ]
    }


ListName = Literal[
    "enterprises", "projects", "platforms", "technologies", "bottlenecks", "prospects"
]


class ListPage(Schema):
    list: str
    title: str
    count: int
    columns: list[dict[str, str]]
    items: list[dict[str, Any]]


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@router.get(
    "/{code}/lists/{key}",
    response=ListPage,
    summary="One of a chain's five lists or its attraction targets, filtered as on the web "
    "page (same query parameters), 100 a page",
)
def chain_list_items(request, code: str, key: ListName, page: int = Query(1, ge=1)):
    chain = _chain(request, code)
    spec = LISTS.get(key)
    if spec is None:
        raise Http404
    params = request.GET.copy()
    params.pop("page", None)
    rows, filterset = list_rows(spec, user=request.user, chain=chain, params=params)
    if filterset.is_bound and not filterset.is_valid():
        errors = filterset.errors.get_json_data()
        raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})

    total = rows.count()
    start = (page - 1) * 100
    return {
        "list": key,
        "title": str(spec.title),
        "count": total,
        "columns": [{"key": c.key, "header": str(c.header)} for c in spec.columns],
        "items": [
            {c.key: _json(c.value(row)) for c in spec.columns} for row in rows[start : start + 100]
        ],
    }
