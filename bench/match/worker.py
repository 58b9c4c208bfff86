"""One step of the matching benchmark, run by run.py in a fresh process.

    worker.py build --enterprises N --policies N --on DATE [--seed S] [--with-no-amount]
    worker.py measure --on DATE [--runs 3] [--naive-sample 2000] [--rematch 50]
                      [--seed S] [--explain N]

The database comes from the environment run.py sets (DATABASE_URL, GONGXIN_VAR_DIR), never
from the developer's var/. Each step prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import django_setup, log  # noqa: E402


def _analyse(*tables: str) -> None:
    """Planner statistics and the space of deleted rows back, as autovacuum would have
    them between two daily runs (PostgreSQL); nothing on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(tables))


def cmd_build(args: argparse.Namespace) -> None:
    django_setup()
    import datagen
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    counts = datagen.build(
        enterprises=args.enterprises,
        policies=args.policies,
        on=dt.date.fromisoformat(args.on),
        seed=args.seed,
        no_amount=args.with_no_amount,
        log=log,
    )
    built = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(
        json.dumps(
            {
                "ok": True,
                "counts": counts,
                "migrate_seconds": migrated - start,
                "load_seconds": built - migrated,
                "seconds": time.perf_counter() - start,
            }
        )
    )


# Timing ---------------------------------------------------------------------------------------


@dataclass
class Counter:
    """An execute_wrapper: statements run, time in `execute`, and the `keep` slowest
    statements (seconds, sql, params)."""

    keep: int = 0
    count: int = 0
    seconds: float = 0.0
    slowest: list = field(default_factory=list)
    #: Every statement as (ms, start of its SQL), when a list is given.
    trace: list | None = None
    #: Time in COMMIT (PostgreSQL checks the deferred foreign keys of the rows there).
    commit_seconds: float = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.count += 1
            if self.trace is not None:
                self.trace.append((elapsed * 1000, " ".join(sql.split())[:160]))
            if self.keep and not many:
                self.slowest.append((elapsed, sql, params))
                self.slowest.sort(key=lambda s: -s[0])
                del self.slowest[self.keep :]


@contextmanager
def _phases(counter: Counter):
    """Time `facts_refresh` and each batch `match_policies` decides as `match_all` calls them
    (the module's names are replaced meanwhile), and the commits: {"facts": [...],
    "policies": [...]} of (policies in the batch or None, seconds, statements, seconds in
    execute, seconds in COMMIT)."""
    from django.db import connection

    from gongxin.policies.services import matching

    record: dict[str, list] = {"facts": [], "policies": []}
    originals = matching.facts_refresh, matching._match_batch

    def timed(kind: str, fn):
        def wrapper(*args, **kwargs):
            count, in_sql, start = counter.count, counter.seconds, time.perf_counter()
            committing = counter.commit_seconds
            try:
                return fn(*args, **kwargs)
            finally:
                policy = len(args[0]) if args else None
                record[kind].append(
                    (
                        policy,
                        time.perf_counter() - start,
                        counter.count - count,
                        counter.seconds - in_sql,
                        counter.commit_seconds - committing,
                    )
                )

        return wrapper

    def commit():
        start = time.perf_counter()
        try:
            commit_original()
        finally:
            counter.commit_seconds += time.perf_counter() - start

    commit_original = connection.commit
    connection.commit = commit  # what transaction.atomic calls on leaving
    matching.facts_refresh = timed("facts", originals[0])
    matching._match_batch = timed("policies", originals[1])
    try:
        yield record
    finally:
        matching.facts_refresh, matching._match_batch = originals
        del connection.commit


def full_match(on: dt.date, keep: int = 0) -> dict:
    """One `match_all(on=…, tell=False)`, timed as a whole and by phase."""
    from django.db import connection

    from gongxin.policies.services import match_all

    counter = Counter(keep=keep)
    with _phases(counter) as record, connection.execute_wrapper(counter):
        start = time.perf_counter()
        outcome = match_all(on=on, tell=False)
        total = time.perf_counter() - start
    facts, policies = record["facts"], record["policies"]
    facts_s = sum(r[1] for r in facts)
    policies_s = sum(r[1] for r in policies)
    return {
        "total_ms": total * 1000,
        "queries": counter.count,
        "sql_ms": counter.seconds * 1000,
        "facts_ms": facts_s * 1000,
        "facts_queries": sum(r[2] for r in facts),
        "facts_sql_ms": sum(r[3] for r in facts) * 1000,
        "matching_ms": policies_s * 1000,
        "matching_queries": sum(r[2] for r in policies),
        "matching_sql_ms": sum(r[3] for r in policies) * 1000,
        "matching_commit_ms": sum(r[4] for r in policies) * 1000,
        "commit_ms": counter.commit_seconds * 1000,
        "rest_ms": (total - facts_s - policies_s) * 1000,
        "policies_matched": sum(r[0] for r in policies),
        "batches": len(policies),
        "eligible": outcome.eligible,
        "unknown": outcome.unknown,
        "slowest": [(s * 1000, sql, params) for s, sql, params in counter.slowest],
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _explain(slowest: list, count: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, of the
    slowest statements of a full match that compute rows (the facts, the rows a batch of
    policies finds): on PostgreSQL each CREATE TABLE … AS runs again with the planner
    settings of the run, in a transaction rolled back afterwards; on SQLite the SELECT
    of each INSERT into the temporary table is planned."""
    from django.db import connection, transaction

    from gongxin.policies.services.matching import _planning

    parts = []
    seen = set()
    for ms, sql, params in slowest:
        head = sql.lstrip().upper()
        if sql in seen or not head.startswith(("CREATE TEMPORARY TABLE", "INSERT INTO POLICIES_")):
            continue
        seen.add(sql)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with _planning(cursor):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    rows = cursor.fetchall()
            else:
                select = sql[sql.upper().index("SELECT") :]
                cursor.execute("EXPLAIN QUERY PLAN " + select, params)
                rows = cursor.fetchall()
            plan = "\n".join(" | ".join(str(c) for c in row) for row in rows)
            transaction.set_rollback(True)
        shown = [str(p)[:80] for p in params[:40]]
        parts.append(f"--- {ms:,.1f} ms in the run\n{sql}\n{shown}\n\n{plan}\n")
        if len(parts) >= count:
            break
    return "\n".join(parts)


# Measure --------------------------------------------------------------------------------------


def cmd_measure(args: argparse.Namespace) -> None:
    django_setup()
    import naive
    from django.db import connection
    from django.db.models import F

    from gongxin.enterprises.models import AnnualFigure, Enterprise
    from gongxin.policies.models import Match, Policy
    from gongxin.policies.services import match_enterprises, match_policy, policies_in_force

    connection.ensure_connection()
    on = dt.date.fromisoformat(args.on)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    policies = list(policies_in_force(on).order_by("pk"))
    checks: dict[str, str] = {}
    out: dict = {
        "vendor": connection.vendor,
        "load_before": load,
        "enterprises": len(ids),
        "policies_in_force": len(policies),
    }
    tables = ("policies_fact", "policies_match")

    # 1. The full match: first (empty facts and matches), then the daily run ------------
    log("  full match, first run (no facts, no matches stored yet)")
    first = full_match(on, keep=max(8, args.explain * 2))
    log(
        f"    {first['total_ms']:,.0f} ms: facts {first['facts_ms']:,.0f}, policies "
        f"{first['matching_ms']:,.0f}, rest {first['rest_ms']:,.0f}; {first['queries']} "
        f"queries; {first['eligible']:,} eligible, {first['unknown']:,} unknown"
    )
    repeated = []
    for n in range(args.runs):
        _analyse(*tables)  # untimed: as autovacuum would between two daily runs
        run = full_match(on, keep=max(8, args.explain * 2))
        repeated.append(run)
        log(
            f"  full match, run {n + 2} (replacing the stored matches): "
            f"{run['total_ms']:,.0f} ms: facts {run['facts_ms']:,.0f}, policies "
            f"{run['matching_ms']:,.0f}, rest {run['rest_ms']:,.0f}; {run['queries']} queries"
        )
    out["first"] = {k: v for k, v in first.items() if k != "slowest"}
    out["repeated"] = [{k: v for k, v in r.items() if k != "slowest"} for r in repeated]
    if repeated:
        median_run = sorted(repeated, key=lambda r: r["total_ms"])[len(repeated) // 2]
    else:
        median_run = first
    out["match_counts"] = {
        "eligible": median_run["eligible"],
        "unknown": median_run["unknown"],
        "stored": Match.objects.count(),
        "enterprises_with_a_match": Match.objects.values("enterprise").distinct().count(),
    }
    # One policy decided alone, as after it is saved (`match_policy`): each policy once,
    # nothing changed since the full match.
    log("  one policy at a time (match_policy, as after a policy is saved)")
    medians = {}  # (one measurement each; named as the report's figures are)
    for policy in policies:
        start = time.perf_counter()
        match_policy(policy, on=on, tell=False)
        medians[str(policy.pk)] = (time.perf_counter() - start) * 1000
    by_policy = {
        str(pk): (text, eligible, unknown)
        for pk, text, eligible, unknown in Policy.objects.annotate(
            eligible=_count("eligible"), unknown=_count("unknown")
        ).values_list("pk", "rule_text", "eligible", "unknown")
    }
    out["per_policy"] = [
        {"policy": int(pid), "ms": ms, "eligible": by_policy[pid][1], "unknown": by_policy[pid][2]}
        for pid, ms in sorted(medians.items(), key=lambda i: int(i[0]))
    ]
    out["policy_ms"] = {
        "min": min(medians.values(), default=0),
        "median": statistics.median(medians.values()) if medians else 0,
        "max": max(medians.values(), default=0),
        "slowest": [
            {
                "policy": int(pid),
                "ms": ms,
                "rule": by_policy[pid][0],
                "eligible": by_policy[pid][1],
                "unknown": by_policy[pid][2],
            }
            for pid, ms in sorted(medians.items(), key=lambda i: -i[1])[:5]
        ],
    }
    if args.explain:
        log("  EXPLAIN of the slowest statements")
        out["explain"] = _explain((repeated or [first])[-1]["slowest"], args.explain)

    # 2. The naive loop on a sample ---------------------------------------------------------
    rng = random.Random(args.seed + 1)
    sample = sorted(rng.sample(ids, min(args.naive_sample, len(ids))))
    rest = sorted(set(ids) - set(sample))
    rematch_ids = rng.sample(rest, min(args.rematch, len(rest)))
    before = naive.stored(sample)
    log(f"  naive loop over {len(sample):,} enterprises (of {len(ids):,})")
    counter = Counter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        decided = naive.naive_match(sample, on)
        seconds = time.perf_counter() - start
    rate = len(sample) / seconds if seconds else None
    out["naive"] = {
        "sample": len(sample),
        "ms": seconds * 1000,
        "queries": counter.count,
        "sql_ms": counter.seconds * 1000,
        "per_second": rate,
        "extrapolated_ms": len(ids) / rate * 1000 if rate else None,
        "outcomes": len(decided),
    }
    log(
        f"    {seconds:,.1f} s, {counter.count:,} queries: {rate:,.0f} enterprises/s, "
        f"{len(ids) / rate:,.0f} s extrapolated to {len(ids):,}"
    )
    checks[f"naive loop and match_all: same outcomes and amounts ({len(sample):,} enterprises)"] = (
        naive.compare(decided, before, names=("naive", "match_all"))
    )
    checks["the naive loop stored what it decided"] = naive.compare(
        decided, naive.stored(sample), names=("decided", "stored")
    )

    # 3. One enterprise's rematch --------------------------------------------------------
    year = on.year - 1

    def snapshot(eid: int) -> dict:
        return {
            m[0]: m[1:]
            for m in Match.objects.filter(enterprise_id=eid).values_list(
                "policy_id", "result", "benefit", "rule_version", "matched_at"
            )
        }

    def rematch(label: str, change) -> dict:
        times, queries, written, traces, changed = [], [], [], [], 0
        for eid in rematch_ids:
            if change is not None:
                changed += change(eid)
            old = snapshot(eid)
            counter = Counter(trace=[])
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                match_enterprises([eid], on=on, tell=False)
                times.append((time.perf_counter() - start) * 1000)
            queries.append(counter.count)
            traces.append(counter.trace)
            new = snapshot(eid)
            written.append(sum(old.get(k) != new.get(k) for k in old.keys() | new.keys()))
        result = {
            "enterprises": len(times),
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
            "max_ms": max(times),
            "runs_ms": times,
            "queries_median": statistics.median(queries),
            "queries_max": max(queries),
            "rows_written": sum(written),
            "enterprises_with_rows_written": sum(1 for w in written if w),
            "enterprises_changed": changed,
            # The statements of the run with the median time: where a rematch spends it.
            "median_run_statements": traces[times.index(percentile(times, 0.5))],
        }
        log(
            f"    {label}: median {result['median_ms']:,.1f} ms, p95 {result['p95_ms']:,.1f} ms, "
            f"max {result['max_ms']:,.1f} ms; {result['queries_median']:.0f} queries; "
            f"{result['rows_written']} match rows written for "
            f"{result['enterprises_with_rows_written']} of {len(times)} enterprises"
        )
        return result

    def raise_revenue(eid: int) -> int:
        return AnnualFigure.objects.filter(enterprise_id=eid, year=year).update(
            revenue=F("revenue") * 13 / 10, rd_expense=F("rd_expense") * 2
        )

    log(f"  one enterprise's rematch ({len(rematch_ids)} enterprises)")
    out["rematch_unchanged"] = rematch("unchanged since the full match", None)
    out["rematch_changed"] = rematch("after its last year's revenue ×1.3 and R&D ×2", raise_revenue)
    checks[
        f"rematch after a change and the naive loop: same outcomes ({len(rematch_ids)} enterprises)"
    ] = naive.compare(
        naive.naive_decide(rematch_ids, on),
        naive.stored(rematch_ids),
        names=("naive", "match_enterprises"),
    )
    for name, problem in checks.items():
        log(f"    {name}: {'yes' if not problem else 'NO: ' + problem}")
    out["checks"] = checks
    out["ok"] = all(not p for p in checks.values())
    print(json.dumps(out, default=str))


def _count(result: str):
    from django.db.models import Count, Q

    return Count("matches", filter=Q(matches__result=result))


def main() -> None:
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build")
    build.add_argument("--enterprises", type=int, required=True)
    build.add_argument("--policies", type=int, required=True)
    build.add_argument("--on", required=True, help="the day of matching (YYYY-MM-DD)")
    build.add_argument("--seed", type=int, default=2026)
    build.add_argument("--with-no-amount", action="store_true")
    build.set_defaults(func=cmd_build)
    meas = sub.add_parser("measure")
    meas.add_argument("--on", required=True)
    meas.add_argument("--runs", type=int, default=3)
    meas.add_argument("--naive-sample", type=int, default=2000)
    meas.add_argument("--rematch", type=int, default=50)
    meas.add_argument("--seed", type=int, default=2026)
    meas.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest statements")
    meas.set_defaults(func=cmd_measure)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
