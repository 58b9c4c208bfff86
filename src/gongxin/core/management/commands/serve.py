"""`gongxin serve [--port P]`: migrate, collect static files and serve with the
development server (for the demo and for trying things out; production runs gunicorn)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI on http://127.0.0.1:PORT (development server)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"gongxin: http://{host}:{port}/  (Ctrl-C to stop)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
