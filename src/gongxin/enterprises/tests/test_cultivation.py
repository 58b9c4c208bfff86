"""Cultivation plans (一企一策) and their measures and milestones: who keeps them, one plan
under way per rung, the days achieved and done filled in, years in order, and every change
on the enterprise's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongxin.core.choices import AuditAction
from gongxin.core.models import AuditEntry
from gongxin.enterprises import services
from gongxin.enterprises.choices import ItemKind, ItemStatus, PlanStatus, Tier
from gongxin.enterprises.models import CultivationPlan, PlanItem

pytestmark = pytest.mark.django_db

ONE_PER_RUNG = "This enterprise already has a plan under way for this rung."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def plan_data(world, **values) -> dict:
    data = {
        "tier": Tier.SPECIALIZED,
        "goal": "三年内获评省级专精特新中小企业",
        "official": world.users["officer"],
        "start_year": 2026,
        "target_year": 2028,
    }
    data.update(values)
    return data


def plan_save(world, actor="staff", plan=None, enterprise=None, **values) -> CultivationPlan:
    return services.cultivation_plan_save(
        actor=world.users[actor] if isinstance(actor, str) else actor,
        enterprise=enterprise or world.a,
        plan=plan,
        data=plan_data(world, **values) if plan is None else values,
    )


def item_save(world, plan, item=None, actor="staff", **values) -> PlanItem:
    data = (
        values if item is not None else {"kind": ItemKind.MEASURE, "text": "申报研发费用加计扣除"}
    )
    if item is None:
        data.update(values)
    return services.plan_item_save(
        actor=world.users[actor] if isinstance(actor, str) else actor,
        plan=plan,
        item=item,
        data=data,
    )


def history(enterprise) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="enterprises.enterprise", object_id=str(enterprise.pk)
        ).order_by("pk")
    )


def today() -> dt.date:
    return timezone.localdate()


# Plans -------------------------------------------------------------------------------------


def test_a_plan_is_made_and_recorded_on_the_enterprise_s_history(world):
    plan = plan_save(world)
    saved = CultivationPlan.objects.get()
    assert saved == plan
    assert (saved.enterprise, saved.tier, saved.status, saved.achieved_on) == (
        world.a,
        Tier.SPECIALIZED,
        PlanStatus.ACTIVE,
        None,
    )
    (entry,) = history(world.a)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, world.users["staff"])
    assert entry.message == f"cultivation plan：{plan}"
    assert entry.changes["tier"] == [None, "specialized_sme"]
    assert entry.changes["official"] == [None, world.users["officer"].pk]
    assert entry.changes["target_year"] == [None, 2028]


@pytest.mark.parametrize("who", ["staff", "admin", "district_a", "park", "officer"])
def test_officials_who_edit_the_enterprise_keep_its_plans(world, who):
    assert services.plan_can_edit(world.users[who], world.a)
    plan = plan_save(world, who)
    item_save(world, plan, actor=who)
    assert CultivationPlan.objects.filter(enterprise=world.a).count() == 1
    assert PlanItem.objects.filter(plan=plan).count() == 1


def test_a_system_job_keeps_plans_too(world):
    plan = plan_save(world, None)
    (entry,) = history(world.a)
    assert (entry.actor, entry.actor_name, plan.pk is not None) == (None, "system", True)


@pytest.mark.parametrize("who", ["district_b", "enterprise", "leader", "department", "anonymous"])
def test_nobody_else_keeps_the_plans(world, who):
    user = world.users[who] or AnonymousUser()
    assert not services.plan_can_edit(user, world.a)
    with pytest.raises(PermissionDenied):
        plan_save(world, user)
    assert not CultivationPlan.objects.exists()
    assert history(world.a) == []


def test_nobody_else_changes_a_plan_or_its_items(world):
    plan = plan_save(world)
    item = item_save(world, plan)
    entries = len(history(world.a))
    for who in ("district_b", "enterprise"):
        with pytest.raises(PermissionDenied):
            plan_save(world, who, plan=plan, goal="改掉目标")
        with pytest.raises(PermissionDenied):
            item_save(world, plan, actor=who)
        with pytest.raises(PermissionDenied):
            item_save(world, plan, item, actor=who, status=ItemStatus.DONE)
        with pytest.raises(PermissionDenied):
            services.plan_item_delete(actor=world.users[who], item=item)
    assert CultivationPlan.objects.get().goal == plan.goal
    assert list(PlanItem.objects.values_list("pk", "status")) == [(item.pk, ItemStatus.PLANNED)]
    assert len(history(world.a)) == entries


def test_a_plan_is_changed_only_under_its_own_enterprise(world):
    plan_of_b = plan_save(world, enterprise=world.b)
    with pytest.raises(PermissionDenied):
        plan_save(world, plan=plan_of_b, enterprise=world.a, goal="挪到另一家企业")
    assert CultivationPlan.objects.get().goal == plan_data(world)["goal"]


def test_one_plan_under_way_per_rung(world):
    first = plan_save(world)
    with pytest.raises(ValidationError) as error:
        plan_save(world, goal="另一个计划")
    assert error.value.message_dict == {NON_FIELD_ERRORS: [ONE_PER_RUNG]}
    assert CultivationPlan.objects.count() == 1
    assert len(history(world.a)) == 1

    # another rung, or another enterprise, is another plan
    plan_save(world, tier=Tier.LITTLE_GIANT, target_year=2030)
    plan_save(world, enterprise=world.b)
    # once the first is achieved, a new plan for the rung may start
    plan_save(world, plan=first, status=PlanStatus.ACHIEVED)
    second = plan_save(world, goal="巩固提升", start_year=2027, target_year=2029)
    # and the first cannot be taken up again while the second is under way
    with pytest.raises(ValidationError) as error:
        plan_save(world, plan=first, status=PlanStatus.ACTIVE)
    assert ONE_PER_RUNG in error.value.messages
    assert CultivationPlan.objects.get(pk=first.pk).status == PlanStatus.ACHIEVED
    assert CultivationPlan.objects.get(pk=second.pk).status == PlanStatus.ACTIVE


def test_a_dropped_plan_makes_room_for_a_new_one(world):
    first = plan_save(world)
    plan_save(world, plan=first, status=PlanStatus.DROPPED)
    plan_save(world, goal="调整后的新计划")
    assert sorted(CultivationPlan.objects.values_list("status", flat=True)) == [
        PlanStatus.ACTIVE,
        PlanStatus.DROPPED,
    ]


def test_the_day_a_plan_is_achieved_is_filled_in(world):
    plan = plan_save(world)
    plan_save(world, plan=plan, status=PlanStatus.ACHIEVED)
    assert CultivationPlan.objects.get().achieved_on == today()
    entry = history(world.a)[-1]
    assert entry.changes == {
        "status": [PlanStatus.ACTIVE, PlanStatus.ACHIEVED],
        "achieved_on": [None, today().isoformat()],
    }


def test_the_day_given_for_an_achievement_is_kept(world):
    plan = plan_save(world, status=PlanStatus.ACHIEVED, achieved_on=dt.date(2026, 3, 15))
    assert CultivationPlan.objects.get().achieved_on == dt.date(2026, 3, 15)
    # saving the achieved plan again does not move the day
    plan_save(world, plan=plan, status=PlanStatus.ACHIEVED, goal="已获评省级专精特新")
    saved = CultivationPlan.objects.get()
    assert (saved.achieved_on, saved.goal) == (dt.date(2026, 3, 15), "已获评省级专精特新")


def test_a_plan_taken_up_again_is_no_longer_achieved(world):
    plan = plan_save(world)
    plan_save(world, plan=plan, status=PlanStatus.ACHIEVED)
    plan_save(world, plan=plan, status=PlanStatus.ACTIVE)
    assert CultivationPlan.objects.get().achieved_on is None


def test_the_target_year_cannot_come_before_the_first(world):
    with pytest.raises(ValidationError) as error:
        plan_save(world, start_year=2027, target_year=2026)
    assert error.value.messages == ["The target year cannot come before the first year."]
    assert not CultivationPlan.objects.exists()

    plan = plan_save(world, start_year=2026, target_year=2026)  # one year is fine
    with pytest.raises(ValidationError):
        plan_save(world, plan=plan, start_year=2027)
    assert CultivationPlan.objects.get().start_year == 2026
    assert len(history(world.a)) == 1


def test_a_change_is_audited_field_by_field_and_no_change_not_at_all(world):
    plan = plan_save(world)
    updated = CultivationPlan.objects.get().updated_at
    plan_save(world, "district_a", plan=plan, goal=plan.goal, target_year=2028)  # the same
    assert len(history(world.a)) == 1
    assert CultivationPlan.objects.get().updated_at == updated

    plan_save(world, "district_a", plan=plan, target_year=2029, official=None)
    entry = history(world.a)[-1]
    assert (entry.action, entry.actor) == (AuditAction.UPDATE, world.users["district_a"])
    assert entry.changes == {
        "official": [world.users["officer"].pk, None],
        "target_year": [2028, 2029],
    }
    saved = CultivationPlan.objects.get()
    assert (saved.target_year, saved.official) == (2029, None)


# Measures and milestones -------------------------------------------------------------------


def test_an_item_is_added_and_recorded(world):
    plan = plan_save(world)
    before = CultivationPlan.objects.get().updated_at
    item = item_save(
        world,
        plan,
        kind=ItemKind.MILESTONE,
        text="通过省级专精特新评审",
        responsible="市工信局中小企业处",
        due_on=dt.date(2027, 9, 30),
    )
    saved = PlanItem.objects.get()
    assert saved == item
    assert (saved.plan, saved.kind, saved.status, saved.done_on) == (
        plan,
        ItemKind.MILESTONE,
        ItemStatus.PLANNED,
        None,
    )
    entry = history(world.a)[-1]
    assert (entry.action, entry.message) == (
        AuditAction.CREATE,
        "Cultivation plan item: 通过省级专精特新评审",
    )
    assert entry.changes["due_on"] == [None, "2027-09-30"]
    assert CultivationPlan.objects.get().updated_at > before


def test_the_day_an_item_is_done_is_filled_in_and_cleared(world):
    item = item_save(world, plan_save(world))
    plan = item.plan
    item_save(world, plan, item, status=ItemStatus.DONE)
    assert PlanItem.objects.get().done_on == today()
    entry = history(world.a)[-1]
    assert entry.message == "Cultivation plan item: 申报研发费用加计扣除"
    assert entry.changes == {
        "status": [ItemStatus.PLANNED, ItemStatus.DONE],
        "done_on": [None, today().isoformat()],
    }
    item_save(world, plan, item, status=ItemStatus.UNDER_WAY)
    assert PlanItem.objects.get().done_on is None
    item_save(world, plan, item, status=ItemStatus.DONE, done_on=dt.date(2026, 5, 20))
    assert PlanItem.objects.get().done_on == dt.date(2026, 5, 20)
    item_save(world, plan, item, status=ItemStatus.DONE, text="已完成加计扣除申报")
    saved = PlanItem.objects.get()
    assert (saved.done_on, saved.text) == (dt.date(2026, 5, 20), "已完成加计扣除申报")


def test_an_item_is_changed_only_under_its_own_plan(world):
    plan = plan_save(world)
    other = plan_save(world, tier=Tier.LITTLE_GIANT, target_year=2030)
    item = item_save(world, plan)
    with pytest.raises(PermissionDenied):
        item_save(world, other, item, text="换到另一个计划")
    assert PlanItem.objects.get().text == "申报研发费用加计扣除"


def test_an_item_needs_what_is_to_be_done(world):
    plan = plan_save(world)
    with pytest.raises(ValidationError) as error:
        item_save(world, plan, text="")
    assert "text" in error.value.message_dict
    assert not PlanItem.objects.exists()


def test_an_item_is_deleted_and_recorded(world):
    plan = plan_save(world)
    item = item_save(world, plan, due_on=dt.date(2026, 12, 31))
    services.plan_item_delete(actor=world.users["district_a"], item=item)
    assert not PlanItem.objects.exists()
    entry = history(world.a)[-1]
    assert (entry.action, entry.actor, entry.message) == (
        AuditAction.DELETE,
        world.users["district_a"],
        "Cultivation plan item: 申报研发费用加计扣除",
    )
    assert entry.changes["text"] == ["申报研发费用加计扣除", None]
    assert entry.changes["due_on"] == ["2026-12-31", None]
