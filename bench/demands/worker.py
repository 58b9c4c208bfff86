"""One step of the demand benchmark, run by run.py in a fresh process.

    worker.py build --demands N --enterprises N --now ISO [--seed S]   migrate, the data
    worker.py measure [--runs 3] [--naive-runs 1] [--explain N] [--profile PATH]

The database comes from the environment run.py sets (DATABASE_URL, GONGXIN_VAR_DIR), never
from the developer's var/. Each step prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for common.py
from common import django_setup, log  # noqa: E402

STATISTICS_URL = "/demands/statistics/"
BOARD_URL = "/demands/board/"
DIMENSIONS = ("department", "district", "chain", "month")


def cmd_build(args: argparse.Namespace) -> None:
    django_setup()
    import datagen
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    counts = datagen.build(
        demands=args.demands,
        enterprises=args.enterprises,
        seed=args.seed,
        now=dt.datetime.fromisoformat(args.now),
        log=log,
    )
    built = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum would have them a minute after the load.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    analysed = time.perf_counter()
    connection.close()
    print(
        json.dumps(
            {
                "ok": True,
                "counts": counts,
                "migrate_seconds": migrated - start,
                "load_seconds": built - migrated,
                "analyse_seconds": analysed - built,
                "seconds": analysed - start,
            }
        )
    )


def _configure() -> None:
    from django.conf import settings

    # Messages stay in memory (the console backend would print them on our stdout), and
    # the naive inbox is mounted next to gongxin's URLs.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROOT_URLCONF = "bench_urls"


def _exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _explain(statements, title: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL (in a transaction rolled back: the sweep's
    statements write), EXPLAIN QUERY PLAN on SQLite, of (ms, sql, params) statements."""
    from django.db import connection, transaction
    from measure import short_params

    parts = []
    seen = set()
    for ms, sql, params in statements:
        if sql in seen or sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN")):
            continue
        seen.add(sql)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            transaction.set_rollback(True)
        parts.append(
            f"--- {title}: {ms:.1f} ms in its best run\n{sql}\n{short_params(params)}\n\n{plan}\n"
        )
    return "\n".join(parts)


def cmd_measure(args: argparse.Namespace) -> None:
    django_setup(_configure)
    import naive
    from datagen import DEPARTMENT_USERNAME, DESK_USERNAME
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone
    from measure import measure

    from gongxin.core.models import Notification, User
    from gongxin.demands import services
    from gongxin.demands.models import Demand, DemandAlert
    from gongxin.demands.selectors import overdue
    from gongxin.demands.statistics import (
        day_of,
        demand_board,
        demand_statistics,
        stats_touch_all,
    )
    from gongxin.demands.sweep import sweep

    connection.ensure_connection()
    postgres = connection.vendor == "postgresql"
    desk = User.objects.get(username=DESK_USERNAME)
    department_user = User.objects.get(username=DEPARTMENT_USERNAME)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    runs, naive_runs = args.runs, args.naive_runs
    now = timezone.now()
    results: list[dict] = []
    checks: dict[str, str] = {}
    explained: list[str] = []
    facts: dict = {}

    def done(m, note: str = "") -> None:
        d = m.as_dict()
        results.append(d)
        queries = "/".join(str(q) for q in sorted(set(m.queries)))
        each = ", ".join(f"{x:,.0f}" for x in m.runs_ms)
        log(f"    {m.name}: best {m.best_ms:,.0f} ms (runs {each}), {queries} queries{note}")

    def explain(m, title: str, count: int | None = None) -> None:
        if args.explain:
            explained.append(_explain(m.slowest[: count or args.explain], title))

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def get(client: Client, url: str) -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return len(response.content)

    # Facts about the data, for the report ------------------------------------------------
    dept = department_user.department_id
    facts["department"] = department_user.department.name
    facts["department_leads"] = Demand.objects.filter(lead_id=dept).count()
    facts["department_co_handles"] = Demand.co_departments.through.objects.filter(
        department_id=dept
    ).count()
    facts["open"] = Demand.objects.filter(
        status__in=("registered", "dispatched", "accepted", "in_progress")
    ).count()
    facts["overdue"] = overdue(desk, now).count()

    # 1. The deadline sweep -----------------------------------------------------------------
    log("  the deadline sweep")

    def reset() -> None:
        with transaction.atomic():
            DemandAlert.objects.all().delete()
            Notification.objects.all().delete()
        if postgres:  # the deleted rows' space back, as autovacuum would
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE demands_demandalert, core_notification")

    m, first = measure(
        "sweep, first run",
        lambda: sweep(now=now),
        runs=runs,
        warm_up=False,
        setup=reset,
        note="every alert due sent (the alerts and messages of the run before deleted first)",
    )
    m.extra["alerts"] = {f"{p} {lvl}": n for (p, lvl), n in sorted(first.alerts.items())}
    m.extra["alerts_total"] = first.total
    m.extra["messages"] = first.messages
    done(m, f"; {first.total:,} alerts, {first.messages:,} messages")
    first_run = m
    real = naive.sweep_snapshot()
    m, second = measure(
        "sweep, second run",
        lambda: sweep(now=now),
        runs=runs,
        warm_up=False,
        note="right after the first: nothing new to send",
    )
    m.extra["alerts_total"], m.extra["messages"] = second.total, second.messages
    done(m, f"; {second.total} alerts, {second.messages} messages")
    if second.total or second.messages:
        raise AssertionError(
            f"the second sweep sent {second.total} alerts, {second.messages} messages"
        )
    checks["the second sweep sends nothing"] = ""
    if args.explain:
        reset()  # the first run's statements, on the state they ran on
        explain(first_run, "sweep, first run", 3)
    m, (alerts, sent) = measure(
        "naive sweep",
        lambda: naive.naive_sweep(now),
        runs=naive_runs,
        warm_up=False,
        setup=reset,
        note="a loop over the open demands, get_or_create per deadline due, recipients and "
        "messages per alert",
    )
    m.extra["alerts_total"], m.extra["messages"] = sum(alerts.values()), sent
    done(m, f"; {sum(alerts.values()):,} alerts, {sent:,} messages")
    checks["sweep: same alerts and messages"] = naive.compare_sweeps(real, naive.sweep_snapshot())

    # 2. The inbox --------------------------------------------------------------------------
    log("  the inbox")
    department_client, desk_client = client_for(department_user), client_for(desk)
    for tab in ("mine", "all", "overdue"):
        m, size = measure(
            f"inbox ?tab={tab} (department)",
            lambda tab=tab: get(department_client, f"/demands/?tab={tab}"),
            runs=runs,
            note="GET through django.test.Client as the department's user, template included",
        )
        m.extra["bytes"] = size
        done(m)
        explain(m, f"inbox ?tab={tab} (department)", 2)
        m, _ = measure(
            f"naive inbox ?tab={tab} (department)",
            lambda tab=tab: get(department_client, f"/bench/naive/inbox/?tab={tab}"),
            runs=runs,
            warm_up=False,
        )
        done(m)
        checks[f"inbox ?tab={tab}: same rows"] = naive.compare_inbox(department_user, tab)
    m, size = measure(
        "inbox ?tab=all (desk)",
        lambda: get(desk_client, "/demands/?tab=all"),
        runs=runs,
        note="the desk sees every demand",
    )
    m.extra["bytes"] = size
    done(m)
    explain(m, "inbox ?tab=all (desk)", 2)

    # 3. The statistics ---------------------------------------------------------------------
    page = _exists(STATISTICS_URL)
    facts["statistics_measured"] = "page" if page else "demand_statistics()"
    log(f"  the statistics ({facts['statistics_measured']})")

    def statistics(dimension: str):
        if page:
            return get(desk_client, f"{STATISTICS_URL}?by={dimension}")
        stats = demand_statistics(desk, dimension=dimension)
        return len(stats.rows)

    m, _ = measure(
        "statistics, first view after the load",
        lambda: statistics("department"),
        runs=1,
        warm_up=False,
        keep_slowest=8,
        note="by=department; every day of the stored sums stale since the load: all rebuilt",
    )
    done(m)
    explain(m, "statistics, first view after the load", 4)
    m, _ = measure(
        "statistics, every day stale again",
        lambda: statistics("department"),
        runs=max(1, runs - 1),
        warm_up=False,
        setup=stats_touch_all,
        note="by=department after stats_touch_all(): the same rebuild, repeated",
    )
    done(m)
    today = timezone.localdate(now)
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    rated = iter(
        Demand.objects.filter(
            status="rated",
            registered_at__gte=dt.datetime.combine(previous, dt.time.min, tzinfo=tz),
            registered_at__lt=dt.datetime.combine(today.replace(day=1), dt.time.min, tzinfo=tz),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    facts["changed_month"] = f"{previous:%Y-%m}"
    facts["changed_month_demands"] = Demand.objects.filter(
        registered_at__gte=dt.datetime.combine(previous, dt.time.min, tzinfo=tz),
        registered_at__lt=dt.datetime.combine(today.replace(day=1), dt.time.min, tzinfo=tz),
    ).count()

    def change_one() -> None:
        demand = Demand.objects.get(pk=next(rated))
        services.demand_step(
            actor=desk, demand=demand, action="follow_up", text="已电话回访，企业对结果满意。"
        )
        assert day_of(demand.registered_at).replace(day=1) == previous

    for dimension in DIMENSIONS:
        m, _ = measure(
            f"statistics by={dimension}, warm", lambda d=dimension: statistics(d), runs=runs
        )
        done(m)
        explain(m, f"statistics by={dimension}, warm", 2)
        m, _ = measure(
            f"statistics by={dimension}, after one change",
            lambda d=dimension: statistics(d),
            runs=runs,
            warm_up=False,
            setup=change_one,
            note=f"one demand of {previous:%Y-%m} followed up and closed (demand_step) before "
            "each run: the day it was registered rebuilt",
        )
        done(m)
        if dimension == "department":
            explain(m, f"statistics by={dimension}, after one change", 3)
    for dimension in DIMENSIONS:
        m, result = measure(
            f"naive statistics by={dimension}",
            lambda d=dimension: naive.naive_statistics(desk, d),
            runs=naive_runs,
            warm_up=False,
        )
        done(m)
        checks[f"statistics by={dimension}: same figures"] = naive.compare_statistics(
            demand_statistics(desk, dimension=dimension), result
        )

    # 4. The board ----------------------------------------------------------------------------
    board = _exists(BOARD_URL)
    facts["board_measured"] = "page" if board else "demand_board()"
    log(f"  the board ({facts['board_measured']})")
    for label, user, client in (
        ("desk", desk, desk_client),
        ("department", department_user, department_client),
    ):
        if board:
            fn = lambda c=client: get(c, BOARD_URL)  # noqa: E731
        else:
            fn = lambda u=user: [(c["count"], list(c["cards"])) for c in demand_board(u)]  # noqa: E731
        m, _ = measure(f"board ({label})", fn, runs=runs)
        done(m)
        explain(m, f"board ({label})", 2)

    for name, problem in checks.items():
        log(f"    {name}: {'yes' if not problem else 'NO: ' + problem}")

    profile_text = None
    if args.profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        get(department_client, "/demands/?tab=all")
        statistics("department")
        profiler.disable()
        profiler.dump_stats(args.profile)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        profile_text = text.getvalue()

    print(
        json.dumps(
            {
                "ok": all(not p for p in checks.values()),
                "vendor": connection.vendor,
                "load_before": load,
                "facts": facts,
                "measurements": results,
                "checks": checks,
                "explain": "\n".join(explained) or None,
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
    build.add_argument("--demands", type=int, required=True)
    build.add_argument("--enterprises", type=int, required=True)
    build.add_argument("--now", required=True, help="the moment the data ends (ISO, aware)")
    build.add_argument("--seed", type=int, default=2026)
    build.set_defaults(func=cmd_build)
    meas = sub.add_parser("measure")
    meas.add_argument("--runs", type=int, default=3)
    meas.add_argument("--naive-runs", type=int, default=1)
    meas.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest statements")
    meas.add_argument("--profile", help="cProfile an inbox and a statistics view, stats here")
    meas.set_defaults(func=cmd_measure)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
