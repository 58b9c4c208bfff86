"""Build the demands the demand benchmark reads, straight into the configured database.

The demo city's regions and departments (`core.demo`), the project's real chain structures
(`chains/data/*.json`, loaded with `chain_structure_load`), a desk of three division staff
(运行监测协调处) and 40 users of 23 handling departments; `enterprises` enterprises (valid
USCCs, the demo districts and parks, GB/T 4754 classes), a fifth of them confirmed on one or
two nodes of a chain; then `demands` demands registered over the two years up to `now`
(working days weigh more than weekends and holidays, a slow rise over the two years, office
hours mostly), each of one enterprise (skewed: some enterprises ask often, a third never).

Each demand lives through the loop in simulated time — dispatched within hours, accepted,
answered for the first time (an interim reply when it takes longer than a day and a half),
resolved after a couple of days (a few stragglers take weeks), rated by most enterprises
(an unsatisfied rating reopens it), followed up and closed — and is stored as it stands at
`now`, with the deadlines the services would have given it (`services.sla` in Chinese
working days, `core.workdays`). So old demands are closed or rated, recent ones are at
every step of the loop, a few are past a deadline and some are due within a working day:
the sweep finds real work. Around them: the lead department by category (what 人社局,
金融局, 供电公司 … handle), co-departments for a tenth of the dispatched ones, the chains of
the enterprise for demands of enterprises on one, merged and possible-duplicate demands,
12345 hotline references, and the hot-topic word counts per month (`DemandTerm`).

Nothing goes through the services (a million `demand_register` calls would take hours):
rows are written with COPY on PostgreSQL and `executemany` on SQLite, with explicit ids, in
chunks. Afterwards `stats_touch_all()` marks every day of the stored statistics stale,
as a bulk load must, and nothing reads them: the first statistics view pays the rebuild.
Demand events, visits, factor requests and attachments are left out: no measured page reads
them. The same seed and `now` give the same rows; `now` defaults to the run's start.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from common import company_name, uscc_for

DESK_USERNAME = "bench-desk"
DEPARTMENT_USERNAME = "bench-dept"
#: The department whose inbox is measured: 人社局, which leads the most demands (labour
#: and talent), so its inbox is the largest a department has.
DEPARTMENT_CODE = "rsj"
DESK_CODE = "yxc"
CHUNK = 20_000
HOUR, DAY = 3600.0, 86400.0
TZ = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
OFFSET = 8 * HOUR  # Asia/Shanghai has had no daylight saving since 1991

#: Share of the demands per category, and who leads them (department code: weight).
CATEGORIES: dict[str, tuple[float, dict[str, float]]] = {
    "labour": (0.16, {"rsj": 0.8, "zxqyc": 0.2}),
    "talent": (0.07, {"rsj": 0.6, "kjj": 0.4}),
    "finance": (0.15, {"jrj": 0.6, "czj": 0.2, "zxqyc": 0.2}),
    "land": (0.07, {"zrzyj": 0.8, "jgc": 0.2}),
    "energy": (0.08, {"gdgs": 0.7, "fgw": 0.2, "jnc": 0.1}),
    "logistics": (0.05, {"jtj": 0.8, "swj": 0.2}),
    "approval": (0.10, {"xzspj": 0.5, "sthjj": 0.3, "zjj": 0.2}),
    "policy": (0.12, {"czj": 0.4, "zxqyc": 0.3, "jgc": 0.3}),
    "market": (0.07, {"swj": 0.7, "dzxxc": 0.15, "xfpc": 0.15}),
    "innovation": (0.06, {"kjj": 0.6, "jgc": 0.2, "xxhc": 0.2}),
    "park": (0.04, {"zjj": 0.6, "ghc": 0.4}),
    "other": (0.03, {}),  # any handling department
}
#: (title, text) per category; {n} a small number.
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "labour": [
        (
            "普工招聘困难，缺口约{n}人",
            "我司订单增加，生产线普工缺口约{n}人，希望协助对接劳务输出地，组织专场招聘会。",
        ),
        (
            "申请稳岗补贴和社保返还",
            "我司今年未裁员，申请稳岗补贴和社保返还，请协助核实办理进度。",
        ),
        (
            "技术工人紧缺，请求组织用工对接",
            "新生产线投产后技术工人缺口{n}人，请求组织用工对接和岗前培训。",
        ),
    ],
    "talent": [
        (
            "引进工程师落户和人才公寓",
            "我司引进{n}名工程师，希望协助办理落户并安排人才公寓。",
        ),
        (
            "博士后工作站申报",
            "我司拟申报博士后科研工作站，希望给予人才政策和申报指导。",
        ),
    ],
    "finance": [
        (
            "申请续贷{n}00万元",
            "我司一笔{n}00万元流动资金贷款即将到期，希望协调银行办理续贷，缓解资金压力。",
        ),
        (
            "融资担保费率偏高",
            "我司通过担保公司融资，担保费率偏高，希望协调降低融资成本。",
        ),
        (
            "技改项目贷款贴息",
            "我司技改项目贷款{n}00万元，申请贷款贴息和融资支持。",
        ),
    ],
    "land": [
        (
            "扩建厂房用地指标",
            "我司计划扩建厂房，需要新增用地约{n}亩，希望协调用地指标和规划调整。",
        ),
        (
            "办理土地证遗留问题",
            "我司厂房土地证因历史原因一直未能办理，希望协调解决。",
        ),
    ],
    "energy": [
        (
            "用电增容申请",
            "我司新增生产线，需要用电增容{n}00千伏安，希望供电公司加快办理。",
        ),
        (
            "天然气供气压力不足",
            "园区天然气供气压力不足，影响我司生产，希望协调供气单位解决。",
        ),
        (
            "蒸汽供应不稳定",
            "我司生产用蒸汽供应不稳定，希望协调集中供热单位保障供应。",
        ),
    ],
    "logistics": [
        (
            "货运车辆通行受限",
            "我司货运车辆进出厂区道路受限，希望协调办理通行证。",
        ),
        (
            "仓储物流配套不足",
            "园区仓储物流配套不足，希望协调建设公共仓储和物流中心。",
        ),
    ],
    "approval": [
        (
            "环评审批进度",
            "我司扩产项目环评已提交{n}天，希望加快审批进度。",
        ),
        (
            "消防验收办理",
            "我司新建厂房消防验收办理缓慢，希望协调相关部门尽快验收。",
        ),
        (
            "施工许可手续",
            "我司技改项目施工许可手续办理中，希望容缺受理、并联审批。",
        ),
    ],
    "policy": [
        (
            "奖补资金未兑现",
            "我司去年获评的奖励资金{n}万元尚未兑现，希望尽快拨付。",
        ),
        (
            "专精特新申报指导",
            "我司拟申报专精特新企业，希望给予政策解读和申报辅导。",
        ),
    ],
    "market": [
        (
            "拓展市场订单对接",
            "我司产品希望进入本地龙头企业采购目录，请求组织供需对接，拓展市场。",
        ),
        (
            "参加展会补贴",
            "我司参加境外展会开拓出口市场，希望享受展会补贴政策。",
        ),
    ],
    "innovation": [
        (
            "研发平台建设支持",
            "我司建设企业技术中心，希望在研发设备投入方面给予支持。",
        ),
        (
            "检测认证费用高",
            "我司产品检测认证费用高、周期长，希望对接本地检测机构和实验室。",
        ),
    ],
    "park": [
        (
            "园区公交线路不便",
            "园区公交线路少，职工上下班不便，希望增开公交线路。",
        ),
        (
            "园区污水管网未接通",
            "我司所在园区污水管网未接通，希望加快配套建设。",
        ),
    ],
    "other": [
        (
            "企业周边治安问题",
            "企业周边夜间治安较差，希望加强巡逻。",
        ),
        (
            "咨询企业迁建政策",
            "我司计划迁建新址，咨询迁建过程中的相关事项。",
        ),
    ],
}
SOURCES = [("portal", 0.40), ("visit", 0.20), ("phone", 0.15), ("hotline", 0.25)]


def _fields_check(model, columns: Iterable[str]) -> list[str]:
    """The columns of `model`'s table, in the order given, after checking that they are
    exactly its concrete fields: a field added to the model must be added here too."""
    columns = list(columns)
    actual = {f.column for f in model._meta.concrete_fields}
    if set(columns) != actual:
        raise RuntimeError(
            f"{model.__name__}: datagen writes {sorted(set(columns) - actual)} that the model "
            f"lacks and lacks {sorted(actual - set(columns))}: bench/demands/datagen.py "
            "has to follow the model"
        )
    return columns


class Writer:
    """Rows into tables in bulk: COPY on PostgreSQL, executemany on SQLite. Values come in
    the database's own form: `when(epoch)` gives the datetime PostgreSQL's COPY takes, or
    the text Django stores in SQLite (UTC, no zone)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.rows_written: Counter = Counter()

    def when(self, epoch: float | None):
        if epoch is None:
            return None
        moment = dt.datetime.fromtimestamp(round(epoch), UTC)
        return moment if self.postgres else moment.replace(tzinfo=None).isoformat(" ")

    def day(self, value: dt.date):
        return value if self.postgres else value.isoformat()

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
                marks = ", ".join("?" * len(columns))
                raw = self.connection.connection
                batch: list[tuple] = []
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
                for row in rows:
                    batch.append(row)
                    if len(batch) >= CHUNK:
                        raw.executemany(sql, batch)
                        count += len(batch)
                        batch.clear()
                if batch:
                    raw.executemany(sql, batch)
                    count += len(batch)
        self.rows_written[table] += count
        return count

    def sequences_reset(self, models: list) -> None:
        """PostgreSQL: move the id sequences past the explicit ids (SQLite's AUTOINCREMENT
        follows the largest id by itself)."""
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


# Time ------------------------------------------------------------------------------------


class Calendar:
    """The local days from `first` to `last` with their weight for new demands and the
    deadlines the services give on each (end of the Nth working day, as epochs)."""

    def __init__(self, first: dt.date, last: dt.date):
        from gongxin.core import workdays

        self.first = first
        self.base = dt.datetime.combine(first, dt.time.min, tzinfo=TZ).timestamp()
        self.days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        self.workday = [workdays.is_workday(d) for d in self.days]
        self.deadline = {
            n: [workdays.add_workdays(d, n).timestamp() for d in self.days] for n in (1, 3, 5)
        }

    def index(self, epoch: float) -> int:
        return min(len(self.days) - 1, int((epoch - self.base) // DAY))

    def due(self, epoch: float, workdays: int) -> float:
        """The end of the `workdays`-th working day after the local date of `epoch`."""
        return self.deadline[workdays][self.index(epoch)]


def _registrations(
    rng: random.Random, calendar: Calendar, count: int, now: float
) -> Iterator[float]:
    """`count` registration moments up to `now`, in order."""
    total_days = len(calendar.days)
    weights = []
    for k, _day in enumerate(calendar.days):
        w = (1.0 if calendar.workday[k] else 0.12) * (0.85 + 0.3 * k / total_days)
        weights.append(w)
    day_start = calendar.base + (total_days - 1) * DAY
    # Today counts only its part before `now` (of office hours, 8:00–18:00).
    elapsed = min(1.0, max(0.0, (now - day_start - 8 * HOUR) / (10 * HOUR)))
    weights[-1] *= max(elapsed, 0.02)
    scale = count / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    for k in sorted(range(total_days), key=lambda k: exact[k] - counts[k], reverse=True)[
        : count - sum(counts)
    ]:
        counts[k] += 1
    for k, n in enumerate(counts):
        start = calendar.base + k * DAY
        end = min(start + DAY, now)
        moments = []
        for _ in range(n):
            if rng.random() < 0.85:  # office hours
                moment = start + 8 * HOUR + rng.random() * 10 * HOUR
            else:  # the hotline and the portal never close
                moment = start + rng.random() * DAY
            moments.append(min(moment, end - 1.0))
        moments.sort()
        yield from moments


# Build -----------------------------------------------------------------------------------


def build(*, demands: int, enterprises: int, seed: int, now: dt.datetime, log=print) -> dict:
    """Create everything; returns what was created. One transaction."""
    from django.db import transaction

    with transaction.atomic():
        return _build(demands=demands, enterprises=enterprises, seed=seed, now=now, log=log)


def _users(departments: dict) -> tuple[list, dict[int, list[int]]]:
    """The desk, the handling departments' users (and a head for half of the departments);
    returns the desk and the users per department id."""
    from gongxin.core.choices import Role
    from gongxin.core.demo import person_name
    from gongxin.core.models import Department, User

    def user(username: str, role: str, department, n: int) -> User:
        u = User(username=username, role=role, department=department, display_name=person_name(n))
        u.set_unusable_password()
        return u

    desk = [
        user(name, Role.STAFF, departments[DESK_CODE], i)
        for i, name in enumerate((DESK_USERNAME, "bench-desk-2", "bench-desk-3"))
    ]
    handling = [d for code, d in departments.items() if code not in ("bgs", DESK_CODE)]
    # One user per handling department (人社局's is the one measured), then a second
    # one for the first departments until there are 40.
    staff: list[User] = []
    for n, d in enumerate(handling + handling[: 40 - len(handling)]):
        count = sum(1 for u in staff if u.department_id == d.pk)
        name = DEPARTMENT_USERNAME if d.code == DEPARTMENT_CODE and not count else None
        staff.append(user(name or f"dept-{d.code}-{count + 1}", Role.DEPARTMENT, d, 10 + n))
    User.objects.bulk_create(desk + staff)
    by_department: dict[int, list[int]] = {}
    for u in staff:
        by_department.setdefault(u.department_id, []).append(u.pk)
    # Overdue matters escalate to a head: half of the departments name one.
    for d in handling[::2]:
        Department.objects.filter(pk=d.pk).update(head_id=by_department[d.pk][0])
    return desk, by_department


def _chains():
    """The project's chain structures; returns the chains and their leaves (node ids)."""
    import gongxin.chains
    from gongxin.chains.loading import chain_structure_load
    from gongxin.chains.models import ChainNode

    data = Path(gongxin.chains.__file__).resolve().parent / "data"
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data.glob("*.json"))]
    documents.sort(key=lambda d: (d.get("parent") is not None, d["code"]))
    chains = [chain_structure_load(document) for document in documents]
    leaves: dict[int, list[int]] = {c.pk: [] for c in chains}
    for pk, chain_id in ChainNode.objects.filter(children__isnull=True).values_list(
        "pk", "chain_id"
    ):
        leaves[chain_id].append(pk)
    return chains, leaves


def _build(*, demands: int, enterprises: int, seed: int, now: dt.datetime, log) -> dict:
    from gongxin.chains.models import EnterpriseNode
    from gongxin.core.demo import PARKS, departments_load, regions_load
    from gongxin.core.models import Industry
    from gongxin.demands import topics
    from gongxin.demands.categorize import suggest_category
    from gongxin.demands.models import Demand, DemandTerm
    from gongxin.enterprises.models import Enterprise
    from gongxin.enterprises.uscc import check_character

    rng = random.Random(seed)
    out = Writer()
    now_epoch = now.timestamp()
    regions = regions_load()
    departments = departments_load()
    desk, staff = _users(departments)
    chains, leaves = _chains()
    log(f"  regions, {len(departments)} departments, {len(chains)} chains, users")

    # Enterprises ---------------------------------------------------------------------
    districts = [r for r in regions.values() if r.kind in ("district", "county")]
    parks = []
    for code, _name, _short, _kind, host in PARKS:
        district = regions[host]
        while district.kind not in ("district", "county"):
            district = district.parent
        parks.append((regions[code].pk, district))
    industries = list(Industry.objects.filter(level=4).values_list("pk", flat=True))
    sizes = ["large"] * 2 + ["medium"] * 10 + ["small"] * 45 + ["micro"] * 43
    created = out.when(now_epoch - 800 * DAY)
    district_of: list[int] = []
    columns = _fields_check(
        Enterprise,
        ("id", "uscc", "name", "legal_representative", "established_on", "registered_capital",
         "address", "district_id", "park_id", "industry_id", "size_class", "above_scale",
         "status", "main_products", "business_scope", "service_officer_id", "created_at",
         "updated_at"),
    )  # fmt: skip

    def enterprise_rows():
        for index in range(enterprises):
            if rng.random() < 0.45:
                park, district = rng.choice(parks)
            else:
                park, district = None, rng.choice(districts)
            size = rng.choice(sizes)
            district_of.append(district.pk)
            yield (
                index + 1,
                uscc_for(index, region_code=district.code, check=check_character),
                company_name(rng, kinds=("科技", "实业", "制造", "工业", "")),
                "",
                None,
                Decimal(f"{rng.lognormvariate(15.4, 1.4):.2f}"),
                "",
                district.pk,
                park,
                rng.choice(industries) if industries else None,
                size,
                size in ("large", "medium") or rng.random() < 0.08,
                "operating" if rng.random() < 0.95 else "suspended",
                "",
                "",
                None,
                created,
                created,
            )

    out.write(Enterprise, columns, enterprise_rows())
    log(f"  enterprises: {enterprises:,}")

    # A fifth of them confirmed on one or two leaves of a chain -------------------------
    node_chain = {node: chain for chain, nodes in leaves.items() for node in nodes}
    all_leaves = sorted(node_chain)
    chains_of: dict[int, tuple[int, ...]] = {}
    places = []
    for enterprise_id in range(1, enterprises + 1):
        if rng.random() >= 0.2:
            continue
        nodes = rng.sample(all_leaves, 1 if rng.random() < 0.7 else 2)
        chains_of[enterprise_id] = tuple(sorted({node_chain[n] for n in nodes}))
        places += [(enterprise_id, n, "confirmed", "industry") for n in nodes]
    placed = {(e, n) for e, n, _s, _src in places}
    for enterprise_id in rng.sample(range(1, enterprises + 1), enterprises // 50):
        node = rng.choice(all_leaves)
        if (enterprise_id, node) not in placed:  # a suggestion waiting for staff
            placed.add((enterprise_id, node))
            places.append((enterprise_id, node, "suggested", "keywords"))
    columns = _fields_check(
        EnterpriseNode,
        ("id", "enterprise_id", "node_id", "products", "status", "source", "evidence"),
    )
    out.write(
        EnterpriseNode,
        columns,
        ((i + 1, e, n, "", s, src, "") for i, (e, n, s, src) in enumerate(places)),
    )
    log(f"  places on chains: {len(places):,} ({len(chains_of):,} enterprises confirmed)")

    # Demands -----------------------------------------------------------------------------
    first_day = (now.astimezone(TZ) - dt.timedelta(days=730)).date()
    calendar = Calendar(first_day, now.astimezone(TZ).date())
    handling = [d.pk for code, d in departments.items() if code not in ("bgs", DESK_CODE)]
    category_names = list(CATEGORIES)
    category_cum = _cumulative(w for w, _ in CATEGORIES.values())
    leads = {}
    for name, (_w, weights) in CATEGORIES.items():
        pks = [departments[c].pk for c in weights] or handling
        leads[name] = (pks, _cumulative(weights.values() or [1.0] * len(pks)))
    source_names = [s for s, _ in SOURCES]
    source_cum = _cumulative(w for _, w in SOURCES)
    templates = {}
    for name, pairs in TEMPLATES.items():
        templates[name] = []
        for title, text in pairs:
            sample = f"{title}\n{text}".format(n=5)
            suggested, evidence = suggest_category(sample)
            terms = topics.demand_terms(sample)
            templates[name].append((title, text, evidence if suggested == name else "", terms))
    weights = [
        0.0 if rng.random() < 0.3 else rng.lognormvariate(0, 1.2) for _ in range(enterprises)
    ]
    enterprise_cum = _cumulative(weights)
    desk_ids = [u.pk for u in desk]
    demand_columns = _fields_check(
        Demand,
        ("id", "enterprise_id", "title", "text", "category", "category_evidence", "urgency",
         "source", "reference", "status", "lead_id", "registered_at", "registered_by_id",
         "dispatch_due", "reply_due", "resolve_due", "resolved_at", "closed_at", "rating",
         "reopened", "key", "visit_id", "duplicate_of_id", "merged_into_id", "version"),
    )  # fmt: skip
    co_model = Demand.co_departments.through
    chain_model = Demand.chains.through
    co_columns = _fields_check(co_model, ("id", "demand_id", "department_id"))
    chain_columns = _fields_check(chain_model, ("id", "demand_id", "chain_id"))
    last_of: dict[int, tuple[int, float]] = {}  # enterprise: (its latest demand, when)
    terms: Counter = Counter()
    counts: Counter = Counter()
    co_rows: list[tuple] = []
    chain_rows: list[tuple] = []
    hotline_seq: Counter = Counter()
    chunk: list[tuple] = []
    when = out.when

    def flush():
        out.write(Demand, demand_columns, chunk)
        out.write(co_model, co_columns, co_rows)
        out.write(chain_model, chain_columns, chain_rows)
        chunk.clear()
        co_rows.clear()
        chain_rows.clear()

    co_id = chain_id = 0
    for pk, registered in enumerate(_registrations(rng, calendar, demands, now_epoch), start=1):
        enterprise_id = bisect.bisect_right(enterprise_cum, rng.random() * enterprise_cum[-1]) + 1
        enterprise_id = min(enterprise_id, enterprises)
        category = category_names[_pick(rng, category_cum)]
        title, text, evidence, words = rng.choice(templates[category])
        number = rng.randint(2, 60)
        title, text = title.format(n=number), text.format(n=number)
        source = source_names[_pick(rng, source_cum)]
        reference = ""
        day = calendar.days[calendar.index(registered)]
        if source == "hotline":
            hotline_seq[day] += 1
            reference = f"12345-{day:%Y%m%d}{hotline_seq[day]:04d}"
        urgency = "urgent" if rng.random() < 0.05 else "normal"
        month = day.replace(day=1)
        terms.update((month, w) for w in words)
        state = _life(rng, calendar, registered, now_epoch)
        previous = last_of.get(enterprise_id)
        merged_into = duplicate_of = None
        if previous and registered - previous[1] < 30 * DAY and state["status"] != "open-new":
            roll = rng.random()
            if roll < 0.02 and state["status"] in ("closed", "rated", "resolved"):
                merged_into = previous[0]
                state = {"status": "merged", "dispatch_due": calendar.due(registered, 1)}
            elif roll < 0.04:
                duplicate_of = previous[0]
        last_of[enterprise_id] = (pk, registered)
        status = state["status"]
        if status == "open-new":
            status = "registered"
        lead = None
        if status not in ("registered", "merged"):
            pks, cum = leads[category]
            lead = pks[_pick(rng, cum)]
            if rng.random() < 0.10:
                for other in rng.sample(handling, rng.choice((1, 1, 2))):
                    if other != lead:
                        co_id += 1
                        co_rows.append((co_id, pk, other))
        for chain in chains_of.get(enterprise_id, ()):
            chain_id += 1
            chain_rows.append((chain_id, pk, chain))
        counts[status] += 1
        chunk.append(
            (
                pk,
                enterprise_id,
                title,
                text,
                category,
                evidence,
                urgency,
                source,
                reference,
                status,
                lead,
                when(registered),
                rng.choice(desk_ids) if source in ("phone", "hotline") else None,
                when(state["dispatch_due"]),
                when(state.get("reply_due")),
                when(state.get("resolve_due")),
                when(state.get("resolved_at")),
                when(state.get("closed_at")),
                state.get("rating", ""),
                state.get("reopened", 0),
                rng.random() < 0.06,
                None,
                duplicate_of,
                merged_into,
                state.get("version", 0),
            )
        )
        if len(chunk) >= CHUNK:
            flush()
            if pk % 200_000 == 0:
                log(f"  demands: {pk:,}")
    flush()
    log(f"  demands: {demands:,}; co-departments {co_id:,}, demand–chain rows {chain_id:,}")

    # Hot-topic words per month --------------------------------------------------------------
    term_columns = _fields_check(DemandTerm, ("id", "month", "term", "count"))
    out.write(
        DemandTerm,
        term_columns,
        (
            (i + 1, out.day(month), term, n)
            for i, ((month, term), n) in enumerate(sorted(terms.items()))
        ),
    )
    out.sequences_reset([Enterprise, EnterpriseNode, Demand, co_model, chain_model, DemandTerm])

    from gongxin.demands.statistics import stats_touch_all

    days = stats_touch_all()
    log(f"  {days} days of statistics marked stale")
    from gongxin.demands.choices import Status

    return {
        "enterprises": enterprises,
        "enterprises_on_chains": len(chains_of),
        "chains": len(chains),
        "places": len(places),
        "departments": len(departments),
        "handling_users": sum(len(v) for v in staff.values()),
        "desk_users": len(desk),
        "demands": demands,
        "by_status": {s: counts.get(s, 0) for s in Status.values},
        "open": sum(
            counts.get(s, 0) for s in ("registered", "dispatched", "accepted", "in_progress")
        ),
        "co_departments": co_id,
        "demand_chains": chain_id,
        "demand_terms": len(terms),
        "stale_days": days,
        "first_day": first_day.isoformat(),
        "now": now.isoformat(),
        "rows": dict(out.rows_written),
    }


def _cumulative(weights: Iterable[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _life(rng: random.Random, calendar: Calendar, registered: float, now: float) -> dict:
    """The demand's loop in simulated time, as it stands at `now`: its status and the
    fields the services would have set (deadlines from the default SLA: dispatch in 1
    working day, first answer in 3 and resolution in 5 after the dispatch)."""
    state: dict = {"dispatch_due": calendar.due(registered, 1)}
    lognorm = rng.lognormvariate
    # Dispatched within hours, now and then a day or two late.
    dispatched = registered + rng.expovariate(1 / (3 * HOUR))
    if rng.random() < 0.01:
        dispatched += rng.expovariate(1 / (1.5 * DAY))
    if now < dispatched:
        state["status"] = "open-new"
        return state
    state["reply_due"] = calendar.due(dispatched, 3)
    state["resolve_due"] = calendar.due(dispatched, 5)
    state["version"] = 1
    accepted = dispatched + rng.expovariate(1 / (4 * HOUR))
    # Resolved after about two days; a few stragglers take weeks.
    if rng.random() < 0.001:
        resolved = dispatched + lognorm(math.log(25 * DAY), 0.7)
    else:
        resolved = accepted + lognorm(math.log(2.4 * DAY), 0.55)
    interim = None
    if resolved - accepted > 1.5 * DAY and rng.random() < 0.96:  # a few forget to answer
        interim = accepted + rng.uniform(0.2, 1.5) * DAY
    if now < accepted:
        state["status"] = "dispatched"
        return state
    state["version"] = 2
    if now < resolved:
        state["status"] = "in_progress" if interim is not None and interim <= now else "accepted"
        state["version"] += state["status"] == "in_progress"
        return state
    state["resolved_at"] = resolved
    state["version"] = 3 + (interim is not None)
    rating_at = resolved + lognorm(math.log(1.2 * DAY), 0.8) if rng.random() < 0.97 else None
    if rating_at is None or now < rating_at:
        state["status"] = "resolved"
        return state
    state["version"] += 1
    roll = rng.random()
    if roll < 0.04:  # unsatisfied: back to the department with a new deadline
        state.update(
            rating="unsatisfied",
            reopened=1,
            resolved_at=None,
            resolve_due=calendar.due(rating_at, 5),
        )
        again = rating_at + lognorm(math.log(2.5 * DAY), 0.6)
        if now < again:
            state["status"] = "in_progress"
            return state
        state["resolved_at"] = again
        state["version"] += 1
        rating_at = again + lognorm(math.log(1.2 * DAY), 0.8)
        if now < rating_at:
            state["status"] = "resolved"
            return state
        state["version"] += 1
        roll = rng.uniform(0.04, 1.0)
    state["rating"] = "satisfied" if roll < 0.80 else "fairly"
    closed = rating_at + lognorm(math.log(2.5 * DAY), 0.6) if rng.random() < 0.93 else None
    if closed is None or now < closed:
        state["status"] = "rated"
        return state
    state["status"] = "closed"
    state["closed_at"] = closed
    state["version"] += 1
    return state


def simulate(demands: int, seed: int, now: dt.datetime) -> dict:
    """The loop's outcome at `now` without a database (to tune the generator): statuses,
    open ones past a deadline (red) and due within a working day (yellow), by phase."""
    from gongxin.core import workdays

    rng = random.Random(seed)
    first_day = (now.astimezone(TZ) - dt.timedelta(days=730)).date()
    calendar = Calendar(first_day, now.astimezone(TZ).date())
    now_epoch = now.timestamp()
    warn = workdays.add_workdays(now, 1).timestamp()
    out: Counter = Counter()
    for registered in _registrations(rng, calendar, demands, now_epoch):
        state = _life(rng, calendar, registered, now_epoch)
        status = "registered" if state["status"] == "open-new" else state["status"]
        out[status] += 1
        phases = {
            "registered": (("dispatch", "dispatch_due"),),
            "dispatched": (("reply", "reply_due"), ("resolve", "resolve_due")),
            "accepted": (("reply", "reply_due"), ("resolve", "resolve_due")),
            "in_progress": (("resolve", "resolve_due"),),
        }.get(status, ())
        for phase, field in phases:
            due = state[field]
            if due < now_epoch:
                out[f"{phase} red"] += 1
            elif due <= warn:
                out[f"{phase} yellow"] += 1
    return dict(out)
