"""Writes to demands: registering one, and each step of its closed loop. A step is allowed
from given statuses to the roles given below; it is recorded as an event with who, when
and text; its deadlines follow in Chinese working days (`core.workdays`).

Two people acting on one demand at once: each step updates the demand only if it is still
at the version the actor saw, so exactly one wins; the other gets a conflict saying what
the demand has become, and nothing of theirs is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core import workdays
from gongxin.core.audit import audit_record
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import Department, User
from gongxin.demands.categorize import suggest_category
from gongxin.demands.choices import Action, Rating, Source, Status, Urgency
from gongxin.demands.models import Demand, DemandEvent
from gongxin.demands.selectors import demand_scope, is_desk, is_lead
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope

#: Working days allowed for each step unless settings.GONGXIN_DEMAND_SLA says otherwise:
#: {"dispatch": 1, "reply": 3, "resolve": 5, "urgent": {...}, "categories": {"land": {...}}}.
DEFAULT_SLA = {"dispatch": 1, "reply": 3, "resolve": 5}


class Conflict(ValidationError):
    """Someone else moved the demand on first."""


def sla(category: str, urgency: str) -> dict[str, int]:
    """The working days allowed for dispatch, interim reply and resolution."""
    configured = getattr(settings, "GONGXIN_DEMAND_SLA", {})
    days = {**DEFAULT_SLA, **{k: v for k, v in configured.items() if k in DEFAULT_SLA}}
    if urgency == Urgency.URGENT:
        days.update(configured.get("urgent", {}))
    days.update(configured.get("categories", {}).get(category, {}))
    return days


def _rater(user: User, demand: Demand) -> bool:
    """The enterprise rates its answer (or the desk, for one rated by phone)."""
    return is_desk(user) or (
        user.role == Role.ENTERPRISE and user.enterprise_id == demand.enterprise_id
    )


def _follower(user: User, demand: Demand) -> bool:
    """The desk, and the district, park or officer the enterprise belongs to, call back."""
    if is_desk(user):
        return True
    if user.role in (Role.DISTRICT, Role.OFFICER):
        return enterprise_scope(user).filter(pk=demand.enterprise_id).exists()
    return False


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str
    allowed: Callable[[User, Demand], bool]
    needs_text: bool


STEPS = {
    step.action: step
    for step in (
        Step(Action.DISPATCH, frozenset({Status.REGISTERED}), Status.DISPATCHED,
             lambda u, d: is_desk(u), False),
        Step(Action.RETURN, frozenset({Status.DISPATCHED}), Status.REGISTERED, is_lead, True),
        Step(Action.ACCEPT, frozenset({Status.DISPATCHED}), Status.ACCEPTED, is_lead, False),
        Step(Action.INTERIM, frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
             Status.IN_PROGRESS, is_lead, True),
        Step(Action.RESOLVE, frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
             Status.RESOLVED, is_lead, True),
        Step(Action.RATE, frozenset({Status.RESOLVED}), Status.RATED, _rater, False),
        Step(Action.FOLLOW_UP, frozenset({Status.RATED}), Status.CLOSED, _follower, True),
    )
}  # fmt: skip


def allowed_actions(user: User, demand: Demand) -> list[str]:
    """The steps `user` may take on `demand` now (for the buttons a page shows)."""
    return [
        action
        for action, step in STEPS.items()
        if demand.status in step.sources and step.allowed(user, demand)
    ]


@transaction.atomic
def demand_register(
    *,
    actor: User | None,
    enterprise: Enterprise,
    title: str,
    text: str,
    source: str,
    category: str = "",
    urgency: str = Urgency.NORMAL,
    reference: str = "",
    at=None,
) -> Demand:
    """A new demand of `enterprise`: by its own user (portal), by the desk (phone,
    hotline) or by the district, park or officer who heard it (visit). Its category is
    suggested from the text unless given."""
    if actor is not None:
        if actor.role == Role.ENTERPRISE:
            if actor.enterprise_id != enterprise.pk:
                raise PermissionDenied(_("An enterprise registers its own demands only."))
            source = Source.PORTAL
        elif not (is_desk(actor) or enterprise_scope(actor).filter(pk=enterprise.pk).exists()):
            raise PermissionDenied(_("This enterprise is outside your part of the archive."))
    now = at or timezone.now()
    suggested, evidence = suggest_category(f"{title}\n{text}")
    demand = Demand(
        enterprise=enterprise,
        title=title.strip(),
        text=text.strip(),
        category=category or suggested,
        category_evidence=evidence if not category or category == suggested else "",
        urgency=urgency,
        source=source,
        reference=reference,
        registered_at=now,
        registered_by=actor,
    )
    demand.dispatch_due = workdays.add_workdays(now, sla(demand.category, urgency)["dispatch"])
    demand.full_clean()
    demand.save()
    DemandEvent.objects.create(
        demand=demand,
        action=Action.REGISTER,
        to_status=Status.REGISTERED,
        actor=actor,
        at=now,
        text=demand.text,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=demand, message=demand.title)
    return demand


@transaction.atomic
def demand_step(
    *,
    actor: User,
    demand: Demand,
    action: str,
    text: str = "",
    version: int | None = None,
    lead: Department | None = None,
    co_departments: Iterable[Department] = (),
    rating: str = "",
    at=None,
) -> Demand:
    """Take one step of the closed loop. `version` is the demand's version as the actor
    saw it (default: as loaded). Raises PermissionDenied for a step not theirs,
    ValidationError for a step not possible now or missing its text, Conflict when
    someone else moved the demand on meanwhile."""
    step = STEPS.get(action)
    if step is None:
        raise ValidationError(_("Unknown step %(action)s.") % {"action": action})
    if not demand_scope(actor).filter(pk=demand.pk).exists():
        raise PermissionDenied(_("This demand is outside your part of the archive."))
    seen = demand.version if version is None else version
    if demand.status not in step.sources:
        raise ValidationError(
            _("A demand that is %(status)s cannot be %(step)s.")
            % {"status": demand.get_status_display(), "step": Action(action).label},
            code="status",
        )
    if not step.allowed(actor, demand):
        raise PermissionDenied(
            _("%(step)s is not yours to do on this demand.") % {"step": Action(action).label}
        )
    text = (text or "").strip()
    if step.needs_text and not text:
        raise ValidationError(
            _("%(step)s needs a text: say what was done or why.") % {"step": Action(action).label},
            code="text",
        )
    now = at or timezone.now()
    before = demand.status
    days = sla(demand.category, demand.urgency)
    changes: dict[str, Any] = {"status": step.target}
    event_action = action
    if action == Action.DISPATCH:
        if lead is None:
            raise ValidationError(_("Choose the lead department."), code="lead")
        changes.update(
            lead=lead,
            reply_due=workdays.add_workdays(now, days["reply"]),
            resolve_due=workdays.add_workdays(now, days["resolve"]),
        )
    elif action == Action.RETURN:
        changes.update(lead=None, dispatch_due=workdays.add_workdays(now, days["dispatch"]))
    elif action == Action.RESOLVE:
        changes["resolved_at"] = now
    elif action == Action.RATE:
        if rating not in Rating.values:
            raise ValidationError(_("Choose a rating."), code="rating")
        changes["rating"] = rating
        if rating == Rating.UNSATISFIED:
            if not text:
                raise ValidationError(
                    _("Say what is unsatisfactory: the demand goes back to its department."),
                    code="text",
                )
            event_action = Action.REOPEN
            changes.update(
                status=Status.IN_PROGRESS,
                reopened=F("reopened") + 1,
                resolved_at=None,
                resolve_due=workdays.add_workdays(now, days["resolve"]),
            )
    elif action == Action.FOLLOW_UP:
        changes["closed_at"] = now
    updated = Demand.objects.filter(pk=demand.pk, version=seen, status=before).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        current = Demand.objects.filter(pk=demand.pk).values_list("status", flat=True).first()
        raise Conflict(
            _(
                "Someone else has just acted on this demand: it is now %(status)s. Reload it "
                "and see whether your step is still needed; nothing of yours was saved."
            )
            % {"status": Status(current).label if current else "—"},
            code="conflict",
        )
    if action == Action.DISPATCH:
        demand.co_departments.set([d for d in co_departments if d != lead])
    if action == Action.RATE:  # the rating leads the event's text
        text = str(Rating(rating).label) + (f"：{text}" if text else "")
    DemandEvent.objects.create(
        demand=demand,
        action=event_action,
        from_status=before,
        to_status=changes["status"],
        actor=actor,
        department=lead if action == Action.DISPATCH else actor.department,
        at=now,
        text=text,
    )
    demand.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=demand,
        changes={"status": [before, demand.status]},
        message=f"{Action(event_action).label}：{text}"[:500],
    )
    return demand
