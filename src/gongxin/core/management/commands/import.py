"""`gongxin import KIND FILE [--dry-run]`: import a CSV or XLSX file, all or nothing.

Exit status 0 when every row is valid (and, without --dry-run, committed); 1 when any
row is rejected, with one line per error naming the row (header = row 1), the column
and the reason; nothing is written then.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from gongxin.core.audit import audit_context
from gongxin.core.models import User
from gongxin.core.tabular.importing import run_import
from gongxin.core.tabular.registry import IMPORTS


class Command(BaseCommand):
    help = "Import a CSV or XLSX file: gongxin import {enterprises,figures} FILE [--dry-run]"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what the file holds: " + ", ".join(sorted(IMPORTS)))
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--user", help="import as this user (their scope applies)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, kind, file, dry_run, user, quiet, **options):
        spec = IMPORTS.get(kind)
        if spec is None:
            raise CommandError(
                f"Unknown import {kind!r}; choose from {', '.join(sorted(IMPORTS))}."
            )
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user!r}.")
        show = not quiet and sys.stderr.isatty()
        with (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]} rows"),
                TimeElapsedColumn(),
                disable=not show,
                transient=True,
            ) as bar,
            audit_context(),
            open(path, "rb") as handle,
        ):
            task = bar.add_task(path.name, total=1.0, rows=0)
            result = run_import(
                spec.importer(actor=actor),
                handle,
                name=path.name,
                dry_run=dry_run,
                progress=lambda fraction, rows: bar.update(task, completed=fraction, rows=rows),
            )
        for error in result.errors:
            self.stdout.write(f"{path.name}: {error}")
        if result.error_count > len(result.errors):
            self.stdout.write(f"… {result.error_count - len(result.errors)} more errors")
        self.stdout.write(result.summary())
        if not result.ok:
            sys.exit(1)
