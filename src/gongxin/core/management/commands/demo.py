"""`gongxin demo [--no-serve] [--enterprises N] [--seed S]`: build the Nanchang demo
database at DATABASE_URL (default: the SQLite file under var/), print the demo accounts,
then serve the UI unless --no-serve. The same seed always builds the same data."""

import time

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from gongxin.core import demo
from gongxin.core.audit import audit_context, audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Industry, User
from gongxin.core.reference import industries_load
from gongxin.indicators.catalogue import indicators_load
from gongxin.indicators.models import Indicator


class Command(BaseCommand):
    help = "Build the deterministic Nanchang demo database, print the accounts, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="build only, do not serve")
        parser.add_argument("--enterprises", type=int, default=3000, help="number of enterprises")
        parser.add_argument(
            "--seed", type=int, default=2022, help="random seed (same seed, same data)"
        )
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, enterprises, seed, port, **options):
        from gongxin.alerts.services import alerts_sweep
        from gongxin.chains.demo import chains_build
        from gongxin.demands.demo import demands_build
        from gongxin.demands.sweep import sweep
        from gongxin.enterprises.demo import enterprise_accounts_pick, enterprises_build
        from gongxin.indicators.demo import province_build, targets_build
        from gongxin.indicators.figures import latest_month
        from gongxin.indicators.rollup import rollup_rebuild
        from gongxin.plans.demo import plans_build
        from gongxin.plans.sweep import tasks_sweep
        from gongxin.policies.demo import policies_build
        from gongxin.projects.demo import parks_build, projects_build

        started = time.monotonic()
        self.stdout.write(f"Building the demo database ({connection.vendor}) …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        industries_load(Industry)
        indicators_load(Indicator)  # (flush emptied what the data migrations loaded)
        with transaction.atomic(), audit_context():
            regions = demo.regions_load()
            departments = demo.departments_load()
            password_hash = make_password(demo.DEMO_PASSWORD)
            demo.staff_accounts_create(
                regions=regions, departments=departments, password_hash=password_hash
            )
            officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
            built = enterprises_build(
                seed=seed, count=enterprises, regions=regions, officers=officers
            )
            chains = chains_build(seed=seed, password_hash=password_hash)
            projects = projects_build(seed=seed, chains=chains)
            _, buildings = parks_build(seed=seed, today=timezone.localdate())
            picked = enterprise_accounts_pick(built, n=min(24, len(built)))
            User.objects.bulk_create(
                User(
                    username=f"ent-{e.uscc}",
                    password=password_hash,
                    role=Role.ENTERPRISE,
                    display_name=e.name,
                    enterprise=e,
                )
                for e in picked
            )
            # after the enterprise accounts, which register demands on the portal
            demands = demands_build(seed=seed)
            policies = policies_build(seed=seed)
            rollup_rebuild()  # the monthly totals indicators read, targets included
            targets = targets_build(seed=seed, year=timezone.localdate().year)
            latest = latest_month()
            if latest is not None:
                province_build(seed=seed, month=latest)
            plans = plans_build(seed=seed)
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                object_type="demo",
                object_repr="演示数据",
                message=f"演示数据：{len(built)} 家企业，{len(chains)} 条产业链，随机种子 {seed}",
            )
        swept = sweep()  # the deadline alerts of the demands left open, as the timer would
        supervised = tasks_sweep()  # and the supervision of the plans' tasks
        warned = alerts_sweep(tell=False)  # the early warnings, as the daily run would
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo database ready: {len(built)} enterprises, {len(chains)} chains, "
                f"{len(projects)} projects, {buildings} factory buildings in the parks, "
                f"{demands['demands']} demands "
                f"({demands['open']} open, {swept.total} deadline alerts), "
                f"{demands['visits']} visits in {demands['visit_plans']} visit plans, "
                f"{policies['policies']} policies ({policies['applications']} applications, "
                f"{policies['granted']} granted without application), "
                f"{policies['plans']} cultivation plans, {targets} indicator targets, "
                f"{warned.opened} early warnings, "
                f"{plans['plans']} plans ({plans['tasks']} tasks, {plans['reports']} progress "
                f"reports, {supervised.total} supervision notices) "
                f"({time.monotonic() - started:.0f} s)."
            )
        )
        self._print_accounts(picked)
        if not no_serve:
            call_command("serve", port=port)

    def _print_accounts(self, picked):
        from gongxin.chains.demo import CHAINS

        w = self.stdout.write
        w("")
        w(f"Demo accounts — password for all: {demo.DEMO_PASSWORD}")
        w("  admin                 administrator (系统管理员)")
        w("  leader                bureau leadership (局领导), reads everything")
        w("  staff                 division staff (运行监测协调处): the archive, the demand desk")
        for code, name, *_ in demo.DISTRICTS:
            w(f"  district-{code:<12} {name}")
        for code, name, *_ in demo.PARKS:
            w(f"  park-{code:<16} {name}")
        for code, name, *_ in demo.DEPARTMENTS:
            w(f"  dept-{code:<16} {name}")
        w(f"  officer-1 … officer-{demo.OFFICER_COUNT}  service officers (包联干部)")
        for code in CHAINS:
            w(f"  chain-{code:<15} chain office (链长办)")
        for enterprise in picked[:5]:
            w(f"  ent-{enterprise.uscc}  {enterprise.name}")
        if len(picked) > 5:
            w(f"  … and {len(picked) - 5} more ent-<USCC> accounts (see the admin's user list)")
        w("")
