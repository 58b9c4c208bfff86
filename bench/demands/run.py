"""Demand benchmark: the deadline sweep, a department's inbox and the statistics page on a
million demands, each next to a naive version of it measured in the same run.

    .venv/bin/python bench/demands/run.py [--quick] [--demands N] [--skip-sqlite]
                                          [--skip-postgres] [--explain N] [--profile]

For each database (SQLite, PostgreSQL) builds a fresh database (migrated, the demo city's
regions and departments, the project's chains, 100,000 enterprises and 1,000,000 demands
over two years up to now: datagen.py), then in a new process times the sweep (first and
second run), the inbox pages, the statistics (first view after the load, warm, after one
change) and the board, and their naive versions, and checks that both arrive at the same
result. Prints a table and writes bench/results/demands-<YYYYMMDD-HHMM>.json and .md. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
#: Scratch space of this run (var dirs, SQLite files).
SCRATCH = DATA / "runs" / "demands"
#: One run at a time: the PostgreSQL database has a fixed name (gongxin_bench_demands).
LOCK = DATA / "runs" / "demands.lock"

#: Targets on PostgreSQL (reported, not asserted): measurement name prefix → ms.
TARGETS = {
    "sweep, first run": 10_000.0,
    "inbox ?tab=mine (department)": 200.0,
    "inbox ?tab=all (department)": 200.0,
    "inbox ?tab=overdue (department)": 200.0,
    "inbox ?tab=all (desk)": 200.0,
    "statistics by=department, warm": 200.0,
    "statistics by=district, warm": 200.0,
    "statistics by=chain, warm": 200.0,
    "statistics by=month, warm": 200.0,
}
#: measurement → its naive baseline (speed-up = naive best ÷ best).
NAIVE = {
    "sweep, first run": "naive sweep",
    **{
        f"inbox ?tab={tab} (department)": f"naive inbox ?tab={tab} (department)"
        for tab in ("mine", "all", "overdue")
    },
    **{
        f"statistics by={d}, {case}": f"naive statistics by={d}"
        for d in ("department", "district", "chain", "month")
        for case in ("warm", "after one change")
    },
    "statistics, first view after the load": "naive statistics by=department",
}


# Databases ----------------------------------------------------------------------------------


SqliteDatabase = ScratchSqlite


class PostgresDatabase(ScratchPostgres):
    def __init__(self, url: str):
        super().__init__(url, "demands", SCRATCH / "postgres-var")


Database = SqliteDatabase | PostgresDatabase


def worker(db: Database, *args: str, timeout: float) -> dict:
    return run_worker(WORKER, db, *args, timeout=timeout)


#: The modules the measured pages and the sweep run through (what `source_digest` covers).
DEMAND_SOURCES = (
    "settings.py",
    "demands/models.py",
    "demands/selectors.py",
    "demands/statistics.py",
    "demands/sweep.py",
    "demands/views.py",
    "demands/urls.py",
    "demands/services/*.py",
    "demands/migrations/*.py",
    "demands/templates/demands/*.html",
    "core/notify.py",
    "core/workdays.py",
    "core/selectors.py",
    "templates/*.html",
)


# Reporting ----------------------------------------------------------------------------------


def by_name(run: dict) -> dict[str, dict]:
    return {m["name"]: m for m in run["measurements"]}


def speedup(run: dict, name: str) -> float | None:
    ms = by_name(run)
    naive = ms.get(NAIVE.get(name, ""))
    if naive is None or not ms[name]["best_ms"]:
        return None
    return naive["best_ms"] / ms[name]["best_ms"]


def run_table(run: dict) -> list[str]:
    lines = [
        f"| {run['database']} | best ms | runs (ms) | queries | in SQL (ms) | naive best ms "
        "| naive queries | speed-up |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    ms = by_name(run)
    for m in run["measurements"]:
        if m["name"].startswith("naive "):
            continue
        runs = " ".join(f"{x:,.0f}" for x in m["runs_ms"])
        queries = "/".join(f"{q:,}" for q in sorted(set(m["queries_per_run"])))
        naive = ms.get(NAIVE.get(m["name"], ""))
        lines.append(
            f"| {m['name']} | {m['best_ms']:,.0f} | {runs} | {queries} | {m['sql_ms']:,.0f} "
            f"| {num(naive and naive['best_ms'])} | {num(naive and naive['queries'])} "
            f"| {num(speedup(run, m['name']), '{:.0f}×')} |"
        )
    return lines


def summary_table(runs: list[dict]) -> list[str]:
    """The measured figures side by side per database, with the naive baseline's."""
    names = [m["name"] for m in runs[0]["measurements"] if not m["name"].startswith("naive ")]
    head = "| |" + "".join(f" {r['database']} ms | queries | naive ms |" for r in runs)
    head += " target (PostgreSQL) |"
    lines = [head, "|---|" + "---:|---:|---:|" * len(runs) + "---|"]
    for name in names:
        cells = []
        for run in runs:
            m = by_name(run).get(name)
            naive = by_name(run).get(NAIVE.get(name, ""))
            cells.append(
                f" {num(m and m['best_ms'])} | {num(m and m['queries'])} "
                f"| {num(naive and naive['best_ms'])} |"
            )
        target = f"≤ {TARGETS[name]:,.0f} ms" if name in TARGETS else ""
        lines.append(f"| {name} |" + "".join(cells) + f" {target} |")
    return lines


def targets(runs: list[dict], options: dict) -> list[str]:
    pg = next((r for r in runs if r["database"] == "PostgreSQL"), None)
    if pg is None:
        return ["Targets not evaluated: no run on PostgreSQL."]
    ms = by_name(pg)
    lines = []
    for name, target in TARGETS.items():
        m = ms.get(name)
        if m is None:
            continue
        met = "met" if m["best_ms"] <= target else "NOT met"
        lines.append(f"- {name}: {m['best_ms']:,.0f} ms (target ≤ {target:,.0f} ms: {met})")
    for name in (n for n in ms if n.endswith("after one change")):
        lines.append(f"- {name}: {ms[name]['best_ms']:,.0f} ms (no target; reported)")
    first = ms.get("statistics, first view after the load")
    if first:
        lines.append(
            f"- statistics, first view after the load: {first['best_ms']:,.0f} ms "
            "(no target; once after a bulk load)"
        )
    if options["demands"] != 1_000_000:
        lines.append(
            f"- (the targets are for 1,000,000 demands; this run had {options['demands']:,})"
        )
    return lines


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    first = report["runs"][0] if report["runs"] else {}
    c = first.get("counts", {})
    f = first.get("facts", {})
    statuses = ", ".join(f"{s} {n:,}" for s, n in (c.get("by_status") or {}).items())
    out = [
        f"# Demand benchmark {report['started']}",
        "",
        f"{c.get('demands', opts['demands']):,} demands registered from {c.get('first_day', '–')} "
        f"to {c.get('now', '–')} ({statuses}; {c.get('open', 0):,} open, "
        f"{f.get('overdue', 0):,} of them overdue), of {c.get('enterprises', 0):,} enterprises "
        f"({c.get('enterprises_on_chains', 0):,} confirmed on {c.get('chains', 0)} chains: "
        f"{c.get('demand_chains', 0):,} demand–chain rows), {c.get('co_departments', 0):,} "
        f"co-departments, {c.get('demand_terms', 0):,} hot-topic word counts; "
        f"{c.get('handling_users', 0)} users of the handling departments, "
        f"{c.get('desk_users', 0)} at the desk (seed {opts['seed']}).",
        "",
        f"The department measured is {f.get('department', '–')}: it leads "
        f"{f.get('department_leads', 0):,} demands and co-handles "
        f"{f.get('department_co_handles', 0):,}. The statistics were measured through "
        f"{f.get('statistics_measured', '–')}, the board through {f.get('board_measured', '–')}; "
        f"*after one change* rebuilds the day of one demand of {f.get('changed_month', '–')} "
        f"(a month of {f.get('changed_month_demands', 0):,} demands).",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django {env['django']}, "
        f"SQLite {env['sqlite']}, PostgreSQL {env.get('postgresql') or '–'}.",
        "",
        f"Each figure is the best of {opts['runs']} runs (the pages after a warm-up run; the "
        "sweep's first run, the first statistics view after the load and the views after a "
        "change each start from their state, set up untimed), the naive sweep and statistics "
        f"best of {opts['naive_runs']}. Pages are GET requests through `django.test.Client` "
        "(middleware, session, template). *queries*: statements counted by an "
        "`execute_wrapper`; *in SQL*: time in `cursor.execute` (on SQLite rows are fetched "
        "after it). **speed-up** = naive best ÷ best, same run and database.",
        "",
    ]
    if len(report["runs"]) > 1:
        out += ["## Summary", "", *summary_table(report["runs"]), ""]
    for run in report["runs"]:
        out += [f"## {run['database']}", "", *run_table(run), ""]
        out.append(
            f"Data built in {run['build_seconds']:.0f} s (migrate {run['migrate_seconds']:.0f} s, "
            f"load {run['load_seconds']:.0f} s, "
            f"{'VACUUM ANALYZE' if run['database'] == 'PostgreSQL' else 'checkpoint'} "
            f"{run['analyse_seconds']:.0f} s); measured in {run['measure_seconds']:.0f} s."
        )
        sweep = by_name(run).get("sweep, first run")
        if sweep:
            alerts = ", ".join(f"{k} {v:,}" for k, v in sweep.get("alerts", {}).items())
            out.append(
                f"The first sweep sent {sweep['alerts_total']:,} alerts ({alerts}) in "
                f"{sweep['messages']:,} messages; the second sent nothing."
            )
        out.append("")
        problems = {k: v for k, v in run["checks"].items() if v}
        if problems:
            out += ["**The naive versions and gongxin disagree**:", ""]
            out += [f"- {k}: {v}" for k, v in problems.items()]
        else:
            out.append("Same results: " + "; ".join(run["checks"]) + ".")
        out.append("")
    out += ["## Targets", "", *targets(report["runs"], opts), ""]
    out += report_footer(report)
    return "\n".join(out) + "\n"


# Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin demand benchmark")
    parser.add_argument("--demands", type=int, default=1_000_000, help="(1000000)")
    parser.add_argument(
        "--enterprises", type=int, default=None, help="(a tenth of the demands, at most 100000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20,000 demands, 2,000 enterprises"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each case (3, best)")
    parser.add_argument(
        "--naive-runs", type=int, default=1, help="runs of the naive sweep and statistics (1)"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="N",
        help="EXPLAIN (ANALYZE on PostgreSQL) up to N slowest statements of each page",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile an inbox and statistics view"
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--now", help="the moment the data ends (ISO with zone; default: the run's start)"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step (3600)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    # Stopped with SIGTERM, still drop the databases (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.demands = 20_000
    if args.enterprises is None:
        args.enterprises = min(100_000, max(1_000, args.demands // 10))
    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave nothing to measure")
    started = datetime.now()
    now = (
        datetime.fromisoformat(args.now)
        if args.now
        else datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    )
    stamp = started.strftime("%Y%m%d-%H%M")
    quick = args.demands < 1_000_000
    base = result_base("demands", stamp, "-quick" if quick else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    lock = LOCK.open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        parser.error("another demand benchmark is running (bench/data/runs/demands.lock)")

    dbs: list[Database] = [] if args.skip_sqlite else [SqliteDatabase(SCRATCH / "sqlite")]
    if not args.skip_postgres:
        dbs.append(PostgresDatabase(args.pg_url))
    options = {
        "demands": args.demands,
        "enterprises": args.enterprises,
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "seed": args.seed,
        "now": now.isoformat(),
    }
    runs: list[dict] = []
    try:
        for db in dbs:
            log(
                f"{db.label}: building ({args.demands:,} demands, {args.enterprises:,} enterprises)"
            )
            db.create()
            built = worker(
                db, "build", "--demands", str(args.demands), "--enterprises", str(args.enterprises),
                "--now", now.isoformat(), "--seed", str(args.seed), timeout=args.timeout,
            )  # fmt: skip
            log(f"{db.label}: built in {built['seconds']:.0f} s; measuring")
            source = source_digest(DEMAND_SOURCES)
            measure_args = ["measure", "--runs", str(args.runs)]
            measure_args += ["--naive-runs", str(args.naive_runs), "--explain", str(args.explain)]
            prof = DATA / f"{base.name}-{db.label.lower()}.prof"
            if args.profile:
                measure_args += ["--profile", str(prof)]
            measure_start = datetime.now()
            out = worker(db, *measure_args, timeout=args.timeout)
            after = source_digest(DEMAND_SOURCES)
            run = {
                "database": db.label,
                "options": options,
                "counts": built["counts"],
                **{k: built[k] for k in ("migrate_seconds", "load_seconds", "analyse_seconds")},
                "build_seconds": built["seconds"],
                "measure_seconds": (datetime.now() - measure_start).total_seconds(),
                "source": source if after == source else f"{source}->{after}",
                **{k: out[k] for k in ("ok", "load_before", "facts", "checks")},
                "measurements": out["measurements"],
            }
            label = db.label.lower()
            if out.get("explain"):
                path = RESULTS / f"{base.name}-{label}-explain.txt"
                path.write_text(
                    f"The slowest statements of the demand pages on {db.label} "
                    f"({args.demands:,} demands)\n\n" + out["explain"],
                    encoding="utf-8",
                )
                run["explain_file"] = str(path.relative_to(PROJECT))
            if out.get("profile"):
                path = RESULTS / f"{base.name}-{label}-profile.txt"
                path.write_text(
                    f"cProfile of an inbox and a statistics view on {db.label} (raw stats: "
                    f"{prof.relative_to(PROJECT)})\n\n" + short_paths(out["profile"]),
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
        "targets_ms_postgresql": TARGETS,
        "runs": runs,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    if len(runs) > 1:
        print()
        print("\n".join(summary_table(runs)))
    for run in runs:
        print()
        print("\n".join(run_table(run)))
    print()
    print("\n".join(targets(runs, options)))
    if any(not r["ok"] for r in runs):
        print("\nThe naive versions and gongxin DISAGREE: see the report.")
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
