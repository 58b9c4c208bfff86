"""The closed loop of a demand: each step allowed to exactly the roles it belongs to, from
the statuses it belongs to; deadlines in working days across National Day; reopening,
returning and re-dispatching; two people acting at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.demands import services
from gongxin.demands.choices import Action, Category, Source, Status
from gongxin.demands.models import Demand, DemandEvent
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def at(moment: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(moment))


def end_of(day: str) -> dt.datetime:
    return at(f"{day} 23:59:59")


@pytest.fixture
def people(city):
    d = city.departments
    enterprise = EnterpriseFactory(district=city.regions["360111"], park=None)
    officer = UserFactory(role=Role.OFFICER)
    enterprise.service_officer = officer
    enterprise.save()
    return {
        "desk": UserFactory(role=Role.STAFF, department=d["zxqyc"]),
        "leader": UserFactory(role=Role.LEADER),
        "lead": UserFactory(role=Role.DEPARTMENT, department=d["rsj"]),
        "co": UserFactory(role=Role.DEPARTMENT, department=d["jrj"]),
        "other_dept": UserFactory(role=Role.DEPARTMENT, department=d["zrzyj"]),
        "enterprise": UserFactory(role=Role.ENTERPRISE, enterprise=enterprise),
        "other_enterprise": UserFactory(role=Role.ENTERPRISE, enterprise=EnterpriseFactory()),
        "district": UserFactory(role=Role.DISTRICT, region=city.regions["360111"]),
        "other_district": UserFactory(role=Role.DISTRICT, region=city.regions["360124"]),
        "officer": officer,
        "chain_office": UserFactory(role=Role.CHAIN_OFFICE),
        "_enterprise": enterprise,
        "_rsj": d["rsj"],
        "_jrj": d["jrj"],
    }


def register(people, at_="2026-09-30 10:00", **kwargs) -> Demand:
    return services.demand_register(
        actor=people["enterprise"],
        enterprise=people["_enterprise"],
        title="招工难",
        text="国庆后订单增加，急需普工80名，请协助对接劳务资源。",
        source=Source.PORTAL,
        at=at(at_),
        **kwargs,
    )


def walk(people, demand, to: str) -> Demand:
    """Move a demand along the loop to status `to`."""
    path = [
        (Status.DISPATCHED, "desk", Action.DISPATCH, {}),
        (Status.ACCEPTED, "lead", Action.ACCEPT, {}),
        (Status.IN_PROGRESS, "lead", Action.INTERIM, {"text": "已对接人社部门招聘会"}),
        (Status.RESOLVED, "lead", Action.RESOLVE, {"text": "已招到普工60名"}),
        (Status.RATED, "enterprise", Action.RATE, {"rating": "satisfied"}),
        (Status.CLOSED, "desk", Action.FOLLOW_UP, {"text": "电话回访，企业满意"}),
    ]
    for status, who, action, extra in path:
        if demand.status == to:
            break
        if demand.status not in services.STEPS[action].sources:
            continue  # done already
        if action == Action.DISPATCH:
            extra = {"lead": people["_rsj"], "co_departments": [people["_jrj"]]}
        demand = services.demand_step(actor=people[who], demand=demand, action=action, **extra)
        assert demand.status == status
    return demand


def test_deadlines_count_from_the_day_in_nanchang(people):
    # 00:30 on Monday 7 December in Nanchang, still Sunday in UTC: one working day after
    # Monday, not after Sunday
    demand = register(people, at_="2026-12-07 00:30")
    assert demand.dispatch_due == end_of("2026-12-08")


def test_the_whole_loop_with_deadlines_across_national_day(people):
    demand = register(people)
    # Registered the day before the holiday: dispatch due at the end of 8 October.
    assert demand.category == Category.LABOUR and "普工" in demand.category_evidence
    assert demand.dispatch_due == end_of("2026-10-08")
    demand = services.demand_step(
        actor=people["desk"],
        demand=demand,
        action=Action.DISPATCH,
        lead=people["_rsj"],
        co_departments=[people["_jrj"], people["_rsj"]],
        at=at("2026-09-30 16:00"),
    )
    # Interim reply within 3 working days: 8, 9 and Saturday 10 October (调休);
    # resolution within 5: then 12 and 13 October.
    assert (demand.reply_due, demand.resolve_due) == (end_of("2026-10-10"), end_of("2026-10-13"))
    assert list(demand.co_departments.all()) == [people["_jrj"]]
    demand = walk(people, demand, Status.CLOSED)
    assert demand.closed_at is not None
    events = list(demand.events.values_list("action", "from_status", "to_status"))
    assert events == [
        ("register", "", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "accepted"),
        ("interim", "accepted", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("rate", "resolved", "rated"),
        ("follow_up", "rated", "closed"),
    ]


# Who may take each step: everyone else is refused, and nothing changes.
ALLOWED = {
    Action.DISPATCH: {"desk"},
    Action.RETURN: {"lead"},
    Action.ACCEPT: {"lead"},
    Action.INTERIM: {"lead"},
    Action.RESOLVE: {"lead"},
    Action.RATE: {"desk", "enterprise"},
    Action.FOLLOW_UP: {"desk", "district", "officer"},
}
FROM = {
    Action.DISPATCH: Status.REGISTERED,
    Action.RETURN: Status.DISPATCHED,
    Action.ACCEPT: Status.DISPATCHED,
    Action.INTERIM: Status.ACCEPTED,
    Action.RESOLVE: Status.IN_PROGRESS,
    Action.RATE: Status.RESOLVED,
    Action.FOLLOW_UP: Status.RATED,
}
ROLES = ("desk", "leader", "lead", "co", "other_dept", "enterprise", "other_enterprise",
         "district", "other_district", "officer", "chain_office")  # fmt: skip
ARGS = {"text": "处理情况说明", "rating": "satisfied"}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_each_step_belongs_to_its_roles(people, action, role):
    demand = walk(people, register(people), FROM[action])
    extra = dict(ARGS, lead=people["_rsj"])
    events = DemandEvent.objects.count()
    if role in ALLOWED[action]:
        moved = services.demand_step(actor=people[role], demand=demand, action=action, **extra)
        assert moved.status != FROM[action] or action == Action.INTERIM
        assert DemandEvent.objects.count() == events + 1
    else:
        with pytest.raises(PermissionDenied):
            services.demand_step(actor=people[role], demand=demand, action=action, **extra)
        assert Demand.objects.get(pk=demand.pk).status == FROM[action]
        assert DemandEvent.objects.count() == events


@pytest.mark.parametrize("action", list(ALLOWED))
def test_no_step_from_a_status_not_its_own(people, action):
    for status in Status.values:
        if status == FROM[action] or (
            action in (Action.INTERIM, Action.RESOLVE)
            and status in (Status.ACCEPTED, Status.IN_PROGRESS)
        ):
            continue
        if action == Action.ACCEPT and status == Status.DISPATCHED:
            continue
        lead_step = ALLOWED[action] == {"lead"}
        if lead_step and status == Status.REGISTERED:
            continue  # no lead yet: the department does not see it at all (below)
        demand = walk(people, register(people), status)
        who = next(iter(ALLOWED[action]))
        with pytest.raises(ValidationError) as error:
            services.demand_step(
                actor=people[who], demand=demand, action=action, lead=people["_rsj"], **ARGS
            )
        assert error.value.code == "status", (action, status)


def test_steps_that_need_a_text(people):
    demand = walk(people, register(people), Status.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        services.demand_step(actor=people["lead"], demand=demand, action=Action.RESOLVE, text=" ")
    assert error.value.code == "text"


def test_unsatisfied_reopens_with_a_new_deadline(people):
    demand = walk(people, register(people), Status.RESOLVED)
    with pytest.raises(ValidationError):  # unsatisfied needs a reason
        services.demand_step(
            actor=people["enterprise"], demand=demand, action=Action.RATE, rating="unsatisfied"
        )
    demand = services.demand_step(
        actor=people["enterprise"],
        demand=demand,
        action=Action.RATE,
        rating="unsatisfied",
        text="只招到一半，仍缺工",
        at=at("2026-10-14 09:00"),
    )
    assert (demand.status, demand.reopened, demand.resolved_at) == (Status.IN_PROGRESS, 1, None)
    assert demand.resolve_due == end_of("2026-10-21")
    event = demand.events.latest("pk")
    assert (event.action, event.text) == (Action.REOPEN, "不满意：只招到一半，仍缺工")
    demand = walk(people, demand, Status.CLOSED)
    assert demand.reopened == 1


def test_returned_to_the_desk_and_dispatched_again(people):
    demand = walk(people, register(people), Status.DISPATCHED)
    demand = services.demand_step(
        actor=people["lead"], demand=demand, action=Action.RETURN, text="属金融事项，请改派市金融局"
    )
    assert (demand.status, demand.lead) == (Status.REGISTERED, None)
    # The returning department no longer sees it as its own to act on.
    demand = services.demand_step(
        actor=people["desk"], demand=demand, action=Action.DISPATCH, lead=people["_jrj"]
    )
    assert services.allowed_actions(people["co"], demand) == [Action.RETURN, Action.ACCEPT]
    assert services.allowed_actions(people["lead"], demand) == []


def test_two_people_at_once_exactly_one_wins(people):
    demand = walk(people, register(people), Status.IN_PROGRESS)
    stale = Demand.objects.get(pk=demand.pk)  # a second user's page, loaded meanwhile
    services.demand_step(actor=people["lead"], demand=demand, action=Action.RESOLVE, text="已解决")
    events = DemandEvent.objects.count()
    with pytest.raises(services.Conflict) as error:
        services.demand_step(
            actor=people["lead"], demand=stale, action=Action.INTERIM, text="阶段性答复"
        )
    assert "已解决" in error.value.messages[0]
    assert DemandEvent.objects.count() == events
    assert Demand.objects.get(pk=demand.pk).status == Status.RESOLVED


def test_an_enterprise_registers_only_its_own(people):
    with pytest.raises(PermissionDenied):
        services.demand_register(
            actor=people["other_enterprise"],
            enterprise=people["_enterprise"],
            title="x",
            text="y",
            source=Source.PORTAL,
        )
    with pytest.raises(PermissionDenied):
        services.demand_register(
            actor=people["other_district"],
            enterprise=people["_enterprise"],
            title="x",
            text="y",
            source=Source.VISIT,
        )
    demand = services.demand_register(
        actor=people["district"],
        enterprise=people["_enterprise"],
        title="用电增容",
        text="新产线投产需增容2000千伏安",
        source=Source.VISIT,
    )
    assert (demand.category, demand.source) == (Category.ENERGY, Source.VISIT)


def test_a_department_does_not_see_a_demand_not_dispatched_to_it(people):
    demand = register(people)
    with pytest.raises(PermissionDenied):
        services.demand_step(actor=people["lead"], demand=demand, action=Action.ACCEPT)
