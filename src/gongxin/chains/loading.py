"""A chain's structure as a JSON document (the format of `chains/data/*.json`): read it
into the database, with every fault reported at its place in the document, and write it
back out.

    {"code": "vr", "name": "VR（虚拟现实）", "parent": "electronics", "description": "…",
     "nodes": [{"key": "up", "name": "上游：…", "segment": "upstream", "kind": "material",
                "industry_codes": ["3985"], "keywords": ["光学镜片"], "key_link": false,
                "bottleneck": false, "children": [ … ]}, …],
     "links": [{"from": "up-lens", "to": "mid-headset"}, …]}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.chains import structure
from gongxin.chains.choices import NodeKind, Segment
from gongxin.chains.models import Chain, ChainNode, SupplyLink
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction
from gongxin.core.models import User


def _fault(where: str, message: str) -> ValidationError:
    return ValidationError(f"{where}: {message}", code="structure")


def _nodes(document: dict[str, Any]):
    """(path, parent key, node) for every node, depth first, checked field by field."""
    segments, kinds = set(Segment.values), set(NodeKind.values)

    def walk(nodes: Any, where: str, parent: str | None):
        if not isinstance(nodes, list):
            raise _fault(where, _("a list of nodes is expected"))
        for index, node in enumerate(nodes):
            here = f"{where}[{index}]"
            if not isinstance(node, dict):
                raise _fault(here, _("a node is an object with a key and a name"))
            for field in ("key", "name"):
                if not isinstance(node.get(field), str) or not node[field].strip():
                    raise _fault(f"{here}.{field}", _("missing or empty"))
            if node.get("segment") not in segments:
                raise _fault(
                    f"{here}.segment",
                    _("“%(v)s” is not one of %(ok)s")
                    % {"v": node.get("segment"), "ok": ", ".join(Segment.values)},
                )
            if node.get("kind") not in kinds:
                raise _fault(
                    f"{here}.kind",
                    _("“%(v)s” is not one of %(ok)s")
                    % {"v": node.get("kind"), "ok": ", ".join(NodeKind.values)},
                )
            for field in ("industry_codes", "keywords"):
                value = node.get(field, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise _fault(f"{here}.{field}", _("a list of texts is expected"))
            yield here, parent, node
            yield from walk(node.get("children", []), f"{here}.children", node["key"])

    return list(walk(document.get("nodes"), "nodes", None))


@transaction.atomic
def chain_structure_load(document: dict[str, Any], *, actor: User | None = None) -> Chain:
    """Create a chain (or a sub-chain) with its node tree and supply links from a
    document. A fault anywhere (a missing field, a repeated key or name, a link to an
    unknown node, a cycle) is raised with its place and nothing is written."""
    if not isinstance(document, dict):
        raise _fault("document", _("a chain is an object with a code, a name and nodes"))
    for field in ("code", "name"):
        if not isinstance(document.get(field), str) or not document[field].strip():
            raise _fault(field, _("missing or empty"))
    if Chain.objects.filter(code=document["code"]).exists():
        raise _fault("code", _("a chain %(code)s exists already") % {"code": document["code"]})
    if Chain.objects.filter(name=document["name"]).exists():
        raise _fault("name", _("a chain %(code)s exists already") % {"code": document["name"]})
    parent = None
    if document.get("parent"):
        parent = Chain.objects.filter(code=document["parent"]).first()
        if parent is None:
            raise _fault("parent", _("no chain %(code)s") % {"code": document["parent"]})
    nodes = _nodes(document)
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    for where, _parent, node in nodes:
        if node["key"] in keys:
            raise _fault(
                f"{where}.key",
                _("“%(v)s” repeats %(w)s") % {"v": node["key"], "w": keys[node["key"]]},
            )
        if node["name"] in names:
            raise _fault(
                f"{where}.name",
                _("“%(v)s” repeats %(w)s") % {"v": node["name"], "w": names[node["name"]]},
            )
        keys[node["key"]], names[node["name"]] = where, where
    links = document.get("links", [])
    if not isinstance(links, list):
        raise _fault("links", _("a list of links is expected"))
    edges: dict[str, set[str]] = {}
    for index, link in enumerate(links):
        here = f"links[{index}]"
        if not isinstance(link, dict):
            raise _fault(here, _("a link is an object with from and to"))
        for end in ("from", "to"):
            if link.get(end) not in keys:
                raise _fault(
                    f"{here}.{end}", _("no node with the key “%(v)s”") % {"v": link.get(end)}
                )
        if link["from"] == link["to"]:
            raise _fault(here, _("a node cannot supply itself"))
        edges.setdefault(link["from"], set()).add(link["to"])
    cycle = structure.find_cycle(edges)
    if cycle:
        raise _fault(
            "links", _("the links close a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)}
        )

    chain = Chain.objects.create(
        code=document["code"],
        name=document["name"],
        parent=parent,
        description=document.get("description", ""),
    )
    created: dict[str, ChainNode] = {}
    for position, (_where, parent_key, node) in enumerate(nodes):
        created[node["key"]] = ChainNode.objects.create(
            chain=chain,
            parent=created.get(parent_key),
            name=node["name"].strip(),
            segment=node["segment"],
            kind=node["kind"],
            industry_codes=node.get("industry_codes", []),
            keywords=node.get("keywords", []),
            key_link=bool(node.get("key_link")),
            bottleneck=bool(node.get("bottleneck")),
            position=position,
        )
    SupplyLink.objects.bulk_create(
        SupplyLink(chain=chain, supplier=created[a], customer=created[b])
        for a, customers in edges.items()
        for b in customers
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=chain,
        changes={"nodes": [None, len(created)], "links": [None, sum(map(len, edges.values()))]},
        message=_("Chain structure loaded"),
    )
    return chain


def chain_structure_dump(chain: Chain) -> dict[str, Any]:
    """The chain as a document `chain_structure_load` reads back (node ids as keys)."""
    nodes = list(ChainNode.objects.filter(chain=chain).order_by("position", "pk"))
    children: dict[int | None, list[ChainNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def tree(parent: int | None) -> list[dict[str, Any]]:
        return [
            {
                "key": f"n{node.pk}",
                "name": node.name,
                "segment": node.segment,
                "kind": node.kind,
                "industry_codes": node.industry_codes,
                "keywords": node.keywords,
                "key_link": node.key_link,
                "bottleneck": node.bottleneck,
                "children": tree(node.pk),
            }
            for node in children.get(parent, [])
        ]

    return {
        "code": chain.code,
        "name": chain.name,
        "parent": chain.parent.code if chain.parent_id else None,
        "description": chain.description,
        "nodes": tree(None),
        "links": [
            {"from": f"n{a}", "to": f"n{b}"}
            for a, b in SupplyLink.objects.filter(chain=chain)
            .order_by("pk")
            .values_list("supplier_id", "customer_id")
        ],
    }
