"""What the archive tells the apps that keep something derived from enterprises' files
(policy matching keeps each enterprise's facts and the policies it qualifies for)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

#: Sent once a transaction that changed enterprises' files has committed, with `ids`: the
#: enterprises changed, or None when any may have (an import).
enterprise_changed = Signal()


def announce(ids: Iterable[int] | None) -> None:
    """Send `enterprise_changed` for these enterprises when the transaction commits."""
    frozen = None if ids is None else frozenset(ids)
    transaction.on_commit(lambda: enterprise_changed.send(sender=None, ids=frozen), robust=True)
