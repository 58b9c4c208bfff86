"""One step of the cockpit benchmark, run by run.py in a fresh process.

    worker.py build --enterprises N --projects N --demands N --month YYYY-MM-01
                    --on DATE --now ISO [--seed S]
    worker.py measure --month YYYY-MM-01 [--runs 7] [--naive-runs 1] [--briefing-runs 3]
                      [--rollup-runs 1] [--explain N] [--profile PATH]

The database comes from the environment run.py sets (DATABASE_URL, GONGXIN_VAR_DIR), never
from the developer's var/. Each step prints one JSON object on its last line of stdout.

`measure` times `cockpit_build` (the cockpit's data) as the leadership account reads the
city, split by part; the NAIVE IMPLEMENTATION below (the same figures computed straight
from the enterprises' monthly figures, a query per indicator, district and chain, the
projects and plans read one by one) in the same run, and checks that both agree; the
briefing (build + DOCX + XLSX annex); and `rollup_rebuild`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from collections import Counter as Tally
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import django_setup, log  # noqa: E402


def _vacuum(*tables: str) -> None:
    """Planner statistics and dead rows' space back, as autovacuum would have them
    (PostgreSQL); a checkpoint of the WAL on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE " + ", ".join(tables))
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# Counting statements ---------------------------------------------------------------------------


@dataclass
class Counter:
    """An execute_wrapper: statements run, time in `execute`, and the `keep` slowest
    statements (seconds, sql, params)."""

    keep: int = 0
    count: int = 0
    seconds: float = 0.0
    slowest: list = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.count += 1
            if self.keep and not many:
                self.slowest.append((elapsed, sql, params))
                self.slowest.sort(key=lambda s: -s[0])
                del self.slowest[self.keep :]


def timed(fn, *args, keep: int = 0, **kwargs) -> tuple[object, float, Counter]:
    """fn(*args, **kwargs) under a Counter: (result, milliseconds, counter)."""
    from django.db import connection

    counter = Counter(keep=keep)
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        ms = (time.perf_counter() - start) * 1000
    return result, ms, counter


def summary(times: list[float], queries: list[int], sql: list[float]) -> dict:
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs_ms": times,
        "queries": max(queries),
        "queries_min": min(queries),
        "sql_ms": statistics.median(sql),
    }


# Build ---------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> None:
    django_setup()
    import datagen
    from django.core.management import call_command
    from django.db import connection

    from gongxin.alerts.models import Alert
    from gongxin.alerts.services import alerts_sweep
    from gongxin.indicators.demo import targets_build
    from gongxin.indicators.rollup import rollup_rebuild

    month = dt.date.fromisoformat(args.month)
    on = dt.date.fromisoformat(args.on)
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    counts = datagen.build(
        enterprises=args.enterprises,
        projects=args.projects,
        demands=args.demands,
        month=month,
        on=on,
        now=dt.datetime.fromisoformat(args.now),
        seed=args.seed,
        log=log,
    )
    loaded = time.perf_counter()
    _vacuum(
        "enterprises_enterprise", "enterprises_monthlyfigure", "chains_enterprisenode",
        "projects_project", "projects_projectmonth", "projects_projectstep",
        "demands_demand", "enterprises_qualification",
    )  # fmt: skip
    log("  rollup_rebuild (the first: no totals yet)")
    totals, rollup_ms, rollup_counter = timed(rollup_rebuild)
    log(f"    {rollup_ms / 1000:,.1f} s, {rollup_counter.count} queries: {totals:,} totals")
    targets = targets_build(seed=args.seed, year=month.year)
    log("  alerts_sweep (the first: no warnings yet)")
    swept, sweep_ms, sweep_counter = timed(alerts_sweep, on=on, tell=False)
    log(f"    {sweep_ms / 1000:,.1f} s, {sweep_counter.count} queries: {swept.opened:,} opened")
    _vacuum("indicators_figuretotal", "indicators_rollupmember", "alerts_alert")
    by_rule = dict(Tally(Alert.objects.filter(status="open").values_list("rule", flat=True)))
    connection.close()
    print(
        json.dumps(
            {
                "ok": True,
                "counts": {**counts, "indicator_targets": targets, "alerts_open": by_rule},
                "rollup_first": {
                    "ms": rollup_ms,
                    "queries": rollup_counter.count,
                    "totals": totals,
                },
                "sweep_first": {
                    "ms": sweep_ms,
                    "queries": sweep_counter.count,
                    "opened": swept.opened,
                },
                "migrate_seconds": migrated - start,
                "load_seconds": loaded - migrated,
                "seconds": time.perf_counter() - start,
            }
        )
    )


# The cockpit, by part --------------------------------------------------------------------------

#: The parts of `cockpit_build`, as the module names them: (label, function name).
PARTS = [
    ("readings (`overview`: every indicator with its targets)", "overview"),
    ("output trend (`_trend`)", "_trend"),
    ("districts (`_districts`)", "_districts"),
    ("chains (`_chains`: totals, targets, `chain_list`)", "_chains"),
    ("projects (`_projects`)", "_projects"),
    ("demands (`_demands`: `demand_statistics`)", "_demands"),
    ("cultivation plans (`_plans`)", "_plans"),
    ("warnings (`_alerts`)", "_alerts"),
]


@contextmanager
def _parts(counter: Counter):
    """Time each part of `cockpit_build` as it calls it (the module's names replaced
    meanwhile): {name: [(seconds, statements, seconds in execute)]}."""
    from gongxin.cockpit import selectors

    record: dict[str, list] = {name: [] for _label, name in PARTS}
    originals = {name: getattr(selectors, name) for _label, name in PARTS}

    def wrap(name, fn):
        def wrapper(*args, **kwargs):
            count, in_sql, start = counter.count, counter.seconds, time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                record[name].append(
                    (time.perf_counter() - start, counter.count - count, counter.seconds - in_sql)
                )

        return wrapper

    for name, fn in originals.items():
        setattr(selectors, name, wrap(name, fn))
    try:
        yield record
    finally:
        for name, fn in originals.items():
            setattr(selectors, name, fn)


def split_runs(user, month: dt.date, runs: int) -> list[dict]:
    """`runs` runs of `cockpit_build` timed by part; the median of each part."""
    from django.db import connection

    from gongxin.cockpit.selectors import cockpit_build

    per: dict[str, list[tuple]] = {name: [] for _l, name in PARTS}
    totals = []
    for _ in range(runs):
        counter = Counter()
        with _parts(counter) as record, connection.execute_wrapper(counter):
            start = time.perf_counter()
            cockpit_build(user, month, None)
            total = time.perf_counter() - start
        totals.append((total, counter.count, counter.seconds))
        for name, calls in record.items():
            per[name].append(
                (sum(c[0] for c in calls), sum(c[1] for c in calls), sum(c[2] for c in calls))
            )
    rows = []
    for label, name in PARTS:
        values = per[name]
        rows.append(
            {
                "part": label,
                "name": name,
                "median_ms": statistics.median(v[0] for v in values) * 1000,
                "queries": max(v[1] for v in values),
                "sql_ms": statistics.median(v[2] for v in values) * 1000,
            }
        )
    parts_ms = sum(r["median_ms"] for r in rows)
    total_ms = statistics.median(t[0] for t in totals) * 1000
    rows.append(
        {
            "part": "the rest (`cockpit_can_read`, building the result)",
            "name": "rest",
            "median_ms": max(0.0, total_ms - parts_ms),
            "queries": max(t[1] for t in totals) - sum(r["queries"] for r in rows),
            "sql_ms": max(
                0.0, statistics.median(t[2] for t in totals) * 1000 - sum(r["sql_ms"] for r in rows)
            ),
        }
    )
    rows.append(
        {
            "part": "cockpit_build, in these runs (wrapped)",
            "name": "total",
            "median_ms": total_ms,
            "queries": max(t[1] for t in totals),
            "sql_ms": statistics.median(t[2] for t in totals) * 1000,
        }
    )
    return rows


def _explain(slowest: list, count: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, of the
    slowest SELECT statements of a cockpit run (reads only: nothing to roll back)."""
    from django.db import connection

    parts, seen = [], set()
    for seconds, sql, params in slowest:
        if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
            continue
        seen.add(sql)
        with connection.cursor() as cursor:
            prefix = (
                "EXPLAIN (ANALYZE, BUFFERS) "
                if connection.vendor == "postgresql"
                else "EXPLAIN QUERY PLAN "
            )
            cursor.execute(prefix + sql, params)
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
        shown = [str(p)[:80] for p in params or ()]
        parts.append(f"--- {seconds * 1000:,.1f} ms in the run\n{sql}\n{shown}\n\n{plan}\n")
        if len(parts) >= count:
            break
    return "\n".join(parts)


# THE NAIVE IMPLEMENTATION ------------------------------------------------------------------------
#
# The cockpit's figures computed the straightforward way, with no monthly totals table and
# no stored statistics: each indicator's year to date (this year and the same months of
# the year before) summed from the enterprises' monthly figures, one ORM query per
# indicator and year; one such query per district and per chain (its confirmed
# enterprises); the projects read one by one with their months, the cultivation plans
# with their items, the year's demands one by one, and the open warnings counted with one
# query per rule. Written plainly, not slow on purpose: nothing reads a row it does not
# need and every sum is done by the database where a query per group does it.


def _naive_series(queryset, figure: str, ranges) -> dict[dt.date, Decimal]:
    """{month: sum of `figure`} over `queryset` (MonthlyFigure) for the months in each of
    `ranges` (first, last): one query per range."""
    from django.db.models import Sum

    found: dict[dt.date, Decimal] = {}
    for first, last in ranges:
        rows = (
            queryset.filter(period__gte=first, period__lte=last, **{f"{figure}__isnull": False})
            .values("period")
            .annotate(total=Sum(figure))
            .order_by()
        )
        found.update({r["period"]: Decimal(r["total"]) for r in rows})
    return found


def _naive_growth(now, before):
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before) * 100


def _naive_to_date(series: dict, month: dt.date, average: bool = False):
    values = [v for m, v in series.items() if m.year == month.year and m <= month]
    if not values:
        return None, 0
    total = sum(values, Decimal(0))
    return (total / len(values) if average else total), len(values)


def naive_cockpit(user, month: dt.date) -> dict:
    """NAIVE: the cockpit's figures for the city, straight from the monthly figures."""
    from django.db.models import Q
    from django.utils import timezone

    from gongxin.alerts.choices import Rule
    from gongxin.alerts.models import Alert
    from gongxin.chains.models import Chain, ChainNode, ChainTarget, EnterpriseNode
    from gongxin.core.models import Region
    from gongxin.demands.models import Demand
    from gongxin.enterprises.models import CultivationPlan, MonthlyFigure
    from gongxin.indicators.models import Indicator, Target
    from gongxin.projects.models import Project

    out: dict = {"parts_ms": {}, "parts_queries": {}}
    last = month.replace(year=month.year - 1)
    this_year = (month.replace(month=1), month)
    last_year = (last.replace(month=1), last)
    figures = MonthlyFigure.objects.all()
    above = figures.filter(enterprise__above_scale=True)

    def part(name):
        return _NaivePart(out, name)

    # Readings: every indicator of the catalogue, one query per indicator and year --------
    with part("readings"):
        indicators = list(Indicator.objects.select_related("numerator", "denominator"))
        targets = {t.indicator_id: t for t in Target.objects.filter(year=month.year, scope="city")}
        series = {}
        for ind in indicators:
            if ind.aggregation != "ratio":
                qs = above if ind.above_scale_only else figures
                series[ind.code] = _naive_series(qs, ind.figure, (this_year, last_year))
        readings = {}
        for ind in indicators:
            if ind.aggregation == "ratio":
                top, bottom = series[ind.numerator.code], series[ind.denominator.code]
                both = [m for m in top if m in bottom and bottom[m]]
                values = {m: top[m] * ind.factor / bottom[m] for m in both}

                def ratio_to_date(upto, top=top, bottom=bottom, both=both, ind=ind):
                    months = [m for m in both if m.year == upto.year and m <= upto]
                    b = sum((bottom[m] for m in months), Decimal(0))
                    if not months or not b:
                        return None
                    return sum((top[m] for m in months), Decimal(0)) * ind.factor / b

                now, before = ratio_to_date(month), ratio_to_date(last)
                count = sum(1 for m in values if m.year == month.year)
                count_before = sum(1 for m in values if m.year == last.year)
            else:
                values = series[ind.code]
                average = ind.aggregation == "average"
                now, count = _naive_to_date(values, month, average)
                before, count_before = _naive_to_date(values, last, average)
            same = {m.month for m in values if m.year == month.year} == {
                m.month for m in values if m.year == last.year
            }
            target = targets.get(ind.pk)
            readings[ind.code] = {
                "month_value": values.get(month),
                "month_growth": _naive_growth(values.get(month), values.get(last)),
                "to_date": now,
                "to_date_growth": _naive_growth(now, before) if same else None,
                "months": count,
                "months_before": count_before,
                "target_level": target.level if target else None,
                "target_growth": target.growth if target else None,
            }
        out["readings"] = readings

    # The output trend: this year and the whole year before, month by month ------------------
    with part("trend"):
        output = next(i for i in indicators if i.code == "output_value")
        qs = above if output.above_scale_only else figures
        by_month = _naive_series(
            qs,
            "output_value",
            ((month.replace(month=1), month), (last.replace(month=1), last.replace(month=12))),
        )
        out["trend"] = {
            year: [by_month.get(dt.date(year, m, 1)) for m in range(1, 13)]
            for year in (last.year, month.year)
        }

    # Districts: one query each ----------------------------------------------------------
    with part("districts"):
        districts = {}
        for region in Region.objects.filter(kind__in=("district", "county")).order_by("pk"):
            values = _naive_series(
                qs.filter(enterprise__district=region), "output_value", (this_year, last_year)
            )
            if not values:
                continue
            now, _n = _naive_to_date(values, month)
            before, _n = _naive_to_date(values, last)
            same = {m.month for m in values if m.year == month.year} == {
                m.month for m in values if m.year == last.year
            }
            districts[region.pk] = {
                "to_date": now,
                "before": before,
                "growth": _naive_growth(now, before) if same else None,
            }
        out["districts"] = districts

    # Chains: per top-level chain (with its sub-chains) its confirmed enterprises' revenue,
    # count, gaps, target
    with part("chains"):
        revenue = next(i for i in indicators if i.code == "revenue")
        qs = above if revenue.above_scale_only else figures
        chains = {}
        for chain in Chain.objects.filter(parent__isnull=True).order_by("sort_order", "code"):
            # the chain and its sub-chains (what its lists cover)
            family = Q(node__chain=chain) | Q(node__chain__parent=chain)
            confirmed = EnterpriseNode.objects.filter(family, status="confirmed")
            values = _naive_series(
                qs.filter(enterprise__in=confirmed.values("enterprise_id")),
                "revenue",
                (this_year, last_year),
            )
            now, _n = _naive_to_date(values, month)
            before, _n = _naive_to_date(values, last)
            same = {m.month for m in values if m.year == month.year} == {
                m.month for m in values if m.year == last.year
            }
            target = ChainTarget.objects.filter(chain=chain, year=month.year).first()
            chains[chain.pk] = {
                "to_date": now,
                "growth": _naive_growth(now, before) if same and values else None,
                "target": target.revenue if target else None,
                "enterprises": confirmed.values("enterprise_id").distinct().count(),
                "gaps": ChainNode.objects.filter(chain=chain, children__isnull=True)
                .exclude(enterprise_links__status="confirmed")
                .count(),
            }
        out["chains"] = chains

    # Projects: every project read, its months one project at a time -------------------------
    with part("projects"):
        total = Tally()
        money = {"planned": Decimal(0), "completed": Decimal(0), "equipment": Decimal(0)}
        year_planned = year_completed = Decimal(0)
        for project in Project.objects.order_by("pk"):
            total["projects"] += 1
            total[project.health] += 1
            total["stage:" + project.stage] += 1
            money["planned"] += project.planned_investment or 0
            money["completed"] += project.completed_investment or 0
            money["equipment"] += project.equipment_completed or 0
            for m in project.months.all():
                if this_year[0] <= m.month <= this_year[1]:
                    year_planned += m.planned or 0
                    year_completed += m.completed or 0
        out["projects"] = {
            **dict(total),
            **money,
            "year_planned": year_planned,
            "year_completed": year_completed,
        }

    # Demands: this year's, one by one -------------------------------------------------------
    with part("demands"):
        tz = timezone.get_current_timezone()
        since = dt.datetime.combine(this_year[0], dt.time.min, tzinfo=tz)
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        until = dt.datetime.combine(following, dt.time.min, tzinfo=tz)
        now_at = timezone.now()
        counts = Tally()
        for d in Demand.objects.filter(registered_at__gte=since, registered_at__lt=until):
            if d.status == "merged":
                continue
            counts["received"] += 1
            if d.status in ("resolved", "rated", "closed"):
                counts["resolved"] += 1
            if d.status in ("registered", "dispatched", "accepted", "in_progress"):
                counts["open"] += 1
            late = (
                (d.status == "registered" and d.dispatch_due < now_at)
                or (
                    d.status in ("dispatched", "accepted")
                    and d.reply_due is not None
                    and d.reply_due < now_at
                )
                or (
                    d.status in ("dispatched", "accepted", "in_progress")
                    and d.resolve_due is not None
                    and d.resolve_due < now_at
                )
            )
            counts["overdue"] += late
        out["demands"] = {k: counts[k] for k in ("received", "resolved", "open", "overdue")}

    # Cultivation plans: each plan read with its items ---------------------------------------
    with part("plans"):
        end = following - dt.timedelta(days=1)
        plans = Tally()
        for plan in CultivationPlan.objects.exclude(status="dropped").order_by("pk"):
            plans["plans"] += 1
            plans["achieved"] += plan.status == "achieved"
            for item in plan.items.all():
                plans["items"] += 1
                plans["items_done"] += item.status == "done"
                plans["items_late"] += (
                    item.due_on is not None and item.due_on < end and item.status != "done"
                )
        out["plans"] = {
            k: plans[k] for k in ("plans", "achieved", "items", "items_done", "items_late")
        }

    # Warnings: one count per rule -----------------------------------------------------------
    with part("alerts"):
        alerts = {}
        for rule in Rule.values:
            n = Alert.objects.filter(Q(status="open"), rule=rule).count()
            if n:
                alerts[rule] = n
        out["alerts"] = alerts
    return out


class _NaivePart:
    """Time and count the statements of one part of the naive implementation."""

    def __init__(self, out: dict, name: str):
        from django.db import connection

        self.out, self.name, self.counter = out, name, Counter()
        self.wrapper = connection.execute_wrapper(self.counter)

    def __enter__(self):
        self.wrapper.__enter__()
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.out["parts_ms"][self.name] = (time.perf_counter() - self.start) * 1000
        self.out["parts_queries"][self.name] = self.counter.count
        return self.wrapper.__exit__(*exc)


# Same results ------------------------------------------------------------------------------------


def compare(cockpit, naive: dict, exact: bool) -> dict[str, str]:
    """Part by part, what differs between `cockpit_build` and the naive figures ("" when
    nothing). Money is compared to the cent, growth rates to 1e-6 points (`exact`, on
    PostgreSQL); on SQLite, which sums in floating point, to a relative 1e-9."""

    def same(a, b) -> bool:
        if a is None or b is None:
            return a is None and b is None
        if isinstance(a, (int, Decimal, float)) and isinstance(b, (int, Decimal, float)):
            a, b = Decimal(str(a)), Decimal(str(b))
            if exact:
                return round(a, 6) == round(b, 6)
            return abs(a - b) <= Decimal("1e-9") * max(abs(a), abs(b)) + Decimal("0.01")
        return a == b

    def differ(label: str, pairs) -> str:
        bad = [f"{k}: {a} ≠ {b}" for k, a, b in pairs if not same(a, b)]
        return f"{len(bad)} of {label} differ: " + "; ".join(bad[:4]) if bad else ""

    checks: dict[str, str] = {}
    n = naive["readings"]
    checks["city year to date: output value and revenue"] = differ(
        "the two",
        [
            (code, cockpit.reading(code).to_date, n[code]["to_date"])
            for code in ("output_value", "revenue")
        ],
    )
    fields = (
        "month_value",
        "month_growth",
        "to_date",
        "to_date_growth",
        "months",
        "months_before",
        "target_level",
        "target_growth",
    )
    checks["every indicator (month, year to date, growth, months counted, targets)"] = differ(
        "the figures",
        [
            (f"{r.indicator.code}.{f}", getattr(r, f), n[r.indicator.code][f])
            for r in cockpit.readings
            for f in fields
        ]
        + [("indicators", len(cockpit.readings), len(n))],
    )
    checks["output trend by month (two years)"] = differ(
        "the months",
        [
            (f"{year}-{i + 1:02d}", v, naive["trend"][year][i])
            for year, values in cockpit.trend.items()
            for i, v in enumerate(values)
        ],
    )
    shown = {d["region"].pk: d for d in cockpit.districts}
    checks["each district's output to date (and the year before, growth)"] = differ(
        "the districts",
        [("districts", sorted(shown), sorted(naive["districts"]))]
        + [
            (f"{pk}.{f}", shown.get(pk, {}).get(f), naive["districts"][pk][f])
            for pk in naive["districts"]
            for f in ("to_date", "before", "growth")
        ],
    )
    rows = {r.chain.pk: r for r in cockpit.chains}
    checks["each chain's revenue to date (growth, target, enterprises, gaps)"] = differ(
        "the chains",
        [("chains", sorted(rows), sorted(naive["chains"]))]
        + [
            (f"{pk}.{f}", getattr(rows[pk], f) if pk in rows else None, values[f])
            for pk, values in naive["chains"].items()
            for f in ("to_date", "growth", "target", "enterprises", "gaps")
        ],
    )
    total, p = cockpit.projects.total, naive["projects"]
    checks["project counts by health"] = differ(
        "the counts",
        [(h, total.get(h) or 0, p.get(h, 0)) for h in ("red", "yellow", "green")]
        + [("projects", total.get("projects") or 0, p.get("projects", 0))],
    )
    stages = {row["key"]: row["projects"] for row in cockpit.projects.by_stage}
    checks["project investment, stages, the year's months"] = differ(
        "the figures",
        [(k, total.get(k) or Decimal(0), p[k]) for k in ("planned", "completed", "equipment")]
        + [
            ("year_planned", cockpit.projects.year_planned, p["year_planned"]),
            ("year_completed", cockpit.projects.year_completed, p["year_completed"]),
        ]
        + [
            (f"stage {k}", stages.get(k, 0), p.get(f"stage:{k}", 0))
            for k in {*stages, *(k[6:] for k in p if k.startswith("stage:"))}
        ],
    )
    d = cockpit.demands
    checks["demands of the year (received, resolved, open, overdue)"] = differ(
        "the counts", [(k, getattr(d, k), naive["demands"][k]) for k in naive["demands"]]
    )
    checks["cultivation plans and items"] = differ(
        "the counts", [(k, getattr(cockpit.plans, k), naive["plans"][k]) for k in naive["plans"]]
    )
    checks["open warnings by rule"] = differ(
        "the rules",
        [
            (k, cockpit.alerts.get(k), naive["alerts"].get(k))
            for k in {*cockpit.alerts, *naive["alerts"]}
        ],
    )
    return checks


# Measure -------------------------------------------------------------------------------------


def cmd_measure(args: argparse.Namespace) -> None:
    django_setup()
    from django.db import connection

    from gongxin.alerts.models import Alert
    from gongxin.cockpit import briefing
    from gongxin.cockpit.selectors import cockpit_build, cockpit_month
    from gongxin.core.models import User
    from gongxin.demands.models import Demand
    from gongxin.enterprises.models import Enterprise, MonthlyFigure
    from gongxin.indicators.models import FigureTotal
    from gongxin.indicators.rollup import rollup_rebuild
    from gongxin.projects.models import Project, ProjectMonth

    connection.ensure_connection()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    user = User.objects.get(username="bench-leader")
    expected = dt.date.fromisoformat(args.month)
    out: dict = {"vendor": connection.vendor, "load_before": load}

    # 0. The month the cockpit opens on, and the first build after the load --------------
    month, ms, counter = timed(cockpit_month, None)
    out["cockpit_month"] = {"month": month.isoformat(), "ms": ms, "queries": counter.count}
    checks: dict[str, str] = {}
    checks["cockpit_month() opens on the latest month of the data"] = (
        "" if month == expected else f"{month} instead of {expected}"
    )
    log(f"  cockpit_build for {month:%Y-%m}, the first after the load (demand statistics stale)")
    _c, ms, counter = timed(cockpit_build, user, month, None)
    out["first"] = {"ms": ms, "queries": counter.count, "sql_ms": counter.seconds * 1000}
    log(f"    {ms:,.0f} ms, {counter.count} queries")

    # 1. cockpit_build: a warm-up, then the timed runs ------------------------------------
    keep = max(8, args.explain * 2)
    timed(cockpit_build, user, month, None)
    times, queries, sql, slowest = [], [], [], []
    for _ in range(args.runs):
        cockpit, ms, counter = timed(cockpit_build, user, month, None, keep=keep)
        times.append(ms)
        queries.append(counter.count)
        sql.append(counter.seconds * 1000)
        slowest = counter.slowest
    out["cockpit"] = summary(times, queries, sql)
    out["cockpit"]["slowest"] = [
        {"ms": s * 1000, "sql": " ".join(q.split())[:300]} for s, q, _p in slowest
    ]
    log(
        f"  cockpit_build: median {out['cockpit']['median_ms']:,.0f} ms of {args.runs} "
        f"({' '.join(f'{t:,.0f}' for t in times)}), {max(queries)} queries, "
        f"{out['cockpit']['sql_ms']:,.0f} ms in SQL"
    )
    out["parts"] = split_runs(user, month, max(3, args.runs // 2))
    for row in out["parts"]:
        log(f"    {row['name']}: {row['median_ms']:,.1f} ms, {row['queries']} queries")
    if args.explain:
        log("  EXPLAIN of the slowest statements")
        out["explain"] = _explain(slowest, args.explain)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        cockpit_build(user, month, None)
        profiler.disable()
        profiler.dump_stats(args.profile)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        text.write("=== cockpit_build, sorted by internal time ===\n")
        stats.sort_stats("tottime").print_stats(30)
        text.write("=== cockpit_build, sorted by cumulative time ===\n")
        stats.sort_stats("cumulative").print_stats(45)
        out["profile"] = text.getvalue()

    # 2. The naive implementation, in the same run -----------------------------------------
    log(f"  the naive implementation ({args.naive_runs} run(s))")
    times, queries, sql, naive = [], [], [], None
    for _ in range(args.naive_runs):
        naive, ms, counter = timed(naive_cockpit, user, month)
        times.append(ms)
        queries.append(counter.count)
        sql.append(counter.seconds * 1000)
    out["naive"] = summary(times, queries, sql)
    out["naive"]["parts_ms"] = naive["parts_ms"]
    out["naive"]["parts_queries"] = naive["parts_queries"]
    log(
        f"    {out['naive']['median_ms'] / 1000:,.1f} s, {max(queries):,} queries: "
        + ", ".join(
            f"{k} {v / 1000:,.1f} s ({naive['parts_queries'][k]:,} q)"
            for k, v in naive["parts_ms"].items()
        )
    )
    cockpit = cockpit_build(user, month, None)
    checks.update(compare(cockpit, naive, exact=connection.vendor == "postgresql"))
    out["ratio"] = out["naive"]["median_ms"] / out["cockpit"]["median_ms"]
    out["figures"] = {
        "output_to_date": str(cockpit.reading("output_value").to_date),
        "output_growth": str(cockpit.reading("output_value").to_date_growth),
        "revenue_to_date": str(cockpit.reading("revenue").to_date),
        "projects": {
            k: cockpit.projects.total.get(k) for k in ("projects", "red", "yellow", "green")
        },
        "demands_received": cockpit.demands.received,
        "alerts": cockpit.alerts,
    }

    # 3. The briefing: build + DOCX + XLSX annex ------------------------------------------
    def briefing_once() -> dict:
        result: dict = {}
        c, ms, counter = timed(cockpit_build, user, month, None)
        result["build"] = (ms, counter.count)
        docx = io.BytesIO()
        _r, ms, counter = timed(briefing.briefing_docx, c, user, docx)
        result["docx"] = (ms, counter.count)
        xlsx = io.BytesIO()
        _r, ms, counter = timed(briefing.briefing_annex, c, user, xlsx)
        result["annex"] = (ms, counter.count)
        result["total"] = (
            sum(v[0] for v in result.values()),
            sum(v[1] for v in result.values()),
        )
        result["bytes"] = {"docx": len(docx.getvalue()), "xlsx": len(xlsx.getvalue())}
        return result

    log("  the briefing, first (imports python-docx, matplotlib, the XLSX writer)")
    first = briefing_once()
    log(f"    {first['total'][0] / 1000:,.2f} s")
    runs = [briefing_once() for _ in range(args.briefing_runs)]
    out["briefing"] = {
        "first": first,
        "runs": runs,
        **{
            k: {
                "median_ms": statistics.median(r[k][0] for r in runs),
                "queries": max(r[k][1] for r in runs),
            }
            for k in ("build", "docx", "annex", "total")
        },
        "bytes": runs[-1]["bytes"] if runs else first["bytes"],
    }
    b = out["briefing"]
    log(
        f"    median {b['total']['median_ms'] / 1000:,.2f} s: build {b['build']['median_ms']:,.0f}"
        f" ms, DOCX {b['docx']['median_ms']:,.0f} ms, annex {b['annex']['median_ms']:,.0f} ms; "
        f"{b['total']['queries']} queries"
    )

    # 4. The sizes --------------------------------------------------------------------------
    out["sizes"] = {
        "enterprises": Enterprise.objects.count(),
        "above_scale": Enterprise.objects.filter(above_scale=True).count(),
        "monthly_figures": MonthlyFigure.objects.count(),
        "projects": Project.objects.count(),
        "project_months": ProjectMonth.objects.count(),
        "demands": Demand.objects.count(),
        "alerts_open": Alert.objects.filter(status="open").count(),
        "figure_totals": FigureTotal.objects.count(),
    }

    # 5. rollup_rebuild, last (it rewrites the totals the cockpit reads) ------------------
    rebuilds = []
    for n in range(args.rollup_runs):
        totals, ms, counter = timed(rollup_rebuild)
        rebuilds.append({"ms": ms, "queries": counter.count, "totals": totals})
        log(f"  rollup_rebuild {n + 1}: {ms / 1000:,.1f} s, {counter.count} queries")
        _vacuum("indicators_figuretotal", "indicators_rollupmember")
    out["rollup"] = {
        "runs": rebuilds,
        "median_ms": statistics.median(r["ms"] for r in rebuilds) if rebuilds else None,
    }
    if rebuilds:
        checks["rollup_rebuild rebuilds as many totals as there were"] = (
            ""
            if rebuilds[-1]["totals"] == out["sizes"]["figure_totals"]
            else f"{rebuilds[-1]['totals']} instead of {out['sizes']['figure_totals']}"
        )
        after = cockpit_build(user, month, None)
        checks["the cockpit reads the same after the rebuild"] = (
            ""
            if after.reading("output_value").to_date == cockpit.reading("output_value").to_date
            else "the city's output to date changed"
        )

    for name, problem in checks.items():
        log(f"    {name}: {'yes' if not problem else 'NO: ' + problem}")
    out["checks"] = checks
    out["ok"] = all(not p for p in checks.values())
    log(f"  same results: {'yes' if out['ok'] else 'NO'}")
    print(json.dumps(out, default=str))


def main() -> None:
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build")
    build.add_argument("--enterprises", type=int, required=True)
    build.add_argument("--projects", type=int, required=True)
    build.add_argument("--demands", type=int, required=True)
    build.add_argument("--month", required=True, help="the latest month of figures (YYYY-MM-01)")
    build.add_argument("--on", required=True, help="the day of the data (YYYY-MM-DD)")
    build.add_argument("--now", required=True, help="the moment the demands end (ISO)")
    build.add_argument("--seed", type=int, default=2026)
    build.set_defaults(func=cmd_build)
    meas = sub.add_parser("measure")
    meas.add_argument("--month", required=True)
    meas.add_argument("--runs", type=int, default=7)
    meas.add_argument("--naive-runs", type=int, default=1)
    meas.add_argument("--briefing-runs", type=int, default=3)
    meas.add_argument("--rollup-runs", type=int, default=1)
    meas.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest statements")
    meas.add_argument("--profile", help="cProfile one cockpit_build, write the stats here")
    meas.set_defaults(func=cmd_measure)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
