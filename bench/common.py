"""What the benchmarks under bench/ share: paths, the child processes' environment, the
PostgreSQL server, the source digest and the machine for the report, and the invented
enterprises' USCCs and names.

Not a package: the benchmarks run as scripts (`bench/<name>/run.py`, its `worker.py` in a
subprocess), so each of those puts bench/ on `sys.path` after its own directory and imports
this module as `common`; the modules they load (`datagen.py`) import it the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from random import Random
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/gongxin_bench"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Runs ---------------------------------------------------------------------------------------


def child_env(db_env: dict[str, str], here: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker in `here` on the database `db_env` points at: Django's
    and gongxin's variables of this process left out, `extra` added."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONGXIN_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(db_env)
    env["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    env["GONGXIN_DEBUG"] = "0"  # no query log growing with the data
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(here), str(PROJECT / "src"), env.get("PYTHONPATH", "")) if p
    )
    return env


def result_base(name: str, stamp: str, suffix: str = "") -> Path:
    """bench/results/<name>-<stamp><suffix> (to add .json, .md to), not taken yet."""
    base = RESULTS / f"{name}-{stamp}{suffix}"
    for n in range(2, 100):  # two runs in one minute must not overwrite each other
        if not base.with_suffix(".json").exists():
            break
        base = RESULTS / f"{name}-{stamp}{suffix}-{n}"
    return base


def source_digest(patterns: Iterable[str]) -> str:
    """A digest of the gongxin modules matching `patterns` (below src/gongxin/), to tell
    which code a run measured: the project may change while a benchmark runs."""
    digest = hashlib.sha256()
    src = PROJECT / "src" / "gongxin"
    for path in sorted(p for pattern in patterns for p in src.glob(pattern)):
        digest.update(str(path.relative_to(src)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def short_paths(text: str) -> str:
    """`text` (a profile) without the site-packages and src/ prefixes of the file names."""
    for prefix in sorted({p for p in sys.path if p.endswith("-packages")}, key=len):
        text = text.replace(prefix + os.sep, "")
    return text.replace(str(PROJECT / "src") + os.sep, "")


def drop_all(dbs: Iterable) -> None:
    """Drop every benchmark database in `dbs`, whatever goes wrong with one of them."""
    for db in dbs:
        try:
            db.drop()
        except Exception as exc:  # cleanup must not hide the real error
            log(f"could not drop the {db.label} benchmark database: {exc}")


# PostgreSQL ---------------------------------------------------------------------------------


class PostgresServer:
    """A benchmark database on the PostgreSQL server of `url`: the base database's name
    suffixed with `suffix`, so that two runs never drop each other's database."""

    label = "PostgreSQL"

    def __init__(self, url: str, suffix: str):
        parts = urlsplit(url)
        self.parts = parts
        self.name = f"{parts.path.lstrip('/')}_{suffix}"
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def _execute(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def ensure_running(self) -> None:
        import psycopg

        try:
            psycopg.connect(self.admin_url, connect_timeout=3).close()
            return
        except psycopg.OperationalError:
            pass
        clusters = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
        if not clusters:
            raise RuntimeError("PostgreSQL is not running and no cluster is installed")
        log(f"starting PostgreSQL {clusters[-1]} main")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "start"],
            check=True,
        )
        for _ in range(30):
            try:
                psycopg.connect(self.admin_url, connect_timeout=3).close()
                return
            except psycopg.OperationalError:
                time.sleep(1)
        raise RuntimeError("PostgreSQL did not start")

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_url) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]


class ScratchPostgres(PostgresServer):
    """A database the benchmark builds from nothing and drops at the end; the var dir of
    its workers is `var_dir`."""

    def __init__(self, url: str, suffix: str, var_dir: Path):
        super().__init__(url, suffix)
        self.var_dir = var_dir

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.url, "GONGXIN_VAR_DIR": str(self.var_dir)}

    def create(self) -> None:
        self.ensure_running()
        self._execute(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"'
        )

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class ScratchSqlite:
    """An SQLite database (the default file of a var dir under `root`), built from nothing
    and removed at the end."""

    label = "SQLite"

    def __init__(self, root: Path):
        self.root = root

    def env(self) -> dict[str, str]:
        return {"GONGXIN_VAR_DIR": str(self.root / "var")}

    def create(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        (self.root / "var").mkdir(parents=True)

    def drop(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def version(self) -> str:
        return sqlite3.sqlite_version


def run_worker(worker: Path, db, *args: str, timeout: float) -> dict:
    """Run the benchmark's `worker` script with `args` against `db`; returns the JSON it
    prints last (its log lines go to our stderr as they come)."""
    proc = subprocess.run(
        [sys.executable, str(worker), *args],
        env=child_env(db.env(), worker.parent),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Reporting ----------------------------------------------------------------------------------


def report_footer(report: dict) -> list[str]:
    """The lines that close every benchmark report: the load the runs started under, the
    source digest (and a warning when it changed during the run) and the profiling
    files."""
    out: list[str] = []
    runs = report["runs"]
    loads = [r["load_before"] for r in runs if r.get("load_before") is not None]
    if loads:
        out += [
            f"1-minute load average before the measurements: {min(loads):.1f} to "
            f"{max(loads):.1f} on {report['environment']['cpus']} CPUs; above about 1 "
            "something else was running and the figures are slower than they should be.",
            "",
        ]
    sources = sorted({r["source"] for r in runs})
    out.append(f"gongxin source digest: {', '.join(sources)}.")
    if any("->" in s for s in sources) or len(sources) > 1:
        out.append(
            "**The gongxin source changed while this benchmark ran**: compare only runs with "
            "the same digest."
        )
    extra = [r for r in runs if r.get("explain_file") or r.get("profile_file")]
    if extra:
        out += ["", "Profiling:"]
        for r in extra:
            for key, what in (("explain_file", "EXPLAIN"), ("profile_file", "cProfile")):
                if r.get(key):
                    out.append(f"- {r['database']} {what}: `{r[key]}`")
    return out


def num(value: float | None, fmt: str = "{:,.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def environment(dbs: Iterable, extra: dict[str, str] | None = None) -> dict:
    """The machine and the versions for the report; `extra` (other libraries' versions)
    goes after Django's."""
    import django

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    env = {
        "python": platform.python_version(),
        "django": django.get_version(),
        **(extra or {}),
        "sqlite": sqlite3.sqlite_version,
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    for db in dbs:
        if isinstance(db, PostgresServer):
            env["postgresql"] = db.version()
    return env


# Workers ------------------------------------------------------------------------------------


def django_setup(configure: Callable[[], None] | None = None) -> None:
    """Set Django up with gongxin's settings; `configure` runs just before, when the
    settings can still be changed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    import django

    if configure is not None:
        configure()
    django.setup()


# Invented enterprises -----------------------------------------------------------------------

#: 31 characters a USCC may hold (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check digit
_SERIAL_SPACE = 31**6
_SERIAL_STEP = 48_271  # prime and not 31: i -> i * step mod 31**6 is a permutation

PREFIXES = ["南昌", "江西", "洪都", "赣江", "豫章", "昌北", "红谷", "瑶湖", "艾溪", "象湖"]
#: The chain benchmark draws from the first 30 only (its chain depends on it).
WORDS = [
    "华强", "鑫盛", "恒通", "宏达", "金诚", "瑞丰", "新源", "博远", "凯旋", "中鼎",
    "汇智", "天佑", "晨光", "立信", "永安", "众合", "德胜", "嘉禾", "东升", "远航",
    "锦程", "星辉", "正泰", "华泽", "联创", "泰和", "启明", "润达", "昌荣", "兴业",
    "佳园", "同创", "卓越", "蓝海", "聚能", "安捷", "万象", "祥云", "海纳", "九州",
]  # fmt: skip
SUFFIXES = ["有限公司"] * 6 + ["股份有限公司", "有限责任公司", "集团有限公司"]


def uscc_for(
    index: int, *, region_code: str, check: Callable[[str], str], entity_type: str = "1"
) -> str:
    """A valid USCC, unique per `index` (< 31**6), registered in `region_code`; `check`
    gives the last character (the check character of the first 17)."""
    serial = (index * _SERIAL_STEP + 7_919) % _SERIAL_SPACE
    digits = []
    for _ in range(6):
        serial, rem = divmod(serial, 31)
        digits.append(USCC_ALPHABET[rem])
    body = "MA" + "".join(reversed(digits))  # organisation code of a post-2015 registration
    total = sum(w * int(ch, 36) for w, ch in zip(_ORG_WEIGHTS, body, strict=True))
    check_digit = 11 - total % 11
    org = body + ("X" if check_digit == 10 else "0" if check_digit == 11 else str(check_digit))
    first17 = "9" + entity_type + region_code + org
    return first17 + check(first17)


def company_name(
    rng: Random, *, kinds: tuple[str, ...], product: str = "", words: list[str] = WORDS
) -> str:
    """An invented company name: place, word, `product`, one of `kinds`, legal form (the
    random choices in that order, so a seed gives the same names)."""
    return (
        rng.choice(PREFIXES)
        + rng.choice(words)
        + product
        + rng.choice(kinds)
        + rng.choice(SUFFIXES)
    )
