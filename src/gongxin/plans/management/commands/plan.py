"""`gongxin plan import FILE [--dry-run] [--json]`: read a plan document and split it
into a task tree.

With --dry-run nothing is saved; with --json the parsed plan is printed as JSON (title,
date, author and the tasks with their number, title, text, proposed owners and deadline,
and sub-tasks). Without --dry-run the plan is saved as a draft for staff to check, assign
and issue. Exit status 0 on success; 1 with a message when the file cannot be read.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from gongxin.core.audit import audit_context
from gongxin.core.models import User
from gongxin.plans import reading, services
from gongxin.plans.selectors import plans_can_edit, vocabulary


class Command(BaseCommand):
    help = "Plans: gongxin plan import FILE [--dry-run] [--json] [--user USERNAME]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="read a plan document into a task tree")
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="parse and report, save nothing")
        load.add_argument("--json", action="store_true", help="print the parsed plan as JSON")
        load.add_argument("--user", help="save as this user (division staff or administrator)")

    def handle(self, *args, action, file, dry_run, json: bool, user, **options):
        path = Path(file)
        if not path.is_file():
            self._fail(f"{file}: no such file.")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or not plans_can_edit(actor):
                raise CommandError(
                    f"{user!r} is not an active division staff user or administrator."
                )
        try:
            with open(path, "rb") as handle:
                parsed = services.document_parse(handle, name=path.name)
        except reading.DocumentError as exc:
            self._fail(str(exc))
        if not dry_run:
            try:
                with audit_context(), open(path, "rb") as handle:
                    plan = services.plan_import(actor=actor, fileobj=handle, name=path.name)
            except ValidationError as exc:
                self._fail("; ".join(exc.messages))
        for warning in parsed.warnings:
            self.stderr.write(f"{path.name}: {warning}")
        if json:
            try:
                vocab = vocabulary(actor)
            except DatabaseError:  # no database yet: the text alone proposes owners
                vocab = None
            data = services.plan_json(parsed, vocab=vocab)
            self.stdout.write(_dumps(data))
        else:
            self._summary(parsed)
        if not dry_run:
            saved = f"Saved as plan {plan.pk} (draft): {plan.get_absolute_url()}"
            # with --json, stdout holds the JSON only
            (self.stderr if json else self.stdout).write(saved)

    def _summary(self, parsed) -> None:
        self.stdout.write(parsed.title)
        details = [str(parsed.date or ""), parsed.author, parsed.number]
        if any(details):
            self.stdout.write("  ".join(d for d in details if d))

        def show(tasks, depth):
            for task in tasks:
                self.stdout.write("  " * depth + f"{task.marker or task.number} {task.title}")
                show(task.children, depth + 1)

        show(parsed.tasks, 0)
        leaves = sum(1 for task in parsed.walk() if not task.children)
        self.stdout.write(f"{len(parsed.tasks)} sections, {leaves} tasks to report on.")

    def _fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
