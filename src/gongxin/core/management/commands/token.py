"""`gongxin token USERNAME`: print a new API token for that user."""

from django.core.management.base import BaseCommand, CommandError

from gongxin.core.auth import token_issue
from gongxin.core.models import User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (use it as 'Authorization: Bearer TOKEN')."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        self.stdout.write(token_issue(user=user, name=name or "cli"))
