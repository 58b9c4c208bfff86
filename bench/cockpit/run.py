"""Cockpit benchmark (驾驶舱): the cockpit's data and the monthly briefing for a city of
100,000 enterprises with three years of monthly figures, next to a naive implementation in
the same run.

    .venv/bin/python bench/cockpit/run.py [--enterprises N] [--projects N] [--quick]
                                          [--skip-sqlite] [--skip-postgres] [--explain N]

For each database (SQLite, PostgreSQL) builds a fresh database (migrated, the demo city's
regions, departments and chains, 100,000 enterprises with 36 months of figures — 3.6
million rows —, chain places, qualifications, 5,000 key projects with their stages and
months, demands, cultivation plans, chain targets: datagen.py; then the monthly totals, the
year's targets and the early-warning sweep), then in a new process times `cockpit_build`
as a leadership account reads the city (by part too), the naive implementation, the
briefing (build + DOCX + XLSX annex) and `rollup_rebuild`; checks that the naive figures
and the cockpit's agree. Prints a table and writes
bench/results/cockpit-<YYYYMMDD-HHMM>.json and .md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from datetime import date, datetime, timedelta
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
SCRATCH = DATA / "runs" / f"cockpit-{RUN_ID}"

DEFAULT_ENTERPRISES = 100_000
DEFAULT_PROJECTS = 5_000
DEFAULT_DEMANDS = 5_000
TARGET_COCKPIT_MS = 300.0  # cockpit_build on PostgreSQL
TARGET_BRIEFING_MS = 10_000.0  # build + DOCX + XLSX annex on PostgreSQL

#: The modules the cockpit and the briefing run through (what `source_digest` covers).
COCKPIT_SOURCES = (
    "settings.py",
    "cockpit/*.py",
    "indicators/*.py",
    "indicators/migrations/*.py",
    "alerts/selectors.py",
    "alerts/models.py",
    "alerts/rules.py",
    "alerts/services.py",
    "chains/selectors.py",
    "chains/models.py",
    "demands/statistics.py",
    "demands/selectors.py",
    "enterprises/models.py",
    "enterprises/selectors.py",
    "projects/selectors.py",
    "projects/progress.py",
    "projects/services.py",
    "projects/models.py",
    "core/selectors.py",
    "core/tabular/writing.py",
)


# Databases ----------------------------------------------------------------------------------


SqliteDatabase = ScratchSqlite


class PostgresDatabase(ScratchPostgres):
    def __init__(self, url: str):
        super().__init__(url, f"cockpit_{RUN_ID}", SCRATCH / "postgres-var")


Database = SqliteDatabase | PostgresDatabase


def worker(db: Database, *args: str, timeout: float) -> dict:
    return run_worker(WORKER, db, *args, timeout=timeout)


# Reporting ----------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:,.2f} s" if value >= 10_000 else f"{value:,.0f} ms"


def _runs(values: list[float]) -> str:
    return " ".join(f"{v:,.0f}" for v in values)


def summary_table(runs: list[dict]) -> list[str]:
    head = "| |" + "".join(f" {r['database']} |" for r in runs) + " target (PostgreSQL) |"
    lines = [head, "|---|" + "---:|" * len(runs) + "---|"]

    def row(label: str, cell, target: str = "") -> None:
        lines.append(f"| {label} |" + "".join(f" {cell(r)} |" for r in runs) + f" {target} |")

    row(
        "**cockpit** (`cockpit_build`, the city, leadership): median",
        lambda r: f"**{_ms(r['cockpit']['median_ms'])}** ({r['cockpit']['queries']} q)",
        f"≤ {TARGET_COCKPIT_MS:.0f} ms",
    )
    row("cockpit: runs (ms)", lambda r: _runs(r["cockpit"]["runs_ms"]))
    row("cockpit: in `cursor.execute`", lambda r: _ms(r["cockpit"]["sql_ms"]))
    row(
        "cockpit, first build after the load (demand statistics recomputed)",
        lambda r: f"{_ms(r['first']['ms'])} ({r['first']['queries']} q)",
    )
    row(
        "**naive implementation**",
        lambda r: f"**{_ms(r['naive']['median_ms'])}** ({r['naive']['queries']:,} q)",
    )
    row("**speed-up** (naive ÷ cockpit)", lambda r: f"**{num(r['ratio'], '{:,.0f}×')}**")
    row(
        "**briefing** (build + DOCX + XLSX annex): median",
        lambda r: (
            f"**{_ms(r['briefing']['total']['median_ms'])}** "
            f"({r['briefing']['total']['queries']} q)"
        ),
        f"≤ {TARGET_BRIEFING_MS / 1000:.0f} s",
    )
    for key, label in (
        ("build", "… `cockpit_build`"),
        ("docx", "… `briefing_docx` (Word, with the chart)"),
        ("annex", "… `briefing_annex` (XLSX: late projects, open warnings …)"),
    ):
        row(
            label,
            lambda r, k=key: (
                f"{_ms(r['briefing'][k]['median_ms'])} ({r['briefing'][k]['queries']} q)"
            ),
        )
    row(
        "briefing, first (imports python-docx, matplotlib)",
        lambda r: _ms(r["briefing"]["first"]["total"][0]),
    )
    row(
        "`rollup_rebuild` (totals from every monthly figure; after imports, nightly)",
        lambda r: (
            f"{_ms(r['rollup']['median_ms'])} ({r['rollup']['runs'][0]['queries']} q)"
            if r["rollup"]["runs"]
            else "–"
        ),
    )
    row("`rollup_rebuild`, the first (empty table)", lambda r: _ms(r["rollup_first"]["ms"]))
    row(
        "`alerts_sweep` (the first, untimed in the cockpit)",
        lambda r: f"{_ms(r['sweep_first']['ms'])} ({r['sweep_first']['opened']:,} opened)",
    )
    return lines


def parts_table(run: dict) -> list[str]:
    lines = [
        "| part of `cockpit_build` | median ms | queries | in SQL (ms) |",
        "|---|---:|---:|---:|",
    ]
    for p in run["parts"]:
        label = f"**{p['part']}**" if p["name"] == "total" else p["part"]
        lines.append(f"| {label} | {p['median_ms']:,.1f} | {p['queries']} | {p['sql_ms']:,.1f} |")
    return lines


def naive_table(run: dict) -> list[str]:
    n = run["naive"]
    lines = ["| part of the naive implementation | ms | queries |", "|---|---:|---:|"]
    for name, ms in n["parts_ms"].items():
        lines.append(f"| {name} | {ms:,.0f} | {n['parts_queries'][name]:,} |")
    return lines


def targets(runs: list[dict], options: dict) -> list[str]:
    pg = next((r for r in runs if r["database"] == "PostgreSQL"), None)
    if pg is None:
        return ["Targets not evaluated: no run on PostgreSQL."]

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    cockpit = pg["cockpit"]["median_ms"]
    brief = pg["briefing"]["total"]["median_ms"]
    lines = [
        f"- cockpit on PostgreSQL: {_ms(cockpit)} median, {pg['cockpit']['queries']} queries "
        f"(target ≤ {TARGET_COCKPIT_MS:.0f} ms: {met(cockpit <= TARGET_COCKPIT_MS)}); the "
        f"naive implementation {_ms(pg['naive']['median_ms'])}, "
        f"{pg['naive']['queries']:,} queries ({num(pg['ratio'], '{:,.0f}×')})",
        f"- briefing on PostgreSQL: {_ms(brief)} median, "
        f"{pg['briefing']['total']['queries']} queries "
        f"(target ≤ {TARGET_BRIEFING_MS / 1000:.0f} s: {met(brief <= TARGET_BRIEFING_MS)})",
    ]
    defaults = (DEFAULT_ENTERPRISES, DEFAULT_PROJECTS)
    if (options["enterprises"], options["projects"]) != defaults:
        lines.append(
            f"- (the targets are for {DEFAULT_ENTERPRISES:,} enterprises and "
            f"{DEFAULT_PROJECTS:,} projects; this run had {options['enterprises']:,} and "
            f"{options['projects']:,})"
        )
    return lines


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    first = report["runs"][0] if report["runs"] else {}
    c = first.get("counts", {})
    s = first.get("sizes", {})
    health = c.get("project_health", {})
    alerts = ", ".join(f"{k} {v:,}" for k, v in sorted((c.get("alerts_open") or {}).items()))
    out = [
        f"# Cockpit benchmark {report['started']}",
        "",
        f"{s.get('enterprises', opts['enterprises']):,} enterprises "
        f"({s.get('above_scale', 0):,} above designated size) with "
        f"{s.get('monthly_figures', 0):,} monthly figures ({c.get('first_month', '–')[:7]} to "
        f"{opts['month'][:7]}), {c.get('places', 0):,} confirmed places on "
        f"{c.get('chains', 0)} chains ({c.get('enterprises_on_chains', 0):,} enterprises), "
        f"{c.get('qualifications', 0):,} qualifications; {s.get('projects', 0):,} key projects "
        f"({c.get('project_steps', 0):,} stages, {s.get('project_months', 0):,} months; red "
        f"{health.get('red', 0):,}, yellow {health.get('yellow', 0):,}, green "
        f"{health.get('green', 0):,}); {s.get('demands', 0):,} demands; {c.get('plans', 0):,} "
        f"cultivation plans ({c.get('plan_items', 0):,} items); {s.get('figure_totals', 0):,} "
        f"monthly totals (`FigureTotal`); {s.get('alerts_open', 0):,} open warnings "
        f"({alerts}). The cockpit of {opts['month'][:7]} as of {opts['on']} (seed "
        f"{opts['seed']}).",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django {env['django']}, "
        f"SQLite {env['sqlite']}, PostgreSQL {env.get('postgresql') or '–'}.",
        "",
        f"*Cockpit*: `cockpit_build(leader, month)` for the city, the median of {opts['runs']} "
        "runs after a warm-up (the first build after the load, which recomputes the demand "
        "statistics, is shown apart); the split by part from separate runs with the module's "
        "functions wrapped. *Naive implementation* (worker.py, `naive_cockpit`): the same "
        "figures straight from `MonthlyFigure` — one query per indicator and year, per "
        "district, per chain (its confirmed enterprises), the projects and the cultivation "
        "plans read one by one with their months and items, the year's demands one by one, "
        f"one count per warning rule; {opts['naive_runs']} run(s) after the cockpit's. "
        f"*Briefing*: `cockpit_build` + `briefing_docx` + `briefing_annex` into memory, the "
        f"median of {opts['briefing_runs']} runs after a first one. *rollup_rebuild*: after "
        "the measurements, then `VACUUM ANALYZE` of the totals. *q*: statements counted by an "
        "`execute_wrapper`.",
        "",
        "## Summary",
        "",
        *summary_table(report["runs"]),
        "",
    ]
    for run in report["runs"]:
        b = run["briefing"]
        out += [
            f"## {run['database']}",
            "",
            f"Data built in {run['build_seconds']:.0f} s (migrate {run['migrate_seconds']:.0f} "
            f"s, rows {run['load_seconds']:.0f} s, then the totals, targets and warnings); "
            f"measured in {run['measure_seconds']:.0f} s. Briefing files: DOCX "
            f"{b['bytes']['docx'] / 1024:,.0f} KiB, XLSX {b['bytes']['xlsx'] / 1024:,.0f} KiB.",
            "",
            *parts_table(run),
            "",
            "The slowest statements of a cockpit run:",
            "",
            *[f"- {s['ms']:,.1f} ms: `{s['sql'][:200]}`" for s in run["cockpit"]["slowest"][:5]],
            "",
            *naive_table(run),
            "",
        ]
        problems = {k: v for k, v in run["checks"].items() if v}
        if problems:
            out += ["**Same results: NO** — the naive implementation and the cockpit disagree:", ""]
            out += [f"- {k}: {v}" for k, v in problems.items()]
        else:
            out.append("Same results: yes (" + "; ".join(run["checks"]) + ").")
        out.append("")
    out += ["## Targets", "", *targets(report["runs"], opts), ""]
    out += report_footer(report)
    return "\n".join(out) + "\n"


# Main ---------------------------------------------------------------------------------------


def _previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin cockpit benchmark")
    parser.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES, help="(100000)")
    parser.add_argument("--projects", type=int, default=DEFAULT_PROJECTS, help="(5000)")
    parser.add_argument("--demands", type=int, default=None, help="(5000; 500 with --quick)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 5,000 enterprises, 500 projects"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed cockpit runs (7, median)")
    parser.add_argument("--naive-runs", type=int, default=1, help="naive runs (1)")
    parser.add_argument("--briefing-runs", type=int, default=3, help="briefing runs (3)")
    parser.add_argument("--rollup-runs", type=int, default=1, help="rollup_rebuild runs (1)")
    parser.add_argument(
        "--on", default=None, help="the day of the data (default today); the cockpit shows "
        "the month before it",
    )  # fmt: skip
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--explain", type=int, default=0, metavar="N",
        help="EXPLAIN (ANALYZE on PostgreSQL) the N slowest statements of a cockpit run",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile one cockpit run")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step (3600)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.enterprises, args.projects = 5_000, 500
    if args.demands is None:
        args.demands = 500 if args.quick else DEFAULT_DEMANDS
    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave nothing to measure")
    started = datetime.now().astimezone()
    on = date.fromisoformat(args.on) if args.on else started.date()
    month = _previous_month(on)
    # the demands end now (today) or at the end of the working day of `on`
    end_of_on = datetime.combine(on, datetime.min.time()).astimezone() + timedelta(hours=18)
    now = min(started.replace(second=0, microsecond=0), end_of_on)
    stamp = started.strftime("%Y%m%d-%H%M")
    small = (args.enterprises, args.projects) != (DEFAULT_ENTERPRISES, DEFAULT_PROJECTS)
    base = result_base("cockpit", stamp, "-quick" if small else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)

    dbs: list[Database] = [] if args.skip_sqlite else [SqliteDatabase(SCRATCH / "sqlite")]
    if not args.skip_postgres:
        dbs.append(PostgresDatabase(args.pg_url))
    options = {
        "enterprises": args.enterprises,
        "projects": args.projects,
        "demands": args.demands,
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "briefing_runs": args.briefing_runs,
        "rollup_runs": args.rollup_runs,
        "month": month.isoformat(),
        "on": on.isoformat(),
        "now": now.isoformat(),
        "seed": args.seed,
    }
    runs: list[dict] = []
    try:
        for db in dbs:
            log(f"{db.label}: building ({args.enterprises:,} enterprises × 36 months, "
                f"{args.projects:,} projects, {args.demands:,} demands)")  # fmt: skip
            db.create()
            built = worker(
                db, "build", "--enterprises", str(args.enterprises),
                "--projects", str(args.projects), "--demands", str(args.demands),
                "--month", month.isoformat(), "--on", on.isoformat(), "--now", now.isoformat(),
                "--seed", str(args.seed), timeout=args.timeout,
            )  # fmt: skip
            log(f"{db.label}: built in {built['seconds']:.0f} s; measuring")
            source = source_digest(COCKPIT_SOURCES)
            measure_start = datetime.now()
            profile = DATA / f"{base.name}-{db.label.lower()}.prof" if args.profile else None
            out = worker(
                db, "measure", "--month", month.isoformat(), "--runs", str(args.runs),
                "--naive-runs", str(args.naive_runs),
                "--briefing-runs", str(args.briefing_runs),
                "--rollup-runs", str(args.rollup_runs), "--explain", str(args.explain),
                *(["--profile", str(profile)] if profile else []), timeout=args.timeout,
            )  # fmt: skip
            after = source_digest(COCKPIT_SOURCES)
            run = {
                "database": db.label,
                "options": options,
                "counts": built["counts"],
                "rollup_first": built["rollup_first"],
                "sweep_first": built["sweep_first"],
                **{k: built[k] for k in ("migrate_seconds", "load_seconds")},
                "build_seconds": built["seconds"],
                "measure_seconds": (datetime.now() - measure_start).total_seconds(),
                "source": source if after == source else f"{source}->{after}",
                **{k: v for k, v in out.items() if k not in ("explain", "profile")},
            }
            for key, what in (("explain", "explain"), ("profile", "profile")):
                if out.get(key):
                    path = RESULTS / f"{base.name}-{db.label.lower()}-{what}.txt"
                    path.write_text(
                        f"cockpit_build on {db.label} ({args.enterprises:,} enterprises, "
                        f"{args.projects:,} projects): {what}\n\n" + out[key],
                        encoding="utf-8",
                    )
                    run[f"{key}_file"] = str(path.relative_to(PROJECT))
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
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "options": options,
        "environment": env,
        "targets": {"cockpit_ms": TARGET_COCKPIT_MS, "briefing_ms": TARGET_BRIEFING_MS},
        "runs": runs,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    base.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print()
    print("\n".join(summary_table(runs)))
    print()
    for run in runs:
        print(f"{run['database']}: same results: {'yes' if run['ok'] else 'NO'}")
    print()
    print("\n".join(targets(runs, options)))
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
