"""Matching benchmark (政策找企业): every policy decided for every enterprise, in the
database, next to the per-enterprise evaluation in memory, and one enterprise's rematch.

    .venv/bin/python bench/match/run.py [--enterprises N] [--policies N] [--quick]
                                        [--skip-sqlite] [--skip-postgres] [--explain N]

For each database (SQLite, PostgreSQL) builds a fresh database (migrated, the demo city's
regions, departments and chains, 100,000 operating enterprises with their figures,
qualifications, chain places and projects, 100 published policies in force: datagen.py),
then in a new process times `match_all` (facts refresh and policy matching apart; a first
run on empty tables, then the daily run that replaces the stored matches), the naive
per-enterprise loop on a sample (extrapolated to the archive) and `match_enterprises` for
one enterprise at a time; checks that the naive loop and the database agree. Prints a table
and writes bench/results/match-<YYYYMMDD-HHMM>.json and .md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from datetime import date, datetime
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
    source_digest,
)

WORKER = HERE / "worker.py"
RUN_ID = str(os.getpid())
#: Scratch space of this run (var dirs, SQLite files); several runs may go on at once.
SCRATCH = DATA / "runs" / f"match-{RUN_ID}"

DEFAULT_ENTERPRISES = 100_000
DEFAULT_POLICIES = 100
TARGET_FULL_MS = 5_000.0  # full match on PostgreSQL
TARGET_RATIO = 20.0  # naive loop (extrapolated) ÷ full match, same run
TARGET_REMATCH_MS = 100.0  # one enterprise's rematch

#: The modules a match runs through (what `source_digest` covers).
MATCH_SOURCES = (
    "settings.py",
    "policies/rules.py",
    "policies/selectors.py",
    "policies/benefits.py",
    "policies/models.py",
    "policies/services/matching.py",
    "policies/migrations/*.py",
    "enterprises/models.py",
    "enterprises/selectors.py",
    "enterprises/migrations/*.py",
    "projects/models.py",
    "chains/models.py",
)


# Databases ----------------------------------------------------------------------------------


SqliteDatabase = ScratchSqlite


class PostgresDatabase(ScratchPostgres):
    def __init__(self, url: str):
        super().__init__(url, f"match_{RUN_ID}", SCRATCH / "postgres-var")


Database = SqliteDatabase | PostgresDatabase


def worker(db: Database, *args: str, timeout: float) -> dict:
    return run_worker(WORKER, db, *args, timeout=timeout)


# Reporting ----------------------------------------------------------------------------------


def daily(run: dict) -> dict:
    """The median of the runs that replace stored matches (the first run if none)."""
    runs = run["repeated"] or [run["first"]]
    return sorted(runs, key=lambda r: r["total_ms"])[len(runs) // 2]


def ratio(run: dict) -> float | None:
    extrapolated = run["naive"]["extrapolated_ms"]
    total = daily(run)["total_ms"]
    return extrapolated / total if extrapolated and total else None


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:,.2f} s" if value >= 10_000 else f"{value:,.0f} ms"


def summary_table(runs: list[dict]) -> list[str]:
    """One column per database; the figures of the daily run (median) unless said."""
    head = "| |" + "".join(f" {r['database']} |" for r in runs) + " target (PostgreSQL) |"
    lines = [head, "|---|" + "---:|" * len(runs) + "---|"]

    def row(label: str, cell, target: str = "") -> None:
        lines.append(f"| {label} |" + "".join(f" {cell(r)} |" for r in runs) + f" {target} |")

    row(
        "facts refresh (`facts_refresh`: computed into a temporary table, changed rows written)",
        lambda r: f"{_ms(daily(r)['facts_ms'])} ({daily(r)['facts_queries']} q)",
    )
    row(
        "policy matching (`match_policies`, one batch of policies at a time)",
        lambda r: f"{_ms(daily(r)['matching_ms'])} ({daily(r)['matching_queries']:,} q)",
    )
    row(
        "… of which in COMMIT of `match_policies` (deferred foreign-key checks)",
        lambda r: _ms(daily(r).get("matching_commit_ms")),
    )
    row(
        "… of which in `cursor.execute` of `match_policies`",
        lambda r: _ms(daily(r)["matching_sql_ms"]),
    )
    row("the rest (stale matches, commit, policy list)", lambda r: _ms(daily(r)["rest_ms"]))
    row(
        "**full match** (`match_all`), daily run: median",
        lambda r: f"**{_ms(daily(r)['total_ms'])}** ({daily(r)['queries']:,} q)",
        f"≤ {TARGET_FULL_MS / 1000:.0f} s",
    )
    row(
        "full match, daily runs (all)",
        lambda r: " / ".join(_ms(x["total_ms"]) for x in r["repeated"]) or "–",
    )
    row(
        "full match, first run (no facts or matches yet)",
        lambda r: (
            f"{_ms(r['first']['total_ms'])} (facts {_ms(r['first']['facts_ms'])}, "
            f"policies {_ms(r['first']['matching_ms'])})"
        ),
    )
    row(
        "one policy alone (`match_policy`, as after it is saved): min / median / max",
        lambda r: " / ".join(f"{r['policy_ms'][k]:,.0f}" for k in ("min", "median", "max")) + " ms",
    )
    row(
        "naive loop: sample measured",
        lambda r: (
            f"{r['naive']['sample']:,} enterprises in {_ms(r['naive']['ms'])} "
            f"({r['naive']['queries']:,} q)"
        ),
    )
    row("naive loop: rate", lambda r: f"{num(r['naive']['per_second'])} enterprises/s")
    row(
        "naive loop: **extrapolated** to the whole archive",
        lambda r: f"{_ms(r['naive']['extrapolated_ms'])} (extrapolated)",
    )
    row(
        "**speed-up** (naive extrapolated ÷ full match)",
        lambda r: f"**{num(ratio(r), '{:.1f}×')}**",
        f"≥ {TARGET_RATIO:.0f}×",
    )
    row(
        "one enterprise's rematch after a change: median / p95",
        lambda r: (
            f"{r['rematch_changed']['median_ms']:,.1f} / {r['rematch_changed']['p95_ms']:,.1f} ms"
        ),
        f"≤ {TARGET_REMATCH_MS:.0f} ms",
    )
    row(
        "one enterprise's rematch, unchanged: median / p95",
        lambda r: (
            f"{r['rematch_unchanged']['median_ms']:,.1f} / "
            f"{r['rematch_unchanged']['p95_ms']:,.1f} ms"
        ),
    )
    row(
        "rematch: queries (median)",
        lambda r: f"{r['rematch_changed']['queries_median']:.0f}",
    )
    row(
        "rematch, unchanged: match rows rewritten",
        lambda r: (
            f"{r['rematch_unchanged']['rows_written']:,} "
            f"(for {r['rematch_unchanged']['enterprises_with_rows_written']} of "
            f"{r['rematch_unchanged']['enterprises']})"
        ),
    )
    row(
        "matches stored: eligible / needs information",
        lambda r: f"{r['match_counts']['eligible']:,} / {r['match_counts']['unknown']:,}",
    )
    return lines


def slowest_policies(run: dict) -> list[str]:
    lines = ["| policy | ms | eligible | unknown | rule |", "|---:|---:|---:|---:|---|"]
    for p in run["policy_ms"]["slowest"]:
        rule = p["rule"].replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {p['policy']} | {p['ms']:,.0f} | {p['eligible']:,} | {p['unknown']:,} | `{rule}` |"
        )
    return lines


def targets(runs: list[dict], options: dict) -> list[str]:
    pg = next((r for r in runs if r["database"] == "PostgreSQL"), None)
    if pg is None:
        return ["Targets not evaluated: no run on PostgreSQL."]
    total = daily(pg)["total_ms"]
    r = ratio(pg)
    changed = pg["rematch_changed"]

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = [
        f"- full match on PostgreSQL (daily run, median): {_ms(total)} "
        f"(target ≤ {TARGET_FULL_MS / 1000:.0f} s: {met(total <= TARGET_FULL_MS)}); "
        f"first run {_ms(pg['first']['total_ms'])} "
        f"({met(pg['first']['total_ms'] <= TARGET_FULL_MS)})",
        f"- speed-up over the naive loop (extrapolated from {pg['naive']['sample']:,} "
        f"enterprises): {num(r, '{:.1f}×')} (target ≥ {TARGET_RATIO:.0f}×: "
        f"{met(bool(r) and r >= TARGET_RATIO)})",
        f"- one enterprise's rematch after a change: median {changed['median_ms']:,.1f} ms "
        f"(target ≤ {TARGET_REMATCH_MS:.0f} ms: {met(changed['median_ms'] <= TARGET_REMATCH_MS)}), "
        f"p95 {changed['p95_ms']:,.1f} ms ({met(changed['p95_ms'] <= TARGET_REMATCH_MS)})",
    ]
    if (options["enterprises"], options["policies"]) != (DEFAULT_ENTERPRISES, DEFAULT_POLICIES):
        lines.append(
            f"- (the targets are for {DEFAULT_ENTERPRISES:,} enterprises × {DEFAULT_POLICIES} "
            f"policies; this run had {options['enterprises']:,} × {options['policies']})"
        )
    return lines


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    first = report["runs"][0] if report["runs"] else {}
    c = first.get("counts", {})
    methods = ", ".join(f"{k} {v}" for k, v in sorted((c.get("amount_methods") or {}).items()))
    out = [
        f"# Matching benchmark {report['started']}",
        "",
        f"{c.get('enterprises', opts['enterprises']):,} operating enterprises "
        f"({c.get('above_scale', 0):,} above designated size; "
        f"{c.get('with_last_year', 0):,} with {c.get('year', '–')} figures, "
        f"{c.get('with_both_years', 0):,} with the year before too, "
        f"{c.get('with_rd_expense', 0):,} with an R&D figure; "
        f"{c.get('without_established', 0):,} without a date of establishment), "
        f"{c.get('qualifications', 0):,} qualifications ({c.get('qualifications_expired', 0):,} "
        f"expired), {c.get('places', 0):,} confirmed places on {c.get('chains', 0)} chains "
        f"({c.get('enterprises_on_chains', 0):,} enterprises), {c.get('projects', 0):,} projects "
        f"({c.get('projects_with_investment', 0):,} with completed investment); "
        f"{c.get('policies', opts['policies'])} published policies in force ({methods}); "
        f"matched on {opts['on']} (seed {opts['seed']}).",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django {env['django']}, "
        f"SQLite {env['sqlite']}, PostgreSQL {env.get('postgresql') or '–'}.",
        "",
        "*Full match*: `match_all(on=…, tell=False)`, timed as a whole; `facts_refresh` and "
        "each batch of `match_policies` timed as it calls them. The *first run* meets empty "
        "fact and "
        f"match tables; then {opts['runs']} *daily runs*, each replacing what the run before "
        "stored (PostgreSQL: `VACUUM ANALYZE` of the two tables before each, untimed, as "
        "autovacuum would between two days); the table shows the median daily run. "
        f"*Naive loop*: {opts['naive_sample']:,} enterprises drawn at random (same seed, "
        "same sample), each read with `selectors.facts_of` and decided with "
        "`rules.evaluate` for every policy, its `Match` rows deleted and bulk-created "
        "(`naive.py`); **its time for the whole archive is extrapolated from the sample's "
        "rate, not measured**. *Rematch*: `match_enterprises([id], on=…, tell=False)` for "
        f"{opts['rematch']} other enterprises one at a time, first unchanged since the full "
        "match, then after its last year's revenue ×1.3 and R&D expense ×2 (untimed "
        "update before each). *One policy alone*: `match_policy(policy, on=…, tell=False)` "
        "for each policy after the daily runs, as after a policy is saved. *q*: statements "
        "counted by an `execute_wrapper`.",
        "",
        "## Summary",
        "",
        *summary_table(report["runs"]),
        "",
    ]
    for run in report["runs"]:
        out += [
            f"## {run['database']}",
            "",
            f"Data built in {run['build_seconds']:.0f} s (migrate {run['migrate_seconds']:.0f} s, "
            f"load {run['load_seconds']:.0f} s); measured in {run['measure_seconds']:.0f} s. "
            f"Time in `cursor.execute` during the median daily run: "
            f"{_ms(daily(run)['sql_ms'])} of {_ms(daily(run)['total_ms'])}. "
            f"{run['match_counts']['stored']:,} matches stored for "
            f"{run['match_counts']['enterprises_with_a_match']:,} enterprises.",
            "",
            "The slowest policies decided alone (`match_policy` after the daily runs, "
            "nothing changed):",
            "",
            *slowest_policies(run),
            "",
        ]
        problems = {k: v for k, v in run["checks"].items() if v}
        if problems:
            out += ["**The naive loop and gongxin disagree**:", ""]
            out += [f"- {k}: {v}" for k, v in problems.items()]
        else:
            out.append("Same results: " + "; ".join(run["checks"]) + ".")
        out.append("")
    out += ["## Targets", "", *targets(report["runs"], opts), ""]
    out += report_footer(report)
    return "\n".join(out) + "\n"


# Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin matching benchmark")
    parser.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES, help="(100000)")
    parser.add_argument("--policies", type=int, default=DEFAULT_POLICIES, help="(100)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 5,000 enterprises, 20 policies"
    )
    parser.add_argument("--runs", type=int, default=3, help="daily full-match runs (3, median)")
    parser.add_argument(
        "--naive-sample", type=int, default=2000, help="enterprises in the naive loop (2000)"
    )
    parser.add_argument(
        "--rematch", type=int, default=50, help="enterprises rematched one by one (50)"
    )
    parser.add_argument(
        "--on", default="2026-06-30", help="the day of matching (2026-06-30: 2025 figures)"
    )
    parser.add_argument(
        "--with-no-amount",
        action="store_true",
        help="give two of the 25 kinds of policy no amount (amount_method none)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="N",
        help="EXPLAIN (ANALYZE on PostgreSQL) the N slowest statements of a full match",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step (3600)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    # Stopped with SIGTERM, still drop the databases (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.enterprises, args.policies = 5_000, 20
    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave nothing to measure")
    date.fromisoformat(args.on)
    started = datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M")
    small = (args.enterprises, args.policies) != (DEFAULT_ENTERPRISES, DEFAULT_POLICIES)
    base = result_base("match", stamp, "-quick" if small else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)

    dbs: list[Database] = [] if args.skip_sqlite else [SqliteDatabase(SCRATCH / "sqlite")]
    if not args.skip_postgres:
        dbs.append(PostgresDatabase(args.pg_url))
    options = {
        "enterprises": args.enterprises,
        "policies": args.policies,
        "runs": args.runs,
        "naive_sample": args.naive_sample,
        "rematch": args.rematch,
        "on": args.on,
        "seed": args.seed,
        "with_no_amount": args.with_no_amount,
    }
    runs: list[dict] = []
    try:
        for db in dbs:
            log(f"{db.label}: building ({args.enterprises:,} enterprises, "
                f"{args.policies} policies)")  # fmt: skip
            db.create()
            built = worker(
                db, "build", "--enterprises", str(args.enterprises),
                "--policies", str(args.policies), "--on", args.on, "--seed", str(args.seed),
                *(["--with-no-amount"] if args.with_no_amount else []), timeout=args.timeout,
            )  # fmt: skip
            log(f"{db.label}: built in {built['seconds']:.0f} s; measuring")
            source = source_digest(MATCH_SOURCES)
            measure_start = datetime.now()
            out = worker(
                db, "measure", "--on", args.on, "--runs", str(args.runs),
                "--naive-sample", str(args.naive_sample), "--rematch", str(args.rematch),
                "--seed", str(args.seed), "--explain", str(args.explain), timeout=args.timeout,
            )  # fmt: skip
            after = source_digest(MATCH_SOURCES)
            run = {
                "database": db.label,
                "options": options,
                "counts": built["counts"],
                **{k: built[k] for k in ("migrate_seconds", "load_seconds")},
                "build_seconds": built["seconds"],
                "measure_seconds": (datetime.now() - measure_start).total_seconds(),
                "source": source if after == source else f"{source}->{after}",
                **{k: v for k, v in out.items() if k != "explain"},
            }
            if out.get("explain"):
                path = RESULTS / f"{base.name}-{db.label.lower()}-explain.txt"
                path.write_text(
                    f"The slowest statements of a full match on {db.label} "
                    f"({args.enterprises:,} enterprises × {args.policies} policies)\n\n"
                    + out["explain"],
                    encoding="utf-8",
                )
                run["explain_file"] = str(path.relative_to(PROJECT))
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
        "targets": {
            "full_match_ms_postgresql": TARGET_FULL_MS,
            "ratio": TARGET_RATIO,
            "rematch_ms": TARGET_REMATCH_MS,
        },
        "runs": runs,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print()
    print("\n".join(summary_table(runs)))
    print()
    print("\n".join(targets(runs, options)))
    print(
        f"\nThe naive loop's time for the whole archive is extrapolated from a sample of "
        f"{args.naive_sample:,} enterprises, not measured."
    )
    if any(not r["ok"] for r in runs):
        print("\nThe naive loop and gongxin DISAGREE: see the report.")
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
