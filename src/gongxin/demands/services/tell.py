"""Who hears of a demand's step (in the app and by email, after the step commits): the
department that now has to act, the desk, or the enterprise that asked."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.notify import Message, notify
from gongxin.demands.choices import Action
from gongxin.demands.models import Demand
from gongxin.demands.selectors import desk_users

#: step: (who is told, the title's wording, whether by email too)
TOLD = {
    "registered": ("desk", gettext_lazy("New demand to dispatch"), False),
    Action.DISPATCH: ("departments", gettext_lazy("Demand dispatched to you"), True),
    Action.RETURN: ("desk", gettext_lazy("Demand returned for re-dispatch"), True),
    Action.INTERIM: ("enterprise", gettext_lazy("Interim reply to your demand"), True),
    Action.RESOLVE: (
        "enterprise",
        gettext_lazy("Your demand is answered: please rate the answer"),
        True,
    ),
    Action.REOPEN: ("lead", gettext_lazy("Demand reopened: the enterprise is not satisfied"), True),
    Action.FOLLOW_UP: ("enterprise", gettext_lazy("Your demand is closed"), False),
    Action.EXTEND_ASK: ("desk", gettext_lazy("Extension requested"), True),
    Action.EXTEND_OK: ("lead", gettext_lazy("Extension approved"), True),
    Action.EXTEND_NO: ("lead", gettext_lazy("Extension refused"), True),
    Action.MERGE: ("enterprise", gettext_lazy("Your demand was merged with another"), False),
}


def _recipients(who: str, demand: Demand) -> list[User]:
    active = User.objects.filter(is_active=True)
    if who == "desk":
        return desk_users()
    if who == "enterprise":
        return list(active.filter(role=Role.ENTERPRISE, enterprise_id=demand.enterprise_id))
    handlers = active.filter(role__in=(Role.DEPARTMENT, Role.STAFF))
    if who == "lead":
        return list(handlers.filter(department_id=demand.lead_id)) if demand.lead_id else []
    return list(
        handlers.filter(
            Q(department_id=demand.lead_id) | Q(department__co_demands=demand)
        ).distinct()
    )


def tell(step: str, demand: Demand, *, text: str = "") -> None:
    """Tell those concerned of `step`, once the transaction commits."""
    if step not in TOLD:
        return
    who, title, email = TOLD[step]

    def send():
        users = _recipients(who, demand)
        if not users:
            return
        url = reverse("demands:demand_detail", args=[demand.pk])
        body = f"{demand.enterprise.name}：{demand.title}" + (f"\n{text}" if text else "")
        notify([Message(u, f"{title}：{demand.title}", body, url) for u in users], email=email)

    transaction.on_commit(send)
