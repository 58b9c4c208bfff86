"""One step of the chain benchmark, run by run.py in a fresh process.

    worker.py build --nodes N --enterprises N [--seed S]    migrate, regions, the chain
    worker.py measure [--runs 5] [--naive-runs 1] [--explain N] [--profile PATH]

The database comes from the environment run.py sets (DATABASE_URL, GONGXIN_VAR_DIR), never
from the developer's var/. Each step prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import django_setup, log  # noqa: E402


def cmd_build(args: argparse.Namespace) -> None:
    django_setup()
    import datagen
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    counts = datagen.build(nodes=args.nodes, enterprises=args.enterprises, seed=args.seed, log=log)
    built = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum would have them a minute after the load.
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
                "build_seconds": built - migrated,
                "seconds": time.perf_counter() - start,
            }
        )
    )


def _distribution() -> dict:
    """How the confirmed places spread over the nodes (the data's skew, for the report)."""
    from django.db.models import Count, Q

    from gongxin.chains.models import ChainNode

    confirmed = Q(enterprise_links__status="confirmed")
    counts = sorted(
        ChainNode.objects.filter(children__isnull=True)
        .annotate(n=Count("enterprise_links", filter=confirmed))
        .values_list("n", flat=True)
    )
    if not counts:
        return {}
    return {
        "leaves": len(counts),
        "leaves_without_enterprises": sum(1 for c in counts if c == 0),
        "median_per_leaf": counts[len(counts) // 2],
        "p90_per_leaf": counts[int(len(counts) * 0.9)],
        "max_per_leaf": counts[-1],
        "leaves_with_1000_or_more": sum(1 for c in counts if c >= 1000),
    }


def _explain(slowest: list[tuple[float, str]], count: int) -> str:
    """EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of the slowest
    statements of the page, as they were captured (parameters inlined)."""
    from django.db import connection

    parts = []
    seen = set()
    for ms, sql in slowest:
        if sql in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(sql)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
        parts.append(f"--- {ms:.1f} ms in the page's warm-up run\n{sql}\n\n{plan}\n")
        if len(parts) >= count:
            break
    return "\n".join(parts)


def cmd_measure(args: argparse.Namespace) -> None:
    django_setup()
    import naive
    from datagen import CHAIN_CODE, USERNAME
    from django.db import connection
    from page import measure, page_data, rendered_page

    from gongxin.chains import selectors
    from gongxin.chains.models import Chain
    from gongxin.core.models import User

    connection.ensure_connection()
    user = User.objects.get(username=USERNAME)
    code = CHAIN_CODE
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    runs = args.runs
    results = []

    log("  chain page data")
    page, context = measure(
        "chain page data",
        lambda: page_data(user, code),
        runs=runs,
        keep_slowest=10,
        by_selector=True,
    )
    results.append(page)
    log(f"    {page.median_ms:,.0f} ms, {page.queries} queries")
    for part in page.by_selector():
        nested = " (inside another selector)" if part["nested"] else ""
        log(f"    {part['name']}: {part['median_ms']:,.0f} ms, {part['queries']} queries{nested}")

    from gongxin.core import versions

    def after_a_change():
        versions.changed()  # one UPDATE: the stored figures are out of date
        return page_data(user, code)

    m, _ = measure(
        "chain page data after a change",
        after_a_change,
        runs=runs,
        keep_slowest=3,
        note="the first view after any change to the archive: the chain's stored figures "
        "(per-node figures, application fields, regional distribution) computed again",
    )
    results.append(m)
    log(f"    after a change: {m.median_ms:,.0f} ms, {m.queries} queries")

    chain = Chain.objects.get(code=code)
    year = selectors.latest_year()

    def key_list():
        rows = selectors.key_enterprises(user, chain, year)
        return rows.count(), list(rows[:50])

    m, _ = measure(
        "key_enterprises",
        key_list,
        runs=runs,
        keep_slowest=3,
        note="the key-enterprise list page (count and first 50 rows); not on the chain page",
    )
    results.append(m)
    log(f"    key_enterprises: {m.median_ms:,.0f} ms, {m.queries} queries")
    m, size = measure(
        "rendered page",
        lambda: rendered_page(user, code),
        runs=runs,
        note="ChainDetailView with its template (HTML and the maps' JSON); for reference",
    )
    m.note += f"; {size / 1024 / 1024:.1f} MiB of HTML"
    results.append(m)
    log(f"    rendered page: {m.median_ms:,.0f} ms, {size / 1024 / 1024:.1f} MiB")

    log("  naive per-node loop")
    baseline, naive_result = measure(
        "naive per-node loop",
        lambda: naive.naive_page(user, code),
        runs=args.naive_runs,
        warm_up=False,
        note=(
            f"{args.naive_runs} run(s) without a separate warm-up (the page's runs warmed "
            "the same tables); statements counted with an execute_wrapper"
        ),
    )
    log(f"    {baseline.median_ms:,.0f} ms, {baseline.queries:,} queries")
    all_gaps = selectors.chain_gaps(chain, year)
    checks = naive.compare(context, naive_result, all_gaps)
    for part, problem in checks.items():
        log(f"    same figures, {part}: {'yes' if not problem else 'NO: ' + problem}")

    profile_text = None
    if args.profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        page_data(user, code)
        profiler.disable()
        profiler.dump_stats(args.profile)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        text.write("=== chain page data, sorted by internal time ===\n")
        stats.sort_stats("tottime").print_stats(30)
        text.write("=== chain page data, sorted by cumulative time ===\n")
        stats.sort_stats("cumulative").print_stats(45)
        profile_text = text.getvalue()

    explained = _explain(page.slowest, args.explain) if args.explain else None
    print(
        json.dumps(
            {
                "ok": all(not p for p in checks.values()),
                "vendor": connection.vendor,
                "load_before": load,
                "distribution": _distribution(),
                "measurements": [m.as_dict() for m in results],
                "naive": baseline.as_dict(),
                "checks": checks,
                "explain": explained,
                "profile": profile_text,
            },
            default=str,
        )
    )


def main() -> None:
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build")
    build.add_argument("--nodes", type=int, required=True)
    build.add_argument("--enterprises", type=int, required=True)
    build.add_argument("--seed", type=int, default=2026)
    build.set_defaults(func=cmd_build)
    meas = sub.add_parser("measure")
    meas.add_argument("--runs", type=int, default=5)
    meas.add_argument("--naive-runs", type=int, default=1)
    meas.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest statements")
    meas.add_argument("--profile", help="cProfile one page-data run, write the stats here")
    meas.set_defaults(func=cmd_measure)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
