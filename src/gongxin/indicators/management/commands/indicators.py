"""`gongxin indicators`: recompute the monthly totals every indicator is read from (the
enterprises' figures added up per district, park and chain). gongxin keeps them up to
date when figures are imported or an enterprise's file changes; run it after upgrading
and nightly, to take in anything written to the database behind gongxin's back."""

import time

from django.core.management.base import BaseCommand

from gongxin.indicators.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Recompute the monthly totals indicators are read from."

    def handle(self, *args, **options):
        started = time.perf_counter()
        totals = rollup_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"{totals} monthly totals recomputed; {time.perf_counter() - started:.1f} s."
            )
        )
