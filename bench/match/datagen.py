"""Build the archive and the policy library the matching benchmark reads, straight into the
configured database.

The demo city's regions and departments (`core.demo`), the project's chain structures
(`chains/data/*.json`, loaded with `chain_structure_load`), then `enterprises` operating
enterprises (valid USCCs from bench/common.py, the demo districts and parks, GB/T 4754
classes, mostly manufacturing) with what the rule language reads of them:

- annual figures for the two years before the day of matching (`on`): most enterprises
  have both, some only last year's (no growth rate), some none at all, and a share of
  last year's rows has no R&D figure — so rules meet missing data and answer "needs
  information" (三值: eligible, not eligible, unknown);
- qualifications (高新技术企业, 专精特新, 小巨人 …), a fifth of them expired before `on`;
- confirmed places on the leaves of the chains (about a fifth of the enterprises);
- projects, most with completed investment, a good part of them upgrade projects
  (技改, 数字化改造, 5G+智慧工厂).

And `policies` published policies in force on `on`, made from 25 kinds of policy a bureau
issues (小升规, 专精特新, 技改, 研发投入, 链上企业, 区县和园区, 稳岗, 纳税贡献 …) with
their parameters drawn at random: rules over every field and function of the rule language,
and the ways of computing an amount (fixed, a rate of a base with a cap, tiers; none for two
kinds with `no_amount`: `run.py --with-no-amount`).
Policies are created with `Policy.objects.create` (and their first `RuleVersion`), not
`policy_save`, which would match each one as it is saved; nothing is matched here.

Rows go in with `bulk_create`; the same seed and `on` give the same rows. bench/common.py
is importable as `common` (worker.py puts bench/ on sys.path).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

from common import company_name, uscc_for

BATCH = 5000
WAN = 10_000
YI = 100_000_000

#: Qualification kinds and how common they are among the enterprises that hold any.
QUALIFICATION_WEIGHTS = {
    "high_tech": 34,
    "tech_sme": 24,
    "innovative_sme": 14,
    "specialized_sme": 11,
    "little_giant": 3,
    "single_champion": 0.5,
    "chain_master": 0.5,
    "tech_center": 4,
    "green_factory": 6,
    "smart_factory": 3,
}
#: GB/T 4754 divisions the policies name (电子 39, 电气 38, 汽车 36, 专用设备 35, 通用设备
#: 34, 医药 27, 化工 26, 纺织 17, 农副食品 13, 食品 14, 航空 37, 仪器仪表 40).
INDUSTRY_PREFIXES = ["39", "38", "36", "35", "34", "27", "26", "17", "13", "14", "37", "40"]


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _bulk(model, rows: Iterable, batch: int = BATCH) -> list:
    return model.objects.bulk_create(list(rows), batch_size=batch)


def build(
    *,
    enterprises: int,
    policies: int,
    on: dt.date,
    seed: int = 2026,
    no_amount: bool = False,
    log=print,
) -> dict:
    """Create everything (one transaction); returns what was created. With `no_amount`,
    two kinds of policy have no amount (`amount_method` "none"), else all have one."""
    from django.db import transaction

    with transaction.atomic():
        return _build(
            enterprises=enterprises,
            policies=policies,
            on=on,
            seed=seed,
            no_amount=no_amount,
            log=log,
        )


def _chains() -> tuple[list[str], list[tuple[int, str]]]:
    """The project's chain structures; returns the chain codes and every leaf as (node id,
    chain code)."""
    import gongxin.chains
    from gongxin.chains.loading import chain_structure_load
    from gongxin.chains.models import ChainNode

    data = Path(gongxin.chains.__file__).resolve().parent / "data"
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data.glob("*.json"))]
    documents.sort(key=lambda d: (d.get("parent") is not None, d["code"]))
    codes = [chain_structure_load(document).code for document in documents]
    leaves = list(
        ChainNode.objects.filter(children__isnull=True)
        .order_by("pk")
        .values_list("pk", "chain__code")
    )
    return codes, leaves


def _build(
    *, enterprises: int, policies: int, on: dt.date, seed: int, no_amount: bool, log
) -> dict:
    from gongxin.chains.models import EnterpriseNode
    from gongxin.core.demo import PARKS, departments_load, regions_load
    from gongxin.core.models import Industry
    from gongxin.enterprises.models import AnnualFigure, Enterprise, Qualification
    from gongxin.enterprises.uscc import check_character
    from gongxin.projects.models import Project

    rng = random.Random(seed)
    year = on.year - 1  # the figures the rules read are last year's
    regions = regions_load()
    departments = departments_load()
    chain_codes, leaves = _chains()
    log(f"  regions, {len(departments)} departments, {len(chain_codes)} chains")

    # Enterprises -------------------------------------------------------------------------
    districts = [r for r in regions.values() if r.kind in ("district", "county")]
    parks = []
    for code, _name, _short, _kind, host in PARKS:
        district = regions[host]
        while district.kind not in ("district", "county"):
            district = district.parent
        parks.append((regions[code], district))
    industries = list(Industry.objects.filter(level=4).values_list("pk", "code"))
    manufacturing = [pk for pk, code in industries if "13" <= code[:2] <= "43"]
    other = [pk for pk, code in industries if not "13" <= code[:2] <= "43"]
    sizes = ["large"] * 2 + ["medium"] * 10 + ["small"] * 45 + ["micro"] * 43
    rows = []
    for index in range(enterprises):
        if rng.random() < 0.45:
            park, district = rng.choice(parks)
        else:
            park, district = None, rng.choice(districts)
        size = rng.choice(sizes)
        pool = manufacturing if rng.random() < 0.85 or not other else other
        established = None
        if rng.random() < 0.97:  # 3 % without a date of establishment
            established = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(31 * 365))
            established = min(established, on - dt.timedelta(days=400))
        rows.append(
            Enterprise(
                uscc=uscc_for(index, region_code=district.code, check=check_character),
                name=company_name(rng, kinds=("科技", "实业", "制造", "工业", ""))
                + f"（{index:06d}）",
                district=district,
                park=park,
                industry_id=rng.choice(pool) if pool else None,
                size_class=size,
                above_scale=size in ("large", "medium") or rng.random() < 0.08,
                status="operating",
                established_on=established,
                registered_capital=money(rng.lognormvariate(15.4, 1.4)),
            )
        )
    created = _bulk(Enterprise, rows)
    log(f"  enterprises: {len(created):,}")

    # Annual figures: last year and the year before ------------------------------------------
    figures = []
    with_last = with_both = with_rd = 0
    revenue_of: dict[int, float] = {}
    for e in created:
        draw = rng.random()
        if draw < 0.05:
            continue  # no figures at all: every financial criterion unknown
        if e.above_scale:
            revenue = 20_000_000 * rng.lognormvariate(0.9, 1.0)
        else:
            revenue = rng.lognormvariate(15.9, 1.1)  # median about 8 million yuan
        growth = rng.gauss(0.06, 0.16)
        before = revenue / max(0.3, 1 + growth)
        if draw < 0.08:  # only the year before: last year's figures missing
            figures.append(_figure(rng, e, year - 1, before, with_rd=True))
            continue
        with_last += 1
        revenue_of[e.pk] = revenue
        rd = rng.random() < 0.7
        with_rd += rd
        figures.append(_figure(rng, e, year, revenue, with_rd=rd))
        if draw < 0.88:  # 80 %: both years, so growth is known
            with_both += 1
            figures.append(_figure(rng, e, year - 1, before, with_rd=True))
    _bulk(AnnualFigure, figures)
    log(f"  annual figures: {len(figures):,}")

    # Qualifications: 18 % hold at least one; a fifth of the certificates expired ----------
    kinds = list(QUALIFICATION_WEIGHTS)
    weights = list(QUALIFICATION_WEIGHTS.values())
    qualifications = []
    expired = 0
    for e in created:
        if rng.random() >= 0.18:
            continue
        held = {rng.choices(kinds, weights)[0] for _ in range(1 if rng.random() < 0.75 else 2)}
        for kind in sorted(held):
            if rng.random() < 0.2:
                issued = dt.date(rng.randint(2018, 2022), rng.randint(1, 12), 1)
                expires = min(issued.replace(year=issued.year + 3), on - dt.timedelta(days=1))
                expired += 1
            else:
                issued = on - dt.timedelta(days=rng.randrange(30, 3 * 365))
                expires = (
                    None
                    if rng.random() < 0.1
                    else issued.replace(day=1).replace(year=issued.year + 3)
                )
            qualifications.append(
                Qualification(
                    enterprise=e,
                    kind=kind,
                    level=rng.choice(("national", "provincial", "provincial", "municipal")),
                    issued_on=issued,
                    expires_on=expires,
                )
            )
    _bulk(Qualification, qualifications)
    log(f"  qualifications: {len(qualifications):,} ({expired:,} expired)")

    # Confirmed places on the chains' leaves --------------------------------------------
    places = []
    on_chains = 0
    for e in created:
        if not leaves or rng.random() >= 0.2:
            continue
        on_chains += 1
        nodes = {rng.choice(leaves)[0] for _ in range(1 if rng.random() < 0.7 else 2)}
        places += [
            EnterpriseNode(enterprise=e, node_id=n, status="confirmed", source="industry")
            for n in sorted(nodes)
        ]
    _bulk(EnterpriseNode, places)
    log(f"  places on chains: {len(places):,} ({on_chains:,} enterprises)")

    # Projects: 8 % of the enterprises have one or two ----------------------------------
    types = ["tech_upgrade"] * 4 + ["digital"] * 2 + ["smart_factory", "expansion", "new"] * 1
    stages = ["started", "completed", "producing", "at_capacity", "approved"]
    projects = []
    for e in created:
        if rng.random() >= 0.08:
            continue
        for n in range(1 if rng.random() < 0.8 else 2):
            planned = money(rng.lognormvariate(17.2, 1.0))  # median about 30 million yuan
            completed = None
            if rng.random() < 0.85:
                completed = money(float(planned) * rng.uniform(0.1, 1.0))
            projects.append(
                Project(
                    code=f"XM{on.year}-{len(projects) + 1:05d}",
                    name=f"{e.name[:40]}项目{n + 1}",
                    project_type=rng.choice(types),
                    enterprise=e,
                    district_id=e.district_id,
                    park_id=e.park_id,
                    planned_investment=planned,
                    completed_investment=completed,
                    stage=rng.choice(stages),
                )
            )
    _bulk(Project, projects)
    log(f"  projects: {len(projects):,}")

    # The policy library ----------------------------------------------------------------
    made = _policies(rng, policies, on, chain_codes, regions, parks, departments, no_amount)
    methods: dict[str, int] = {}
    for p in made:
        methods[p.amount_method] = methods.get(p.amount_method, 0) + 1
    log(f"  policies: {len(made)}")

    return {
        "enterprises": len(created),
        "above_scale": sum(e.above_scale for e in created),
        "without_established": sum(e.established_on is None for e in created),
        "annual_figures": len(figures),
        "with_last_year": with_last,
        "with_both_years": with_both,
        "with_rd_expense": with_rd,
        "qualifications": len(qualifications),
        "qualifications_expired": expired,
        "places": len(places),
        "enterprises_on_chains": on_chains,
        "projects": len(projects),
        "projects_with_investment": sum(p.completed_investment is not None for p in projects),
        "chains": len(chain_codes),
        "policies": len(made),
        "amount_methods": methods,
        "year": year,
        "on": on.isoformat(),
    }


def _figure(rng: random.Random, enterprise, year: int, revenue: float, *, with_rd: bool):
    from gongxin.enterprises.models import AnnualFigure

    rd_share = min(0.25, rng.lognormvariate(-3.9, 0.8))  # median about 2 %
    return AnnualFigure(
        enterprise=enterprise,
        year=year,
        revenue=money(revenue),
        output_value=money(revenue * 1.05),
        main_business_revenue=money(revenue * 0.92),
        profit=money(revenue * rng.uniform(-0.03, 0.12)),
        tax=money(revenue * rng.uniform(0.015, 0.06)),
        rd_expense=money(revenue * rd_share) if with_rd else None,
        total_assets=money(revenue * rng.uniform(0.8, 2.0)),
        employees=max(3, int(revenue / rng.uniform(400_000, 900_000))),
    )


# Policies ------------------------------------------------------------------------------------

#: A kind of policy: (title, department code, benefit kind, maker). The maker draws the
#: parameters and returns the rule text and the amount (method and its fields).
Kind = tuple[str, str, str, Callable[..., tuple[str, dict]]]


def _fixed(wan: float) -> dict:
    return {"amount_method": "fixed", "amount": Decimal(int(wan * WAN))}


def _rate(rate: str, base: str, cap_wan: float | None) -> dict:
    cap = None if cap_wan is None else Decimal(int(cap_wan * WAN))
    return {"amount_method": "rate", "rate": Decimal(rate), "base": base, "cap": cap}


def _tiers(base: str, steps: list[tuple[float, float]]) -> dict:
    """Tiers as [[threshold, amount], …] in yuan (or persons), from (threshold, 万元)."""
    return {
        "amount_method": "tiers",
        "base": base,
        "tiers": [[str(Decimal(int(t))), str(Decimal(int(a * WAN)))] for t, a in steps],
    }


def _kinds(
    chain_codes: list[str], district_codes: list[str], park_codes: list[str], *, no_amount: bool
) -> list[Kind]:
    """The 25 kinds; with `no_amount`, two of them (support in kind) have no amount."""
    c = chain_codes or ["automotive"]

    def amount_or_none(amount: dict) -> dict:
        return {"amount_method": "none"} if no_amount else amount

    def q(name: str) -> str:
        return f'holds("{name}")'

    def research(r):
        low = r.choice([200, 500, 1000])  # 万元
        steps = [(low * WAN, 10), (2 * low * WAN, 20), (5 * low * WAN, 50)]
        text = f"rd_expense >= {low}万元 and rd_ratio >= {r.choice([2, 3])}%"
        return text, _tiers("rd_expense", steps)

    def two_chains(r):
        a, b = r.sample(c, 2) if len(c) > 1 else (c[0], c[0])
        text = f'(on_chain("{a}") or on_chain("{b}")) and revenue_growth >= '
        return text + f"{r.choice([10, 15])}%", _fixed(20)

    def cluster(r):
        a, b = r.sample(district_codes, 2)
        text = f'district in ("{a}", "{b}") and industry starts_with '
        text += f'"{r.choice(INDUSTRY_PREFIXES)}" and revenue >= 5000万元'
        return text, _fixed(20)

    return [
        ("小升规企业奖励", "zxqyc", "reward", lambda r: (
            'size_class in ("small", "micro") and above_scale = false and revenue between '
            f'{r.choice([1200, 1500, 1600])}万元 and 2000万元 and revenue_growth > '
            f"{r.choice([0, 5, 10])}%",
            _fixed(r.choice([10, 20])),
        )),
        ("新升规企业奖励", "ghc", "reward", lambda r: (
            f"above_scale = true and established >= {r.randint(2018, 2022)}-01-01 "
            "and revenue >= 2000万元",
            _fixed(20),
        )),
        ("专精特新中小企业奖励", "zxqyc", "reward", lambda r: (
            f'{q("specialized_sme")} and not {q("little_giant")}'
            + r.choice(["", " and revenue >= 1000万元", " and revenue >= 2000万元"]),
            _fixed(r.choice([20, 30])),
        )),
        ("专精特新“小巨人”企业奖励", "zxqyc", "reward", lambda r: (
            r.choice([q("little_giant"), f'{q("little_giant")} or {q("single_champion")}']),
            _fixed(r.choice([50, 100])),
        )),
        ("高新技术企业研发费用补助", "jgc", "subsidy", lambda r: (
            f'{q("high_tech")} and rd_ratio >= {r.choice([3, 4, 5])}%',
            _rate("10", "rd_expense", r.choice([50, 100])),
        )),
        ("企业研发投入后补助", "kjj", "subsidy", research),
        ("技术改造项目奖补", "jgc", "subsidy", lambda r: (
            f"upgrade_investment >= {r.choice([500, 1000, 2000])}万元 "
            'and not size_class = "micro"',
            _rate(r.choice(["5", "8", "10"]), "upgrade_investment", r.choice([300, 500, 1000])),
        )),
        ("重点产业链骨干企业奖励", "ghc", "reward", lambda r: (
            f'on_chain("{r.choice(c)}") and revenue >= {r.choice([1, 2, 5])}亿元',
            _tiers("revenue", [(YI, 30), (5 * YI, 50), (10 * YI, 100)]),
        )),
        ("产业链配套企业成长奖励", "ghc", "reward", two_chains),
        ("区县工业稳增长奖励", "yxc", "reward", lambda r: (
            f'district starts_with "{r.choice(district_codes)}" and above_scale = true '
            f"and revenue_growth >= {r.choice([5, 10, 15])}%",
            _fixed(r.choice([10, 20])),
        )),
        ("园区企业稳岗扩产补助", "rsj", "subsidy", lambda r: (
            f'park = "{r.choice(park_codes)}" and employees >= {r.choice([50, 100, 300])}人 '
            "and revenue_growth > 0%",
            _rate("1", "tax", 50),
        )),
        ("重点行业创新企业奖励", "kjj", "reward", lambda r: (
            f'industry starts_with "{r.choice(INDUSTRY_PREFIXES)}" and '
            f'({q("high_tech")} or rd_ratio >= {r.choice([2, 3])}%)',
            _fixed(r.choice([15, 30])),
        )),
        ("吸纳就业稳岗奖励", "rsj", "talent", lambda r: (
            f"employees >= {r.choice([300, 500, 1000])}人 and revenue_growth > "
            f"{r.choice([-5, 0])}%",
            _tiers("employees", [(300, 10), (1000, 30), (3000, 60)]),
        )),
        ("初创科技型企业扶持", "kjj", "subsidy", lambda r: (
            f"established >= {r.choice([2020, 2021, 2022])}-01-01 and "
            f'size_class in ("small", "micro") and {q("tech_sme")}',
            _fixed(5),
        )),
        ("绿色制造和智能制造示范奖励", "jnc", "reward", lambda r: (
            f'{q("green_factory")} or {q("smart_factory")}',
            _fixed(r.choice([30, 50])),
        )),
        ("纳税贡献企业奖励", "czj", "reward", lambda r: (
            f"tax >= {r.choice([500, 1000, 2000])}万元 and revenue_growth >= {r.choice([0, 5])}%",
            _tiers("tax", [(500 * WAN, 20), (2000 * WAN, 50), (5000 * WAN, 100)]),
        )),
        ("主营业务收入跨越发展奖励", "yxc", "reward", lambda r: (
            f"main_business_revenue >= {r.choice([5, 10, 20])}亿元 and revenue_growth >= "
            f"{r.choice([8, 10])}%",
            _rate("0.1", "main_business_revenue", 200),
        )),
        ("规上企业研发活动培育", "kjj", "other", lambda r: (
            f'above_scale = true and not {q("high_tech")} and rd_ratio >= 1% and rd_ratio < 3%',
            amount_or_none(_fixed(5)),
        )),
        ("创新型中小企业认定奖励", "zxqyc", "reward", lambda r: (
            f'{q("innovative_sme")} and revenue between 500万元 and 1亿元',
            _fixed(10),
        )),
        ("智能制造项目投资补助", "xxhc", "subsidy", lambda r: (
            f"project_investment >= {r.choice([1000, 3000])}万元 and "
            '(industry starts_with "3" or industry starts_with "4")',
            _rate("5", "project_investment", 500),
        )),
        ("中小企业项目贷款贴息", "jrj", "interest", lambda r: (
            f'size_class != "large" and project_investment >= {r.choice([200, 500])}万元 '
            "and tax > 0元",
            _rate("2", "project_investment", 50),
        )),
        ("困难企业纾困稳岗补贴", "rsj", "talent", lambda r: (
            f"revenue_growth < {r.choice([-10, -20])}% and employees >= "
            f"{r.choice([100, 200])}人",
            _fixed(10),
        )),
        ("单项冠军和链主企业奖励", "ghc", "reward", lambda r: (
            f'({q("single_champion")} or {q("chain_master")}) and revenue >= '
            f"{r.choice([5, 10])}亿元",
            _fixed(r.choice([100, 200])),
        )),
        ("区县特色产业集群扶持", "ghc", "subsidy", cluster),
        ("重点企业扩产用地保障", "zrzyj", "land", lambda r: (
            "above_scale = true and revenue between 1亿元 and 10亿元 and employees >= 200人 "
            "and not (revenue_growth < 0%)",
            amount_or_none(_tiers("revenue", [(YI, 20), (5 * YI, 50)])),
        )),
    ]  # fmt: skip


def _policies(rng, count, on, chain_codes, regions, parks, departments, no_amount) -> list:
    from django.utils import timezone

    from gongxin.policies import rules
    from gongxin.policies.models import Policy, RuleVersion

    district_codes = sorted(r.code for r in regions.values() if r.kind in ("district", "county"))
    park_codes = sorted(p.code for p, _d in parks)
    kinds = _kinds(chain_codes, district_codes, park_codes, no_amount=no_amount)
    made = []
    now = timezone.now()
    for i in range(count):
        title, department, benefit_kind, maker = kinds[i % len(kinds)]
        text, amount = maker(rng)
        rules.parse(text)  # a datagen mistake shows here, not as a failed match
        start = dt.date(rng.randint(on.year - 2, on.year), rng.randint(1, 12), 1)
        start = min(start, on - dt.timedelta(days=30))
        until = rng.choice([None, None, dt.date(on.year, 12, 31), dt.date(on.year + 1, 12, 31)])
        batch = i // len(kinds) + 1
        made.append(
            Policy.objects.create(
                title=f"{start.year}年{title}（第{batch}批）",
                issuer="南昌市人民政府" if rng.random() < 0.3 else departments[department].name,
                document_number=f"洪工信字〔{start.year}〕{10 + i}号",
                summary=f"{title}：按规则自动匹配符合条件的企业（基准测试生成）。",
                effective_from=start,
                effective_until=until,
                status="published",
                department=departments[department],
                benefit_kind=benefit_kind,
                without_application=rng.random() < 0.2,
                rule_text=text,
                **amount,
            )
        )
    RuleVersion.objects.bulk_create(
        RuleVersion(policy=p, number=1, text=p.rule_text, saved_at=now) for p in made
    )
    return made
