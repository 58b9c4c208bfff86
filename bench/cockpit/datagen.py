"""Build the city the cockpit benchmark reads, straight into the configured database.

The demo city's regions and departments (`core.demo`), the project's chain structures
(`chains/data/*.json`, loaded with `chain_structure_load`), a leadership account and a few
dozen officials; then:

- `enterprises` enterprises (the shared USCCs and names of bench/common.py, the demo
  districts and parks, GB/T 4754 classes, a fifth above designated size), a fifth of them
  confirmed on one or two chain leaves (a few more only suggested);
- 36 months of figures for each (output value, revenue, profit, tax, employees,
  electricity) up to `month`: a level per enterprise, the seasons of the year (Spring
  Festival low, December high), a growth rate per enterprise (4 % of them falling hard,
  so the early warnings find drops), noise per month; 3 % of the enterprises start
  reporting later, 1 % of those above designated size miss the latest month, 1 % of the
  rows have no electricity figure;
- qualifications for 15 % of the enterprises (three-year certificates: some expire
  within 90 days of `on`);
- `projects` key projects on those enterprises (60 % on the chain their owner is on),
  each with its six stages (planned dates, and reached dates that keep to them, slip or
  get stuck) and its months (planned investment over the planned build, completed over
  the actual one, a few projects short of money or without last month's report); the
  header figures (stage, dates, completed investment, health as of `on`) derived from
  them with `projects.progress`, as the services derive them;
- `demands` demands registered from January of last year to `now`, each where the
  closed loop would have it by its age (old ones closed or rated, recent ones open);
  afterwards `stats_touch_all()`, as a bulk load must;
- cultivation plans for 1 % of the enterprises with their measures and milestones;
- each top-level chain's revenue target for the year (last year's revenue of its
  enterprises above designated size, +10 %).

The monthly figures (3.6 million rows for 100,000 enterprises), enterprises, places,
projects, their stages and months, qualifications and demands go in with COPY on
PostgreSQL and `executemany` on SQLite; the rest with `bulk_create`. The totals
(`rollup_rebuild`), the year's indicator targets and the early-warning sweep are the
worker's (worker.py build), after this. The same seed, `month`, `on` and `now` give the
same rows. bench/common.py is importable as `common` (worker.py puts bench/ on sys.path).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from common import company_name, uscc_for

LEADER_USERNAME = "bench-leader"
MONTHS = 36
CHUNK = 20_000  # rows per executemany on SQLite
FIGURE_BATCH = 2_000  # enterprises whose figures are drawn at once
UTC = dt.UTC

#: The months of the year relative to an average month (Spring Festival in January or
#: February, the year-end push in December).
SEASON = [0.80, 0.74, 1.01, 1.00, 1.02, 1.05, 0.98, 0.98, 1.03, 1.00, 1.05, 1.34]
_mean = sum(SEASON) / 12
SEASON = [s / _mean for s in SEASON]


def month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


# Writing in bulk -----------------------------------------------------------------------------


class Writer:
    """Rows into tables in bulk: COPY on PostgreSQL, executemany on SQLite. Rows hold
    values both take: numbers, strings, dates (`day`), datetimes (`when`)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.rows: Counter = Counter()

    def when(self, moment: dt.datetime | None):
        if moment is None or self.postgres:
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def day(self, value: dt.date | None):
        return value if value is None or self.postgres else value.isoformat()

    @staticmethod
    def columns(model, columns: Iterable[str]) -> list[str]:
        """`columns` after checking that with the id they are exactly the model's
        columns: a field added to the model must be added here too."""
        columns = list(columns)
        actual = {f.column for f in model._meta.concrete_fields}
        if set(columns) | {"id"} != actual:
            raise RuntimeError(
                f"{model.__name__}: bench/cockpit/datagen.py writes "
                f"{sorted(set(columns) - actual)} that the model lacks and leaves out "
                f"{sorted(actual - set(columns) - {'id'})}: it has to follow the model"
            )
        return columns

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        table = model._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
                raw = self.connection.connection
                batch: list[tuple] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= CHUNK:
                        raw.executemany(sql, batch)
                        count += len(batch)
                        batch.clear()
                if batch:
                    raw.executemany(sql, batch)
                    count += len(batch)
        self.rows[table] += count
        return count

    def sequences_reset(self, models: list) -> None:
        """PostgreSQL: move the id sequences past the explicit ids."""
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


# Build ---------------------------------------------------------------------------------------


def build(
    *,
    enterprises: int,
    projects: int,
    demands: int,
    month: dt.date,
    on: dt.date,
    now: dt.datetime,
    seed: int = 2026,
    log=print,
) -> dict:
    """Create everything (one transaction); returns what was created."""
    from django.db import transaction

    with transaction.atomic():
        return _build(
            enterprises=enterprises,
            projects=projects,
            demands=demands,
            month=month,
            on=on,
            now=now,
            seed=seed,
            log=log,
        )


def _chains():
    """The project's chain structures; returns the chains and every leaf as (node id,
    chain id)."""
    import gongxin.chains
    from gongxin.chains.loading import chain_structure_load
    from gongxin.chains.models import ChainNode

    data = Path(gongxin.chains.__file__).resolve().parent / "data"
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data.glob("*.json"))]
    documents.sort(key=lambda d: (d.get("parent") is not None, d["code"]))
    chains = [chain_structure_load(document) for document in documents]
    leaves = list(
        ChainNode.objects.filter(children__isnull=True).order_by("pk").values_list("pk", "chain_id")
    )
    return chains, leaves


def _users(departments) -> tuple[object, list[int]]:
    """The leadership account the cockpit is read as, and 30 officials (projects'
    responsible officials); returns the leader and the officials' ids."""
    from gongxin.core.choices import Role
    from gongxin.core.demo import person_name
    from gongxin.core.models import User

    leader = User(username=LEADER_USERNAME, role=Role.LEADER, display_name="局领导（基准测试）")
    officials = [
        User(
            username=f"bench-officer-{n + 1}",
            role=Role.OFFICER if n % 3 else Role.STAFF,
            department=departments["jgc"] if n % 3 == 0 else None,
            display_name=person_name(100 + n),
        )
        for n in range(30)
    ]
    for user in [leader, *officials]:
        user.set_unusable_password()
    User.objects.bulk_create([leader, *officials])
    return leader, [u.pk for u in officials]


def _build(*, enterprises, projects, demands, month, on, now, seed, log) -> dict:
    from gongxin.core.demo import PARKS, departments_load, regions_load
    from gongxin.core.models import Industry
    from gongxin.enterprises.models import Enterprise
    from gongxin.enterprises.uscc import check_character

    rng = random.Random(seed)
    out = Writer()
    regions = regions_load()
    departments = departments_load()
    _leader, officials = _users(departments)
    chains, leaves = _chains()
    log(f"  regions, {len(departments)} departments, {len(chains)} chains, users")

    # Enterprises ---------------------------------------------------------------------------
    districts = [r for r in regions.values() if r.kind in ("district", "county")]
    parks = []
    for code, _name, _short, _kind, host in PARKS:
        district = regions[host]
        while district.kind not in ("district", "county"):
            district = district.parent
        parks.append((regions[code].pk, district))
    industries = list(Industry.objects.filter(level=4).values_list("pk", "code"))
    manufacturing = [pk for pk, code in industries if "13" <= code[:2] <= "43"] or [None]
    sizes = ["large"] * 2 + ["medium"] * 10 + ["small"] * 45 + ["micro"] * 43
    created = out.when(now - dt.timedelta(days=1200))
    # what the figures and the projects need of each enterprise, by id
    info: dict[int, tuple] = {}  # id: (district id, park id, above scale, operating)

    def enterprise_rows():
        for index in range(enterprises):
            pk = index + 1
            if rng.random() < 0.45:
                park, district = rng.choice(parks)
            else:
                park, district = None, rng.choice(districts)
            size = rng.choice(sizes)
            above = size in ("large", "medium") or rng.random() < 0.09
            operating = rng.random() < 0.97
            info[pk] = (district.pk, park, above, operating)
            yield (
                pk,
                uscc_for(index, region_code=district.code, check=check_character),
                company_name(rng, kinds=("科技", "实业", "制造", "工业", "")) + f"（{pk:06d}）",
                "",
                out.day(dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(28 * 365))),
                round(rng.lognormvariate(15.4, 1.4), 2),
                "",
                district.pk,
                park,
                rng.choice(manufacturing),
                size,
                above,
                "operating" if operating else "suspended",
                "",
                "",
                None,
                created,
                created,
            )

    columns = Writer.columns(
        Enterprise,
        ("id", "uscc", "name", "legal_representative", "established_on", "registered_capital",
         "address", "district_id", "park_id", "industry_id", "size_class", "above_scale",
         "status", "main_products", "business_scope", "service_officer_id", "created_at",
         "updated_at"),
    )  # fmt: skip
    out.write(Enterprise, columns, enterprise_rows())
    log(f"  enterprises: {enterprises:,} ({sum(1 for v in info.values() if v[2]):,} above size)")

    chain_of_leaf = dict(leaves)
    places_of = _places(rng, out, enterprises, [pk for pk, _c in leaves])
    log(f"  places on chains: {out.rows['chains_enterprisenode']:,}")

    revenue_last_year = _monthly_figures(out, info, month, seed, log)
    _qualifications(rng, out, enterprises, on)
    log(f"  qualifications: {out.rows['enterprises_qualification']:,}")

    made = _projects(rng, out, projects, info, places_of, chain_of_leaf, officials, month, on)
    log(
        f"  projects: {projects:,} ({made['steps']:,} stages, {made['months']:,} months; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(made["health"].items()))
        + ")"
    )

    demand_counts = _demands(rng, out, demands, enterprises, departments, month, now)
    log(f"  demands: {demands:,} ({demand_counts['open']:,} open)")

    plans = _plans(rng, enterprises, officials, month, on)
    log(f"  cultivation plans: {plans['plans']:,} ({plans['items']:,} items)")

    targets = _chain_targets(chains, places_of, chain_of_leaf, info, revenue_last_year, month)
    out.sequences_reset([Enterprise, *made["models"]])

    return {
        "enterprises": enterprises,
        "above_scale": sum(1 for v in info.values() if v[2]),
        "places": out.rows["chains_enterprisenode"],
        "enterprises_on_chains": len(places_of),
        "monthly_figures": out.rows["enterprises_monthlyfigure"],
        "months": MONTHS,
        "first_month": month_add(month, 1 - MONTHS).isoformat(),
        "month": month.isoformat(),
        "on": on.isoformat(),
        "qualifications": out.rows["enterprises_qualification"],
        "projects": projects,
        "project_steps": made["steps"],
        "project_months": made["months"],
        "project_health": made["health"],
        "demands": demands,
        "demands_open": demand_counts["open"],
        "plans": plans["plans"],
        "plan_items": plans["items"],
        "chains": len(chains),
        "chain_targets": targets,
    }


def _places(rng, out: Writer, enterprises: int, leaves: list[int]) -> dict[int, list[int]]:
    """A fifth of the enterprises confirmed on one or two leaves, 2 % more suggested on
    one; returns the confirmed leaves of each enterprise placed."""
    from gongxin.chains.models import EnterpriseNode

    confirmed: dict[int, list[int]] = {}
    rows = []
    for pk in range(1, enterprises + 1):
        if rng.random() < 0.2:
            nodes = sorted(set(rng.sample(leaves, 1 if rng.random() < 0.7 else 2)))
            confirmed[pk] = nodes
            rows += [(pk, n, "", "confirmed", "industry", "") for n in nodes]
        elif rng.random() < 0.025:
            rows.append((pk, rng.choice(leaves), "", "suggested", "keywords", ""))
    columns = Writer.columns(
        EnterpriseNode, ("enterprise_id", "node_id", "products", "status", "source", "evidence")
    )
    out.write(EnterpriseNode, columns, rows)
    return confirmed


def _monthly_figures(out: Writer, info: dict, month: dt.date, seed: int, log) -> dict[int, float]:
    """36 months of figures per enterprise up to `month`; returns last year's revenue of
    each enterprise above designated size (for the chains' targets)."""
    import numpy as np

    from gongxin.enterprises.models import MonthlyFigure

    gen = np.random.default_rng(seed)
    periods = [month_add(month, t - MONTHS + 1) for t in range(MONTHS)]
    days = [out.day(p) for p in periods]
    season = np.array([SEASON[p.month - 1] for p in periods])
    last_year = np.array([p.year == month.year - 1 for p in periods])
    # the level is the last twelve months': years before are discounted by the growth
    years_back = np.array([(MONTHS - 1 - t) / 12 for t in range(MONTHS)]) - 0.5
    ids = sorted(info)
    revenue_last_year: dict[int, float] = {}
    columns = Writer.columns(
        MonthlyFigure,
        ("enterprise_id", "period", "output_value", "revenue", "profit", "tax", "employees",
         "electricity"),
    )  # fmt: skip

    def rows():
        for start in range(0, len(ids), FIGURE_BATCH):
            chunk = ids[start : start + FIGURE_BATCH]
            k = len(chunk)
            above = np.array([info[pk][2] for pk in chunk])
            operating = np.array([info[pk][3] for pk in chunk])
            annual = np.where(
                above,
                20_000_000 * gen.lognormal(0.9, 1.0, k),
                gen.lognormal(15.9, 1.1, k),
            )
            growth = gen.normal(0.06, 0.10, k)
            falling = gen.random(k) < 0.04
            growth = np.where(falling, gen.uniform(-0.45, -0.25, k), growth)
            growth = np.maximum(growth, -0.6)
            trend = (1 + growth)[:, None] ** (-years_back[None, :])
            revenue = (annual / 12)[:, None] * season[None, :] * trend
            revenue *= gen.lognormal(0, 0.06, (k, MONTHS))
            output = revenue * gen.uniform(0.95, 1.12, k)[:, None]
            output *= gen.lognormal(0, 0.02, (k, MONTHS))
            margin = gen.normal(0.055, 0.04, k)[:, None] + gen.normal(0, 0.01, (k, MONTHS))
            profit = revenue * margin
            tax = revenue * gen.uniform(0.015, 0.06, k)[:, None]
            tax *= gen.lognormal(0, 0.05, (k, MONTHS))
            electricity = revenue * gen.uniform(0.02, 0.25, k)[:, None]
            electricity *= gen.lognormal(0, 0.05, (k, MONTHS))
            staff = np.maximum(5, annual / gen.uniform(300_000, 900_000, k))
            employees = np.maximum(1, staff[:, None] * gen.lognormal(0, 0.02, (k, MONTHS)))
            first = np.where(gen.random(k) < 0.03, gen.integers(1, MONTHS - 6, k), 0)
            misses_last = above & operating & (gen.random(k) < 0.01)
            no_power = gen.random((k, MONTHS)) < 0.01
            values = [
                np.round(output, 2).tolist(),
                np.round(revenue, 2).tolist(),
                np.round(profit, 2).tolist(),
                np.round(tax, 2).tolist(),
                np.rint(employees).astype(int).tolist(),
                np.round(electricity, 1).tolist(),
            ]
            last = (revenue * last_year[None, :]).sum(axis=1)
            for i, pk in enumerate(chunk):
                if above[i]:
                    revenue_last_year[pk] = float(last[i])
                o, r, p, t_, e, w = (v[i] for v in values)
                end = MONTHS - 1 if misses_last[i] else MONTHS
                for t in range(int(first[i]), end):
                    power = None if no_power[i, t] else w[t]
                    yield (pk, days[t], o[t], r[t], p[t], t_[t], e[t], power)
            if (start // FIGURE_BATCH) % 10 == 9:
                log(f"    figures of {start + k:,} enterprises")

    written = out.write(MonthlyFigure, columns, rows())
    log(f"  monthly figures: {written:,} ({periods[0]:%Y-%m} to {periods[-1]:%Y-%m})")
    return revenue_last_year


def _qualifications(rng, out: Writer, enterprises: int, on: dt.date) -> None:
    """15 % of the enterprises hold a three-year certificate (issued over the last three
    years, so about one in twelve expires within 90 days of `on`), a few two."""
    from gongxin.enterprises.models import Qualification

    kinds = ["high_tech"] * 4 + ["tech_sme"] * 3 + ["innovative_sme"] * 2 + [
        "specialized_sme", "green_factory", "tech_center", "little_giant", "smart_factory",
    ]  # fmt: skip
    levels = ("national", "provincial", "provincial", "municipal")
    rows = []
    for pk in range(1, enterprises + 1):
        if rng.random() >= 0.15:
            continue
        held = sorted({rng.choice(kinds) for _ in range(1 if rng.random() < 0.8 else 2)})
        for kind in held:
            issued = on - dt.timedelta(days=rng.randrange(20, 3 * 365))
            expires = issued.replace(day=1).replace(year=issued.year + 3) - dt.timedelta(days=1)
            rows.append((pk, kind, rng.choice(levels), "", out.day(issued), out.day(expires)))
    columns = Writer.columns(
        Qualification,
        ("enterprise_id", "kind", "level", "certificate_no", "issued_on", "expires_on"),
    )
    out.write(Qualification, columns, rows)


# Projects ------------------------------------------------------------------------------------

PROJECT_TYPES = ["tech_upgrade"] * 4 + ["digital"] * 2 + ["new", "expansion"] * 2 + [
    "smart_factory", "attraction",
]  # fmt: skip
PROJECT_WORDS = ["技改", "扩产", "智能化改造", "新建"]
#: Days from one planned stage to the next: 立项, 开工, 竣工, 投产, 达产.
STAGE_GAPS = [(30, 90), (30, 150), (240, 720), (30, 90), (120, 365)]


def _projects(rng, out, count, info, places_of, chain_of_leaf, officials, month, on) -> dict:
    from gongxin.projects import progress
    from gongxin.projects.choices import STAGE_ORDER
    from gongxin.projects.models import Project, ProjectMonth, ProjectStep

    this_month = on.replace(day=1)
    owners = [pk for pk, v in info.items() if v[3]]
    weights = [5 if info[pk][2] else 1 for pk in owners]
    project_rows, step_rows, month_rows = [], [], []
    health = Counter()
    for n in range(count):
        pk = n + 1
        enterprise = rng.choices(owners, weights)[0]
        district, park = info[enterprise][0], info[enterprise][1]
        node = chain = None
        if enterprise in places_of and rng.random() < 0.6:
            node = rng.choice(places_of[enterprise])
            chain = chain_of_leaf[node]
        planned_total = round(rng.lognormvariate(18.2, 1.0), -4)  # median about 80 million
        equipment_planned = round(planned_total * rng.uniform(0.3, 0.6), -4)

        # planned stages from the signing, and how it goes
        signed = on - dt.timedelta(days=rng.randrange(60, 3 * 365))
        planned = [signed]
        for low, high in STAGE_GAPS:
            planned.append(planned[-1] + dt.timedelta(days=rng.randint(low, high)))
        fate = rng.random()
        if fate < 0.65:  # keeps to plan
            slip, stuck_at, pace = 0, None, rng.uniform(0.93, 1.08)
        elif fate < 0.85:  # slips
            slip, stuck_at, pace = rng.randint(20, 90), None, rng.uniform(0.75, 0.95)
        else:  # stuck at a stage, short of money
            slip, stuck_at, pace = rng.randint(0, 30), rng.randint(1, 4), rng.uniform(0.3, 0.65)
        reached: list[dt.date | None] = []
        for i, day in enumerate(planned):
            actual = day + dt.timedelta(days=rng.randint(-5, 10) + slip * (i > 0))
            if i == 0:
                actual = day
            if (stuck_at is not None and i >= stuck_at) or actual > on:
                actual = None
            if reached and reached[-1] is None:
                actual = None
            reached.append(actual)
        steps = [progress.Step(STAGE_ORDER[i], planned[i], reached[i]) for i in range(len(planned))]
        step_rows += [(pk, s.stage, out.day(s.planned_on), out.day(s.reached_on)) for s in steps]

        # months: planned over the planned build, completed over the actual one
        build_from, build_to = planned[2].replace(day=1), planned[3].replace(day=1)
        span = _months_between(build_from, build_to) + 1
        months: list[progress.Month] = []
        silent = rng.random() < 0.05  # has not reported last month
        for i in range(span):
            m = month_add(build_from, i)
            if m > month_add(this_month, 3):
                break
            share = _s_curve((i + 1) / span) - _s_curve(i / span)
            plan_m = round(planned_total * share, -2)
            done = None
            reported_month = not (silent and m == month_add(this_month, -1))
            if reached[2] is not None and m < this_month and reported_month:
                done = round(plan_m * pace * rng.uniform(0.85, 1.15), -2)
            months.append(
                progress.Month(m, Decimal(plan_m), None if done is None else Decimal(done))
            )
        month_rows += [
            (
                pk,
                out.day(m.month),
                m.planned,
                m.completed,
                None
                if m.completed is None
                else (m.completed * Decimal("0.4")).quantize(Decimal("0.01")),
                "",
                None,
                None,
            )
            for m in months
        ]
        reported = [m.completed for m in months if m.completed is not None]
        completed = sum(reported, Decimal(0)) if reported else None
        judged = progress.judge(steps, months, on)
        health[judged.health] += 1
        stage = progress.current_stage(steps)
        project_rows.append(
            (
                pk,
                f"XM{signed.year}-{pk:05d}",
                f"企业{enterprise:06d}{rng.choice(PROJECT_WORDS)}项目{n % 7 + 1}",
                rng.choice(PROJECT_TYPES),
                rng.choice(("province", "city", "city", "district")),
                "",
                enterprise,
                chain,
                node,
                district,
                park,
                planned_total,
                None if completed is None else completed,
                equipment_planned,
                None
                if completed is None
                else (completed * Decimal("0.4")).quantize(Decimal("0.01")),
                stage,
                out.day(planned[2]),
                out.day(planned[3]),
                out.day(reached[2]),
                out.day(reached[3]),
                rng.choice(officials) if rng.random() < 0.8 else None,
                judged.health,
                out.day(on),
                out.when(dt.datetime.combine(signed, dt.time(9), tzinfo=UTC)),
            )
        )
    out.write(
        Project,
        Writer.columns(
            Project,
            ("id", "code", "name", "project_type", "level", "content", "enterprise_id",
             "chain_id", "node_id", "district_id", "park_id", "planned_investment",
             "completed_investment", "equipment_planned", "equipment_completed", "stage",
             "start_planned", "end_planned", "started_on", "completed_on", "official_id",
             "health", "health_on", "created_at"),
        ),
        project_rows,
    )  # fmt: skip
    out.write(
        ProjectStep,
        Writer.columns(ProjectStep, ("project_id", "stage", "planned_on", "reached_on")),
        step_rows,
    )
    out.write(
        ProjectMonth,
        Writer.columns(
            ProjectMonth,
            ("project_id", "month", "planned", "completed", "equipment", "progress",
             "reported_at", "reported_by_id"),
        ),
        month_rows,
    )  # fmt: skip
    return {
        "steps": len(step_rows),
        "months": len(month_rows),
        "health": dict(health),
        "models": [Project],
    }


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _s_curve(x: float) -> float:
    """Share of a build's investment spent by `x` (0–1) of its time: slow, fast, slow."""
    return x * x * (3 - 2 * x)


# Demands -------------------------------------------------------------------------------------

CATEGORIES = {
    "labour": ("招工难，请协助对接劳务资源", "rsj"),
    "finance": ("流动资金紧张，申请对接银行贷款", "jrj"),
    "land": ("扩产用地指标申请", "zrzyj"),
    "energy": ("申请增容供电", "gdgs"),
    "approval": ("项目审批进度咨询", "xzspj"),
    "policy": ("咨询技改奖补政策兑现", "jgc"),
    "market": ("希望对接本地配套采购", "swj"),
    "innovation": ("申请研发费用补助", "kjj"),
    "logistics": ("园区道路货车通行受限", "jtj"),
    "other": ("企业周边环境整治", "zxqyc"),
}


def _demands(rng, out, count, enterprises, departments, month, now) -> dict:
    """Demands registered from January of last year to `now`, each as far through the
    loop as its age makes likely."""
    from gongxin.demands.models import Demand
    from gongxin.demands.statistics import stats_touch_all

    first = dt.datetime(month.year - 1, 1, 1, tzinfo=UTC)
    seconds = (now - first).total_seconds()
    rows, open_count = [], 0
    day = dt.timedelta(days=1)
    names = list(CATEGORIES)
    for _ in range(count):
        # more of them recently (a slow rise), in office hours
        registered = first + dt.timedelta(seconds=seconds * rng.random() ** 0.8)
        registered = registered.replace(hour=rng.randint(0, 9), minute=rng.randint(0, 59))
        registered = min(registered, now - dt.timedelta(hours=1))
        age = (now - registered).total_seconds() / 86400
        category = rng.choice(names)
        title, lead_code = CATEGORIES[category]
        draw = rng.random()
        if age < 2:
            status = rng.choice(("registered", "dispatched", "accepted"))
        elif age < 15:
            status = ("accepted", "in_progress", "in_progress", "resolved", "rated")[int(draw * 5)]
        else:
            status = "closed" if draw < 0.6 else "rated" if draw < 0.85 else "resolved"
            status = "in_progress" if rng.random() < 0.04 else status  # stragglers
        resolved_at = closed_at = None
        if status in ("resolved", "rated", "closed"):
            resolved_at = min(registered + day * rng.uniform(0.5, min(12, age)), now)
            if status == "closed":
                closed_at = min(resolved_at + day * rng.uniform(1, 5), now)
        else:
            open_count += 1
        rating = ""
        if status in ("rated", "closed"):
            rating = "satisfied" if rng.random() < 0.82 else "fairly"
        lead = departments[lead_code].pk if status != "registered" else None
        rows.append(
            (
                rng.randint(1, enterprises),
                None,
                title,
                f"{title}。（基准测试生成）",
                category,
                "",
                "urgent" if rng.random() < 0.1 else "normal",
                rng.choice(("portal", "visit", "phone", "hotline")),
                "",
                status,
                lead,
                out.when(registered),
                None,
                out.when(registered + day),
                out.when(registered + 3 * day) if lead else None,
                out.when(registered + 10 * day) if lead else None,
                out.when(resolved_at),
                out.when(closed_at),
                rating,
                0,
                False,
                None,
                None,
                None,
                0,
            )
        )
    columns = Writer.columns(
        Demand,
        ("enterprise_id", "project_id", "title", "text", "category", "category_evidence",
         "urgency", "source", "reference", "status", "lead_id", "registered_at",
         "registered_by_id", "dispatch_due", "reply_due", "resolve_due", "resolved_at",
         "closed_at", "rating", "reopened", "key", "visit_id", "duplicate_of_id",
         "merged_into_id", "version"),
    )  # fmt: skip
    out.write(Demand, columns, rows)
    stats_touch_all()
    return {"open": open_count}


# Cultivation plans and chain targets ---------------------------------------------------------


def _plans(rng, enterprises, officials, month, on) -> dict:
    from gongxin.enterprises.models import CultivationPlan, PlanItem

    tiers = ["to_scale", "innovative_sme", "specialized_sme", "little_giant"]
    plans = []
    for pk in rng.sample(range(1, enterprises + 1), max(1, enterprises // 100)):
        start = rng.randint(month.year - 2, month.year)
        draw = rng.random()
        status = "active" if draw < 0.8 else "achieved" if draw < 0.95 else "dropped"
        plans.append(
            CultivationPlan(
                enterprise_id=pk,
                tier=rng.choice(tiers),
                goal="三年内实现培育目标（基准测试生成）",
                official_id=rng.choice(officials),
                start_year=start,
                target_year=start + rng.randint(1, 3),
                status=status,
                achieved_on=on - dt.timedelta(days=rng.randint(1, 300))
                if status == "achieved"
                else None,
            )
        )
    CultivationPlan.objects.bulk_create(plans, batch_size=2000)
    items = []
    for plan in plans:
        for i in range(rng.randint(3, 6)):
            due = dt.date(plan.start_year, 1, 1) + dt.timedelta(days=rng.randint(60, 1000))
            draw = rng.random()
            done = due <= on and draw < 0.7
            status = "done" if done else "under_way" if draw < 0.85 else "planned"
            items.append(
                PlanItem(
                    plan=plan,
                    kind="milestone" if i == 0 else "measure",
                    text=f"培育措施{i + 1}",
                    due_on=due,
                    status=status,
                    done_on=min(due, on) if status == "done" else None,
                )
            )
    PlanItem.objects.bulk_create(items, batch_size=5000)
    return {"plans": len(plans), "items": len(items)}


def _chain_targets(chains, places_of, chain_of_leaf, info, revenue_last_year, month) -> int:
    """Each top-level chain's revenue target for the year: last year's revenue of its
    confirmed enterprises above designated size, +10 %."""
    from gongxin.chains.models import ChainTarget

    members = defaultdict(set)
    for enterprise, nodes in places_of.items():
        for node in nodes:
            members[chain_of_leaf[node]].add(enterprise)
    targets = []
    for chain in chains:
        if chain.parent_id is not None:
            continue
        total = sum(revenue_last_year.get(e, 0.0) for e in members[chain.pk])
        above = sum(1 for e in members[chain.pk] if info[e][2])
        targets.append(
            ChainTarget(
                chain=chain,
                year=month.year,
                revenue=Decimal(round(total * 1.1, -4)).quantize(Decimal("0.01")),
                above_scale_count=int(above * 1.05),
            )
        )
    ChainTarget.objects.bulk_create(targets)
    return len(targets)
