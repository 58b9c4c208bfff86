"""`gongxin sla`: the deadline sweep — warnings before a demand's deadline, escalations after
it. Run it every few minutes from cron or a systemd timer; running it twice (or two at
once) sends nothing twice."""

from django.core.management.base import BaseCommand

from gongxin.core.audit import audit_context
from gongxin.demands.sweep import sweep


class Command(BaseCommand):
    help = "Send the demands' deadline warnings and escalations not sent yet."

    def handle(self, *args, **options):
        with audit_context():
            result = sweep()
        for (phase, level), count in sorted(result.alerts.items()):
            if count:
                self.stdout.write(f"{phase}\t{level}\t{count}")
        if result.late_visits:
            self.stdout.write(f"visits\toverdue\t{result.late_visits}")
        self.stdout.write(
            self.style.SUCCESS(f"{result.total} alerts, {result.messages} messages sent.")
        )
