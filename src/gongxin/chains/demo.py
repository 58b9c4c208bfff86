"""The demo city's key chains (链长制), built deterministically: each chain's structure from
`chains/data/<code>.json`, invented chain leaders with real posts, the bureau's divisions as
chain offices, lead departments, yearly targets, chain-master enterprises and the demo
enterprises placed on the nodes their industry class belongs to."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from gongxin.chains.choices import LinkSource
from gongxin.chains.loading import chain_structure_load
from gongxin.chains.models import Chain, ChainLeader, ChainNode, ChainTarget, EnterpriseNode
from gongxin.chains.services import links_suggest
from gongxin.core.choices import Role
from gongxin.core.demo import person_name
from gongxin.core.models import Department, User
from gongxin.enterprises.choices import QualificationKind
from gongxin.enterprises.demo import enterprise_chain
from gongxin.enterprises.models import Enterprise

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
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))]
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
    return chains


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
