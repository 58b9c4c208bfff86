"""The demo's visits and demands: two years of plans, visits and demands at every step of
the loop (returned, reopened, extended, merged, recategorised, overdue), written in bulk
exactly as the services write them, and the same for the same seed."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import F

from gongxin.chains.demo import chains_build
from gongxin.core.choices import Role
from gongxin.core.demo import staff_accounts_create
from gongxin.core.models import User
from gongxin.core.tests.module_data import built_for_module
from gongxin.demands import demo, selectors
from gongxin.demands.choices import Action, ExtensionStatus, Source, Status
from gongxin.demands.models import (
    Demand,
    DemandEvent,
    DemandExtension,
    DemandTerm,
    FactorRequest,
    Visit,
    VisitPlan,
    VisitTask,
)
from gongxin.demands.selectors import enterprise_chains, is_desk
from gongxin.demands.sweep import sweep
from gongxin.enterprises.demo import enterprise_accounts_pick, enterprises_build
from gongxin.projects.demo import projects_build

SEED = 7
TODAY = dt.date(2026, 11, 18)


def _build() -> dict:
    from gongxin.core.tests.factories import city_load

    city = city_load()
    staff_accounts_create(regions=city.regions, departments=city.departments, password_hash="!")
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    built = enterprises_build(seed=SEED, count=300, regions=city.regions, officers=officers)
    chains = chains_build(seed=SEED, password_hash="!")
    projects_build(seed=SEED, chains=chains, today=TODAY)
    User.objects.bulk_create(
        User(username=f"ent-{e.uscc}", password="!", role=Role.ENTERPRISE, enterprise=e)
        for e in enterprise_accounts_pick(built, n=8)
    )
    return demo.demands_build(seed=SEED, today=TODAY)


@pytest.fixture(scope="module")
def _module_counts(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, _build)


@pytest.fixture
def counts(_module_counts, db) -> dict:
    return _module_counts


def _now() -> dt.datetime:
    return demo._moment(TODAY, demo.CLOCK)


def _desk() -> User:
    return User.objects.get(username=demo.DESK_USERNAME)


def test_counts_and_span(counts):
    assert counts["demands"] == Demand.objects.count() > 100
    assert counts["visits"] == Visit.objects.count() > counts["demands"]
    start = dt.date(2024, 11, 18)
    first = Demand.objects.order_by("registered_at").first().registered_at
    last = Demand.objects.order_by("-registered_at").first().registered_at
    assert start <= demo._local_date(first) < start + dt.timedelta(days=31)
    assert last <= _now() and TODAY - demo._local_date(last) < dt.timedelta(days=4)
    assert not DemandEvent.objects.filter(at__gt=_now()).exists()
    visited = Visit.objects.order_by("visited_on").values_list("visited_on", flat=True)
    assert start <= visited.first() < start + dt.timedelta(days=31)
    assert visited.last() < TODAY
    # more demands in the second year than in the first
    middle = demo._moment(start.replace(year=2025), dt.time())
    assert Demand.objects.filter(registered_at__gte=middle).count() > (
        Demand.objects.filter(registered_at__lt=middle).count()
    )


def test_every_status_and_the_loop_variants(counts):
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    actions = Counter(DemandEvent.objects.values_list("action", flat=True))
    for action in Action.values:
        assert actions[action] > 0, action
    assert Demand.objects.filter(reopened__gt=0).exists()
    merged = Demand.objects.filter(status=Status.MERGED).select_related("merged_into")
    assert merged.exists()
    for demand in merged:
        assert demand.merged_into.enterprise_id == demand.enterprise_id
        assert demand.merged_into.events.filter(action=Action.ABSORB).exists()
    extensions = set(DemandExtension.objects.values_list("status", flat=True))
    assert {ExtensionStatus.APPROVED, ExtensionStatus.REFUSED} <= extensions
    returned = Demand.objects.filter(events__action=Action.RETURN).distinct()
    assert returned.filter(status=Status.CLOSED).exists()


def test_overdue_demands_for_the_desk(counts):
    desk = _desk()
    assert is_desk(desk) and desk.department.code == "yxc"
    now = _now()
    overdue = list(selectors.overdue(desk, now))
    assert len(overdue) >= 3
    assert {selectors.mark(d, now, now) for d in overdue} == {"red"}
    assert {d.status for d in overdue} >= {Status.REGISTERED, Status.ACCEPTED}
    result = sweep(now=now)
    assert result.alerts[("resolve", "red")] + result.alerts[("reply", "red")] > 0


def test_sources_channels_and_actors(counts):
    sources = Counter(Demand.objects.values_list("source", flat=True))
    assert set(sources) == set(Source.values)
    assert 0.2 < sources[Source.VISIT] / counts["demands"] < 0.5
    for demand in Demand.objects.select_related("registered_by", "visit"):
        by = demand.registered_by
        if demand.source == Source.PORTAL:
            assert by.role == Role.ENTERPRISE and by.enterprise_id == demand.enterprise_id
        elif demand.source == Source.VISIT:
            assert demand.visit.enterprise_id == demand.enterprise_id
            assert by.role in (Role.OFFICER, Role.DISTRICT) or is_desk(by)
        else:
            assert by.username == demo.DESK_USERNAME
    hotline = Demand.objects.filter(source=Source.HOTLINE).values_list("reference", flat=True)
    assert all(re.fullmatch(r"12345-20\d\d-\d{7}", r) for r in hotline)
    assert len(set(hotline)) == len(hotline)
    dispatchers = set(
        DemandEvent.objects.filter(action=Action.DISPATCH).values_list("actor__username", flat=True)
    )
    assert dispatchers == {demo.DESK_USERNAME}
    handlers = set(
        DemandEvent.objects.filter(action__in=(Action.ACCEPT, Action.RESOLVE)).values_list(
            "actor__role", flat=True
        )
    )
    assert handlers == {Role.DEPARTMENT}
    assert Demand.objects.filter(urgency="urgent").exists()
    assert Demand.objects.filter(key=True).exists()


def test_factor_requests(counts):
    factors = FactorRequest.objects.select_related("demand", "project")
    share = factors.count() / counts["demands"]
    assert 0.08 < share < 0.4
    assert {f.kind for f in factors} >= {"labour", "funds", "energy"}
    linked = [f for f in factors if f.project_id]
    assert linked and all(f.project.enterprise_id == f.demand.enterprise_id for f in linked)
    assert all(f.demand.key for f in linked)
    resolved = factors.filter(demand__status__in=(Status.RATED, Status.CLOSED))
    assert resolved.exists()
    assert all(0 < f.fulfilled <= f.quantity for f in resolved)


def test_visit_plans_and_tasks(counts):
    plans = VisitPlan.objects.select_related("created_by")
    assert {p.created_by.role for p in plans} >= {Role.STAFF, Role.DISTRICT}
    assert {p.target for p in plans} >= {"above_scale", "key_chains", "region", "chain"}
    assert all(p.created_at.date() <= p.starts_on for p in plans)
    tasks = VisitTask.objects
    on_time = tasks.filter(visited_on__lte=F("due")).count()
    late = tasks.filter(visited_on__gt=F("due")).count()
    overdue = tasks.filter(visited_on__isnull=True, due__lt=TODAY).count()
    pending = tasks.filter(visited_on__isnull=True, due__gte=TODAY).count()
    assert on_time > 4 * late > 0
    assert overdue > 0 and pending > 0
    visit = Visit.objects.exclude(findings="").first()
    assert visit.seen and visit.officials.exists()
    raised = Visit.objects.filter(demands__isnull=False).first()
    assert raised.demands.first().title in raised.findings


def test_demands_are_as_the_services_leave_them(counts):
    """Versions count the changes, statuses follow the events, deadlines their steps."""
    events: dict[int, list] = {}
    for e in DemandEvent.objects.order_by("demand", "at", "pk"):
        events.setdefault(e.demand_id, []).append(e)
    for demand in Demand.objects.prefetch_related("chains"):
        mine = events[demand.pk]
        assert mine[0].action == Action.REGISTER, demand
        assert demand.version == len(mine) - 1, demand
        assert mine[-1].to_status == demand.status, demand
        for before, after in zip(mine, mine[1:], strict=False):
            assert after.from_status == before.to_status, demand
        assert sorted(c.pk for c in demand.chains.all()) == sorted(
            enterprise_chains(demand.enterprise_id)
        )
        if demand.status not in (Status.REGISTERED, Status.MERGED) and demand.lead_id:
            dispatched = [e for e in mine if e.action == Action.DISPATCH][-1]
            assert demand.reply_due == demo.workdays.add_workdays(dispatched.at, 3)


def test_hot_topics_rise_this_month(counts):
    month = TODAY.replace(day=1)
    previous = dt.date(month.year, month.month - 1, 1)
    now = dict(DemandTerm.objects.filter(month=month).values_list("term", "count"))
    before = dict(DemandTerm.objects.filter(month=previous).values_list("term", "count"))
    rising = [w for w in demo.RISING if now.get(w, 0) >= 2 and now[w] > before.get(w, 0)]
    assert rising


def test_the_statistics_count_every_demand_of_the_two_years(counts):
    from gongxin.demands.statistics import demand_statistics

    stats = demand_statistics(
        _desk(), dimension="month", start=TODAY - dt.timedelta(days=800), end=TODAY,
        now=_now(),
    )
    kept = Demand.objects.exclude(status=Status.MERGED)
    assert stats.total.received == kept.count()
    assert stats.total.resolved == kept.filter(resolved_at__isnull=False).count()
    assert len(stats.rows) >= 24  # every month of the two years


def _snapshot() -> dict:
    def numbers(text: str) -> str:  # "#<pk>" of merged demands differ from build to build
        return re.sub(r"#\d+", "#", text)

    return {
        "demands": list(
            Demand.objects.order_by("registered_at", "enterprise__uscc", "title").values_list(
                "enterprise__uscc", "title", "text", "category", "status", "source",
                "reference", "registered_at", "dispatch_due", "reply_due", "resolve_due",
                "resolved_at", "closed_at", "rating", "reopened", "key", "lead__code", "version",
            )
        ),
        "events": sorted(
            (uscc, at, action, actor, numbers(text))
            for uscc, at, action, actor, text in DemandEvent.objects.values_list(
                "demand__enterprise__uscc", "at", "action", "actor__username", "text"
            )
        ),
        "visits": list(
            Visit.objects.order_by("recorded_at", "enterprise__uscc").values_list(
                "enterprise__uscc", "visited_on", "kind", "seen", "findings",
                "recorded_by__username",
            )
        ),
        "tasks": sorted(
            VisitTask.objects.values_list(
                "plan__name", "enterprise__uscc", "period_start", "visited_on"
            )
        ),
        "factors": sorted(
            FactorRequest.objects.values_list(
                "demand__enterprise__uscc", "kind", "quantity", "fulfilled", "project__name"
            )
        ),
    }  # fmt: skip


def _forget_demands() -> None:
    Demand.objects.filter(status=Status.MERGED).delete()
    Demand.objects.all().delete()
    VisitPlan.objects.all().delete()
    Visit.objects.all().delete()
    DemandTerm.objects.all().delete()


def test_same_seed_same_demo(counts):
    first = _snapshot()
    _forget_demands()
    assert demo.demands_build(seed=SEED, today=TODAY) == counts
    assert _snapshot() == first


# The bulk writer against the services --------------------------------------------------


def _draft(w: demo.World, rng: random.Random, ask: demo.Ask, **scenario) -> demo.DemandDraft:
    enterprise = next(e for e in w.enterprises if e.pk not in w.accounts)
    at = demo._office(rng, TODAY - dt.timedelta(days=scenario.pop("days_ago", 40)))
    d = demo.DemandDraft(
        index=0, enterprise=enterprise, registered_at=at, source=Source.PHONE, actor=w.desk, ask=ask
    )
    demo._compose(rng, w, d, "")
    for name, value in scenario.items():
        setattr(d, name, value)
    demo._walk(rng, w, d)
    return d


def _written(demand_id: int) -> dict:
    demand = Demand.objects.get(pk=demand_id)
    fields = {
        f.attname: getattr(demand, f.attname)
        for f in Demand._meta.concrete_fields
        if f.attname not in ("id", "duplicate_of_id", "merged_into_id")
    }
    return {
        "demand": fields,
        "co": sorted(demand.co_departments.values_list("pk", flat=True)),
        "chains": sorted(demand.chains.values_list("pk", flat=True)),
        "events": list(
            demand.events.order_by("at", "pk").values_list(
                "action", "from_status", "to_status", "actor", "department", "at", "text"
            )
        ),
        "extensions": list(
            demand.extensions.order_by("requested_at").values_list(
                "phase", "days", "reason", "status", "requested_by", "requested_at",
                "due_before", "due_after", "decided_by", "decided_at", "decision_note",
            )
        ),
        "factor": list(
            FactorRequest.objects.filter(demand=demand).values_list(
                "kind", "detail", "quantity", "unit", "needed_by", "term_months", "project",
                "fulfilled",
            )
        ),
    }  # fmt: skip


def _both_ways(w: demo.World, d: demo.DemandDraft) -> tuple[dict, dict]:
    """What the bulk writer and the services write for one simulated demand."""
    out = []
    for write in (lambda: demo.demands_bulk(w, [d]), lambda: demo.demand_live(d)):
        with transaction.atomic():
            write()
            out.append(_written(d.pk))
            transaction.set_rollback(True)
    return out[0], out[1]


SCENARIOS = {
    "closed": {},
    "returned, reopened": {"returned": True, "reopen": True},
    "extended": {"extension": "approve", "hard": True},
    "left registered": {"stall": Status.REGISTERED, "days_ago": 9},
    "left accepted": {"stall": Status.ACCEPTED, "days_ago": 9},
    "left rated": {"stall": Status.RATED, "days_ago": 12},
    "still in progress": {"hard": True, "days_ago": 20},
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_bulk_writes_what_the_services_write(counts, scenario):
    _forget_demands()  # no earlier demand of the enterprise is taken for a duplicate
    w = demo.World.load(TODAY)
    # asks returned by a first department, with factor requests, and texts the desk
    # recategorises
    asks = [a for a in demo.ASKS if (a.wrong and a.factor) or a.weight < 1]
    for i, ask in enumerate(asks):
        d = _draft(w, random.Random(i), ask, **SCENARIOS[scenario])
        bulk, live = _both_ways(w, d)
        assert bulk == live, (scenario, ask.titles[0])


def test_bulk_extensions_match(counts):
    _forget_demands()
    w = demo.World.load(TODAY)
    slow = [a for a in demo.ASKS if a.slow]
    for decision, action in (("approve", Action.EXTEND_OK), ("refuse", Action.EXTEND_NO)):
        d = _draft(w, random.Random(3), slow[0], extension=decision)
        assert action in {e.action for e in d.sim.events}
        bulk, live = _both_ways(w, d)
        assert bulk == live, decision
        assert len(bulk["extensions"]) == 1
