"""Chain benchmark: the chain page's data (gap analysis and every map) on a large chain,
next to a naive per-node ORM loop computing the same figures.

    .venv/bin/python bench/chains/run.py [--quick] [--skip-sqlite] [--skip-postgres]
                                         [--explain N] [--profile]

For each database (SQLite, PostgreSQL) builds a fresh database (migrated, the demo city's
regions and departments, one chain of 1,000 nodes with 100,000 enterprises: datagen.py),
then in a new process times what ChainDetailView computes, each selector it calls, and
the naive loop, and checks that both arrive at the same figures. Prints a table and writes
bench/results/chains-<YYYYMMDD-HHMM>.json and .md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import (  # noqa: E402
    DATA,
    DEFAULT_PG_URL,
    PROJECT,
    RESULTS,
    ScratchPostgres,
    ScratchSqlite,
    drop_all,
    environment,
    log,
    num,
    report_footer,
    result_base,
    run_worker,
    short_paths,
    source_digest,
)

WORKER = HERE / "worker.py"
#: Scratch space of this run (var dirs, SQLite files); several runs may go on at once.
RUN_ID = str(os.getpid())
SCRATCH = DATA / "runs" / f"chains-{RUN_ID}"

TARGET_MS = 300.0  # chain page data on PostgreSQL
TARGET_RATIO = 20.0  # naive loop / chain page data, same run
PAGE = "chain page data"
NAIVE = "naive per-node loop"


# Databases ----------------------------------------------------------------------------------


SqliteDatabase = ScratchSqlite


class PostgresDatabase(ScratchPostgres):
    def __init__(self, url: str):
        super().__init__(url, f"chains_{RUN_ID}", SCRATCH / "postgres-var")


Database = SqliteDatabase | PostgresDatabase


def worker(db: Database, *args: str, timeout: float) -> dict:
    return run_worker(WORKER, db, *args, timeout=timeout)


#: The modules the chain page runs through (what `source_digest` covers).
CHAIN_SOURCES = (
    "settings.py",
    "chains/selectors.py",
    "chains/views.py",
    "chains/gaps.py",
    "chains/attraction.py",
    "chains/matching.py",
    "chains/models.py",
    "chains/migrations/*.py",
    "enterprises/models.py",
    "enterprises/selectors.py",
    "enterprises/migrations/*.py",
    "projects/selectors.py",
    "core/selectors.py",
)


# Reporting ----------------------------------------------------------------------------------


def ratio(run: dict) -> float | None:
    page = next(m for m in run["measurements"] if m["name"] == PAGE)
    naive = run["naive"]
    return naive["median_ms"] / page["median_ms"] if page["median_ms"] else None


def run_table(run: dict) -> list[str]:
    lines = [
        f"| {run['database']} | median ms | runs (ms) | queries | in SQL (ms) |",
        "|---|---:|---|---:|---:|",
    ]

    def row(name: str, m: dict) -> None:
        runs = " ".join(f"{ms:,.0f}" for ms in m["runs_ms"])
        lines.append(
            f"| {name} | {m['median_ms']:,.0f} | {runs} | {m['queries']:,} "
            f"| {num(m['sql_median_ms'])} |"
        )

    for m in run["measurements"]:
        if m["name"] == PAGE:
            row(f"**{PAGE}**", m)
            for part in m["selectors"]:
                if part["median_ms"] < 0.5 and not part["queries"]:
                    continue  # returns a lazy queryset: its query runs in the rest below
                calls = f" ×{part['calls']}" if part["calls"] > 1 else ""
                inside = " (inside the one above)" if part["nested"] else ""
                row(f"  `{part['name']}`{calls}{inside}", part)
            if m.get("rest"):
                row("the rest (the view itself, querysets the template iterates)", m["rest"])
        elif m["name"] == "key_enterprises":
            row("`key_enterprises` (list page, not on the chain page)", m)
        elif m["name"] == "rendered page":
            row("rendered page (template included; reference)", m)
        else:
            row(m["name"], m)
    row(run["naive"]["name"], run["naive"])
    r = ratio(run)
    lines.append(f"| **speed-up** (naive ÷ page) | {num(r, '{:.1f}×')} | | | |")
    return lines


def targets(runs: list[dict]) -> list[str]:
    pg = next((r for r in runs if r["database"] == "PostgreSQL"), None)
    if pg is None:
        return ["Targets not evaluated: no run on PostgreSQL."]
    page = next(m for m in pg["measurements"] if m["name"] == PAGE)
    met = page["median_ms"] <= TARGET_MS
    r = ratio(pg)
    lines = [
        f"- chain page data on PostgreSQL: {page['median_ms']:,.0f} ms "
        f"(target ≤ {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'})",
        f"- speed-up over the naive loop in the same run: {num(r, '{:.1f}×')} "
        f"(target ≥ {TARGET_RATIO:.0f}×: {'met' if r and r >= TARGET_RATIO else 'NOT met'})",
    ]
    if pg["options"]["nodes"] != 1000 or pg["options"]["enterprises"] != 100_000:
        lines.append(
            "- (the targets are for 1,000 nodes and 100,000 enterprises; this run had "
            f"{pg['options']['nodes']:,} and {pg['options']['enterprises']:,})"
        )
    return lines


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    first = report["runs"][0] if report["runs"] else {}
    counts = first.get("counts", {})
    out = [
        f"# Chain benchmark {report['started']}",
        "",
        f"One chain of {counts.get('nodes', opts['nodes']):,} nodes "
        f"({counts.get('leaves', 0):,} leaves, depth {counts.get('depth', '–')}, "
        f"{counts.get('supply_links', 0):,} supply links), "
        f"{counts.get('enterprises', opts['enterprises']):,} enterprises "
        f"({counts.get('above_scale', 0):,} above designated size) with "
        f"{counts.get('confirmed_places', 0):,} confirmed places on the nodes "
        f"({counts.get('enterprise_nodes', 0) - counts.get('confirmed_places', 0):,} more "
        f"suggested), {counts.get('chain_masters', 0)} chain masters with "
        f"{counts.get('supplier_relations', 0):,} supplier relations, "
        f"{counts.get('tech_tasks', 0)} technology tasks, {counts.get('platforms', 0)} "
        f"platforms, {counts.get('application_fields', 0)} application fields, "
        f"{counts.get('prospects', 0)} prospects, {counts.get('projects', 0)} projects "
        f"(seed {opts['seed']}).",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django {env['django']}, "
        f"SQLite {env['sqlite']}, PostgreSQL {env.get('postgresql') or '–'}.",
        "",
        f"Each figure is the median of {opts['runs']} runs after a warm-up run (the naive "
        f"loop: {opts['naive_runs']} run, no separate warm-up). *queries* counted with "
        "`CaptureQueriesContext` in the warm-up (the naive loop: an `execute_wrapper`, "
        "beyond CaptureQueriesContext's 9,000); *in SQL*: time spent in `cursor.execute` "
        "(on SQLite rows are fetched after it, so part of the database's work is not in "
        "it). The rest is Python.",
        "",
    ]
    for run in report["runs"]:
        out += [f"## {run['database']}", "", *run_table(run), ""]
        dist = run.get("distribution") or {}
        if dist:
            out += [
                f"Confirmed enterprises per leaf: median {dist['median_per_leaf']:,}, "
                f"90th percentile {dist['p90_per_leaf']:,}, max {dist['max_per_leaf']:,}; "
                f"{dist['leaves_without_enterprises']} of {dist['leaves']} leaves without any, "
                f"{dist['leaves_with_1000_or_more']} with 1,000 or more. Data built in "
                f"{run['build_seconds']:.0f} s.",
                "",
            ]
        problems = {k: v for k, v in run["checks"].items() if v}
        if problems:
            out += ["**The naive loop and the selectors disagree**:", ""]
            out += [f"- {k}: {v}" for k, v in problems.items()]
        else:
            out.append(
                "Same figures: the naive loop and the selectors agree on every part of the "
                "page (" + "; ".join(run["checks"]) + ")."
            )
        out.append("")
    out += ["## Targets", "", *targets(report["runs"]), ""]
    out += report_footer(report)
    return "\n".join(out) + "\n"


# Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin chain benchmark")
    parser.add_argument("--nodes", type=int, default=1000, help="nodes of the chain (1000)")
    parser.add_argument("--enterprises", type=int, default=100_000, help="(100000)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 100 nodes, 10,000 enterprises"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up (5)")
    parser.add_argument("--naive-runs", type=int, default=1, help="runs of the naive loop (1)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="N",
        help="EXPLAIN (ANALYZE on PostgreSQL) the N slowest statements of the page",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one run of the page data")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step (3600)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    # Stopped with SIGTERM, still drop the databases (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.nodes, args.enterprises = 100, 10_000
    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave nothing to measure")
    started = datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M")
    base = result_base("chains", stamp, "-quick" if args.quick else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)

    dbs: list[Database] = [] if args.skip_sqlite else [SqliteDatabase(SCRATCH / "sqlite")]
    if not args.skip_postgres:
        dbs.append(PostgresDatabase(args.pg_url))
    options = {
        "nodes": args.nodes,
        "enterprises": args.enterprises,
        "quick": args.quick,
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "seed": args.seed,
    }
    runs: list[dict] = []
    try:
        for db in dbs:
            log(f"{db.label}: building the chain ({args.nodes:,} nodes, "
                f"{args.enterprises:,} enterprises)")  # fmt: skip
            db.create()
            built = worker(
                db, "build", "--nodes", str(args.nodes), "--enterprises", str(args.enterprises),
                "--seed", str(args.seed), timeout=args.timeout,
            )  # fmt: skip
            log(f"{db.label}: built in {built['seconds']:.0f} s; measuring")
            source = source_digest(CHAIN_SOURCES)
            measure_args = ["measure", "--runs", str(args.runs)]
            measure_args += ["--naive-runs", str(args.naive_runs), "--explain", str(args.explain)]
            prof = DATA / f"{base.name}-{db.label.lower()}.prof"
            if args.profile:
                measure_args += ["--profile", str(prof)]
            out = worker(db, *measure_args, timeout=args.timeout)
            after = source_digest(CHAIN_SOURCES)
            run = {
                "database": db.label,
                "options": options,
                "counts": built["counts"],
                "build_seconds": built["seconds"],
                "source": source if after == source else f"{source}->{after}",
                **{k: out[k] for k in ("ok", "load_before", "distribution", "checks")},
                "measurements": out["measurements"],
                "naive": out["naive"],
            }
            label = db.label.lower()
            if out.get("explain"):
                path = RESULTS / f"{base.name}-{label}-explain.txt"
                path.write_text(
                    f"The slowest statements of one chain-page-data run on {db.label} "
                    f"({args.nodes:,} nodes, {args.enterprises:,} enterprises)\n\n"
                    + out["explain"],
                    encoding="utf-8",
                )
                run["explain_file"] = str(path.relative_to(PROJECT))
            if out.get("profile"):
                path = RESULTS / f"{base.name}-{label}-profile.txt"
                text = short_paths(out["profile"])
                path.write_text(
                    f"cProfile of one chain-page-data run on {db.label} (timings under the "
                    "profiler are slower than unprofiled runs; the raw stats: "
                    f"{prof.relative_to(PROJECT)})\n\n" + text,
                    encoding="utf-8",
                )
                run["profile_file"] = str(path.relative_to(PROJECT))
            runs.append(run)
            if not args.keep_db:
                db.drop()
        env = environment(dbs)
    finally:
        if not args.keep_db:
            drop_all(dbs)
            shutil.rmtree(SCRATCH, ignore_errors=True)
        else:
            kept = [db.url if isinstance(db, PostgresDatabase) else str(db.root) for db in dbs]
            log("kept: " + ", ".join(kept))

    report = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().isoformat(timespec="seconds"),
        "options": options,
        "environment": env,
        "targets": {"page_ms_postgresql": TARGET_MS, "ratio": TARGET_RATIO},
        "runs": runs,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    for run in runs:
        print()
        print("\n".join(run_table(run)))
    print()
    print("\n".join(targets(runs)))
    if any(not r["ok"] for r in runs):
        print("\nThe naive loop and the selectors DISAGREE: see the report.")
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
