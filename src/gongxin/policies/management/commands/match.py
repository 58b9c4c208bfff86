"""`gongxin match`: every enterprise's facts recomputed and every policy in force decided
for the whole archive. Run it daily (qualifications expire, the year turns) and after
bulk changes made outside gongxin; changes made in gongxin re-match by themselves."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gongxin.core.audit import audit_context
from gongxin.policies.services import match_all


class Command(BaseCommand):
    help = "Match every policy in force against every enterprise."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Match as of this day (YYYY-MM-DD; default today).")
        parser.add_argument(
            "--quiet-enterprises",
            action="store_true",
            help="Do not notify newly eligible enterprises.",
        )

    def handle(self, *args, on=None, quiet_enterprises=False, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"--on: “{on}” is not a date (YYYY-MM-DD).") from None
        started = time.perf_counter()
        columns = (TextColumn("匹配政策"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar, audit_context():
            task = bar.add_task("match", total=None)

            def progress(done, total):
                bar.update(task, completed=done, total=total)

            outcome = match_all(on=day, tell=not quiet_enterprises, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.eligible} eligible, {outcome.unknown} need information, "
                f"{outcome.told} newly eligible; {time.perf_counter() - started:.1f} s."
            )
        )
