"""One step of the import benchmark, run by run.py in a fresh process.

    worker.py generate --rows N --csv PATH [--xlsx PATH]
    worker.py setup                 migrate + regions_load() into the configured database
    worker.py import --tool gongxin|django-import-export --file PATH [--profile PATH]

The database comes from the environment run.py sets (DATABASE_URL, GONGXIN_VAR_DIR), never
from the developer's var/. `import` prints one JSON object on its last line of stdout:
counts, seconds spent in the import call, peak memory and a fingerprint of the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # bench/, for common.py
from common import django_setup  # noqa: E402


def _server_side_binding() -> None:
    if os.environ.get("BENCH_PG_SERVER_SIDE_BINDING") == "1":
        # An experiment, not a project setting: psycopg binds parameters on the server
        # instead of quoting them into the SQL text (see bench/README.md).
        from django.conf import settings

        database = settings.DATABASES["default"]
        if "postgresql" in database["ENGINE"]:
            database.setdefault("OPTIONS", {})["server_side_binding"] = True


def _django_setup() -> None:
    django_setup(_server_side_binding)


def _proc_status_kib(field: str) -> int | None:
    """A memory figure of this process from /proc (Linux), in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_mib() -> dict[str, float | None]:
    """Current and peak resident set size of this process, in MiB.

    `VmHWM` is the peak of this process since its exec. `ru_maxrss` is also recorded; on Linux
    it can carry over the parent's resident size at fork time, so it is only a fallback.
    """
    rss, hwm = _proc_status_kib("VmRSS"), _proc_status_kib("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        maxrss //= 1024  # bytes on macOS, KiB on Linux
    return {
        "rss_mib": rss / 1024 if rss is not None else None,
        "peak_mib": (hwm if hwm is not None else maxrss) / 1024,
        "ru_maxrss_mib": maxrss / 1024,
    }


def cmd_generate(args: argparse.Namespace) -> None:
    _django_setup()
    import datagen

    start = time.perf_counter()
    if args.csv:
        datagen.write_csv(Path(args.csv), args.rows, seed=args.seed)
    if args.xlsx:
        datagen.write_xlsx(Path(args.xlsx), args.rows, seed=args.seed)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def cmd_setup(args: argparse.Namespace) -> None:
    _django_setup()
    from django.core.management import call_command
    from django.db import connection

    from gongxin.core.demo import regions_load

    call_command("migrate", verbosity=0, interactive=False)
    regions_load()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(json.dumps({"ok": True}))


def fingerprint() -> dict[str, object]:
    """What the import stored, independent of which tool stored it: the row count and a
    digest of every enterprise's imported fields in USCC order."""
    from decimal import Decimal

    from gongxin.core.models import AuditEntry
    from gongxin.enterprises.models import Enterprise

    digest = hashlib.sha256()
    count = 0
    cent = Decimal("0.01")
    rows = (
        Enterprise.objects.order_by("uscc")
        .values_list(
            "uscc",
            "name",
            "legal_representative",
            "established_on",
            "registered_capital",
            "address",
            "district__code",
            "park__code",
            "industry__code",
            "size_class",
            "above_scale",
            "status",
            "main_products",
            "business_scope",
            "service_officer_id",
        )
        .iterator(chunk_size=5000)
    )
    for row in rows:
        values = list(row)
        if values[4] is not None:
            values[4] = values[4].quantize(cent)
        digest.update(repr(values).encode())
        count += 1
    return {
        "enterprises": count,
        "sha256": digest.hexdigest()[:16],
        "audit_entries": AuditEntry.objects.count(),
    }


def cmd_import(args: argparse.Namespace) -> None:
    _django_setup()
    from django.db import connection

    path = Path(args.file)
    connection.ensure_connection()  # connecting is not part of the import
    before = memory_mib()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    if args.tool == "gongxin":
        from gongxin.core.tabular.importing import run_import
        from gongxin.enterprises.columns import EnterpriseImporter

        with open(path, "rb") as handle:
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            result = run_import(
                EnterpriseImporter(actor=None), handle, name=path.name, dry_run=False
            )
            seconds = time.perf_counter() - start
            if profiler:
                profiler.disable()
        outcome = {
            "ok": result.ok and result.committed,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": [str(e) for e in result.errors[:5]],
        }
    else:
        import baseline

        if profiler:
            profiler.enable()
        start = time.perf_counter()
        outcome = baseline.baseline_import(path)
        seconds = time.perf_counter() - start
        if profiler:
            profiler.disable()
        outcome["rows"] = outcome["created"] + outcome["updated"] + outcome["unchanged"]
    after = memory_mib()
    if profiler:
        profiler.dump_stats(args.profile)
    outcome.update(
        {
            "seconds": seconds,
            "memory_before": before,
            "memory_after": after,
            "vendor": connection.vendor,
            "fingerprint": fingerprint() if not args.no_fingerprint else None,
        }
    )
    print(json.dumps(outcome, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--rows", type=int, required=True)
    gen.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--csv")
    gen.add_argument("--xlsx")
    gen.set_defaults(func=cmd_generate)
    setup = sub.add_parser("setup")
    setup.set_defaults(func=cmd_setup)
    imp = sub.add_parser("import")
    imp.add_argument("--tool", choices=("gongxin", "django-import-export"), required=True)
    imp.add_argument("--file", required=True)
    imp.add_argument("--profile", help="write cProfile stats of the import call here")
    imp.add_argument("--no-fingerprint", action="store_true")
    imp.set_defaults(func=cmd_import)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
