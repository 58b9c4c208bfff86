"""Writes to chains and their structure. Each checks scope, runs in a transaction and
audits. The supply links of a chain stay a directed acyclic graph: a link or a merge that
would close a cycle is refused with the cycle named."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.chains import structure
from gongxin.chains.choices import BottleneckStatus, LinkStatus, ProspectStage
from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Chain,
    ChainNode,
    EnterpriseNode,
    Platform,
    Prospect,
    ProspectStep,
    SupplyLink,
    TechTarget,
    TechTask,
)
from gongxin.chains.selectors import chain_can_change
from gongxin.core.audit import audit_record, diff, snapshot
from gongxin.core.choices import AuditAction
from gongxin.core.models import User
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.signals import announce

NODE_FIELDS = (
    "name",
    "parent",
    "segment",
    "kind",
    "industry_codes",
    "keywords",
    "key_link",
    "bottleneck",
    "position",
)


def _check(actor: User | None, chain: Chain) -> None:
    if actor is not None and not chain_can_change(actor, chain):
        raise PermissionDenied(_("You may not change the chain %(chain)s.") % {"chain": chain})


def _children(chain: Chain) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in ChainNode.objects.filter(chain=chain).values_list("pk", "parent_id"):
        if parent is not None:
            children[parent].append(pk)
    return children


def _edges(chain: Chain) -> dict[int, set[int]]:
    edges: dict[int, set[int]] = defaultdict(set)
    for supplier, customer in SupplyLink.objects.filter(chain=chain).values_list(
        "supplier_id", "customer_id"
    ):
        edges[supplier].add(customer)
    return edges


def _cycle_error(cycle: list[int]) -> ValidationError:
    names = dict(ChainNode.objects.filter(pk__in=cycle).values_list("pk", "name"))
    return ValidationError(
        _("This would close a cycle of supply links: %(cycle)s.")
        % {"cycle": " → ".join(names[pk] for pk in cycle)},
        code="cycle",
    )


@transaction.atomic
def node_create(
    *, actor: User | None, chain: Chain, parent: ChainNode | None = None, data: dict[str, Any]
) -> ChainNode:
    _check(actor, chain)
    if parent is not None and parent.chain_id != chain.pk:
        raise ValidationError(_("The parent node belongs to another chain."))
    values = {k: v for k, v in data.items() if k in NODE_FIELDS and k != "parent"}
    if parent is not None:
        values["segment"] = parent.segment  # a node lies in its parent's segment
    if "position" not in values:  # after the nodes there are
        last = ChainNode.objects.filter(chain=chain).aggregate(last=Max("position"))["last"]
        values["position"] = (last or 0) + 1
    node = ChainNode(chain=chain, parent=parent, **values)
    node.full_clean()
    node.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=node,
        changes=diff({}, snapshot(node, NODE_FIELDS)),
        message=str(chain),
    )
    return node


@transaction.atomic
def node_update(*, actor: User | None, node: ChainNode, data: dict[str, Any]) -> ChainNode:
    """Rename a node or change its kind, flags, codes and keywords (not its place: see
    `node_move`)."""
    _check(actor, node.chain)
    before = snapshot(node, NODE_FIELDS)
    for key, value in data.items():
        if key in NODE_FIELDS and key not in ("parent", "segment"):
            setattr(node, key, value)
    node.full_clean()
    node.save()
    changes = diff(before, snapshot(node, NODE_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=node, changes=changes)
    return node


@transaction.atomic
def node_move(*, actor: User | None, node: ChainNode, parent: ChainNode | None) -> ChainNode:
    """Hang a node (with everything below it) under another parent of the same chain; it
    and its subtree take the new parent's segment."""
    _check(actor, node.chain)
    if parent is not None:
        if parent.chain_id != node.chain_id:
            raise ValidationError(_("A node can only move within its chain."))
        if parent.pk in structure.subtree(_children(node.chain), node.pk):
            raise ValidationError(
                _("%(node)s cannot move under %(parent)s, which lies below it.")
                % {"node": node, "parent": parent}
            )
    before = snapshot(node, NODE_FIELDS)
    node.parent = parent
    if parent is not None and parent.segment != node.segment:
        below = structure.subtree(_children(node.chain), node.pk)
        ChainNode.objects.filter(pk__in=below).update(segment=parent.segment)
        node.segment = parent.segment
    node.save(update_fields=["parent", "segment"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=node,
        changes=diff(before, snapshot(node, NODE_FIELDS)),
    )
    return node


def _move_enterprises(nodes: set[int], target: ChainNode) -> int:
    """Put the enterprises of `nodes` on `target`; one link per enterprise (products of
    the same enterprise joined)."""
    moved = 0
    kept = {link.enterprise_id: link for link in EnterpriseNode.objects.filter(node=target)}
    for link in EnterpriseNode.objects.filter(node_id__in=nodes).order_by("pk"):
        existing = kept.get(link.enterprise_id)
        if existing is None:
            link.node = target
            link.save(update_fields=["node"])
            kept[link.enterprise_id] = link
        else:
            products = "、".join(p for p in (existing.products, link.products) if p)
            existing.products = products[:300]
            existing.save(update_fields=["products"])
            link.delete()
        moved += 1
    return moved


@transaction.atomic
def node_merge(*, actor: User | None, source: ChainNode, target: ChainNode) -> ChainNode:
    """Merge `source` into `target`: its children, supply links and enterprises move to
    `target`, then `source` is deleted."""
    _check(actor, source.chain)
    if source.chain_id != target.chain_id or source.pk == target.pk:
        raise ValidationError(_("Only two different nodes of one chain can be merged."))
    children = _children(source.chain)
    if target.pk in structure.subtree(children, source.pk):
        raise ValidationError(
            _("%(source)s cannot be merged into %(target)s, which lies below it.")
            % {"source": source, "target": target}
        )
    # The links as they will be once source's links are target's.
    edges = _edges(source.chain)
    merged: dict[int, set[int]] = defaultdict(set)
    for supplier, customers in edges.items():
        for customer in customers:
            a = target.pk if supplier == source.pk else supplier
            b = target.pk if customer == source.pk else customer
            if a != b:
                merged[a].add(b)
    cycle = structure.find_cycle(merged)
    if cycle:
        raise _cycle_error(cycle)
    enterprises = _move_enterprises({source.pk}, target)
    ChainNode.objects.filter(parent=source).update(parent=target)
    for link in SupplyLink.objects.filter(supplier=source) | SupplyLink.objects.filter(
        customer=source
    ):
        supplier = target if link.supplier_id == source.pk else link.supplier
        customer = target if link.customer_id == source.pk else link.customer
        if supplier.pk != customer.pk:
            SupplyLink.objects.get_or_create(
                chain=source.chain, supplier=supplier, customer=customer
            )
    name = source.name
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=source,
        changes=diff(snapshot(source, NODE_FIELDS), {}),
        message=_("Merged into %(target)s (%(n)d enterprises moved)")
        % {"target": target, "n": enterprises},
    )
    source.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=target,
        message=_("%(source)s merged into this node") % {"source": name},
    )
    return target


@transaction.atomic
def node_delete(
    *, actor: User | None, node: ChainNode, reassign_to: ChainNode | None = None
) -> None:
    """Delete a node and everything below it. Enterprises placed on any of them must go
    somewhere: `reassign_to`, a node of the same chain outside the deleted subtree."""
    _check(actor, node.chain)
    doomed = structure.subtree(_children(node.chain), node.pk)
    linked = EnterpriseNode.objects.filter(node_id__in=doomed).exclude(status=LinkStatus.REJECTED)
    count = linked.count()
    if count and reassign_to is None:
        raise ValidationError(
            _(
                "%(n)d enterprise(s) are placed on %(node)s or below it; choose the node "
                "they move to before deleting it."
            )
            % {"n": count, "node": node},
            code="reassign",
        )
    if reassign_to is not None and (
        reassign_to.chain_id != node.chain_id or reassign_to.pk in doomed
    ):
        raise ValidationError(
            _("Enterprises can only move to a node of the same chain that is not deleted.")
        )
    moved = _move_enterprises(doomed, reassign_to) if reassign_to is not None and count else 0
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=node,
        changes=diff(snapshot(node, NODE_FIELDS), {}),
        message=_("%(n)d node(s) deleted, %(m)d enterprise(s) moved to %(target)s")
        % {"n": len(doomed), "m": moved, "target": reassign_to or "—"},
    )
    node.delete()


@transaction.atomic
def supply_link_add(*, actor: User | None, supplier: ChainNode, customer: ChainNode) -> SupplyLink:
    """Record that `supplier` feeds `customer`. Refused when it would close a cycle (the
    message names it), links a node to itself, to a node of another chain, or to a node
    above or below it in the tree."""
    _check(actor, supplier.chain)
    if supplier.chain_id != customer.chain_id:
        raise ValidationError(_("Both nodes of a supply link belong to the same chain."))
    if supplier.pk == customer.pk:
        raise ValidationError(_("A node cannot supply itself."))
    children = _children(supplier.chain)
    if customer.pk in structure.subtree(children, supplier.pk) or supplier.pk in structure.subtree(
        children, customer.pk
    ):
        raise ValidationError(
            _("%(a)s and %(b)s lie one below the other; link nodes side by side.")
            % {"a": supplier, "b": customer}
        )
    existing = SupplyLink.objects.filter(supplier=supplier, customer=customer).first()
    if existing:
        return existing
    cycle = structure.cycle_closed_by(_edges(supplier.chain), supplier.pk, customer.pk)
    if cycle:
        raise _cycle_error(cycle)
    link = SupplyLink.objects.create(chain=supplier.chain, supplier=supplier, customer=customer)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        changes={"supplier": [None, supplier.pk], "customer": [None, customer.pk]},
        message=str(link),
    )
    return link


@transaction.atomic
def supply_link_remove(*, actor: User | None, link: SupplyLink) -> None:
    _check(actor, link.chain)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=link,
        changes={"supplier": [link.supplier_id, None], "customer": [link.customer_id, None]},
        message=str(link),
    )
    link.delete()


@transaction.atomic
def links_suggest(*, actor: User | None, chain: Chain, enterprises=None) -> int:
    """Suggest places on `chain` for the enterprises (default: all in the archive) that
    are not on it yet, from their products, business scope and industry class. Returns
    how many suggestions were made; staff confirm or reject them."""
    from gongxin.chains.matching import NodeTerms, suggest
    from gongxin.enterprises.models import Enterprise

    _check(actor, chain)
    nodes = [
        NodeTerms(pk, parent, tuple(codes), tuple(words))
        for pk, parent, codes, words in ChainNode.objects.filter(chain=chain).values_list(
            "pk", "parent_id", "industry_codes", "keywords"
        )
    ]
    placed = EnterpriseNode.objects.filter(node__chain=chain).values("enterprise")
    candidates = (enterprises if enterprises is not None else Enterprise.objects.all()).exclude(
        pk__in=placed
    )
    created = []
    for pk, code, products, scope in candidates.values_list(
        "pk", "industry__code", "main_products", "business_scope"
    ).order_by("pk"):
        for found in suggest(code or "", f"{products}\n{scope}", nodes):
            created.append(
                EnterpriseNode(
                    enterprise_id=pk,
                    node_id=found.node,
                    products=products[:300],
                    status=LinkStatus.SUGGESTED,
                    source=found.source,
                    evidence=found.evidence[:200],
                )
            )
    EnterpriseNode.objects.bulk_create(created, batch_size=2000)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=chain,
        changes={"suggested": [None, len(created)]},
        message=_("Enterprise places suggested"),
    )
    return len(created)


@transaction.atomic
def link_decide(*, actor: User | None, link: EnterpriseNode, confirm: bool) -> EnterpriseNode:
    """Confirm or reject a suggested (or any) place of an enterprise on a node."""
    _check(actor, link.node.chain)
    before = link.status
    link.status = LinkStatus.CONFIRMED if confirm else LinkStatus.REJECTED
    link.save(update_fields=["status"])
    announce([link.enterprise_id])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=link,
        changes={"status": [before, link.status]},
        message=str(link),
    )
    return link


# The items of a chain's lists: platforms, technology tasks, bottlenecks, application
# fields and prospects. Each is saved and deleted by the chain's office, audited.

ITEM_FIELDS: dict[type, tuple[str, ...]] = {
    Platform: ("name", "kind", "level", "node", "enterprise", "host", "recognised_in"),
    TechTask: ("name", "kind", "description", "node", "owner", "enterprise", "deadline", "status"),
    Bottleneck: (
        "title",
        "kind",
        "description",
        "node",
        "owner",
        "deadline",
        "status",
        "resolved_on",
    ),
    ApplicationField: ("name", "description", "position"),
    Prospect: (
        "name",
        "province",
        "city",
        "size_class",
        "revenue",
        "products",
        "source",
        "official",
        "enterprise",
    ),
}


def _same_chain(chain: Chain, nodes) -> None:
    strangers = [n.name for n in nodes if n is not None and n.chain_id != chain.pk]
    if strangers:
        raise ValidationError(
            _("Not nodes of %(chain)s: %(nodes)s") % {"chain": chain, "nodes": "、".join(strangers)}
        )


@transaction.atomic
def chain_item_save(
    *,
    actor: User | None,
    item,
    data: dict[str, Any],
    nodes: list[ChainNode] | None = None,
    targets: dict[int, str] | None = None,
):
    """Create or change one item of a chain's lists (its `chain` set). `nodes` are the
    nodes of an application field or a prospect; `targets` a technology task's targets by
    year (replacing those it had). A new prospect starts as a lead, today."""
    _check(actor, item.chain)
    fields = ITEM_FIELDS[type(item)]
    creating = item.pk is None
    before = {} if creating else snapshot(item, fields)
    for name, value in data.items():
        if name in fields:
            setattr(item, name, value)
    _same_chain(item.chain, [getattr(item, "node", None), *(nodes or [])])
    if isinstance(item, Bottleneck):
        if item.status == BottleneckStatus.RESOLVED:
            item.resolved_on = item.resolved_on or timezone.localdate()
        else:
            item.resolved_on = None
    if isinstance(item, Prospect) and creating:
        item.stage, item.stage_on = ProspectStage.LEAD, timezone.localdate()
    item.full_clean()
    item.save()
    changes = diff(before, snapshot(item, fields))
    if nodes is not None:
        old = sorted(item.nodes.values_list("name", flat=True)) if not creating else []
        item.nodes.set(nodes)
        new = sorted(n.name for n in nodes)
        if old != new:
            changes["nodes"] = [old, new]
    if targets is not None:
        old = dict(item.targets.values_list("year", "target")) if not creating else {}
        if old != targets:
            item.targets.all().delete()
            TechTarget.objects.bulk_create(
                TechTarget(task=item, year=year, target=text)
                for year, text in sorted(targets.items())
            )
            changes["targets"] = [
                {str(y): t for y, t in sorted(old.items())},
                {str(y): t for y, t in sorted(targets.items())},
            ]
    if isinstance(item, Prospect) and creating:
        ProspectStep.objects.create(
            prospect=item, stage=item.stage, on=item.stage_on, by=actor if actor else None
        )
    if changes or creating:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            obj=item,
            changes=changes,
            message=str(item.chain),
        )
    return item


@transaction.atomic
def chain_item_delete(*, actor: User | None, item) -> None:
    _check(actor, item.chain)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=item,
        changes=diff(snapshot(item, ITEM_FIELDS[type(item)]), {}),
        message=str(item.chain),
    )
    item.delete()


STAGES = list(ProspectStage.values)


@transaction.atomic
def prospect_advance(
    *,
    actor: User | None,
    prospect: Prospect,
    stage: str,
    on: dt.date,
    note: str = "",
    enterprise: Enterprise | None = None,
) -> Prospect:
    """Move a prospect on in the pipeline 线索 → 接洽 → 考察 → 签约 → 落地 (a stage may be
    skipped, never gone back to), on a date neither before its last step nor in the
    future; a landed prospect may name the enterprise it became in the archive."""
    _check(actor, prospect.chain)
    if stage not in STAGES or STAGES.index(stage) <= STAGES.index(prospect.stage):
        raise ValidationError(
            _("%(prospect)s is at %(stage)s: it can only move on to a later stage.")
            % {"prospect": prospect, "stage": prospect.get_stage_display()},
            code="stage",
        )
    if on < prospect.stage_on or on > timezone.localdate():
        raise ValidationError(
            _("The date must lie between %(last)s, its last step, and today.")
            % {"last": prospect.stage_on.isoformat()},
            code="date",
        )
    if enterprise is not None and stage != ProspectStage.LANDED:
        raise ValidationError(_("Only a landed prospect becomes an enterprise of the city."))
    before = snapshot(prospect, ("stage", "stage_on", "enterprise"))
    prospect.stage, prospect.stage_on = stage, on
    if enterprise is not None:
        prospect.enterprise = enterprise
    prospect.save(update_fields=["stage", "stage_on", "enterprise"])
    ProspectStep.objects.create(prospect=prospect, stage=stage, on=on, note=note, by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=prospect,
        changes=diff(before, snapshot(prospect, ("stage", "stage_on", "enterprise"))),
        message=note,
    )
    return prospect
