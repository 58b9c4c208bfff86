"""`gongxin alerts [--on DATE]`: run the early-warning rules over the archive as of a
day: open what they find, bring open warnings up to date, close those whose condition has
cleared, tell the officials responsible of their new ones. Run it daily (after figures
are imported, warnings follow by the next run)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from gongxin.alerts.services import alerts_sweep


class Command(BaseCommand):
    help = "Run the early-warning rules: open, update and close warnings."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Judge as of this day (YYYY-MM-DD; default today).")

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"--on: “{on}” is not a date (YYYY-MM-DD).") from None
        started = time.perf_counter()
        swept = alerts_sweep(on=day)
        self.stdout.write(
            self.style.SUCCESS(
                f"{swept.opened} opened, {swept.kept} still open, {swept.closed} cleared; "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
