"""The desk's changes beside the loop: a corrected category; deadline extensions (asked by
the lead department, decided by the desk, counted in Chinese working days across National
Day 2026, alerted afresh by the sweep); merging a duplicate and the duplicate flag; the
key flag; factor requests; and who is told of each step once it commits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry, Notification
from gongxin.core.tests.factories import UserFactory
from gongxin.demands import services
from gongxin.demands.choices import Action, Category, ExtensionStatus, Source, Status
from gongxin.demands.models import Demand, DemandEvent, DemandExtension, FactorRequest
from gongxin.demands.services import FactorAsk
from gongxin.demands.sweep import sweep
from gongxin.demands.tests import test_loop
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory
from gongxin.projects.models import Project

pytestmark = pytest.mark.django_db

#: The enterprise, its district and officer, the desk, 人社局 leading and 金融局 co-handling.
walk = test_loop.walk

LABOUR_TEXT = "国庆后订单增加，急需普工80名，请协助对接劳务资源。"


def at(moment: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(moment))


def end_of(day: str) -> dt.datetime:
    return at(f"{day} 23:59:59")


def register(people, at_="2026-09-21 09:00", *, enterprise=None, **kwargs) -> Demand:
    enterprise = enterprise or people["_enterprise"]
    kwargs.setdefault("title", "招工难")
    kwargs.setdefault("text", LABOUR_TEXT)
    return services.demand_register(
        actor=people["desk"],
        enterprise=enterprise,
        source=Source.PHONE,
        at=at(at_),
        **kwargs,
    )


def dispatched(people, registered="2026-09-21 09:00", on="2026-09-22 09:00", **kwargs) -> Demand:
    """A demand registered on Monday 21 September 2026 and dispatched to 人社局 (with 金融局
    co-handling) on Tuesday: Mid-Autumn (25–27 September) comes between, so the first answer
    is due on Monday 28th and the resolution on Wednesday 30th, the eve of National Day."""
    demand = register(people, registered, **kwargs)
    return services.demand_step(
        actor=people["desk"],
        demand=demand,
        action=Action.DISPATCH,
        lead=people["_rsj"],
        co_departments=[people["_jrj"]],
        at=at(on),
    )


def handling(people, to=Status.IN_PROGRESS, **kwargs) -> Demand:
    return walk(people, dispatched(people, **kwargs), to)


def ask(people, demand, days=3, reason="需跨部门协调用工指标", **kwargs) -> DemandExtension:
    kwargs.setdefault("at", at("2026-09-29 10:00"))
    kwargs.setdefault("actor", people["lead"])
    return services.extension_request(demand=demand, days=days, reason=reason, **kwargs)


def reload(demand: Demand) -> Demand:
    return Demand.objects.get(pk=demand.pk)


def last_event(demand: Demand) -> DemandEvent:
    return DemandEvent.objects.filter(demand=demand).latest("pk")


# Category ------------------------------------------------------------------------------


def test_the_desk_recategorizes_and_the_evidence_goes(people):
    demand = register(people)
    assert demand.category == Category.LABOUR and "普工" in demand.category_evidence
    version = demand.version
    demand = services.demand_recategorize(
        actor=people["desk"], demand=demand, category=Category.TALENT, at=at("2026-09-21 10:00")
    )
    assert (demand.category, demand.category_evidence) == (Category.TALENT, "")
    assert (demand.status, demand.version) == (Status.REGISTERED, version + 1)
    event = last_event(demand)
    assert (event.action, event.actor, event.at) == (
        Action.RECATEGORIZE,
        people["desk"],
        at("2026-09-21 10:00"),
    )
    assert event.from_status == event.to_status == Status.REGISTERED
    assert "→" in event.text
    entry = AuditEntry.objects.filter(object_type="demands.demand", object_id=str(demand.pk))
    assert entry.latest("id").changes == {"category": ["labour", "talent"]}


@pytest.mark.parametrize("role", ["lead", "co", "leader", "enterprise", "district", "officer"])
def test_only_the_desk_recategorizes(people, role):
    demand = dispatched(people)  # the lead and co-department see it too
    events = DemandEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.demand_recategorize(actor=people[role], demand=demand, category=Category.LAND)
    assert reload(demand).category == Category.LABOUR
    assert DemandEvent.objects.count() == events


def test_a_closed_demand_keeps_its_category(people):
    demand = handling(people, to=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.demand_recategorize(actor=people["desk"], demand=demand, category=Category.LAND)
    assert reload(demand).category == Category.LABOUR


def test_a_merged_demand_keeps_its_category(people):
    kept = register(people)
    duplicate = register(people, "2026-09-22 09:00")
    services.demand_merge(actor=people["desk"], duplicate=duplicate, into=kept)
    with pytest.raises(ValidationError):
        services.demand_recategorize(
            actor=people["desk"], demand=reload(duplicate), category=Category.LAND
        )


def test_recategorize_refuses_an_unknown_category_and_ignores_the_same_one(people):
    demand = register(people)
    with pytest.raises(ValidationError) as error:
        services.demand_recategorize(actor=people["desk"], demand=demand, category="weather")
    assert "category" in error.value.message_dict
    same = services.demand_recategorize(
        actor=people["desk"], demand=demand, category=Category.LABOUR
    )
    assert same.version == demand.version and same.category_evidence  # nothing changed
    assert not demand.events.filter(action=Action.RECATEGORIZE).exists()


def test_recategorize_on_a_stale_page_conflicts(people):
    demand = register(people)
    stale = reload(demand)
    services.demand_recategorize(actor=people["desk"], demand=demand, category=Category.TALENT)
    with pytest.raises(services.Conflict):
        services.demand_recategorize(actor=people["desk"], demand=stale, category=Category.LAND)
    assert reload(demand).category == Category.TALENT
    assert demand.events.filter(action=Action.RECATEGORIZE).count() == 1


# Extensions: asking --------------------------------------------------------------------


def test_the_deadlines_the_extensions_start_from(people):
    demand = dispatched(people)
    assert (demand.reply_due, demand.resolve_due) == (end_of("2026-09-28"), end_of("2026-09-30"))


@pytest.mark.parametrize(
    "days, due_after",
    [
        (1, "2026-10-08"),  # 1–7 October: National Day
        (2, "2026-10-09"),
        (3, "2026-10-10"),  # Saturday 10 October is worked (调休)
        (4, "2026-10-12"),  # Sunday 11 October is not
        (5, "2026-10-13"),
        (30, "2026-11-17"),
    ],
)
def test_the_lead_asks_for_working_days_more_across_national_day(people, days, due_after):
    demand = handling(people)
    version = demand.version
    extension = ask(people, demand, days=days)
    assert (extension.status, extension.phase, extension.days) == ("pending", "resolve", days)
    assert extension.requested_by == people["lead"]
    assert extension.requested_at == at("2026-09-29 10:00")
    assert extension.due_before == end_of("2026-09-30")
    assert extension.due_after == end_of(due_after)
    demand = reload(demand)
    assert demand.resolve_due == end_of("2026-09-30")  # moves only once approved
    assert demand.version == version + 1
    event = last_event(demand)
    assert (event.action, event.actor, event.department) == (
        Action.EXTEND_ASK,
        people["lead"],
        people["_rsj"],
    )
    assert due_after in event.text and "需跨部门协调用工指标" in event.text


def test_the_first_answer_can_be_extended_while_it_is_due(people):
    demand = handling(people, to=Status.ACCEPTED)
    extension = ask(people, demand, days=2, phase="reply", at=at("2026-09-24 10:00"))
    assert (extension.due_before, extension.due_after) == (
        end_of("2026-09-28"),
        end_of("2026-09-30"),
    )


def test_an_overdue_deadline_is_extended_from_the_day_asked(people):
    demand = handling(people)  # resolution was due on 30 September
    extension = ask(people, demand, days=1, at=at("2026-10-08 10:00"))
    assert extension.due_before == end_of("2026-09-30")
    assert extension.due_after == end_of("2026-10-09")


def test_a_staff_member_of_the_lead_division_may_ask(people):
    demand = handling(people)
    colleague = UserFactory(role=Role.STAFF, department=people["_rsj"])
    assert ask(people, demand, actor=colleague).requested_by == colleague


@pytest.mark.parametrize(
    "role", ["desk", "leader", "co", "other_dept", "enterprise", "district", "officer"]
)
def test_only_the_lead_department_asks_for_more_time(people, role):
    demand = handling(people)
    with pytest.raises(PermissionDenied):
        ask(people, demand, actor=people[role])
    assert not DemandExtension.objects.exists()
    assert reload(demand).version == demand.version


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_extension_needs_a_reason(people, reason):
    demand = handling(people)
    with pytest.raises(ValidationError) as error:
        ask(people, demand, reason=reason)
    assert "reason" in error.value.message_dict
    assert not DemandExtension.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 31, 100])
def test_an_extension_is_of_1_to_30_working_days(people, days):
    demand = handling(people)
    with pytest.raises(ValidationError) as error:
        ask(people, demand, days=days)
    assert "days" in error.value.message_dict
    assert not DemandExtension.objects.exists()


@pytest.mark.parametrize(
    "to, phase",
    [
        (Status.IN_PROGRESS, "reply"),  # answered for the first time already
        (Status.RESOLVED, "resolve"),
        (Status.RESOLVED, "reply"),
        (Status.CLOSED, "resolve"),
        (Status.ACCEPTED, "dispatch"),  # not a deadline an extension moves
    ],
)
def test_an_extension_only_while_its_deadline_runs(people, to, phase):
    demand = handling(people, to=to)
    with pytest.raises(ValidationError):
        ask(people, demand, phase=phase)
    assert not DemandExtension.objects.exists()
    assert not demand.events.filter(action=Action.EXTEND_ASK).exists()


def test_one_extension_waits_at_a_time(people):
    demand = handling(people)
    first = ask(people, demand)
    with pytest.raises(ValidationError):
        ask(people, reload(demand), days=5)
    assert list(DemandExtension.objects.all()) == [first]
    services.extension_decide(
        actor=people["desk"], extension=first, approve=False, note="理由不充分"
    )
    second = ask(people, reload(demand), days=2, reason="补充说明：招聘会延期")
    assert second.status == ExtensionStatus.PENDING
    assert DemandExtension.objects.count() == 2


def test_asking_on_a_stale_page_conflicts(people):
    demand = handling(people)
    stale = reload(demand)
    services.demand_step(actor=people["lead"], demand=demand, action=Action.INTERIM, text="进展")
    with pytest.raises(services.Conflict):
        ask(people, stale)
    assert not DemandExtension.objects.exists()


# Extensions: deciding ------------------------------------------------------------------


def test_approval_moves_the_resolution_deadline(people):
    demand = handling(people)
    extension = ask(people, demand, days=3)
    version = reload(demand).version
    decided = services.extension_decide(
        actor=people["desk"], extension=extension, approve=True, at=at("2026-09-30 09:00")
    )
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        ExtensionStatus.APPROVED,
        people["desk"],
        at("2026-09-30 09:00"),
    )
    demand = reload(demand)
    assert demand.resolve_due == end_of("2026-10-10")
    assert demand.reply_due == end_of("2026-09-28")
    assert demand.version == version + 1
    assert last_event(demand).action == Action.EXTEND_OK


def test_approval_of_the_first_answer_moves_only_that_deadline(people):
    demand = handling(people, to=Status.DISPATCHED)
    extension = ask(people, demand, days=1, phase="reply", at=at("2026-09-24 10:00"))
    services.extension_decide(actor=people["desk"], extension=extension, approve=True)
    demand = reload(demand)
    assert (demand.reply_due, demand.resolve_due) == (end_of("2026-09-29"), end_of("2026-09-30"))


def test_refusal_needs_a_note_and_keeps_the_deadline(people):
    demand = handling(people)
    extension = ask(people, demand)
    for note in ("", "  "):
        with pytest.raises(ValidationError) as error:
            services.extension_decide(
                actor=people["desk"], extension=extension, approve=False, note=note
            )
        assert "note" in error.value.message_dict
    assert DemandExtension.objects.get().status == ExtensionStatus.PENDING
    decided = services.extension_decide(
        actor=people["desk"], extension=extension, approve=False, note="按期办结，不予延期"
    )
    assert (decided.status, decided.decision_note) == (
        ExtensionStatus.REFUSED,
        "按期办结，不予延期",
    )
    demand = reload(demand)
    assert demand.resolve_due == end_of("2026-09-30")
    event = last_event(demand)
    assert (event.action, event.text) == (Action.EXTEND_NO, "按期办结，不予延期")


@pytest.mark.parametrize("role", ["lead", "co", "leader", "enterprise", "district", "officer"])
def test_only_the_desk_decides(people, role):
    demand = handling(people)
    extension = ask(people, demand)
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=people[role], extension=extension, approve=True)
    assert DemandExtension.objects.get().status == ExtensionStatus.PENDING
    assert reload(demand).resolve_due == end_of("2026-09-30")


@pytest.mark.parametrize("second", [True, False])
def test_an_extension_is_decided_once(people, second):
    demand = handling(people)
    extension = ask(people, demand, days=3)
    services.extension_decide(actor=people["desk"], extension=extension, approve=True)
    events = DemandEvent.objects.count()
    with pytest.raises(ValidationError):
        services.extension_decide(
            actor=people["desk"], extension=extension, approve=second, note="再议"
        )
    assert DemandExtension.objects.get().status == ExtensionStatus.APPROVED
    assert reload(demand).resolve_due == end_of("2026-10-10")
    assert DemandEvent.objects.count() == events


def test_the_sweep_alerts_an_extended_deadline_afresh(people):
    demand = handling(people)
    ask(people, demand, days=3)
    first = sweep(at("2026-10-08 10:00"))  # resolution overdue since 30 September
    assert first.alerts[("resolve", "red")] == 1
    assert sweep(at("2026-10-08 11:00")).total == 0
    services.extension_decide(
        actor=people["desk"],
        extension=DemandExtension.objects.get(),
        approve=True,
        at=at("2026-10-08 12:00"),
    )
    assert reload(demand).resolve_due == end_of("2026-10-10")
    # 9 October: the new deadline falls within the next working day: yellow, once.
    assert sweep(at("2026-10-09 12:00")).alerts[("resolve", "yellow")] == 1
    assert sweep(at("2026-10-09 13:00")).total == 0
    # Monday 12 October: the new deadline (the working Saturday) has passed: red again.
    assert sweep(at("2026-10-12 09:00")).alerts[("resolve", "red")] == 1
    assert sweep(at("2026-10-12 10:00")).total == 0
    assert list(demand.alerts.order_by("at").values_list("phase", "level", "due")) == [
        ("resolve", "red", end_of("2026-09-30")),
        ("resolve", "yellow", end_of("2026-10-10")),
        ("resolve", "red", end_of("2026-10-10")),
    ]


def test_a_pending_extension_is_withdrawn_when_the_demand_is_resolved(people):
    demand = handling(people)
    extension = ask(people, demand)
    services.demand_step(
        actor=people["lead"],
        demand=reload(demand),
        action=Action.RESOLVE,
        text="已解决",
        at=at("2026-09-29 15:00"),
    )
    extension.refresh_from_db()
    assert (extension.status, extension.decided_at) == (
        ExtensionStatus.WITHDRAWN,
        at("2026-09-29 15:00"),
    )
    with pytest.raises(ValidationError):
        services.extension_decide(actor=people["desk"], extension=extension, approve=True)
    assert DemandExtension.objects.get().status == ExtensionStatus.WITHDRAWN


def test_a_pending_extension_is_withdrawn_when_the_demand_is_returned(people):
    demand = handling(people, to=Status.DISPATCHED)
    extension = ask(people, demand, phase="reply", at=at("2026-09-23 10:00"))
    demand = services.demand_step(
        actor=people["lead"], demand=reload(demand), action=Action.RETURN, text="请改派"
    )
    assert demand.status == Status.REGISTERED
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.WITHDRAWN and extension.decided_at is not None
    # Dispatched again, the new lead may ask afresh.
    demand = services.demand_step(
        actor=people["desk"], demand=demand, action=Action.DISPATCH, lead=people["_rsj"]
    )
    assert ask(people, demand, at=timezone.now()).status == ExtensionStatus.PENDING


def test_approving_an_extension_left_behind_by_a_step_fails(people):
    """An extension of the first answer, asked before the answer came, no longer moves
    anything once the demand is in progress."""
    demand = handling(people, to=Status.ACCEPTED)
    extension = ask(people, demand, phase="reply", at=at("2026-09-24 10:00"))
    services.demand_step(actor=people["lead"], demand=reload(demand), action=Action.INTERIM,
                         text="阶段性答复")  # fmt: skip
    with pytest.raises(ValidationError):
        services.extension_decide(actor=people["desk"], extension=extension, approve=True)
    assert reload(demand).reply_due == end_of("2026-09-28")


# Merging -------------------------------------------------------------------------------


def test_the_desk_merges_a_duplicate_into_the_demand_it_repeats(people):
    kept = register(people)
    duplicate = register(
        people, "2026-09-23 09:00", text="节后订单增加，急需普工50名，请帮忙对接劳务资源。"
    )
    assert duplicate.duplicate_of == kept
    result = services.demand_merge(
        actor=people["desk"], duplicate=duplicate, into=kept, at=at("2026-09-23 10:00")
    )
    assert result == kept
    duplicate = reload(duplicate)
    assert (duplicate.status, duplicate.merged_into, duplicate.closed_at) == (
        Status.MERGED,
        kept,
        at("2026-09-23 10:00"),
    )
    assert duplicate.duplicate_of is None
    merge = last_event(duplicate)
    assert (merge.action, merge.from_status, merge.to_status) == (
        Action.MERGE,
        Status.REGISTERED,
        Status.MERGED,
    )
    assert f"#{kept.pk}" in merge.text
    absorb = last_event(kept)
    assert (absorb.action, absorb.to_status) == (Action.ABSORB, Status.REGISTERED)
    assert f"#{duplicate.pk}" in absorb.text
    assert list(kept.merged.all()) == [duplicate]
    kept = reload(kept)
    assert kept.status == Status.REGISTERED and kept.merged_into is None
    # Both histories are kept.
    assert list(duplicate.events.values_list("action", flat=True)) == ["register", "merge"]
    assert list(kept.events.values_list("action", flat=True)) == ["register", "absorb"]


def test_merging_into_the_later_demand_clears_its_flag(people):
    earlier = register(people)
    later = register(people, "2026-09-23 09:00")
    assert later.duplicate_of == earlier
    services.demand_merge(actor=people["desk"], duplicate=earlier, into=later)
    assert reload(later).duplicate_of is None


@pytest.mark.parametrize("role", ["leader", "enterprise", "district", "officer", "lead"])
def test_only_the_desk_merges(people, role):
    kept = dispatched(people)
    duplicate = dispatched(people, "2026-09-23 09:00", "2026-09-23 10:00")
    with pytest.raises(PermissionDenied):
        services.demand_merge(actor=people[role], duplicate=duplicate, into=kept)
    assert reload(duplicate).status == Status.DISPATCHED
    assert not DemandEvent.objects.filter(action__in=(Action.MERGE, Action.ABSORB)).exists()


def test_only_demands_of_the_same_enterprise_are_merged(people):
    kept = register(people)
    other = register(people, "2026-09-22 09:00", enterprise=EnterpriseFactory())
    with pytest.raises(ValidationError):
        services.demand_merge(actor=people["desk"], duplicate=other, into=kept)
    assert reload(other).status == Status.REGISTERED


def test_a_demand_is_not_merged_into_itself(people):
    demand = register(people)
    with pytest.raises(ValidationError):
        services.demand_merge(actor=people["desk"], duplicate=demand, into=demand)
    assert reload(demand).status == Status.REGISTERED


def test_nothing_is_merged_into_a_merged_demand(people):
    kept = register(people)
    gone = register(people, "2026-09-22 09:00")
    third = register(people, "2026-09-23 09:00")
    services.demand_merge(actor=people["desk"], duplicate=gone, into=kept)
    with pytest.raises(ValidationError):
        services.demand_merge(actor=people["desk"], duplicate=third, into=reload(gone))
    with pytest.raises(ValidationError):  # nor merged twice
        services.demand_merge(actor=people["desk"], duplicate=reload(gone), into=third)
    assert reload(third).status == Status.REGISTERED
    assert reload(gone).merged_into == kept


def test_a_closed_demand_is_not_merged(people):
    kept = register(people)
    closed = handling(people, to=Status.CLOSED, registered="2026-09-22 09:00")
    with pytest.raises(ValidationError):
        services.demand_merge(actor=people["desk"], duplicate=closed, into=kept)
    assert reload(closed).status == Status.CLOSED


def test_what_was_merged_into_the_duplicate_moves_to_the_kept_demand(people):
    kept = register(people)
    middle = register(people, "2026-09-22 09:00")
    last = register(people, "2026-09-23 09:00")
    services.demand_merge(actor=people["desk"], duplicate=last, into=middle)
    services.demand_merge(actor=people["desk"], duplicate=reload(middle), into=kept)
    assert reload(last).merged_into == kept
    assert reload(middle).merged_into == kept
    assert set(kept.merged.all()) == {middle, last}
    # The chain is flat: every merged demand points at one that is not merged.
    assert not Demand.objects.filter(merged_into__status=Status.MERGED).exists()


def test_a_merge_on_a_stale_page_conflicts_and_writes_nothing(people):
    kept = register(people)
    duplicate = register(people, "2026-09-22 09:00")
    stale = reload(duplicate)
    services.demand_recategorize(actor=people["desk"], demand=duplicate, category=Category.TALENT)
    with pytest.raises(services.Conflict):
        services.demand_merge(actor=people["desk"], duplicate=stale, into=kept)
    assert reload(duplicate).status == Status.REGISTERED
    assert not DemandEvent.objects.filter(action__in=(Action.MERGE, Action.ABSORB)).exists()
    with pytest.raises(services.Conflict):  # an explicit version seen earlier, too
        services.demand_merge(
            actor=people["desk"], duplicate=reload(duplicate), into=kept, version=stale.version
        )
    assert reload(duplicate).merged_into is None


def test_merging_withdraws_the_duplicates_pending_extension(people):
    kept = handling(people)
    duplicate = handling(people, registered="2026-09-22 09:00", on="2026-09-22 10:00")
    extension = ask(people, duplicate)
    services.demand_merge(actor=people["desk"], duplicate=reload(duplicate), into=kept)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.WITHDRAWN


# The duplicate flag --------------------------------------------------------------------


@pytest.mark.parametrize(
    "later, flagged",
    [
        ("2026-09-01 09:30", True),
        ("2026-09-30 09:00", True),
        ("2026-10-01 09:00", True),  # 30 days on, to the minute
        ("2026-10-02 09:00", False),  # 31 days on
    ],
)
def test_a_similar_demand_within_30_days_is_flagged(people, later, flagged):
    first = register(people, "2026-09-01 09:00")
    again = register(
        people,
        later,
        title="缺工严重",
        text="节后订单增加，急需普工50名，请帮忙对接劳务资源。",
    )
    assert again.duplicate_of == (first if flagged else None)


def test_no_flag_for_another_enterprise_or_another_matter(people):
    register(people, "2026-09-01 09:00")
    other = register(people, "2026-09-02 09:00", enterprise=EnterpriseFactory())
    assert other.duplicate_of is None
    unrelated = register(
        people, "2026-09-03 09:00", title="用电增容", text="新产线投产需增容2000千伏安"
    )
    assert unrelated.duplicate_of is None


def test_the_same_title_is_flagged_whatever_the_text(people):
    first = register(people, "2026-09-01 09:00", title="关于厂区道路的请求", text="路面破损")
    again = register(people, "2026-09-05 09:00", title=" 关于厂区道路的请求 ", text="夜间路灯不亮")
    assert again.duplicate_of == first


def test_the_most_alike_unmerged_demand_is_the_one_flagged(people):
    kept = register(people, "2026-09-01 09:00")
    merged = register(people, "2026-09-02 09:00")
    services.demand_merge(actor=people["desk"], duplicate=merged, into=kept)
    again = register(people, "2026-09-03 09:00")
    assert again.duplicate_of == kept


def test_the_desk_dismisses_the_flag(people):
    first = register(people, "2026-09-01 09:00")
    again = register(people, "2026-09-02 09:00")
    assert again.duplicate_of == first
    with pytest.raises(PermissionDenied):
        services.duplicate_dismiss(actor=people["leader"], demand=again)
    assert reload(again).duplicate_of == first
    version = again.version
    again = services.duplicate_dismiss(
        actor=people["desk"], demand=again, at=at("2026-09-02 10:00")
    )
    assert (again.duplicate_of, again.version) == (None, version + 1)
    event = last_event(again)
    assert (event.action, event.text, event.actor) == (
        Action.NOT_DUP,
        f"#{first.pk}",
        people["desk"],
    )
    # Dismissing an unflagged demand changes nothing.
    same = services.duplicate_dismiss(actor=people["desk"], demand=again)
    assert same.version == again.version
    assert again.events.filter(action=Action.NOT_DUP).count() == 1


# The key flag --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, key",
    [
        ("chain_master", True),
        ("single_champion", True),
        ("little_giant", True),
        ("specialized_sme", True),
        ("high_tech", False),
        ("tech_sme", False),
    ],
)
def test_a_key_enterprise_by_its_qualification(people, kind, key):
    QualificationFactory(enterprise=people["_enterprise"], kind=kind)
    assert register(people, "2026-09-21 09:00").key is key


@pytest.mark.parametrize(
    "issued_on, expires_on, key",
    [
        ("2026-09-21", "2026-09-21", True),  # valid on the day
        ("2026-09-22", "2029-09-21", False),  # not yet
        ("2023-09-21", "2026-09-20", False),  # expired the day before
        ("2023-09-21", None, True),  # without an end
    ],
)
def test_the_qualification_counts_on_the_day_of_the_demand(people, issued_on, expires_on, key):
    QualificationFactory(
        enterprise=people["_enterprise"],
        kind="little_giant",
        issued_on=dt.date.fromisoformat(issued_on),
        expires_on=dt.date.fromisoformat(expires_on) if expires_on else None,
    )
    assert register(people, "2026-09-21 09:00").key is key


def test_the_qualification_counts_on_beijings_day(people):
    QualificationFactory(
        enterprise=people["_enterprise"], kind="little_giant", issued_on=dt.date(2026, 9, 21)
    )
    early = dt.datetime(2026, 9, 20, 17, 0, tzinfo=dt.UTC)  # 01:00 on 21 September in Beijing
    assert register(people, "2026-09-21 09:00").key is True
    demand = services.demand_register(
        actor=people["desk"],
        enterprise=people["_enterprise"],
        title="招工难",
        text=LABOUR_TEXT,
        source=Source.PHONE,
        at=early,
    )
    assert demand.key is True


def test_another_enterprises_qualification_does_not_count(people):
    QualificationFactory(kind="chain_master")  # its own enterprise
    assert register(people).key is False


@pytest.fixture
def project(people, city):
    return Project.objects.create(
        name="新能源汽车零部件扩产项目",
        project_type="new",
        enterprise=people["_enterprise"],
        district=city.regions["360111"],
        planned_investment=Decimal(50_000_000),
    )


def test_a_factor_request_for_a_key_project_is_key(people, project):
    ask_ = FactorAsk(kind="land", detail="扩产用地", quantity=Decimal("30"), project=project)
    demand = register(people, title="扩产用地", text="项目二期需用地30亩", factor=ask_)
    assert demand.key is True
    assert demand.factor.project == project
    plain = register(
        people,
        title="扩产用地",
        text="项目二期需用地30亩",
        factor=FactorAsk(kind="land", detail="扩产用地", quantity=Decimal("30")),
    )
    assert plain.key is False


# Factor requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, category, unit",
    [
        ("labour", Category.LABOUR, "person"),
        ("talent", Category.TALENT, "person"),
        ("funds", Category.FINANCE, "yuan"),
        ("land", Category.LAND, "mu"),
        ("energy", Category.ENERGY, "kwh"),
    ],
)
def test_the_category_follows_the_factor(people, kind, category, unit):
    demand = register(
        people,
        title="要素需求",
        text=LABOUR_TEXT,  # the text would suggest labour
        category=Category.POLICY,  # and the form said policy: the factor decides
        factor=FactorAsk(kind=kind, detail="明细", quantity=Decimal("10")),
    )
    assert demand.category == category
    factor = FactorRequest.objects.get(demand=demand)
    assert (factor.kind, factor.unit, factor.quantity, factor.fulfilled) == (
        kind,
        unit,
        Decimal("10"),
        None,
    )


def test_energy_may_be_counted_in_cubic_metres(people):
    demand = register(
        people,
        title="用气",
        text="新增天然气需求",
        factor=FactorAsk(kind="energy", detail="天然气", quantity=Decimal("120000"), unit="m3"),
    )
    assert demand.factor.unit == "m3"


@pytest.mark.parametrize(
    "factor, field",
    [
        (FactorAsk(kind="funds", detail="流动资金", quantity=Decimal("5"), unit="person"), "unit"),
        (FactorAsk(kind="labour", detail="普工", quantity=Decimal("80"), unit="mu"), "unit"),
        (FactorAsk(kind="labour", detail="普工", quantity=Decimal("0")), None),
        (FactorAsk(kind="labour", detail="", quantity=Decimal("80")), "detail"),
    ],
)
def test_a_wrong_factor_request_registers_nothing(people, factor, field):
    with pytest.raises(ValidationError) as error:
        register(people, factor=factor)
    if field:
        assert field in error.value.message_dict
    assert not Demand.objects.exists()
    assert not FactorRequest.objects.exists()


def test_an_unknown_factor_is_refused(people):
    with pytest.raises(ValidationError):
        register(people, factor=FactorAsk(kind="water", detail="工业用水", quantity=Decimal("5")))
    assert not Demand.objects.exists()


def test_resolving_records_how_much_was_met(people):
    demand = register(
        people, factor=FactorAsk(kind="labour", detail="普工", quantity=Decimal("80"))
    )
    demand = walk(people, demand, Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.demand_step(
            actor=people["lead"],
            demand=demand,
            action=Action.RESOLVE,
            text="已招到",
            fulfilled=Decimal("-1"),
        )
    assert FactorRequest.objects.get().fulfilled is None
    demand = services.demand_step(
        actor=people["lead"],
        demand=reload(demand),
        action=Action.RESOLVE,
        text="已招到普工60名",
        fulfilled=Decimal("60"),
    )
    assert demand.status == Status.RESOLVED
    assert FactorRequest.objects.get().fulfilled == Decimal("60")


def test_what_was_met_only_on_a_factor_request(people):
    demand = walk(people, register(people), Status.IN_PROGRESS)
    events = DemandEvent.objects.count()
    with pytest.raises(ValidationError):
        services.demand_step(
            actor=people["lead"],
            demand=demand,
            action=Action.RESOLVE,
            text="已解决",
            fulfilled=Decimal("60"),
        )
    assert reload(demand).status == Status.IN_PROGRESS
    assert DemandEvent.objects.count() == events


# Who is told ---------------------------------------------------------------------------


@pytest.fixture
def told(people, settings):
    """The desk is 中小企业处 here; everyone has an email address."""
    settings.GONGXIN_DEMAND_DESK = "zxqyc"
    for name, user in people.items():
        if not name.startswith("_"):
            user.email = f"{name}@example.cn"
            user.save(update_fields=["email"])
    return people


def recipients() -> set[int]:
    return set(Notification.objects.values_list("user", flat=True))


def mailed() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_dispatch_tells_the_lead_and_co_departments_after_commit(
    told, django_capture_on_commit_callbacks
):
    people = told
    demand = register(people)
    Notification.objects.all().delete()
    colleague = UserFactory(
        role=Role.STAFF, department=people["_jrj"], email="jrj-staff@example.cn"
    )
    UserFactory(role=Role.DEPARTMENT, department=people["_rsj"], is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        services.demand_step(
            actor=people["desk"],
            demand=demand,
            action=Action.DISPATCH,
            lead=people["_rsj"],
            co_departments=[people["_jrj"]],
        )
        assert not Notification.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1 and not mail.outbox
    callbacks[0]()
    assert recipients() == {people["lead"].pk, people["co"].pk, colleague.pk}
    assert mailed() == {"lead@example.cn", "co@example.cn", "jrj-staff@example.cn"}
    notice = Notification.objects.filter(user=people["lead"]).get()
    assert "招工难" in notice.title
    assert notice.url == reverse("demands:demand_detail", args=[demand.pk])
    assert people["_enterprise"].name in notice.body


def test_registering_tells_the_desk_in_the_app_only(told, django_capture_on_commit_callbacks):
    people = told
    with django_capture_on_commit_callbacks(execute=True):
        register(people)
    assert recipients() == {people["desk"].pk}
    assert not mail.outbox


def test_resolving_tells_the_enterprises_users(told, django_capture_on_commit_callbacks):
    people = told
    demand = walk(people, register(people), Status.IN_PROGRESS)
    colleague = UserFactory(
        role=Role.ENTERPRISE, enterprise=people["_enterprise"], email="boss@example.cn"
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_step(
            actor=people["lead"], demand=demand, action=Action.RESOLVE, text="已招到普工60名"
        )
    assert recipients() == {people["enterprise"].pk, colleague.pk}
    assert mailed() == {"enterprise@example.cn", "boss@example.cn"}
    assert all("已招到普工60名" in n.body for n in Notification.objects.all())


def test_an_extension_request_tells_the_desk_and_the_decision_the_lead(
    told, django_capture_on_commit_callbacks
):
    people = told
    demand = handling(people)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        extension = ask(people, demand, reason="招聘会延期至国庆后")
    assert recipients() == {people["desk"].pk}
    assert mailed() == {"desk@example.cn"}
    assert "招聘会延期至国庆后" in Notification.objects.get().body
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.extension_decide(actor=people["desk"], extension=extension, approve=True)
    assert recipients() == {people["lead"].pk}
    assert mailed() == {"lead@example.cn"}


def test_merging_tells_the_enterprise_in_the_app(told, django_capture_on_commit_callbacks):
    people = told
    kept = register(people)
    duplicate = register(people, "2026-09-22 09:00")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_merge(actor=people["desk"], duplicate=duplicate, into=kept)
    assert recipients() == {people["enterprise"].pk}
    assert not mail.outbox
    assert f"#{kept.pk}" in Notification.objects.get().body


def test_a_refused_step_tells_nobody(told, django_capture_on_commit_callbacks):
    people = told
    demand = handling(people)
    Notification.objects.all().delete()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        ask(people, demand, reason="")
    assert callbacks == [] and not Notification.objects.exists() and not mail.outbox
