"""`gongxin sla`: the deadline sweep — warnings before a demand's deadline, escalations after
it, and the supervision (督办) of plan tasks: deadlines close or passed, progress reports
missing. Run it every few minutes from cron or a systemd timer; running it twice (or two
at once) sends nothing twice."""

from django.core.management.base import BaseCommand

from gongxin.core.audit import audit_context
from gongxin.demands.sweep import sweep
from gongxin.plans.sweep import tasks_sweep


class Command(BaseCommand):
    help = "Send the demands' and plan tasks' deadline warnings and escalations not sent yet."

    def handle(self, *args, **options):
        with audit_context():
            result = sweep()
            tasks = tasks_sweep()
        for (phase, level), count in sorted(result.alerts.items()):
            if count:
                self.stdout.write(f"{phase}\t{level}\t{count}")
        if result.late_visits:
            self.stdout.write(f"visits\toverdue\t{result.late_visits}")
        for kind, count in sorted(tasks.notices.items()):
            if count:
                self.stdout.write(f"tasks\t{kind}\t{count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} alerts, {tasks.total} task notices, "
                f"{result.messages + tasks.messages} messages sent."
            )
        )
