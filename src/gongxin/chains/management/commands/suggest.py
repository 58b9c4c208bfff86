"""`gongxin suggest [CHAIN …]`: suggest places on the chains for the enterprises of the
archive not on them yet (from products, business scope and industry class), for the
chain offices to confirm or reject. Safe to run again: an enterprise already on a node,
suggested or rejected there, is not suggested twice."""

from django.core.management.base import BaseCommand, CommandError

from gongxin.chains.models import Chain
from gongxin.chains.services import links_suggest
from gongxin.core.audit import audit_context


class Command(BaseCommand):
    help = "Suggest places of enterprises on the chains (all chains, or the codes given)."

    def add_arguments(self, parser):
        parser.add_argument("chains", nargs="*", help="chain codes (default: every chain)")

    def handle(self, *args, chains, **options):
        found = Chain.objects.order_by("sort_order", "code")
        if chains:
            found = found.filter(code__in=chains)
            unknown = sorted(set(chains) - set(found.values_list("code", flat=True)))
            if unknown:
                raise CommandError(f"No chain {', '.join(unknown)}.")
        total = 0
        with audit_context():
            for chain in found:
                made = links_suggest(actor=None, chain=chain)
                total += made
                self.stdout.write(f"{chain.code}\t{chain.name}\t{made} suggested")
        self.stdout.write(self.style.SUCCESS(f"{total} places suggested."))
