"""The baseline of the chain benchmark: the chain page's figures computed the obvious way,
a loop over the nodes with the ORM, as one would first write it.

For each node from the roots down (`.children.all()` per node): its confirmed enterprises
counted, those above designated size counted, their revenue summed with the ORM, added up
the tree. For each leaf: its parents walked up (`node.parent`), the supply links of it and
of each parent looked up, each neighbouring node fetched and asked whether it or a node
below it holds a confirmed enterprise, the revenues listed for the concentration, the
purchases on it summed; the gap rule applied. Then per task, platform, application field,
region, prospect and chain master the queries their figures need, and the page's small
lists (suggestions with their enterprise and node).

It is not made slow on purpose: it issues queries per node (and per neighbour, per
prospect, per task), never per enterprise; where a figure needs one row per enterprise
(the application map's revenues, a node's revenues for the concentration) it reads them
with one query per node. The pure parts that are not database work — the ranking of
prospects for a gap (`attraction.recommend`) and the thresholds — are the project's own.
`compare` checks that it arrives at the selectors' figures.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Sum

CONFIRMED = "confirmed"


def naive_page(user, code: str) -> dict:
    from gongxin.chains import attraction, selectors
    from gongxin.chains.choices import LinkStatus, ProspectStage
    from gongxin.chains.models import Chain, EnterpriseNode, SupplierRelation
    from gongxin.core.models import Region
    from gongxin.enterprises.models import AnnualFigure, Enterprise
    from gongxin.projects.selectors import project_scope

    chain = selectors.chain_scope(user).get(code=code)
    year = AnnualFigure.objects.aggregate(year=Max("year"))["year"]

    def on_node(node):
        return AnnualFigure.objects.filter(
            year=year,
            enterprise__chain_positions__node=node,
            enterprise__chain_positions__status=LinkStatus.CONFIRMED,
        )

    # The chain map: every node's own figures, added up the tree. -----------------------
    own: dict[int, tuple[int, int, Decimal]] = {}
    totals: dict[int, tuple[int, int, Decimal]] = {}
    depth_of: dict[int, int] = {}
    leaf: dict[int, bool] = {}
    nodes = []

    def visit(node, depth: int) -> tuple[int, int, Decimal]:
        nodes.append(node)
        depth_of[node.pk] = depth
        links = node.enterprise_links.filter(status=LinkStatus.CONFIRMED)
        count = links.count()
        above = links.filter(enterprise__above_scale=True).count()
        revenue = on_node(node).aggregate(total=Sum("revenue"))["total"] or Decimal(0)
        own[node.pk] = (count, above, revenue)
        children = list(node.children.order_by("position", "pk"))
        leaf[node.pk] = not children
        total = (count, above, revenue)
        for child in children:
            below = visit(child, depth + 1)
            total = (total[0] + below[0], total[1] + below[1], total[2] + below[2])
        totals[node.pk] = total
        return total

    for root in chain.nodes.filter(parent=None).order_by("position", "pk"):
        visit(root, 0)
    links = [(link.supplier_id, link.customer_id) for link in chain.supply_links.order_by("pk")]
    chain_map = {
        "year": year,
        "nodes": [(n.pk, depth_of[n.pk], *totals[n.pk]) for n in nodes],
        "links": links,
    }

    # The gap analysis: each leaf, its neighbours, its purchases. ------------------------
    thresholds = selectors.gap_thresholds()

    def holds_enterprises(node) -> bool:
        if node.enterprise_links.filter(status=LinkStatus.CONFIRMED).exists():
            return True
        return any(holds_enterprises(child) for child in node.children.all())

    # Purchases: those of the latest year recorded up to the figures' year.
    bought_in = SupplierRelation.objects.filter(node__chain=chain, year__lte=year).aggregate(
        year=Max("year")
    )["year"]
    gaps = []
    for node in sorted(nodes, key=lambda n: (n.position, n.pk)):
        if not leaf[node.pk]:
            continue
        lineage = []
        step = node
        while step is not None:
            lineage.append(step)
            step = step.parent
        mine = {n.pk for n in lineage}
        supplier_ids, customer_ids = set(), set()
        for step in lineage:
            supplier_ids.update(link.supplier_id for link in step.supplied_by.all())
            customer_ids.update(link.customer_id for link in step.supplies.all())
        up = sum(holds_enterprises(chain.nodes.get(pk=pk)) for pk in sorted(supplier_ids - mine))
        down = sum(holds_enterprises(chain.nodes.get(pk=pk)) for pk in sorted(customer_ids - mine))
        count, above, revenue = own[node.pk]
        revenues = [
            float(r)
            for r in on_node(node).values_list("revenue", flat=True)
            if r is not None and r > 0
        ]
        total = sum(revenues)
        hhi = sum((r / total) ** 2 for r in revenues) if total else None
        bought = SupplierRelation.objects.filter(node=node, year=bought_in)
        spent = bought.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        local = bought.filter(supplier__isnull=False).aggregate(total=Sum("amount"))["total"]
        local = local or Decimal(0)
        score = 3 * node.bottleneck + 2 * node.key_link + up + down
        reasons = []
        if spent and float(local / spent) < thresholds.min_local_supply:
            reasons.append("bought_elsewhere")
            score += 1
        if count == 0:
            kind = "extend" if (up > 0) != (down > 0) else "fill"
        else:
            if count < thresholds.min_enterprises:
                reasons.append("few")
                score += thresholds.min_enterprises - count
            if above == 0:
                reasons.append("no_above_scale")
                score += 1
            if hhi is not None and hhi > thresholds.max_hhi:
                reasons.append("concentrated")
                score += 1
            kind = "strengthen" if reasons else "strong"
            if kind == "strong":
                score = 0
        gaps.append(
            {
                "node": node,
                "kind": kind,
                "score": score,
                "enterprises": count,
                "above_scale": above,
                "up": up,
                "down": down,
                "reasons": reasons,
            }
        )
    ranked = sorted(
        (g for g in gaps if g["kind"] != "strong"),
        key=lambda g: (-g["score"], g["node"].position, g["node"].pk),
    )

    # The technology roadmap. -------------------------------------------------------------
    rows: dict[int | None, dict] = {}
    position: dict[int | None, int] = {}
    years: set[int] = set()

    def row(node) -> dict:
        key = node.pk if node else None
        if key not in rows:
            rows[key] = {
                "node": node.name if node else "",
                "tasks": [],
                "platforms": [],
                "projects": [],
            }
            position[key] = node.position if node else 10**9
        return rows[key]

    for task in chain.tech_tasks.order_by("deadline", "pk"):
        targets = [(t.year, t.target) for t in task.targets.order_by("year")]
        years.update(y for y, _ in targets)
        owner = task.owner
        row(task.node)["tasks"].append(
            {
                "name": task.name,
                "kind": task.kind,
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "owner": (owner.short_name or owner.name) if owner else "",
                "deadline": task.deadline.isoformat(),
                "targets": targets,
            }
        )
    for platform in chain.platforms.order_by("name"):
        if platform.recognised_in:
            years.add(platform.recognised_in)
        host = platform.enterprise.name if platform.enterprise else platform.host
        row(platform.node)["platforms"].append(
            {
                "name": platform.name,
                "kind": str(platform.get_kind_display()),
                "level": str(platform.get_level_display()),
                "year": platform.recognised_in,
                "host": host,
            }
        )
    for project in chain.projects.order_by("start_planned", "pk"):
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
    ordered_rows = sorted(rows.items(), key=lambda item: position[item[0]])
    roadmap = {"years": sorted(years), "rows": [r for _, r in ordered_rows]}

    # The application map: each field's nodes, the enterprises on them and below. --------
    def serving(node, found: dict) -> None:
        revenue = dict(on_node(node).values_list("enterprise_id", "revenue"))
        for link in node.enterprise_links.filter(status=LinkStatus.CONFIRMED).select_related(
            "enterprise"
        ):
            found[link.enterprise_id] = (link.enterprise.name, revenue.get(link.enterprise_id))
        for child in node.children.all():
            serving(child, found)

    fields = []
    for app in chain.application_fields.order_by("position", "pk"):
        field_nodes, everyone = [], {}
        for node in app.nodes.order_by("position"):
            # as on the chain map: an enterprise counts once per node it is placed on
            count = totals[node.pk][0]
            field_nodes.append({"id": node.pk, "name": node.name, "enterprises": count})
            serving(node, everyone)
        # largest first by revenue (none reported last), then by name
        ranked_enterprises = sorted(
            everyone.items(), key=lambda i: (i[1][1] is None, -(i[1][1] or 0), i[0])
        )
        fields.append(
            {
                "name": app.name,
                "description": app.description,
                "nodes": field_nodes,
                "count": len(everyone),
                "enterprises": [
                    {"id": pk, "name": name, "revenue": float(amount or 0)}
                    for pk, (name, amount) in ranked_enterprises
                ],
            }
        )
    application = {"year": year, "fields": fields}

    # The regional distribution: each district and park asked in turn. ------------------
    regional = {"year": year}
    for level, key in (("district", "districts"), ("park", "parks")):
        out = []
        for region in Region.objects.order_by("code"):
            here = Enterprise.objects.filter(
                **{level: region},
                chain_positions__node__chain=chain,
                chain_positions__status=LinkStatus.CONFIRMED,
            ).distinct()
            projects = project_scope(user).filter(chain=chain, **{level: region})
            count, n = here.count(), projects.count()
            if not count and not n:
                continue
            revenue = AnnualFigure.objects.filter(
                year=year, enterprise__in=here.values("pk")
            ).aggregate(total=Sum("revenue"))["total"]
            investment = projects.aggregate(total=Sum("planned_investment"))["total"]
            out.append(
                {
                    "id": region.pk,
                    "name": region.short_name or region.name,
                    "code": region.code,
                    "enterprises": count,
                    "above_scale": here.filter(above_scale=True).count(),
                    "revenue": float(revenue or 0),
                    "projects": n,
                    "investment": float(investment or 0),
                }
            )
        regional[key] = sorted(out, key=lambda r: (-r["enterprises"], -r["revenue"], r["code"]))

    # The attraction map: the prospects recommended for each ranked gap. -----------------
    candidates = [
        attraction.Candidate(
            p.pk,
            p.name,
            p.province,
            p.city,
            p.size_class,
            p.stage,
            p.revenue,
            p.products,
            frozenset(p.nodes.values_list("pk", flat=True)),
        )
        for p in chain.prospects.exclude(stage=ProspectStage.LANDED)
    ]
    partners = tuple(getattr(settings, "GONGXIN_PARTNER_PROVINCES", ("广东省",)))
    recommended = {
        gap["node"].pk: [
            rec.candidate.name
            for rec in attraction.recommend(
                gap["node"].pk, gap["node"].keywords, candidates, partners
            )[:5]
        ]
        for gap in ranked
    }

    # Local supply: each chain master's purchases. ----------------------------------------
    masters = list(chain.masters.order_by("name"))
    supply_year = SupplierRelation.objects.filter(customer__in=masters).aggregate(year=Max("year"))[
        "year"
    ]
    supply = []
    for master in masters:
        bought = master.purchases.filter(year=supply_year)
        total = bought.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        local = bought.filter(supplier__isnull=False).aggregate(total=Sum("amount"))["total"]
        supply.append((master.pk, total, local or Decimal(0)))

    # The rest of the page. ---------------------------------------------------------------
    suggested = EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.SUGGESTED)
    suggestions = [
        (s.enterprise.name, s.node.name)
        for s in suggested.order_by("node__position", "enterprise__name")[:100]
    ]
    extras = {
        "subchains": list(Chain.objects.filter(parent=chain)),
        "leaders": list(chain.leaders.all()),
        "lead_departments": list(chain.lead_departments.all()),
        "targets": list(chain.targets.order_by("-year")[:3]),
        "suggestions": suggestions,
        "suggestion_count": suggested.count(),
        "can_change": selectors.chain_can_change(user, chain),
    }
    return {
        "chain_map": chain_map,
        "gaps": gaps,
        "ranked": [g["node"].pk for g in ranked],
        "roadmap": roadmap,
        "application": application,
        "regional": regional,
        "recommended": recommended,
        "local_supply": {"year": supply_year, "masters": supply},
        "extras": extras,
    }


# The check: the naive loop and the selectors arrive at the same figures. -----------------


def _close(a, b) -> bool:
    """Money compared to the cent (SQLite adds decimals up as floating point)."""
    return math.isclose(float(a or 0), float(b or 0), rel_tol=1e-12, abs_tol=0.015)


def compare(context: dict, naive: dict, all_gaps: list) -> dict[str, str]:
    """{part of the page: "" when the same, else what differs}; `context` is the view's,
    `all_gaps` the selectors' gap analysis of every leaf (the page keeps the ranked)."""
    out: dict[str, str] = {}

    def check(part: str, test) -> None:
        try:
            test()
            out[part] = ""
        except AssertionError as exc:
            out[part] = str(exc)[:500] or "differs"

    def chain_map() -> None:
        mine = context["chain_map"]
        assert mine.year == naive["chain_map"]["year"], "year"
        theirs = naive["chain_map"]["nodes"]
        assert len(mine.nodes) == len(theirs), f"{len(mine.nodes)} nodes vs {len(theirs)}"
        for n, (pk, depth, count, above, revenue) in zip(mine.nodes, theirs, strict=True):
            assert (n.pk, n.depth) == (pk, depth), f"order at node {n.pk}"
            assert n.enterprises == count, f"node {n.pk}: {n.enterprises} vs {count} enterprises"
            assert n.above_scale == above, f"node {n.pk}: above-scale {n.above_scale} vs {above}"
            assert _close(n.revenue, revenue), f"node {n.pk}: revenue {n.revenue} vs {revenue}"
        assert sorted(mine.links) == sorted(naive["chain_map"]["links"]), "supply links"

    def gap_kinds() -> None:
        mine = {g.node.pk: g for g in all_gaps}
        theirs = {g["node"].pk: g for g in naive["gaps"]}
        assert mine.keys() == theirs.keys(), "not the same leaves"
        for pk, g in mine.items():
            t = theirs[pk]
            got = (g.kind, g.score, g.enterprises, g.above_scale)
            want = (t["kind"], t["score"], t["enterprises"], t["above_scale"])
            assert got == want, f"leaf {pk}: {got} vs {want}"
            got = (g.suppliers_present, g.customers_present, sorted(g.reasons))
            want = (t["up"], t["down"], sorted(t["reasons"]))
            assert got == want, f"leaf {pk}: {got} vs {want}"
        ranked = [g.node.pk for g in context["gaps"]]
        assert ranked == naive["ranked"], "the ranked gaps differ"

    def roadmap() -> None:
        assert context["maps"]["roadmap"] == naive["roadmap"], "roadmap differs"

    def application() -> None:
        mine, theirs = context["maps"]["application"], naive["application"]
        assert mine["year"] == theirs["year"], "year"
        assert len(mine["fields"]) == len(theirs["fields"]), "field count"
        for a, b in zip(mine["fields"], theirs["fields"], strict=True):
            assert a["nodes"] == b["nodes"], f"field {a['name']}: {a['nodes']} vs {b['nodes']}"
            # The page lists only the largest (and gives their number): the naive loop's
            # full ranking must begin with what the page lists.
            count = a.get("count", len(a["enterprises"]))
            assert count == b["count"], f"field {a['name']}: {count} enterprises vs {b['count']}"
            listed = b["enterprises"][: len(a["enterprises"])]
            ids = [e["id"] for e in a["enterprises"]]
            assert ids == [e["id"] for e in listed], f"field {a['name']}: the largest differ"
            for x, y in zip(a["enterprises"], listed, strict=True):
                assert _close(x["revenue"], y["revenue"]), f"field {a['name']}: {x} vs {y}"

    def regional() -> None:
        mine, theirs = context["maps"]["regional"], naive["regional"]
        for key in ("districts", "parks"):
            assert len(mine[key]) == len(theirs[key]), f"{key}: count"
            for a, b in zip(mine[key], theirs[key], strict=True):
                plain = ("id", "name", "code", "enterprises", "above_scale", "projects")
                assert [a[k] for k in plain] == [b[k] for k in plain], f"{key}: {a} vs {b}"
                assert _close(a["revenue"], b["revenue"]), f"{key}: {a} vs {b}"
                assert _close(a["investment"], b["investment"]), f"{key}: {a} vs {b}"

    def attraction() -> None:
        mine = {
            g["node_id"]: [p["name"] for p in g["prospects"]]
            for g in context["maps"]["attraction"]["gaps"]
        }
        assert mine == naive["recommended"], "recommended prospects differ"

    def local_supply() -> None:
        mine = context["local_supply"]
        assert mine.year == naive["local_supply"]["year"], "year"
        got = [(r.enterprise.pk, r.bought, r.bought_local) for r in mine.masters]
        want = naive["local_supply"]["masters"]
        assert len(got) == len(want), "masters"
        for a, b in zip(got, want, strict=True):
            assert a[0] == b[0] and _close(a[1], b[1]) and _close(a[2], b[2]), f"{a} vs {b}"

    def extras() -> None:
        e = naive["extras"]
        for name in ("subchains", "leaders", "lead_departments", "targets"):
            assert [o.pk for o in context[name]] == [o.pk for o in e[name]], name
        got = [(s.enterprise.name, s.node.name) for s in context["suggestions"]]
        assert got == e["suggestions"], "suggestions"
        assert context["suggestion_count"] == e["suggestion_count"], "suggestion count"
        assert context["can_change"] == e["can_change"], "can_change"

    check("chain map (per-node enterprises, above-scale, revenue)", chain_map)
    check("gap analysis (kind, score, counts of every leaf; ranking)", gap_kinds)
    check("technology roadmap", roadmap)
    check("application map", application)
    check("regional distribution", regional)
    check("attraction map (recommended prospects)", attraction)
    check("local supply", local_supply)
    check("rest of the page (leaders, targets, suggestions …)", extras)
    return out
