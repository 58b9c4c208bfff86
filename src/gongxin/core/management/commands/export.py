"""`gongxin export KIND FILE.xlsx`: the same columns as the import template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongxin.core.models import User
from gongxin.core.tabular.registry import EXPORTS


class Command(BaseCommand):
    help = "Export to XLSX: gongxin export {enterprises,figures} FILE.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to export: " + ", ".join(sorted(EXPORTS)))
        parser.add_argument("file")
        parser.add_argument("--user", help="export what this user may see (default: everything)")

    def handle(self, *args, kind, file, user, **options):
        spec = EXPORTS.get(kind)
        if spec is None:
            raise CommandError(
                f"Unknown export {kind!r}; choose from {', '.join(sorted(EXPORTS))}."
            )
        if not file.lower().endswith(".xlsx"):
            raise CommandError("The export file name must end in .xlsx.")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user!r}.")
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = spec.write(str(path), user=actor)
        self.stdout.write(f"{rows} rows written to {path}")
