"""The demo city's key chains (链长制), built deterministically: each chain's structure from
`chains/data/<code>.json`, invented chain leaders with real posts, the bureau's divisions as
chain offices, lead departments, yearly targets, chain-master enterprises and the demo
enterprises placed on the nodes their industry class belongs to; then each chain's
application fields, platforms, technology tasks, bottlenecks and prospects from
`chains/data/practice/<code>.json`, and what the chain masters bought from local and
outside suppliers."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.db.models import Max

from gongxin.chains.choices import BottleneckStatus, LinkSource, LinkStatus, ProspectStage
from gongxin.chains.loading import chain_structure_load
from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Chain,
    ChainLeader,
    ChainNode,
    ChainTarget,
    EnterpriseNode,
    Platform,
    Prospect,
    ProspectStep,
    SupplierRelation,
    SupplyLink,
    TechTarget,
    TechTask,
)
from gongxin.chains.services import links_suggest
from gongxin.core.choices import Role
from gongxin.core.demo import person_name
from gongxin.core.models import Department, User
from gongxin.enterprises.choices import QualificationKind
from gongxin.enterprises.demo import enterprise_chain, enterprise_short_name
from gongxin.enterprises.models import AnnualFigure, Enterprise

DATA = Path(__file__).resolve().parent / "data"

#: code: (chain office, lead departments, leaders (indices into LEADERS), order).
CHAINS = {
    "electronics": ("dzxxc", ("fgw", "kjj", "tzcj"), (0, 2), 1),
    "aviation": ("zbc", ("fgw", "kjj"), (1,), 2),
    "automotive": ("zbc", ("fgw", "swj"), (3,), 3),
    "new-energy": ("jnc", ("fgw", "gdgs"), (4,), 4),
    "new-materials": ("yclc", ("kjj", "sthjj"), (4,), 5),
    "health": ("xfpc", ("scjgj", "kjj"), (5,), 6),
    "green-food": ("xfpc", ("scjgj", "swj"), (6,), 7),
    "textiles": ("xfpc", ("swj", "rsj"), (6,), 8),
}
#: Posts of city leaders who lead chains; the people are invented.
LEADERS = [
    "市委书记",
    "市长",
    "市委常委、常务副市长",
    "市委常委、副市长",
    "副市长",
    "副市长",
    "副市长",
]
#: Yearly targets for 2026 as (operating revenue in 亿元, 规上 enterprises, projects).
TARGETS = {
    "electronics": (2600, 420, 60),
    "aviation": (420, 45, 18),
    "automotive": (1400, 260, 40),
    "new-energy": (650, 120, 30),
    "new-materials": (900, 210, 28),
    "health": (700, 160, 26),
    "green-food": (1100, 330, 35),
    "textiles": (480, 150, 20),
}


def _documents() -> list[dict]:
    """The chain documents, parents before their sub-chains."""
    documents = []
    for path in sorted(DATA.glob("*.json")):
        documents.append(json.loads(path.read_text(encoding="utf-8")))
        _stems[documents[-1]["code"]] = path.stem
    return sorted(documents, key=lambda d: (d.get("parent") is not None, d["code"]))


def chains_build(*, seed: int, password_hash: str) -> list[Chain]:
    rng = random.Random(seed)
    departments = {d.code: d for d in Department.objects.all()}
    leaders = [
        ChainLeader.objects.create(name=person_name(101 + 13 * i), title=post)
        for i, post in enumerate(LEADERS)
    ]
    chains = [chain_structure_load(document) for document in _documents()]
    by_code = {c.code: c for c in chains}
    for code, (office, lead, leader_indices, order) in CHAINS.items():
        chain = by_code.get(code)
        if chain is None:
            continue
        family = [chain, *(c for c in chains if c.parent_id == chain.pk)]
        for member in family:
            member.office = departments.get(office)
            member.sort_order = order * 10 + (member is not chain)
            member.save(update_fields=["office", "sort_order"])
            member.lead_departments.set([departments[d] for d in lead if d in departments])
            member.leaders.set([leaders[i] for i in leader_indices])
        revenue, above, projects = TARGETS[code]
        ChainTarget.objects.create(
            chain=chain,
            year=2026,
            revenue=Decimal(revenue) * 100_000_000,
            above_scale_count=above,
            projects=projects,
        )
        office_user = User.objects.create(
            username=f"chain-{code}",
            password=password_hash,
            role=Role.CHAIN_OFFICE,
            display_name=f"{chain.name}产业链链长办",
            department=departments.get(office),
        )
        chain.office_members.add(office_user)
    _place_enterprises(rng, chains)
    _suggest_places(chains)
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    for chain in chains:
        practice = PRACTICE / f"{_stems[chain.code]}.json"
        if practice.exists():
            _practice_build(rng, chain, json.loads(practice.read_text("utf-8")), officers)
    _suppliers_build(rng, chains)
    return chains


PRACTICE = DATA / "practice"
_stems: dict[str, str] = {}


def _practice_build(rng: random.Random, chain: Chain, document: dict, officers: list) -> None:
    """A chain's application fields, platforms, technology tasks with their targets,
    bottlenecks and prospects with their pipeline history."""
    nodes = {n.key: n for n in _keyed_nodes(chain)}
    departments = {d.code: d for d in Department.objects.all()}
    placed = _placed(chain)
    names = dict(
        Enterprise.objects.filter(pk__in=[e for es in placed.values() for e in es]).values_list(
            "pk", "name"
        )
    )

    def local_on(node: ChainNode | None) -> int | None:
        """A local enterprise on the node or, failing that, anywhere on the chain."""
        pool = placed.get(node.pk) if node else None
        pool = pool or sorted({e for es in placed.values() for e in es})
        return pool[rng.randrange(len(pool))] if pool else None

    for position, item in enumerate(document.get("application_fields", [])):
        field = ApplicationField.objects.create(
            chain=chain, name=item["name"], description=item["description"], position=position
        )
        field.nodes.set([nodes[k] for k in item["nodes"]])
    for item in document.get("platforms", []):
        node = nodes.get(item["node"])
        enterprise, name, host = None, item["name"], item["host"]
        if host == "enterprise":
            enterprise = local_on(node)
            if enterprise is None:
                continue
            name, host = f"{enterprise_short_name(names[enterprise])}{item['name']}", ""
        if Platform.objects.filter(name=name).exists():
            continue
        Platform.objects.create(
            chain=chain,
            node=node,
            name=name,
            kind=item["kind"],
            level=item["level"],
            enterprise_id=enterprise,
            host=host,
            recognised_in=item["year"],
        )
    for item in document.get("tech_tasks", []):
        node = nodes.get(item["node"])
        task = TechTask.objects.create(
            chain=chain,
            node=node,
            name=item["name"],
            kind=item["kind"],
            description=item.get("description", ""),
            owner=departments.get(item["owner"]),
            enterprise_id=local_on(node) if rng.random() < 0.7 else None,
            deadline=dt.date.fromisoformat(item["deadline"]),
            status=item["status"],
        )
        TechTarget.objects.bulk_create(
            TechTarget(task=task, year=year, target=text) for year, text in item["targets"]
        )
    for item in document.get("bottlenecks", []):
        resolved = item["status"] == BottleneckStatus.RESOLVED
        deadline = dt.date.fromisoformat(item["deadline"])
        Bottleneck.objects.create(
            chain=chain,
            node=nodes.get(item["node"]) if item.get("node") else None,
            title=item["title"],
            kind=item["kind"],
            description=item["description"],
            owner=departments[item["owner"]],
            deadline=deadline,
            status=item["status"],
            resolved_on=min(deadline, DEMO_TODAY) - dt.timedelta(days=rng.randrange(10, 90))
            if resolved
            else None,
        )
    for item in document.get("prospects", []):
        steps = [(stage, dt.date.fromisoformat(on)) for stage, on in item["steps"]]
        official = officers[rng.randrange(len(officers))] if officers else None
        prospect = Prospect.objects.create(
            chain=chain,
            name=item["name"],
            province=item["province"],
            city=item["city"],
            size_class=item["size"],
            revenue=(Decimal(str(item["revenue_yi"])) * 100_000_000).quantize(Decimal(1)),
            products=item["products"],
            source=item["source"],
            stage=item["stage"],
            stage_on=steps[-1][1],
            official=official,
        )
        prospect.nodes.set([nodes[k] for k in item["nodes"]])
        ProspectStep.objects.bulk_create(
            ProspectStep(prospect=prospect, stage=stage, on=on, by=official, note=STEP_NOTES[stage])
            for stage, on in steps
        )


#: The demo's "today" for dates computed from it (resolved bottlenecks).
DEMO_TODAY = dt.date(2026, 11, 30)
STEP_NOTES = {
    ProspectStage.LEAD: "列入招商线索库",
    ProspectStage.CONTACT: "与企业高层取得联系，介绍产业链配套与政策",
    ProspectStage.VISIT: "企业来昌实地考察园区与配套企业",
    ProspectStage.SIGNED: "签订投资合作协议",
    ProspectStage.LANDED: "项目公司注册落地",
}


def _placed(chain: Chain) -> dict[int, list[int]]:
    """The confirmed enterprises on each node of the chain."""
    placed: dict[int, list[int]] = defaultdict(list)
    for node, enterprise in (
        EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
        .values_list("node", "enterprise")
        .order_by("enterprise")
    ):
        placed[node].append(enterprise)
    return placed


def _keyed_nodes(chain: Chain):
    """The chain's nodes with the key each has in its structure document (`key`)."""
    document = json.loads((DATA / f"{_stems[chain.code]}.json").read_text("utf-8"))
    keys: dict[str, str] = {}

    def walk(items):
        for item in items:
            keys[item["name"]] = item["key"]
            walk(item.get("children", []))

    walk(document["nodes"])
    for node in ChainNode.objects.filter(chain=chain):
        node.key = keys.get(node.name, "")
        yield node


#: Places of outside suppliers, and words of their invented names.
OUTSIDE_PLACES = [
    ("广东省深圳市", "深圳市"),
    ("广东省东莞市", "东莞市"),
    ("广东省佛山市", "佛山市"),
    ("江苏省苏州市", "苏州市"),
    ("浙江省宁波市", "宁波市"),
    ("上海市", "上海"),
    ("湖南省长沙市", "长沙市"),
]
OUTSIDE_WORDS = ["恒拓", "睿川", "华岳", "嘉瑞", "泰铭", "博纳", "联创", "弘晟", "科迈", "永达"]


def _suppliers_build(rng: random.Random, chains: list[Chain]) -> None:
    """What each chain master bought in the last two years with annual figures: from the
    local enterprises on the chain's nodes that feed the master's node (or on other
    nodes upstream of it), and from invented suppliers outside the city."""
    last = AnnualFigure.objects.aggregate(year=Max("year"))["year"]
    if last is None:
        return
    relations = []
    for chain in chains:
        masters = list(chain.masters.order_by("pk").values_list("pk", flat=True))
        if not masters:
            continue
        nodes = list(ChainNode.objects.filter(chain=chain).order_by("position"))
        parents = {n.parent_id for n in nodes}
        upstream = [n for n in nodes if n.segment != "downstream" and n.pk not in parents]
        local = _placed(chain)
        feeding = defaultdict(set)
        for supplier, customer in SupplyLink.objects.filter(chain=chain).values_list(
            "supplier", "customer"
        ):
            feeding[customer].add(supplier)
        share = 0.2 + 0.4 * rng.random()  # how much the chain buys locally
        for master in masters:
            own = set(
                EnterpriseNode.objects.filter(node__chain=chain, enterprise=master).values_list(
                    "node", flat=True
                )
            )
            feeders = {s for n in own for s in feeding[n]} or {n.pk for n in upstream}
            candidates = [
                (node, e) for node in sorted(feeders) for e in local.get(node, []) if e != master
            ]
            rng.shuffle(candidates)
            for year in (last - 1, last):
                spent = Decimal(rng.randrange(3, 30)) * 10_000_000
                for node, supplier in candidates[:6]:
                    relations.append(
                        SupplierRelation(
                            customer_id=master,
                            supplier_id=supplier,
                            node_id=node,
                            year=year,
                            amount=(spent * Decimal(share / 6 * rng.uniform(0.5, 1.5))).quantize(
                                Decimal(1)
                            ),
                            source=rng.choice(["survey", "invoice", "declared"]),
                        )
                    )
                outside = [n for n in upstream if not local.get(n.pk)] or upstream
                for index in range(rng.randrange(3, 7)):
                    node = outside[rng.randrange(len(outside))]
                    place, city = OUTSIDE_PLACES[rng.randrange(len(OUTSIDE_PLACES))]
                    word = OUTSIDE_WORDS[(master + index) % len(OUTSIDE_WORDS)]
                    relations.append(
                        SupplierRelation(
                            customer_id=master,
                            supplier_name=f"{city}{word}{node.name[:6]}有限公司",
                            supplier_place=place,
                            node=node,
                            year=year,
                            amount=(
                                spent * Decimal((1 - share) / 4 * rng.uniform(0.5, 1.5))
                            ).quantize(Decimal(1)),
                            products=node.name,
                            source=rng.choice(["survey", "invoice", "declared"]),
                        )
                    )
    SupplierRelation.objects.bulk_create(relations, batch_size=1000)


def _suggest_places(chains: list[Chain]) -> None:
    """Suggestions for the chain offices to confirm: the enterprises of each key chain's
    trade that its industry codes did not place, matched by their products and scope."""
    trades: dict[str, list[int]] = defaultdict(list)
    for enterprise in Enterprise.objects.select_related("industry").order_by("pk"):
        trades[enterprise_chain(enterprise)].append(enterprise.pk)
    for chain in chains:
        if chain.parent_id is None:
            trade = Enterprise.objects.filter(pk__in=trades.get(chain.name, []))
            links_suggest(actor=None, chain=chain, enterprises=trade)


def _place_enterprises(rng: random.Random, chains: list[Chain]) -> None:
    """Each demo enterprise of a key chain's trade on one node of that chain and of each of
    its sub-chains whose codes take in its industry class (the most specific code wins;
    among equals, a leaf at random); chain masters are the enterprises holding the 链主
    recognition placed on the chain."""
    nodes = list(ChainNode.objects.filter(chain__in=chains).order_by("chain_id", "position"))
    has_children = set(
        ChainNode.objects.filter(parent__isnull=False).values_list("parent_id", flat=True)
    )
    by_code: dict[str, list[ChainNode]] = defaultdict(list)
    for node in nodes:
        for code in node.industry_codes:
            by_code[code].append(node)
    masters = set(
        Enterprise.objects.filter(qualifications__kind=QualificationKind.CHAIN_MASTER).values_list(
            "pk", flat=True
        )
    )
    # An enterprise goes only on the chains of the key chain its trade belongs to: an
    # industry class alone (aluminium rolling, general machinery) feeds many chains.
    families: dict[str, set[int]] = defaultdict(set)
    tops = {c.pk: c for c in chains if c.parent_id is None}
    for chain in chains:
        families[tops[chain.parent_id or chain.pk].name].add(chain.pk)
    links = []
    chain_masters: dict[int, list[int]] = defaultdict(list)
    enterprises = Enterprise.objects.filter(industry__isnull=False).select_related("industry")
    for enterprise in enterprises.order_by("pk"):
        code = enterprise.industry.code
        per_chain: dict[int, list[ChainNode]] = {}
        precision: dict[int, int] = {}  # chain id -> length of its most specific match
        family = families.get(enterprise_chain(enterprise), ())
        for length in (4, 3, 2):
            for node in by_code.get(code[:length], []):
                if (
                    node.chain_id in family
                    and precision.setdefault(node.chain_id, length) == length
                ):
                    per_chain.setdefault(node.chain_id, []).append(node)
        for chain_id, candidates in sorted(per_chain.items()):
            leaves = [n for n in candidates if n.pk not in has_children] or candidates
            node = leaves[rng.randrange(len(leaves))]
            links.append(
                EnterpriseNode(
                    enterprise=enterprise,
                    node=node,
                    products=enterprise.main_products[:300],
                    source=LinkSource.INDUSTRY,
                    evidence=code,
                )
            )
            if enterprise.pk in masters:
                chain_masters[chain_id].append(enterprise.pk)
    EnterpriseNode.objects.bulk_create(links, batch_size=2000)
    for chain in chains:
        if chain_masters.get(chain.pk):
            chain.masters.set(chain_masters[chain.pk])
