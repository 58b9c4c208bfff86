"""Reads of demands, scoped by the acting user."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import EnterpriseNode
from gongxin.chains.selectors import chain_scope
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import user_edits_everything
from gongxin.demands import topics
from gongxin.demands.choices import Status
from gongxin.demands.models import Demand, Visit, VisitPlan, VisitTask
from gongxin.enterprises.choices import QualificationKind
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope, valid_qualifications

#: Qualifications that make an enterprise a key one, whose demands come first.
KEY_QUALIFICATIONS = (
    QualificationKind.CHAIN_MASTER,
    QualificationKind.SINGLE_CHAMPION,
    QualificationKind.LITTLE_GIANT,
    QualificationKind.SPECIALIZED_SME,
)
DUPLICATE_WINDOW = dt.timedelta(days=30)
DUPLICATE_LIKENESS = 0.4


def is_desk(user: User) -> bool:
    """The bureau's demand desk (division staff, administrators): registers, dispatches,
    follows up every demand."""
    return bool(user and user_edits_everything(user))


def demand_scope(user: User) -> QuerySet[Demand]:
    """The demands `user` sees. The one place where the demands' scope is decided.

    - the desk (division staff, administrators) and leadership: all;
    - a handling department (or a division acting as one): those it leads or co-handles;
    - district, park and service officers: those of the enterprises in their part of the
      archive;
    - a chain office: those of the enterprises on the chains it runs;
    - an enterprise user: its enterprise's.
    """
    qs = Demand.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if is_desk(user) or user.role == Role.LEADER:
        return qs
    if user.role == Role.DEPARTMENT:
        if not user.department_id:
            return qs.none()
        led, co_handled = _department_parts(user.department_id)
        return qs.filter(led | co_handled)
    if user.role == Role.CHAIN_OFFICE:
        # the demands of the enterprises on the chains it runs (and their sub-chains)
        own = chain_scope(user, for_change=True).values("pk")
        on_them = Demand.chains.through.objects.filter(chain_id__in=own).values("demand_id")
        return qs.filter(pk__in=on_them)
    return qs.filter(enterprise__in=enterprise_scope(user).values("pk"))


def _department_parts(department_id: int) -> tuple[Q, Q]:
    """A department's demands in two disjoint parts: those it leads, and those it
    co-handles without leading them."""
    co_handled = Demand.co_departments.through.objects.filter(
        department_id=department_id
    ).values("demand_id")
    return Q(lead_id=department_id), Q(pk__in=co_handled) & ~Q(lead_id=department_id)


def demand_count(user: User, where: Q) -> int:
    """How many demands in `user`'s scope match `where`. A department's two parts are
    counted apart, each on its own index: counted through their OR, every demand of the
    city would be read."""
    if user.role == Role.DEPARTMENT and user.department_id:
        return sum(
            Demand.objects.filter(where & part).count()
            for part in _department_parts(user.department_id)
        )
    return demand_scope(user).filter(where).count()


def demand_status_counts(user: User) -> dict[str, int]:
    """How many demands in `user`'s scope are at each status (a department's two parts
    counted apart, as in `demand_count`)."""
    if user.role == Role.DEPARTMENT and user.department_id:
        parts = [Demand.objects.filter(p) for p in _department_parts(user.department_id)]
    else:
        parts = [demand_scope(user)]
    counts: dict[str, int] = {}
    for qs in parts:
        for status, n in qs.values_list("status").annotate(n=Count("pk")).order_by():
            counts[status] = counts.get(status, 0) + n
    return counts


def desk_users() -> list[User]:
    """The desk's staff: the division GONGXIN_DEMAND_DESK names (default 运行监测协调处)."""
    return list(
        User.objects.filter(
            is_active=True, department__code=settings.GONGXIN_DEMAND_DESK, role=Role.STAFF
        )
    )


def is_key_enterprise(enterprise: Enterprise, on: dt.date) -> bool:
    """A chain master, single champion, little giant or specialised SME (valid on `on`)."""
    return (
        valid_qualifications(on).filter(enterprise=enterprise, kind__in=KEY_QUALIFICATIONS).exists()
    )


def enterprise_chains(enterprise_id: int) -> list[int]:
    """The chains an enterprise is confirmed on."""
    return list(
        EnterpriseNode.objects.filter(enterprise_id=enterprise_id, status=LinkStatus.CONFIRMED)
        .values_list("node__chain_id", flat=True)
        .distinct()
    )


def likeness(a: str, b: str) -> float:
    """How alike two demands' texts are: the share of their topic words they have in
    common (Jaccard)."""
    wa, wb = set(topics.demand_terms(a)), set(topics.demand_terms(b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def similar_demand(demand: Demand) -> Demand | None:
    """The earlier demand of the same enterprise, registered within 30 days before this
    one and not merged away, that this one most likely repeats (or None)."""
    since = demand.registered_at - DUPLICATE_WINDOW
    text = f"{demand.title}\n{demand.text}"
    best, best_score = None, DUPLICATE_LIKENESS
    candidates = (
        Demand.objects.filter(
            enterprise_id=demand.enterprise_id,
            registered_at__gte=since,
            registered_at__lte=demand.registered_at,
            merged_into__isnull=True,
        )
        .exclude(pk=demand.pk)
        .only("pk", "title", "text", "registered_at")
        .order_by("-registered_at")[:50]
    )
    for other in candidates:
        if other.title.strip() == demand.title.strip():
            return other
        score = likeness(text, f"{other.title}\n{other.text}")
        if score >= best_score:
            best, best_score = other, score
    return best


def is_lead(user: User, demand: Demand) -> bool:
    """Whether `user` acts for the demand's lead department."""
    return bool(
        user
        and user.is_active
        and demand.lead_id
        and user.department_id == demand.lead_id
        and user.role in (Role.DEPARTMENT, Role.STAFF)
    )


def overdue_q(now) -> Q:
    """Past the deadline of the step the demand waits for."""
    return (
        Q(status=Status.REGISTERED, dispatch_due__lt=now)
        | Q(status__in=(Status.DISPATCHED, Status.ACCEPTED), reply_due__lt=now)
        | Q(
            status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS),
            resolve_due__lt=now,
        )
    )


def overdue(user: User, now=None) -> QuerySet[Demand]:
    """The 督办 list: demands in `user`'s scope past the deadline of the step they wait
    for (dispatch, first answer, resolution), the longest overdue first."""
    return (
        demand_scope(user)
        .filter(overdue_q(now or timezone.now()))
        .select_related("enterprise", "lead")
        .order_by("dispatch_due", "pk")
    )


def demand_can_register(user: User) -> bool:
    """The desk, districts, parks, officers and enterprise users register demands."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (
            is_desk(user)
            or user.role in (Role.DISTRICT, Role.OFFICER)
            or (user.role == Role.ENTERPRISE and user.enterprise_id)
        )
    )


def waiting_for(user: User) -> Q:
    """The demands waiting for a step of `user`'s (the inbox's first tab)."""
    if is_desk(user):
        return Q(status__in=(Status.REGISTERED, Status.RATED))
    if user.role in (Role.DEPARTMENT, Role.STAFF) and user.department_id:
        return Q(
            lead_id=user.department_id,
            status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS),
        )
    if user.role == Role.ENTERPRISE:
        return Q(status=Status.RESOLVED)
    if user.role in (Role.DISTRICT, Role.OFFICER):
        return Q(status=Status.RATED)
    return Q(pk__in=[])


def demand_filter(user: User, *, tab: str = "all", now=None, **filters) -> Q:
    """What a tab of the inbox (and its filters: status, category, key) asks of a
    demand, beside the scope."""
    where = Q(**{k: v for k, v in filters.items() if v not in ("", None, False)})
    if tab == "mine":
        where &= waiting_for(user)
    elif tab == "overdue":
        where &= overdue_q(now or timezone.now())
    return where


def demand_list(user: User, *, tab: str = "all", now=None, **filters) -> QuerySet[Demand]:
    """A tab of the inbox, with what its rows show, in a fixed number of queries (count
    it with `demand_count(user, demand_filter(…))`)."""
    qs = demand_scope(user).filter(demand_filter(user, tab=tab, now=now, **filters))
    order = ("dispatch_due", "pk") if tab == "overdue" else ("-registered_at", "-pk")
    return qs.select_related("enterprise", "lead").order_by(*order).defer(
        "text", "enterprise__business_scope"
    )


def current_due(demand: Demand):
    """The deadline of the step the demand waits for (None when none is timed)."""
    if demand.status == Status.REGISTERED:
        return demand.dispatch_due
    if demand.status in (Status.DISPATCHED, Status.ACCEPTED):
        return min(d for d in (demand.reply_due, demand.resolve_due) if d)
    if demand.status == Status.IN_PROGRESS:
        return demand.resolve_due
    return None


def mark(demand: Demand, now, soon) -> str:
    """red: past its deadline; yellow: due by the end of the next working day; "" else."""
    due = current_due(demand)
    if due is None:
        return ""
    if due < now:
        return "red"
    return "yellow" if due <= soon else ""


def demand_menu(user: User) -> bool:
    """Everyone signed in who sees demands (all roles but a user without a scope)."""
    return bool(user and user.is_authenticated and user.is_active)


# Visits (大走访) -----------------------------------------------------------------------


def visit_scope(user: User) -> QuerySet[Visit]:
    """The visits `user` sees: all for the desk and leadership; a district's, park's or
    officer's to the enterprises in their part of the archive; nobody else's."""
    if not (user and user.is_authenticated and user.is_active):
        return Visit.objects.none()
    qs = Visit.objects.all()
    if is_desk(user) or user.role == Role.LEADER:
        return qs
    if user.role in (Role.DISTRICT, Role.OFFICER):
        return qs.filter(enterprise__in=enterprise_scope(user).values("pk"))
    return qs.none()  # the officials' findings are not the enterprise's or a chain's


def visit_task_scope(user: User) -> QuerySet[VisitTask]:
    """The visit tasks `user` sees: all for the desk and leadership; a district's or
    park's for its enterprises; an officer's own and those of the enterprises they serve."""
    if not (user and user.is_authenticated and user.is_active):
        return VisitTask.objects.none()
    qs = VisitTask.objects.all()
    if is_desk(user) or user.role == Role.LEADER:
        return qs
    if user.role == Role.OFFICER:
        return qs.filter(Q(official=user) | Q(enterprise__service_officer=user))
    if user.role == Role.DISTRICT:
        return qs.filter(enterprise__in=enterprise_scope(user).values("pk"))
    return qs.none()


def visit_plan_scope(user: User) -> QuerySet[VisitPlan]:
    """The visit plans `user` sees: all for the desk and leadership; for a district, park
    or officer those with visits in their scope and those they made."""
    if not (user and user.is_authenticated and user.is_active):
        return VisitPlan.objects.none()
    if is_desk(user) or user.role == Role.LEADER:
        return VisitPlan.objects.all()
    if user.role not in (Role.DISTRICT, Role.OFFICER):
        return VisitPlan.objects.none()
    return VisitPlan.objects.filter(
        Q(pk__in=visit_task_scope(user).values("plan_id")) | Q(created_by=user)
    )


def visit_plan_can_create(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (is_desk(user) or (user.role == Role.DISTRICT and user.region_id))
    )


def visit_can_record(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (is_desk(user) or user.role in (Role.DISTRICT, Role.OFFICER))
    )


def visit_menu(user: User) -> bool:
    """Those who plan, make or oversee visits: the desk, leadership, districts, officers."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (is_desk(user) or user.role in (Role.LEADER, Role.DISTRICT, Role.OFFICER))
    )


def enterprise_demand_history(user: User, enterprise: Enterprise, *, last: int = 10) -> dict:
    """The demands and visits of one enterprise that `user` sees, newest first, for its
    file (一企一档): the latest `last` of each and how many there are."""
    demands = demand_scope(user).filter(enterprise=enterprise)
    visits = visit_scope(user).filter(enterprise=enterprise)
    return {
        "demands": demands.select_related("lead").order_by("-registered_at", "-pk")[:last],
        "demand_count": demands.count(),
        "visits": visits.prefetch_related("officials").order_by("-visited_on", "-pk")[:last],
        "visit_count": visits.count(),
        "can_register_demand": demand_can_register(user)
        and (
            user.role == Role.ENTERPRISE or enterprise_scope(user).filter(pk=enterprise.pk).exists()
        ),
        "can_record_visit": visit_can_record(user),
    }
