"""`gongxin projects [--on DATE]`: judge every key project again (红黄绿) as of a day. Run
it daily: stages fall due and months pass without anything being saved; changes made in
gongxin re-judge their project by themselves."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from gongxin.projects.choices import Health
from gongxin.projects.services import health_refresh


class Command(BaseCommand):
    help = "Judge every key project's health (red, yellow, green) as of a day."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Judge as of this day (YYYY-MM-DD; default today).")

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"--on: “{on}” is not a date (YYYY-MM-DD).") from None
        started = time.perf_counter()
        counts = health_refresh(on=day)
        self.stdout.write(
            self.style.SUCCESS(
                ", ".join(f"{counts.get(h, 0)} {h}" for h in Health.values)
                + f"; {time.perf_counter() - started:.1f} s."
            )
        )
