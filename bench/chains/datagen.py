"""Build the chain the chain benchmark reads, straight into the configured database.

One chain (`bench-chain`) of `nodes` nodes: three segment roots (上游/中游/下游), then
three more levels under each (a fourth under a few nodes), about 73 % of the nodes leaves;
supply links between leaves, always from an earlier leaf to a later one in the structure's
order, so they form a directed acyclic graph (upstream feeds downstream); `enterprises`
enterprises (valid USCCs, the demo city's districts and parks, GB/T 4754 classes), each with
its annual figures for one year and confirmed on one or two nodes, skewed so that some
nodes hold thousands and about 15 % of the leaves none, plus a few suggested places; chain
masters and what they bought from local and outside suppliers; technology tasks with their
targets, platforms, application fields, prospects on the gap nodes and projects.

Names and keywords come from the project's own chain structures (`chains/data/*.json`), so
that prospects' products and nodes' keywords are the words jieba meets on a real chain. The
same seed gives the same chain. Rows go in with `bulk_create`; nothing here is timed. The
USCCs and names come from bench/common.py (shared with the import benchmark), which
worker.py puts on sys.path.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from common import SUFFIXES, WORDS, company_name, uscc_for

CHAIN_CODE = "bench-chain"
YEAR = 2025  # the year of the annual figures (the page reports on the latest)
USERNAME = "bench-staff"
BATCH = 2000

#: The names' words: the first 30 of the shared list (the chain depends on their number).
_WORDS = WORDS[:30]

_OUTSIDE = [
    ("广东省", "深圳市"), ("广东省", "东莞市"), ("广东省", "广州市"), ("江苏省", "苏州市"),
    ("江苏省", "无锡市"), ("浙江省", "宁波市"), ("浙江省", "杭州市"), ("上海市", "上海市"),
    ("福建省", "厦门市"), ("湖南省", "长沙市"), ("湖北省", "武汉市"), ("安徽省", "合肥市"),
]  # fmt: skip
_SEGMENTS = [("upstream", "上游"), ("midstream", "中游"), ("downstream", "下游")]


@dataclass
class Template:
    """A node of the project's chain structures: what generated nodes are named after."""

    name: str
    kind: str
    keywords: list[str]
    industry_codes: list[str]


def _templates() -> dict[str, list[Template]]:
    """The nodes of chains/data/*.json by segment, leaves and inner nodes alike."""
    import gongxin.chains

    data = Path(gongxin.chains.__file__).resolve().parent / "data"
    found: dict[str, list[Template]] = {seg: [] for seg, _ in _SEGMENTS}

    def walk(nodes: list[dict], depth: int) -> None:
        for node in nodes:
            if depth > 0 and node["keywords"]:  # the roots are the segments themselves
                found[node["segment"]].append(
                    Template(
                        node["name"].split("：")[-1][:30],
                        node["kind"],
                        node["keywords"][:3],
                        node["industry_codes"][:2],
                    )
                )
            walk(node["children"], depth + 1)

    for path in sorted(data.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8"))["nodes"], 0)
    return found


def _spread(rng: random.Random, parents: list[int], count: int) -> list[int]:
    """`count` parent indices: every parent at least once, the rest at random."""
    if count < len(parents):
        parents = rng.sample(parents, count)
    out = list(parents) + [rng.choice(parents) for _ in range(count - len(parents))]
    rng.shuffle(out)
    return out


@dataclass
class Shape:
    """The tree: parent index of each node (None for the roots), breadth first."""

    parents: list[int | None]
    depths: list[int]


def tree_shape(rng: random.Random, nodes: int) -> Shape:
    """Three roots, then levels 1–3, and level 4 under some level-3 nodes; about 73 % of
    the nodes are leaves (1,000 nodes: 27 / 216 / ~650 / the rest)."""
    level1 = max(3, round(nodes * 0.027))
    level2 = max(level1, round(nodes * 0.216))
    level3 = max(level2, round(nodes * 0.65))
    level4 = nodes - 3 - level1 - level2 - level3
    if level4 < 1:
        raise ValueError(f"{nodes} nodes are too few for a tree of depth 4")
    parents: list[int | None] = [None, None, None]
    depths = [0, 0, 0]
    previous = [0, 1, 2]
    for depth, count, inner_share in ((1, level1, 1.0), (2, level2, 1.0), (3, level3, 0.83)):
        # Roots and level-1 nodes all have children; 17 % of the level-2 nodes are leaves.
        inner = rng.sample(previous, round(len(previous) * inner_share))
        start = len(parents)
        for parent in sorted(_spread(rng, inner, count)):
            parents.append(parent)
            depths.append(depth)
        previous = list(range(start, len(parents)))
    # Level 4: under about 9 % of the level-3 nodes.
    inner = rng.sample(previous, max(1, min(len(previous), round(level4 / 1.7))))
    for parent in sorted(_spread(rng, inner, level4)):
        parents.append(parent)
        depths.append(4)
    return Shape(parents, depths)


def _preorder(shape: Shape) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(shape.parents):
        children.setdefault(parent, []).append(index)
    order: list[int] = []
    stack = list(reversed(children[None]))
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children.get(index, [])))
    return order


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _bulk(model, rows: Iterable, batch: int = BATCH) -> list:
    return model.objects.bulk_create(list(rows), batch_size=batch)


def build(*, nodes: int, enterprises: int, seed: int = 2026, log=print) -> dict:
    """Create the chain and everything around it; returns what was created, by model."""
    from django.db import transaction

    with transaction.atomic():
        return _build(nodes=nodes, enterprises=enterprises, seed=seed, log=log)


def _build(*, nodes: int, enterprises: int, seed: int, log) -> dict:
    from gongxin.chains.choices import (
        LinkSource,
        LinkStatus,
        PlatformKind,
        PlatformLevel,
        ProspectSource,
        ProspectStage,
        SupplySource,
        TaskStatus,
        TechKind,
    )
    from gongxin.chains.models import (
        ApplicationField,
        Chain,
        ChainLeader,
        ChainNode,
        ChainTarget,
        EnterpriseNode,
        Platform,
        Prospect,
        SupplierRelation,
        SupplyLink,
        TechTarget,
        TechTask,
    )
    from gongxin.core.choices import Role
    from gongxin.core.demo import PARKS, departments_load, regions_load
    from gongxin.core.models import Industry, User
    from gongxin.enterprises.choices import (
        EnterpriseStatus,
        QualificationKind,
        QualificationLevel,
        SizeClass,
    )
    from gongxin.enterprises.models import AnnualFigure, Enterprise, Qualification
    from gongxin.enterprises.uscc import check_character
    from gongxin.projects.choices import ProjectStage, ProjectType
    from gongxin.projects.models import Project

    rng = random.Random(seed)

    # The chain's material grows with its structure: at 1,000 nodes 50 chain masters with
    # 2,000 purchases, 200 technology tasks, 100 platforms, 60 application fields, 300
    # prospects and 500 projects; a tenth of that at 100 nodes.
    def scaled(count: int) -> int:
        return max(1, round(count * nodes / 1000))

    regions = regions_load()
    departments = list(departments_load().values())
    user = User(username=USERNAME, role=Role.STAFF, display_name="基准测试")
    user.set_unusable_password()
    user.save()

    # The chain -------------------------------------------------------------------------
    chain = Chain.objects.create(
        code=CHAIN_CODE,
        name="基准测试产业链",
        description="由 bench/chains 生成：1 条链的结构、企业与四图材料。",
        office=departments[0],
    )
    leaders = _bulk(
        ChainLeader,
        [ChainLeader(name="王建华", title="副市长"), ChainLeader(name="李晓明", title="市委常委")],
    )
    chain.leaders.set(leaders)
    chain.lead_departments.set(departments[11:14])
    _bulk(
        ChainTarget,
        [
            ChainTarget(
                chain=chain,
                year=year,
                revenue=Decimal(100_000_000_000 + 10_000_000_000 * (year - 2025)),
                above_scale_count=3_000,
                projects=500,
            )
            for year in (2025, 2026, 2027)
        ],
    )

    # Nodes: a tree in preorder, named after the project's own structures ---------------
    templates = _templates()
    shape = tree_shape(rng, nodes)
    order = _preorder(shape)
    segment_of: dict[int, int] = {}
    for index in order:  # roots first in preorder, so a parent's segment is known
        parent = shape.parents[index]
        segment_of[index] = index if parent is None else segment_of[parent]
    used: dict[str, int] = {}
    made: dict[int, ChainNode] = {}
    node_rows: list[ChainNode] = []
    for position, index in enumerate(order):
        segment, label = _SEGMENTS[segment_of[index]]
        if shape.parents[index] is None:
            name, kind, keywords, codes = f"{label}环节", "material", [], []
            kind = {"upstream": "material", "midstream": "component"}.get(segment, "product")
        else:
            template = rng.choice(templates[segment])
            used[template.name] = used.get(template.name, 0) + 1
            name = f"{template.name}{used[template.name]:03d}"
            kind, keywords, codes = template.kind, template.keywords, template.industry_codes
        node = ChainNode(
            chain=chain,
            name=name,
            segment=segment,
            kind=kind,
            keywords=keywords,
            industry_codes=codes,
            key_link=rng.random() < 0.08,
            bottleneck=rng.random() < 0.04,
            position=position,
        )
        made[index] = node
        node_rows.append(node)
    # Parents before children (preorder), saved level by level so parent ids exist.
    for depth in range(5):
        level = [i for i in order if shape.depths[i] == depth]
        for i in level:
            parent = shape.parents[i]
            made[i].parent = None if parent is None else made[parent]
        _bulk(ChainNode, (made[i] for i in level))
    has_children = {p for p in shape.parents if p is not None}
    leaves = [made[i] for i in order if i not in has_children]  # in structure order
    inner = [made[i] for i in order if i in has_children and shape.depths[i] > 0]
    log(f"  nodes: {len(node_rows):,}, leaves {len(leaves):,}")

    # Supply links: earlier leaf → later leaf, mostly a little further along ------------
    links: set[tuple[int, int]] = set()
    target_links = round(len(node_rows) * 1.5)
    while len(links) < target_links:
        a = rng.randrange(len(leaves) - 1)
        b = min(len(leaves) - 1, a + 1 + int(rng.expovariate(1 / (len(leaves) * 0.15))))
        links.add((a, b))
    _bulk(
        SupplyLink,
        (SupplyLink(chain=chain, supplier=leaves[a], customer=leaves[b]) for a, b in sorted(links)),
    )

    # Enterprises with their annual figures ----------------------------------------------
    districts = [r for r in regions.values() if r.kind in ("district", "county")]
    by_code = {r.code: r for r in regions.values()}
    parks = []
    for code, _name, _short, _kind, host in PARKS:
        district = by_code[host] if by_code[host].kind in ("district", "county") else None
        district = district or by_code[by_code[host].parent.code]
        parks.append((by_code[code], district))
    industries = list(Industry.objects.filter(level=4).values_list("pk", flat=True))
    sizes = ["large"] * 2 + ["medium"] * 10 + ["small"] * 45 + ["micro"] * 43
    statuses = [EnterpriseStatus.OPERATING] * 95 + [EnterpriseStatus.SUSPENDED] * 5
    rows = []
    for index in range(enterprises):
        if rng.random() < 0.45:
            park, district = rng.choice(parks)
        else:
            park, district = None, rng.choice(districts)
        size = rng.choice(sizes)
        above = size in ("large", "medium") or rng.random() < 0.08
        rows.append(
            Enterprise(
                uscc=uscc_for(index, region_code=district.code, check=check_character),
                name=(
                    company_name(rng, words=_WORDS, kinds=("科技", "实业", "制造", "工业", ""))
                    + f"（{index:06d}）"
                ),
                district=district,
                park=park,
                industry_id=rng.choice(industries) if industries else None,
                size_class=SizeClass(size),
                above_scale=above,
                status=rng.choice(statuses),
                registered_capital=money(rng.lognormvariate(15.4, 1.4)),
            )
        )
    created = _bulk(Enterprise, rows)
    log(f"  enterprises: {len(created):,}")
    figures = []
    for enterprise in created:
        if enterprise.above_scale:
            revenue = 20_000_000 * rng.lognormvariate(0.9, 1.0)
        else:
            revenue = rng.lognormvariate(14.9, 1.1)  # median about 3 million yuan
        revenue = money(revenue)
        figures.append(
            AnnualFigure(
                enterprise=enterprise,
                year=YEAR,
                revenue=revenue,
                output_value=money(float(revenue) * 1.05),
                main_business_revenue=money(float(revenue) * 0.92),
                tax=money(float(revenue) * 0.04),
                employees=max(1, int(float(revenue) / 600_000)),
            )
        )
    _bulk(AnnualFigure, figures, batch=5000)
    revenue_of = {f.enterprise_id: f.revenue for f in figures}

    # Places on nodes: skewed; 15 % of the leaves without any ----------------------------
    empty = set(rng.sample(range(len(leaves)), round(len(leaves) * 0.15)))
    weights = []
    places: list[ChainNode] = []
    for i, leaf in enumerate(leaves):
        if i in empty:
            continue
        weight = rng.lognormvariate(0, 1.25)
        if rng.random() < 0.10:
            weight *= 0.02  # a thin node: a few enterprises (now and then none)
        places.append(leaf)
        weights.append(weight * 9)  # 90 % of the places on leaves
    for node in inner:
        if node.parent_id is not None and rng.random() < 0.5:
            places.append(node)
            weights.append(rng.lognormvariate(0, 1.0) * 0.75)
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    confirmed: set[tuple[int, int]] = set()
    placed = []
    for enterprise in created:
        for _ in range(1 if rng.random() < 0.5 else 2):
            node = rng.choices(places, cum_weights=cumulative)[0]
            if (enterprise.pk, node.pk) in confirmed:
                continue
            confirmed.add((enterprise.pk, node.pk))
            placed.append(
                EnterpriseNode(
                    enterprise=enterprise,
                    node=node,
                    status=LinkStatus.CONFIRMED,
                    source=LinkSource.INDUSTRY,
                    evidence="",
                )
            )
    # Suggested places waiting for staff (the page shows the first 100 and their number).
    for enterprise in rng.sample(created, round(len(created) * 0.03)):
        node = rng.choice(leaves)
        if (enterprise.pk, node.pk) in confirmed:
            continue
        confirmed.add((enterprise.pk, node.pk))
        placed.append(
            EnterpriseNode(
                enterprise=enterprise,
                node=node,
                status=LinkStatus.SUGGESTED,
                source=LinkSource.KEYWORDS,
                evidence="、".join(node.keywords[:2]),
            )
        )
    _bulk(EnterpriseNode, placed, batch=5000)
    log(f"  places: {len(placed):,}")
    on_node: dict[int, list[int]] = {}
    for enterprise_id, node_id in confirmed:
        on_node.setdefault(enterprise_id, []).append(node_id)

    # Qualifications (for the key-enterprise list) ---------------------------------------
    kinds = [
        QualificationKind.HIGH_TECH,
        QualificationKind.SPECIALIZED_SME,
        QualificationKind.TECH_SME,
        QualificationKind.LITTLE_GIANT,
    ]
    _bulk(
        Qualification,
        (
            Qualification(
                enterprise=e,
                kind=rng.choice(kinds),
                level=QualificationLevel.PROVINCIAL,
                issued_on=dt.date(2023, 1 + i % 12, 1),
                expires_on=dt.date(2027, 1 + i % 12, 1),
            )
            for i, e in enumerate(rng.sample(created, round(len(created) * 0.04)))
        ),
    )

    # Chain masters and what they bought --------------------------------------------------
    big = [e for e in created if e.above_scale and revenue_of[e.pk] > 100_000_000]
    masters = rng.sample(big, min(scaled(50), len(big)))
    chain.masters.set(masters)
    relations = []
    others = [e for e in created if e.status == EnterpriseStatus.OPERATING]
    target = scaled(2_000) * len(masters) // scaled(50)
    while len(relations) < target:
        customer = rng.choice(masters)
        year = YEAR if rng.random() < 0.8 else YEAR - 1
        amount = money(rng.lognormvariate(15.5, 1.3))
        if rng.random() < 0.55:
            supplier = rng.choice(others)
            if supplier.pk == customer.pk:
                continue
            node_id = rng.choice(on_node.get(supplier.pk) or [rng.choice(leaves).pk])
            relations.append(
                SupplierRelation(
                    customer=customer,
                    supplier=supplier,
                    node_id=node_id,
                    year=year,
                    amount=amount,
                    source=SupplySource.SURVEY,
                )
            )
        else:
            province, city = rng.choice(_OUTSIDE)
            relations.append(
                SupplierRelation(
                    customer=customer,
                    supplier_name=f"{city[:-1]}{rng.choice(_WORDS)}{rng.choice(SUFFIXES)}",
                    supplier_place=f"{province}{city}",
                    node=rng.choice(leaves),
                    year=year,
                    amount=amount,
                    source=SupplySource.INVOICE,
                )
            )
    _bulk(SupplierRelation, relations)

    # Technology tasks with targets, platforms --------------------------------------------
    all_nodes = leaves + inner
    tasks = []
    for i in range(scaled(200)):
        node = None if rng.random() < 0.05 else rng.choice(all_nodes)
        word = rng.choice(node.keywords) if node and node.keywords else "共性"
        tasks.append(
            TechTask(
                chain=chain,
                node=node,
                name=f"{word}关键技术攻关{i:03d}",
                kind=rng.choice([TechKind.KEY, TechKind.COMMON]),
                owner=rng.choice(departments) if rng.random() < 0.9 else None,
                enterprise=rng.choice(created) if rng.random() < 0.6 else None,
                deadline=dt.date(2026 + i % 3, 1 + i % 12, 28),
                status=rng.choice(list(TaskStatus)),
            )
        )
    tasks = _bulk(TechTask, tasks)
    _bulk(
        TechTarget,
        (
            TechTarget(task=task, year=year, target=f"{task.name}：第{year - 2025}阶段指标")
            for task in tasks
            for year in (2026, 2027, 2028)
        ),
    )
    platform_kinds = list(PlatformKind)
    _bulk(
        Platform,
        (
            Platform(
                chain=chain,
                node=rng.choice(all_nodes) if rng.random() < 0.9 else None,
                name=f"基准{i:03d}号{rng.choice(platform_kinds).label}",
                kind=rng.choice(platform_kinds),
                level=rng.choice(list(PlatformLevel)),
                enterprise=rng.choice(created) if rng.random() < 0.6 else None,
                host="" if rng.random() < 0.6 else "南昌大学",
                recognised_in=rng.randint(2012, 2025) if rng.random() < 0.9 else None,
            )
            for i in range(scaled(100))
        ),
    )

    # Application fields over about five nodes each ---------------------------------------
    fields = _bulk(
        ApplicationField,
        (
            ApplicationField(
                chain=chain, name=f"应用领域{i:02d}", description="基准测试", position=i
            )
            for i in range(scaled(60))
        ),
    )
    field_nodes = ApplicationField.nodes.through
    _bulk(
        field_nodes,
        (
            field_nodes(applicationfield_id=f.pk, chainnode_id=n.pk)
            for f in fields
            for n in rng.sample(leaves, rng.randint(3, 6))
            + (rng.sample(inner, 1) if rng.random() < 0.3 else [])
        ),
    )

    # Prospects on the gap nodes (leaves without local enterprises, and thin ones) --------
    gap_nodes = [leaves[i] for i in sorted(empty)]
    stages = [ProspectStage.LEAD] * 4 + [ProspectStage.CONTACT] * 3 + [ProspectStage.VISIT] * 2
    stages += [ProspectStage.SIGNED, ProspectStage.LANDED]
    vocabulary = sorted({k for n in all_nodes for k in n.keywords})
    prospects = []
    prospect_nodes = []
    for i in range(scaled(300)):
        nodes_of = rng.sample(gap_nodes, min(len(gap_nodes), rng.choice((1, 1, 2))))
        words = [rng.choice(n.keywords) for n in nodes_of if n.keywords]
        words += rng.sample(vocabulary, 2)
        province, city = rng.choice(_OUTSIDE)
        prospects.append(
            Prospect(
                chain=chain,
                name=f"{city[:-1]}{rng.choice(_WORDS)}{words[0]}{rng.choice(SUFFIXES)}{i:03d}",
                province=province,
                city=city,
                size_class=rng.choice(sizes),
                revenue=money(rng.lognormvariate(19.5, 1.2)),
                products="、".join(words),
                source=rng.choice(list(ProspectSource)),
                stage=rng.choice(stages),
                stage_on=dt.date(2025, 1 + i % 12, 1 + i % 28),
            )
        )
        prospect_nodes.append(nodes_of)
    prospects = _bulk(Prospect, prospects)
    through = Prospect.nodes.through
    _bulk(
        through,
        (
            through(prospect_id=p.pk, chainnode_id=n.pk)
            for p, nodes_of in zip(prospects, prospect_nodes, strict=True)
            for n in nodes_of
        ),
    )

    # Projects ----------------------------------------------------------------------------
    projects = []
    for i in range(scaled(500)):
        enterprise = rng.choice(created) if rng.random() < 0.8 else None
        if enterprise is not None:
            district, park = enterprise.district, enterprise.park
        elif rng.random() < 0.5:
            park, district = rng.choice(parks)
        else:
            park, district = None, rng.choice(districts)
        planned = money(rng.lognormvariate(18.5, 1.0))
        projects.append(
            Project(
                code=f"JZ-{chain.code}-{i:04d}",
                name=f"基准项目{i:03d}",
                project_type=rng.choice(list(ProjectType)),
                enterprise=enterprise,
                chain=chain,
                node=rng.choice(all_nodes) if rng.random() < 0.9 else None,
                district=district,
                park=park,
                planned_investment=planned,
                completed_investment=money(float(planned) * rng.random()),
                stage=rng.choice(list(ProjectStage)),
            )
        )
    _bulk(Project, projects)

    counts = {
        "nodes": len(node_rows),
        "leaves": len(leaves),
        "leaves_without_enterprises": len(empty),
        "depth": max(shape.depths) + 1,
        "supply_links": len(links),
        "enterprises": len(created),
        "above_scale": sum(e.above_scale for e in created),
        "annual_figures": len(figures),
        "enterprise_nodes": len(placed),
        "confirmed_places": sum(p.status == LinkStatus.CONFIRMED for p in placed),
        "chain_masters": len(masters),
        "supplier_relations": len(relations),
        "local_supplier_relations": sum(r.supplier_id is not None for r in relations),
        "tech_tasks": len(tasks),
        "tech_targets": len(tasks) * 3,
        "platforms": scaled(100),
        "application_fields": len(fields),
        "prospects": len(prospects),
        "projects": len(projects),
    }
    return counts
