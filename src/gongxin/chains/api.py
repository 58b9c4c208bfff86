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
from ninja import Body, Field, Query, Router, Schema, Status

from gongxin.chains import selectors, services
from gongxin.chains.forms import ITEM_FORMS, EnterpriseRefField
from gongxin.chains.gaps import coverage
from gongxin.chains.lists import LISTS, list_rows
from gongxin.chains.models import ChainNode, EnterpriseNode, Prospect, SupplyLink
from gongxin.enterprises.selectors import enterprise_scope

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


class CoverageOut(Schema):
    leaves: int
    present: int
    strong: int
    ratio: float | None


class ChainMapOut(Schema):
    code: str
    name: str
    year: int | None
    coverage: CoverageOut
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
    figures = selectors.chain_figures(chain)
    chain_map = selectors.chain_map(chain, figures.year, figures.nodes)
    cover = coverage(selectors.chain_gaps(chain, figures.year, figures.nodes))
    return {
        "code": chain.code,
        "name": chain.name,
        "year": chain_map.year,
        "coverage": {**vars(cover), "ratio": cover.ratio},
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
        return selectors.chain_figures(chain).application
    if name == "regional":
        return selectors.chain_figures(chain).regional
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


# Writes: the structure, suggested places and the items of the lists. The chain office
# writes its chains (and their sub-chains), division staff all; others get a 403 (a chain
# they do not read: 404). Faults come back as 422 with the message saying where.


class NodeIn(Schema):
    name: str
    kind: str
    segment: str = "upstream"  # for a top node; below another, the parent's
    parent: int | None = None
    industry_codes: list[str] = []
    keywords: list[str] = []
    key_link: bool = False
    bottleneck: bool = False


class NodePatch(Schema):
    name: str | None = None
    kind: str | None = None
    industry_codes: list[str] | None = None
    keywords: list[str] | None = None
    key_link: bool | None = None
    bottleneck: bool | None = None


class NodeWritten(Schema):
    id: int
    name: str
    parent: int | None = Field(None, alias="parent_id")
    segment: str
    kind: str
    industry_codes: list[str]
    keywords: list[str]
    key_link: bool
    bottleneck: bool
    position: int


class MoveIn(Schema):
    parent: int | None = None


class MergeIn(Schema):
    into: int


class LinkIn(Schema):
    supplier: int
    customer: int


class LinkOut(Schema):
    id: int
    supplier: int = Field(..., alias="supplier_id")
    customer: int = Field(..., alias="customer_id")


def _node(chain, pk: int | None):
    return None if pk is None else get_object_or_404(ChainNode, pk=pk, chain=chain)


@router.post("/{code}/nodes", response={201: NodeWritten}, summary="Add a node")
def node_create(request, code: str, payload: NodeIn):
    chain = _chain(request, code)
    data = payload.dict()
    parent = _node(chain, data.pop("parent"))
    return Status(
        201, services.node_create(actor=request.user, chain=chain, parent=parent, data=data)
    )


@router.patch("/{code}/nodes/{int:pk}", response=NodeWritten, summary="Rename or re-flag a node")
def node_update(request, code: str, pk: int, payload: NodePatch):
    node = _node(_chain(request, code), pk)
    data = payload.dict(exclude_unset=True)
    return services.node_update(actor=request.user, node=node, data=data)


@router.post("/{code}/nodes/{int:pk}/move", response=NodeWritten, summary="Move a node")
def node_move(request, code: str, pk: int, payload: MoveIn):
    chain = _chain(request, code)
    node = _node(chain, pk)
    return services.node_move(actor=request.user, node=node, parent=_node(chain, payload.parent))


@router.post("/{code}/nodes/{int:pk}/merge", response=NodeWritten, summary="Merge a node")
def node_merge(request, code: str, pk: int, payload: MergeIn):
    chain = _chain(request, code)
    return services.node_merge(
        actor=request.user, source=_node(chain, pk), target=_node(chain, payload.into)
    )


@router.delete(
    "/{code}/nodes/{int:pk}",
    response={204: None},
    summary="Delete a node and what is below it; its enterprises move to reassign_to",
)
def node_delete(request, code: str, pk: int, reassign_to: int | None = None):
    chain = _chain(request, code)
    services.node_delete(
        actor=request.user, node=_node(chain, pk), reassign_to=_node(chain, reassign_to)
    )
    return Status(204, None)


@router.post("/{code}/links", response={201: LinkOut}, summary="Add a supply link")
def link_create(request, code: str, payload: LinkIn):
    chain = _chain(request, code)
    link = services.supply_link_add(
        actor=request.user,
        supplier=_node(chain, payload.supplier),
        customer=_node(chain, payload.customer),
    )
    return Status(201, link)


@router.delete("/{code}/links/{int:pk}", response={204: None}, summary="Remove a supply link")
def link_delete(request, code: str, pk: int):
    chain = _chain(request, code)
    services.supply_link_remove(
        actor=request.user, link=get_object_or_404(SupplyLink, pk=pk, chain=chain)
    )
    return Status(204, None)


class PlaceOut(Schema):
    id: int
    enterprise: int = Field(..., alias="enterprise_id")
    node: int = Field(..., alias="node_id")
    status: str
    source: str
    evidence: str


@router.post(
    "/{code}/places/{int:pk}/{decision}",
    response=PlaceOut,
    summary="Confirm or reject a suggested place (decision: confirm or reject)",
)
def place_decide(request, code: str, pk: int, decision: Literal["confirm", "reject"]):
    chain = _chain(request, code)
    link = get_object_or_404(EnterpriseNode, pk=pk, node__chain=chain)
    return services.link_decide(actor=request.user, link=link, confirm=decision == "confirm")


ItemKind = Literal["platforms", "technologies", "bottlenecks", "fields", "prospects"]


def _item_out(kind: str, item) -> dict[str, Any]:
    spec = LISTS.get(kind)
    if spec is None:  # application fields
        return {
            "id": item.pk,
            "name": item.name,
            "description": item.description,
            "position": item.position,
            "nodes": [n.pk for n in item.nodes.order_by("position")],
        }
    return {"id": item.pk} | {c.key: _json(c.value(item)) for c in spec.columns}


def _item_save(request, chain, kind: str, item, payload: dict[str, Any]):
    form_class = ITEM_FORMS[kind][1]
    data = {}
    if item.pk:  # PATCH: what it is now, then what the payload changes
        current = form_class(
            instance=item, chain=chain, initial={"enterprise": getattr(item, "enterprise", None)}
        )
        for name, field in current.fields.items():
            value = current.initial.get(name, field.initial)
            data[name] = field.prepare_value(value)
        if "nodes" in current.fields:
            data["nodes"] = [n.pk for n in item.nodes.all()]
    data.update(payload)
    if isinstance(data.get("targets"), dict):
        data["targets"] = "\n".join(f"{y}：{t}" for y, t in sorted(data["targets"].items()))
    form = form_class(data, instance=item, chain=chain, enterprises=enterprise_scope(request.user))
    if not form.is_valid():
        raise ValidationError(
            {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
        )
    cleaned = dict(form.cleaned_data)
    nodes = list(cleaned.pop("nodes")) if "nodes" in cleaned else None
    targets = cleaned.pop("targets") if "targets" in cleaned else None
    return services.chain_item_save(
        actor=request.user, item=item, data=cleaned, nodes=nodes, targets=targets
    )


def _item_model(kind: str):
    return ITEM_FORMS[kind][0]


@router.post(
    "/{code}/items/{kind}",
    response={201: dict[str, Any]},
    summary="Add a platform, technology task (targets: {year: text}), bottleneck, application "
    "field or prospect; fields as on the web form, nodes as ids, enterprise as credit code",
)
def item_create(request, code: str, kind: ItemKind, payload: Body[dict[str, Any]]):
    chain = _chain(request, code)
    item = _item_save(request, chain, kind, _item_model(kind)(chain=chain), payload)
    return Status(201, _item_out(kind, item))


@router.patch("/{code}/items/{kind}/{int:pk}", response=dict[str, Any], summary="Change an item")
def item_update(request, code: str, kind: ItemKind, pk: int, payload: Body[dict[str, Any]]):
    chain = _chain(request, code)
    item = get_object_or_404(_item_model(kind), pk=pk, chain=chain)
    return _item_out(kind, _item_save(request, chain, kind, item, payload))


@router.delete("/{code}/items/{kind}/{int:pk}", response={204: None}, summary="Delete an item")
def item_delete(request, code: str, kind: ItemKind, pk: int):
    chain = _chain(request, code)
    item = get_object_or_404(_item_model(kind), pk=pk, chain=chain)
    services.chain_item_delete(actor=request.user, item=item)
    return Status(204, None)


class AdvanceIn(Schema):
    stage: str
    on: dt.date
    note: str = ""
    enterprise: str = ""  # credit code or exact name, when landed


@router.post(
    "/{code}/prospects/{int:pk}/advance",
    response=dict[str, Any],
    summary="Move a prospect on in the pipeline",
)
def prospect_advance(request, code: str, pk: int, payload: AdvanceIn):
    chain = _chain(request, code)
    prospect = get_object_or_404(Prospect, pk=pk, chain=chain)
    enterprise = None
    if payload.enterprise:
        field = EnterpriseRefField(queryset=enterprise_scope(request.user))
        enterprise = field.clean(payload.enterprise)
    services.prospect_advance(
        actor=request.user,
        prospect=prospect,
        stage=payload.stage,
        on=payload.on,
        note=payload.note,
        enterprise=enterprise,
    )
    return _item_out("prospects", selectors.chain_prospects(chain).get(pk=pk))
