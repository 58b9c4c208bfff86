"""The early-warning sweep, and what officials do with a warning (visit the enterprise).

`alerts_sweep` runs daily (`gongxin alerts`): what the rules find opens a warning unless
one is open for the same rule and subject already (then its figures are brought up to
date), and every open warning the rules no longer find is closed — the condition cleared.
The officials responsible are told of their new warnings in one message each."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongxin.alerts import rules
from gongxin.alerts.choices import AlertStatus
from gongxin.alerts.models import Alert
from gongxin.alerts.selectors import alert_scope
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction
from gongxin.core.models import User
from gongxin.core.notify import Message, notify

_FOUND_FIELDS = (
    "enterprise_id",
    "project_id",
    "qualification_id",
    "district_id",
    "official_id",
    "period",
    "value",
    "before",
    "measure",
)


@dataclass(frozen=True)
class Swept:
    opened: int
    kept: int
    closed: int


@transaction.atomic
def alerts_sweep(*, on: dt.date | None = None, tell: bool = True) -> Swept:
    """Open, bring up to date and close warnings as the rules find them on `on` (today)."""
    on = on or timezone.localdate()
    now = timezone.now()
    found = {(f.rule, f.subject): f for f in rules.find_all(on)}
    open_now = {
        (a.rule, a.subject): a for a in Alert.objects.select_for_update().filter(status="open")
    }

    kept = []
    for key, alert in open_now.items():
        f = found.get(key)
        if f is None:
            continue
        for name in _FOUND_FIELDS:
            setattr(alert, name, getattr(f, name))
        alert.seen_at = now
        kept.append(alert)
    Alert.objects.bulk_update(kept, [*_FOUND_FIELDS, "seen_at"], batch_size=2000)

    gone = [a.pk for key, a in open_now.items() if key not in found]
    Alert.objects.filter(pk__in=gone).update(status=AlertStatus.CLOSED, closed_at=now)

    new = [
        Alert(
            rule=f.rule,
            subject=f.subject,
            opened_at=now,
            seen_at=now,
            **{name: getattr(f, name) for name in _FOUND_FIELDS},
        )
        for key, f in found.items()
        if key not in open_now
    ]
    Alert.objects.bulk_create(new, batch_size=2000)
    if tell and new:
        _tell(new)
    return Swept(opened=len(new), kept=len(kept), closed=len(gone))


def _tell(new: list[Alert]) -> None:
    counts = Counter(a.official_id for a in new if a.official_id)
    users = User.objects.in_bulk(list(counts))
    url = reverse("alerts:alert_list") + "?mine=1&status=open"
    notify(
        Message(
            user=users[pk],
            title=ngettext(
                "%(n)d new early warning on your list",
                "%(n)d new early warnings on your list",
                n,
            )
            % {"n": n},
            url=url,
        )
        for pk, n in sorted(counts.items())
        if pk in users
    )


@transaction.atomic
def alert_visit_link(*, actor: User, alert: Alert, visit) -> Alert:
    """Record that `visit` followed the warning up (the visit form started from it)."""
    if not alert_scope(actor).filter(pk=alert.pk).exists():
        raise PermissionDenied(_("This early warning is outside your scope."))
    if visit.enterprise_id != alert.enterprise_id:
        raise PermissionDenied(_("The visit is to another enterprise than the warning's."))
    alert.visit = visit
    alert.save(update_fields=["visit"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=alert,
        changes={"visit": [None, visit.pk]},
        message=_("Visit of %(day)s follows the warning up") % {"day": visit.visited_on},
    )
    return alert
