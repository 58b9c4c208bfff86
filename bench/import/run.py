"""Import benchmark: gongxin's enterprise import next to django-import-export.

    .venv/bin/python bench/import/run.py [--rows N] [--quick] [--million]
                                         [--skip-postgres] [--skip-baseline] [--profile]

Generates an enterprise file (bench/data/, git-ignored) as CSV and XLSX, then for each
database (SQLite, PostgreSQL), format and tool imports it into a fresh database (migrated,
regions loaded) and imports it a second time (every row unchanged). Each import runs in its
own process; only the import call is timed. Prints a table and writes
bench/results/import-<YYYYMMDD-HHMM>.json and .md. See bench/README.md.
"""

from __future__ import annotations

import abc
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import (  # noqa: E402
    DATA,
    DEFAULT_PG_URL,
    PROJECT,
    RESULTS,
    PostgresServer,
    child_env,
    drop_all,
    environment,
    log,
    num,
    result_base,
    short_paths,
    source_digest,
)

WORKER = HERE / "worker.py"
#: Scratch space of this run (var dirs, SQLite files); several runs may go on at once.
RUN_ID = str(os.getpid())
SCRATCH = DATA / "runs" / RUN_ID

GONGXIN = "gongxin"
BASELINE = "django-import-export"
FIRST, SECOND = "first", "second"
TARGET_ROWS_PER_S = 20_000  # CSV on PostgreSQL, first import
TARGET_RATIO = 10.0  # gongxin / django-import-export
MILLION = 1_000_000
#: Set by --pg-server-side-binding: an experiment, the project's settings do not do this.
SERVER_SIDE_BINDING = False


# Subprocesses -------------------------------------------------------------------------------


def _child_env(db: Database) -> dict[str, str]:
    binding = "1" if SERVER_SIDE_BINDING else "0"
    return child_env(db.env(), HERE, BENCH_PG_SERVER_SIDE_BINDING=binding)


def worker(db: Database, *args: str, timeout: float) -> dict:
    """Run worker.py with `args` against `db`; returns the JSON it prints last."""
    proc = subprocess.run(
        [sys.executable, str(WORKER), *args],
        env=_child_env(db),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Databases ----------------------------------------------------------------------------------


class Database(abc.ABC):
    """A benchmark database: a template (migrated, regions loaded) copied for every run."""

    label = ""

    @abc.abstractmethod
    def env(self) -> dict[str, str]:
        """Environment variables that point a worker at this database."""

    @abc.abstractmethod
    def prepare_template(self, *, timeout: float) -> None:
        """Build the template: migrated, regions loaded."""

    @abc.abstractmethod
    def fresh(self) -> None:
        """Replace the run database by a copy of the template."""

    @abc.abstractmethod
    def drop(self) -> None:
        """Remove the run database and the template."""

    @abc.abstractmethod
    def version(self) -> str:
        """The database server's version, for the report."""


class SqliteDatabase(Database):
    label = "SQLite"

    def __init__(self, root: Path):
        self.root = root
        self.var = root / "var"
        self.template_var = root / "template"
        self.current = self.template_var

    def env(self) -> dict[str, str]:
        return {"GONGXIN_VAR_DIR": str(self.current)}

    def prepare_template(self, *, timeout: float) -> None:
        shutil.rmtree(self.template_var, ignore_errors=True)
        self.current = self.template_var
        worker(self, "setup", timeout=timeout)
        self.current = self.var

    def fresh(self) -> None:
        shutil.rmtree(self.var, ignore_errors=True)
        self.var.mkdir(parents=True)
        source = sqlite3.connect(self.template_var / "gongxin.sqlite3")
        target = sqlite3.connect(self.var / "gongxin.sqlite3")
        with target:
            source.backup(target)
        source.close()
        target.close()

    def drop(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def version(self) -> str:
        return sqlite3.sqlite_version


class PostgresDatabase(PostgresServer, Database):
    def __init__(self, url: str):
        super().__init__(url, RUN_ID)
        self.template = f"{self.name}_template"
        self.template_url = urlunsplit(self.parts._replace(path="/" + self.template))
        self.current = self.template_url

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.current,
            "GONGXIN_VAR_DIR": str(SCRATCH / "postgres-var"),
        }

    def prepare_template(self, *, timeout: float) -> None:
        self.ensure_running()
        self._execute(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
            f'CREATE DATABASE "{self.template}"',
        )
        self.current = self.template_url
        worker(self, "setup", timeout=timeout)
        self.current = self.url

    def fresh(self) -> None:
        self._execute(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"',
        )

    def drop(self) -> None:
        self._execute(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)',
        )


#: The modules an enterprise import runs through (what `source_digest` covers).
IMPORT_SOURCES = (
    "settings.py",
    "core/tabular/*.py",
    "core/audit.py",
    "core/models.py",
    "enterprises/columns.py",
    "enterprises/models.py",
    "enterprises/services.py",
    "enterprises/uscc.py",
)


# Input files --------------------------------------------------------------------------------


def input_file(rows: int, fmt: str, *, seed: int, timeout: float) -> Path:
    """bench/data/enterprises-<rows>-s<seed>.<fmt>, generated once and reused."""
    path = DATA / f"enterprises-{rows}-s{seed}.{fmt}"
    if not path.exists():
        log(f"generating {path.relative_to(PROJECT)}")
        scratch = SqliteDatabase(SCRATCH / "generate")  # settings want a var dir; no DB opened
        worker(
            scratch, "generate", "--rows", str(rows), "--seed", str(seed), f"--{fmt}", str(path),
            timeout=timeout,
        )  # fmt: skip
    return path


# Runs ---------------------------------------------------------------------------------------


def measure(
    db: Database, path: Path, tool: str, *, rows: int, timeout: float, second: bool = True
) -> list[dict]:
    """Import `path` into a fresh copy of the template, then (if `second`) once more."""
    db.fresh()
    runs = []
    for which in (FIRST, SECOND) if second else (FIRST,):
        fmt = path.suffix.lstrip(".")
        source = source_digest(IMPORT_SOURCES)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        try:
            out = worker(db, "import", "--tool", tool, "--file", str(path), timeout=timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            out = {"ok": False, "errors": [str(exc)[-500:]], "seconds": None}
        after = source_digest(IMPORT_SOURCES)
        if after != source:
            source = f"{source}->{after}"  # the code changed while this import ran
        seconds = out.get("seconds")
        run = {
            "database": db.label,
            "format": fmt,
            "tool": tool,
            "import": which,
            "rows": rows,
            "ok": bool(out.get("ok")) and out.get("rows") == rows,
            "seconds": seconds,
            "rows_per_s": rows / seconds if seconds else None,
            "created": out.get("created"),
            "updated": out.get("updated"),
            "unchanged": out.get("unchanged"),
            "peak_rss_mib": (out.get("memory_after") or {}).get("peak_mib"),
            "rss_before_mib": (out.get("memory_before") or {}).get("rss_mib"),
            "ru_maxrss_mib": (out.get("memory_after") or {}).get("ru_maxrss_mib"),
            "load_seconds": out.get("load_seconds"),
            "fingerprint": out.get("fingerprint"),
            "errors": out.get("errors", []),
            "source": source,
            # Other work on the machine slows a run down: the 1-minute load average before it.
            "load_before": load,
        }
        runs.append(run)
        shown = f"{run['rows_per_s']:>9,.0f} rows/s" if run["rows_per_s"] else "   failed"
        peak = f"{run['peak_rss_mib']:.0f} MiB" if run["peak_rss_mib"] else "-"
        log(
            f"  {db.label:<10} {fmt:<4} {tool:<20} {which:<6} {rows:>9,} rows "
            f"{seconds or 0:8.2f} s {shown}  peak {peak}"
            + ("" if run["ok"] else f"  ERRORS: {run['errors'][:2]}")
        )
    return runs


def profile(db: Database, path: Path, *, name: str, timeout: float) -> dict:
    """cProfile the gongxin import (first and second) of `path`; write text summaries."""
    import io
    import pstats

    db.fresh()
    summaries = {}
    for which in (FIRST, SECOND):
        prof = DATA / f"{name}-profile-{which}.prof"
        worker(
            db, "import", "--tool", GONGXIN, "--file", str(path), "--profile", str(prof),
            "--no-fingerprint", timeout=timeout,
        )  # fmt: skip
        text = io.StringIO()
        stats = pstats.Stats(str(prof), stream=text)
        text.write(f"=== {which} import, sorted by internal time ===\n")
        stats.sort_stats("tottime").print_stats(30)
        text.write(f"=== {which} import, sorted by cumulative time ===\n")
        stats.sort_stats("cumulative").print_stats(45)
        summaries[which] = short_paths(text.getvalue())
    out = RESULTS / f"{name}-profile.txt"
    out.write_text(
        f"cProfile of the gongxin import of {path.name} on {db.label} "
        "(timings under the profiler are slower than unprofiled runs)\n\n"
        + "\n".join(summaries.values()),
        encoding="utf-8",
    )
    log(f"profile written to {out.relative_to(PROJECT)}")
    return {"file": str(out.relative_to(PROJECT)), "input": path.name}


# Reporting ----------------------------------------------------------------------------------


def comparisons(runs: list[dict], rows: int) -> list[dict]:
    rows_out = []
    for run in runs:
        if run["tool"] != GONGXIN or run["rows"] != rows:
            continue
        other = next(
            (
                r
                for r in runs
                if r["tool"] == BASELINE
                and r["rows"] == rows
                and r["database"] == run["database"]
                and r["format"] == run["format"]
                and r["import"] == run["import"]
            ),
            None,
        )
        ratio = None
        if other and other["rows_per_s"] and run["rows_per_s"]:
            ratio = run["rows_per_s"] / other["rows_per_s"]
        same = None
        if other and run["fingerprint"] and other["fingerprint"]:
            same = (run["fingerprint"]["sha256"], run["fingerprint"]["enterprises"]) == (
                other["fingerprint"]["sha256"],
                other["fingerprint"]["enterprises"],
            )
        rows_out.append(
            {
                "database": run["database"],
                "format": run["format"],
                "import": run["import"],
                "gongxin_rows_per_s": run["rows_per_s"],
                "baseline_rows_per_s": other["rows_per_s"] if other else None,
                "ratio": ratio,
                "gongxin_peak_rss_mib": run["peak_rss_mib"],
                "baseline_peak_rss_mib": other["peak_rss_mib"] if other else None,
                "same_data": same,
            }
        )
    return rows_out


def table(compared: list[dict]) -> list[str]:
    lines = [
        "| database | format | import | gongxin rows/s | django-import-export rows/s | ratio "
        "| gongxin peak RSS | d-i-e peak RSS | same data |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for c in compared:
        same = {True: "yes", False: "**NO**", None: "–"}[c["same_data"]]
        lines.append(
            f"| {c['database']} | {c['format'].upper()} | {c['import']} "
            f"| {num(c['gongxin_rows_per_s'])} | {num(c['baseline_rows_per_s'])} "
            f"| {num(c['ratio'], '{:.1f}×')} | {num(c['gongxin_peak_rss_mib'], '{:.0f} MiB')} "
            f"| {num(c['baseline_peak_rss_mib'], '{:.0f} MiB')} | {same} |"
        )
    return lines


def targets(compared: list[dict]) -> list[str]:
    lines = []
    pg_csv = next(
        (
            c
            for c in compared
            if c["database"] == "PostgreSQL" and c["format"] == "csv" and c["import"] == FIRST
        ),
        None,
    )
    if pg_csv is None:
        return ["Targets not evaluated: no CSV run on PostgreSQL."]
    speed = pg_csv["gongxin_rows_per_s"]
    met = speed is not None and speed >= TARGET_ROWS_PER_S
    lines.append(
        f"- CSV on PostgreSQL, first import: {num(speed)} rows/s "
        f"(target ≥ {TARGET_ROWS_PER_S:,}: {'met' if met else 'NOT met'})"
    )
    ratio = pg_csv["ratio"]
    if ratio is not None:
        met = ratio >= TARGET_RATIO
        lines.append(
            f"- ratio to django-import-export on the same run: {ratio:.1f}× "
            f"(target ≥ {TARGET_RATIO:.0f}×: {'met' if met else 'NOT met'})"
        )
    return lines


def memory_lines(runs: list[dict]) -> list[str]:
    lines = [
        "| rows | database | format | tool | import | peak RSS | RSS before the import |",
        "|---:|---|---|---|---|---:|---:|",
    ]
    for run in sorted(runs, key=lambda r: (r["rows"], r["database"], r["format"])):
        if run["tool"] != GONGXIN:
            continue
        lines.append(
            f"| {run['rows']:,} | {run['database']} | {run['format'].upper()} | {run['tool']} "
            f"| {run['import']} | {num(run['peak_rss_mib'], '{:.0f} MiB')} "
            f"| {num(run['rss_before_mib'], '{:.0f} MiB')} |"
        )
    return lines


def markdown(report: dict) -> str:
    env = report["environment"]
    opts = report["options"]
    out = [
        f"# Import benchmark {report['started']}",
        "",
        f"{opts['rows']:,} enterprise rows (`{report['inputs'].get('csv', '')}`), "
        f"each import in a fresh process on a fresh database; only the import call is timed.",
        "",
        f"Machine: {env['cpu']} × {env['cpus']}, Python {env['python']}, Django {env['django']}, "
        f"django-import-export {env['import_export']}, SQLite {env['sqlite']}, "
        f"PostgreSQL {env.get('postgresql') or '–'}.",
        "",
        *(
            [
                "**Experiment**: PostgreSQL ran with `OPTIONS['server_side_binding'] = True`, "
                "which the project's settings do not set.",
                "",
            ]
            if opts.get("pg_server_side_binding")
            else []
        ),
        "## Throughput",
        "",
        *table(report["comparison"]),
        "",
        "ratio = gongxin rows/s ÷ django-import-export rows/s. *first* imports into an empty "
        "table (all rows created); *second* imports the same file again (all rows unchanged). "
        "*same data*: both tools left identical rows (fingerprint of the table).",
        "",
        "## Targets",
        "",
        *targets(report["comparison"]),
        "",
        "## Memory (gongxin)",
        "",
        *memory_lines(report["runs"] + report["million"]),
        "",
        "Peak RSS is the whole worker process (Python, Django, the import), read from "
        "VmHWM in /proc/self/status after the import.",
    ]
    if report["million"]:
        out += [
            "",
            "The 1M-row runs import CSV on "
            f"{report['million'][0]['database']} with gongxin only: XLSX is skipped at 1M, and "
            "so is django-import-export, which loads the whole file into a tablib Dataset "
            "and keeps a result per row.",
        ]
    elif not opts["million"]:
        out += ["", "The 1M-row memory runs were not requested (`--million`)."]
    if report.get("profile"):
        out += ["", f"Profile: `{report['profile']['file']}`."]
    loads = [r["load_before"] for r in report["runs"] + report["million"] if r["load_before"]]
    if loads:
        out += [
            "",
            f"1-minute load average before the imports: {min(loads):.1f} to {max(loads):.1f} "
            f"on {env['cpus']} CPUs. An import keeps about one CPU busy (up to two on "
            "PostgreSQL, whose server works too); a higher figure means something else ran at "
            "the same time and slowed the runs down.",
        ]
    sources = sorted({r["source"] for r in report["runs"] + report["million"]})
    out += ["", f"gongxin source digest: {', '.join(sources)}."]
    if len(sources) > 1:
        out += [
            "**The gongxin source changed while this benchmark ran**: runs measured different "
            "code (see `source` in the JSON); compare only runs with the same digest.",
        ]
    failed = [r for r in report["runs"] + report["million"] if not r["ok"]]
    if failed:
        out += ["", "## Failed runs", ""]
        out += [
            f"- {r['database']} {r['format']} {r['tool']} {r['import']}: {r['errors'][:3]}"
            for r in failed
        ]
    return "\n".join(out) + "\n"


# Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="gongxin import benchmark")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the file (100000)")
    parser.add_argument("--quick", action="store_true", help="smoke run with 5,000 rows")
    parser.add_argument(
        "--million", action="store_true", help="add the 1M-row memory run (gongxin, CSV)"
    )
    parser.add_argument(
        "--million-second",
        action="store_true",
        help="also time the second (unchanged) import of the 1M-row file",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true", help="gongxin only")
    parser.add_argument("--skip-xlsx", action="store_true", help="CSV only")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile gongxin's CSV import (PostgreSQL)"
    )
    parser.add_argument(
        "--pg-server-side-binding",
        action="store_true",
        help="experiment: run PostgreSQL with OPTIONS server_side_binding=True",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds one import may take (1800)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    # Stopped with SIGTERM, still drop the databases (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    global SERVER_SIDE_BINDING
    SERVER_SIDE_BINDING = args.pg_server_side_binding
    rows = 5_000 if args.quick else args.rows
    started = datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M")
    base = result_base("import", stamp, "-quick" if args.quick else "")
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)

    if args.skip_sqlite and args.skip_postgres:
        parser.error("--skip-sqlite and --skip-postgres leave nothing to measure")
    dbs: list[Database] = [] if args.skip_sqlite else [SqliteDatabase(SCRATCH / "sqlite")]
    if not args.skip_postgres:
        dbs.append(PostgresDatabase(args.pg_url))
    formats = ["csv"] if args.skip_xlsx else ["csv", "xlsx"]
    tools = [GONGXIN] if args.skip_baseline else [GONGXIN, BASELINE]
    runs: list[dict] = []
    million: list[dict] = []
    profiled = None
    try:
        inputs = {
            fmt: input_file(rows, fmt, seed=args.seed, timeout=args.timeout) for fmt in formats
        }
        for db in dbs:
            log(f"{db.label}: preparing the template database")
            db.prepare_template(timeout=args.timeout)
            for fmt in formats:
                for tool in tools:
                    runs += measure(db, inputs[fmt], tool, rows=rows, timeout=args.timeout)
        if args.million:
            db = dbs[-1]
            path = input_file(MILLION, "csv", seed=args.seed, timeout=args.timeout)
            million += measure(
                db, path, GONGXIN, rows=MILLION, timeout=args.timeout, second=args.million_second
            )
        if args.profile:
            db = dbs[-1]
            profiled = profile(db, inputs["csv"], name=base.name, timeout=args.timeout)
        import import_export

        env = environment(dbs, {"import_export": import_export.__version__})
    finally:
        if not args.keep_db:
            drop_all(dbs)
            shutil.rmtree(SCRATCH, ignore_errors=True)

    compared = comparisons(runs, rows)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().isoformat(timespec="seconds"),
        "options": {
            "rows": rows,
            "quick": args.quick,
            "million": args.million,
            "skip_sqlite": args.skip_sqlite,
            "skip_postgres": args.skip_postgres,
            "skip_baseline": args.skip_baseline,
            "pg_server_side_binding": args.pg_server_side_binding,
            "formats": formats,
            "seed": args.seed,
        },
        "environment": env,
        "inputs": {fmt: str(p.relative_to(PROJECT)) for fmt, p in inputs.items()},
        "targets": {"csv_postgresql_rows_per_s": TARGET_ROWS_PER_S, "ratio": TARGET_RATIO},
        "comparison": compared,
        "runs": runs,
        "million": million,
        "profile": profiled,
    }
    base.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    text = markdown(report)
    base.with_suffix(".md").write_text(text, encoding="utf-8")
    print()
    print("\n".join(table(compared)))
    print()
    print("\n".join(targets(compared)))
    if million:
        print()
        print("\n".join(memory_lines(million)))
    if len({r["source"] for r in runs + million}) > 1:
        print("\nWARNING: the gongxin source changed during the run (see `source` per run).")
    print(f"\nwritten: {base.with_suffix('.json').relative_to(PROJECT)}, .md")
    return 0 if all(r["ok"] for r in runs + million) else 1


if __name__ == "__main__":
    sys.exit(main())
