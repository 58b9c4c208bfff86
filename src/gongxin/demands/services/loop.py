"""Registering a demand, and each step of its closed loop. A step is allowed
from given statuses to the roles given below; it is recorded as an event with who, when
and text; its deadlines follow in Chinese working days (`core.workdays`).

Two people acting on one demand at once: each step updates the demand only if it is still
at the version the actor saw, so exactly one wins; the other gets a conflict saying what
the demand has become, and nothing of theirs is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
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
from gongxin.demands import topics
from gongxin.demands.categorize import suggest_category
from gongxin.demands.choices import (
    FACTOR_CATEGORY,
    FACTOR_UNITS,
    Action,
    ExtensionStatus,
    Rating,
    Source,
    Status,
    Urgency,
)
from gongxin.demands.models import (
    Demand,
    DemandEvent,
    DemandExtension,
    DemandTerm,
    FactorRequest,
    Visit,
)
from gongxin.demands.selectors import (
    demand_scope,
    enterprise_chains,
    is_desk,
    is_key_enterprise,
    is_lead,
    similar_demand,
)
from gongxin.demands.services.tell import tell
from gongxin.demands.statistics import stats_touch
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope

#: Working days allowed for each step unless settings.GONGXIN_DEMAND_SLA says otherwise:
#: {"dispatch": 1, "reply": 3, "resolve": 5, "urgent": {...}, "categories": {"land": {...}}}.
DEFAULT_SLA = {"dispatch": 1, "reply": 3, "resolve": 5}


class Conflict(ValidationError):
    """Someone else moved the demand on first."""


def sla(category: str, urgency: str) -> dict[str, int]:
    """The working days allowed for dispatch, interim reply and resolution."""
    configured = settings.GONGXIN_DEMAND_SLA
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


@dataclass(frozen=True)
class FactorAsk:
    """要素保障: the structured ask a demand may carry (see `models.FactorRequest`)."""

    kind: str
    detail: str
    quantity: Decimal
    unit: str = ""
    needed_by: dt.date | None = None
    term_months: int | None = None
    project: Any = None  # projects.Project


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
    visit: Visit | None = None,
    factor: FactorAsk | None = None,
    project=None,
    attachments: Iterable = (),
    at=None,
) -> Demand:
    """A new demand of `enterprise`: by its own user (portal), by the desk (phone,
    hotline) or by the district, park or officer who heard it (visit). Its category is
    suggested from the text unless given (a factor request's kind decides it). It is
    flagged key for a key enterprise or a key project, and as a possible duplicate of a
    similar demand of the enterprise within 30 days. `project`: the key project it is
    about (an issue the project raised; a factor request for a project is about it)."""
    if actor is not None:
        if actor.role == Role.ENTERPRISE:
            if actor.enterprise_id != enterprise.pk:
                raise PermissionDenied(_("An enterprise registers its own demands only."))
            source = Source.PORTAL
        elif not (is_desk(actor) or enterprise_scope(actor).filter(pk=enterprise.pk).exists()):
            raise PermissionDenied(_("This enterprise is outside your part of the archive."))
    if visit is not None:
        if visit.enterprise_id != enterprise.pk:
            raise ValidationError(_("A visit raises demands of the enterprise visited."))
        source = Source.VISIT
    if project is None and factor is not None:
        project = factor.project
    if project is not None and project.enterprise_id not in (None, enterprise.pk):
        raise ValidationError({"project": [_("This project is another enterprise's.")]})
    now = at or timezone.now()
    suggested, evidence = suggest_category(f"{title}\n{text}")
    if factor is not None:
        if factor.kind not in FACTOR_CATEGORY:
            raise ValidationError({"kind": [_("Choose labour, talent, funds, land or energy.")]})
        category = FACTOR_CATEGORY[factor.kind]
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
        visit=visit,
        project=project,
        key=is_key_enterprise(enterprise, timezone.localdate(now)) or project is not None,
    )
    demand.dispatch_due = workdays.add_workdays(now, sla(demand.category, urgency)["dispatch"])
    demand.full_clean()
    demand.duplicate_of = similar_demand(demand)
    demand.save()
    demand.chains.set(enterprise_chains(enterprise.pk))
    if factor is not None:
        _factor_save(demand, factor)
    event = DemandEvent.objects.create(
        demand=demand,
        action=Action.REGISTER,
        to_status=Status.REGISTERED,
        actor=actor,
        at=now,
        text=demand.text,
    )
    if attachments:
        from gongxin.demands.services.changes import attachments_add

        attachments_add(actor=actor, demand=demand, files=attachments, event=event, at=now)
    terms_count(demand)
    stats_touch(demand.registered_at)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=demand, message=demand.title)
    tell("registered", demand)
    return demand


def _factor_save(demand: Demand, ask: FactorAsk) -> FactorRequest:
    units = FACTOR_UNITS.get(ask.kind)
    if units is None:
        raise ValidationError({"kind": [_("Choose labour, talent, funds, land or energy.")]})
    if ask.project is not None and ask.project.enterprise_id != demand.enterprise_id:
        raise ValidationError({"project": [_("This project is another enterprise's.")]})
    unit = ask.unit or units[0]
    if unit not in units:
        raise ValidationError({"unit": [_("This factor is not counted in that unit.")]})
    factor = FactorRequest(
        demand=demand,
        kind=ask.kind,
        detail=(ask.detail or "").strip(),
        quantity=ask.quantity,
        unit=unit,
        needed_by=ask.needed_by,
        term_months=ask.term_months,
        project=ask.project,
    )
    factor.full_clean()
    factor.save()
    return factor


def terms_count(demand: Demand) -> None:
    """Count the demand's words in its month (the hot topics)."""
    month = timezone.localtime(demand.registered_at).date().replace(day=1)
    terms = topics.demand_terms(f"{demand.title}\n{demand.text}")
    if not terms:
        return
    DemandTerm.objects.bulk_create(
        [DemandTerm(month=month, term=t, count=0) for t in terms], ignore_conflicts=True
    )
    DemandTerm.objects.filter(month=month, term__in=terms).update(count=F("count") + 1)


@transaction.atomic
def terms_rebuild() -> int:
    """Recount every month's words from the demands (after bulk loads); returns the rows."""
    from collections import Counter

    counts: Counter = Counter()
    for registered_at, title, text in Demand.objects.values_list(
        "registered_at", "title", "text"
    ).iterator(chunk_size=5000):
        month = timezone.localtime(registered_at).date().replace(day=1)
        counts.update((month, t) for t in topics.demand_terms(f"{title}\n{text}"))
    DemandTerm.objects.all().delete()
    DemandTerm.objects.bulk_create(
        (DemandTerm(month=m, term=t, count=c) for (m, t), c in counts.items()),
        batch_size=5000,
    )
    return len(counts)


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
    fulfilled: Decimal | None = None,
    attachments: Iterable = (),
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
        if fulfilled is not None:
            factor = FactorRequest.objects.filter(demand=demand).first()
            if factor is None:
                raise ValidationError(_("Only a factor request records how much was met."))
            if fulfilled < 0:
                raise ValidationError(_("What was met cannot be negative."), code="fulfilled")
            FactorRequest.objects.filter(pk=factor.pk).update(fulfilled=fulfilled)
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
    advance(demand, seen=seen, status=before, changes=changes)
    if action in (Action.RESOLVE, Action.RETURN):
        extensions_withdraw(demand, now)
    if action == Action.DISPATCH:
        demand.co_departments.set([d for d in co_departments if d != lead])
    if action == Action.RATE:  # the rating leads the event's text
        text = str(Rating(rating).label) + (f"：{text}" if text else "")
    event = DemandEvent.objects.create(
        demand=demand,
        action=event_action,
        from_status=before,
        to_status=changes["status"],
        actor=actor,
        department=lead if action == Action.DISPATCH else actor.department,
        at=now,
        text=text,
    )
    if attachments:
        from gongxin.demands.services.changes import attachments_add

        attachments_add(actor=actor, demand=demand, files=attachments, event=event, at=now)
    demand.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=demand,
        changes={"status": [before, demand.status]},
        message=f"{Action(event_action).label}：{text}"[:500],
    )
    tell(event_action, demand, text=text)
    return demand


def advance(demand: Demand, *, seen: int, status: str, changes: dict[str, Any]) -> None:
    """Write `changes` to the demand if it is still at version `seen` and `status`, moving
    its version on; else raise Conflict saying what it has become. The one gate every
    change of a demand passes."""
    updated = Demand.objects.filter(pk=demand.pk, version=seen, status=status).update(
        version=F("version") + 1, **changes
    )
    if updated:
        stats_touch(demand.registered_at)
    else:
        current = Demand.objects.filter(pk=demand.pk).values_list("status", flat=True).first()
        raise Conflict(
            _(
                "Someone else has just acted on this demand: it is now %(status)s. Reload it "
                "and see whether your step is still needed; nothing of yours was saved."
            )
            % {"status": Status(current).label if current else "—"},
            code="conflict",
        )


def extensions_withdraw(demand: Demand, at) -> None:
    """Pending extensions lapse when the demand leaves its department's hands."""
    DemandExtension.objects.filter(demand=demand, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.WITHDRAWN, decided_at=at
    )
