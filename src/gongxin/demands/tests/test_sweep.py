"""The deadline sweep: yellow before a deadline, red after it with the escalation to the
department's head, every alert once however often the sweep runs; the 督办 list."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongxin.core.models import Notification
from gongxin.demands import selectors, services
from gongxin.demands.choices import Action, Status
from gongxin.demands.models import VisitTask
from gongxin.demands.sweep import sweep
from gongxin.demands.tests.test_loop import people, register, walk  # noqa: F401  (fixture)
from gongxin.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def at(moment: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(moment))


def test_yellow_then_red_each_once(people, settings):  # noqa: F811
    settings.GONGXIN_DEMAND_DESK = "zxqyc"
    people["desk"].email = "desk@example.cn"
    people["desk"].save()
    head = people["co"]  # the head of the lead department (人社局) is someone else's user
    people["_rsj"].head = head
    people["_rsj"].save()
    demand = register(people, at_="2026-09-30 10:00")  # dispatch due end of 8 October
    # 7 October, 12:00: due within the next working day (8 October): yellow to the desk.
    result = sweep(at("2026-10-07 12:00"))
    assert result.alerts[("dispatch", "yellow")] == 1 and result.total == 1
    assert list(Notification.objects.values_list("user", flat=True)) == [people["desk"].pk]
    assert "2026-10-08" in Notification.objects.get().title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["desk@example.cn"]
    assert sweep(at("2026-10-07 13:00")).total == 0  # nothing twice
    # Dispatched late, on 9 October: the first answer is due 3 working days later.
    demand = services.demand_step(
        actor=people["desk"],
        demand=demand,
        action=Action.DISPATCH,
        lead=people["_rsj"],
        at=at("2026-10-09 09:00"),
    )
    assert demand.reply_due == at("2026-10-13 23:59:59")
    # 14 October: the first answer is overdue (red): the department, its head and the desk.
    Notification.objects.all().delete()
    result = sweep(at("2026-10-14 10:00"))
    assert result.alerts[("reply", "red")] == 1
    assert set(Notification.objects.values_list("user", flat=True)) == {
        people["lead"].pk,
        head.pk,
        people["desk"].pk,
    }
    assert selectors.overdue(people["lead"], now=at("2026-10-14 10:00")).get() == demand
    assert list(selectors.overdue(people["other_dept"], now=at("2026-10-14 10:00"))) == []
    assert sweep(at("2026-10-14 11:00")).total == 0
    # Answered: off the 督办 list for the first answer.
    walk(people, demand, Status.IN_PROGRESS)
    assert not selectors.overdue(people["desk"], now=at("2026-10-14 12:00")).exists()


def test_a_reopened_demand_is_alerted_again_for_its_new_deadline(people):  # noqa: F811
    demand = walk(people, register(people, at_="2026-03-02 09:00"), Status.RESOLVED)
    services.demand_step(
        actor=people["enterprise"],
        demand=demand,
        action=Action.RATE,
        rating="unsatisfied",
        text="未解决",
        at=at("2026-03-09 09:00"),
    )
    first = sweep(at("2026-03-20 09:00")).alerts[("resolve", "red")]
    assert first == 1
    demand.refresh_from_db()
    services.demand_step(actor=people["lead"], demand=demand, action=Action.RESOLVE, text="已解决")
    demand.refresh_from_db()
    services.demand_step(
        actor=people["enterprise"],
        demand=demand,
        action=Action.RATE,
        rating="unsatisfied",
        text="仍未解决",
        at=at("2026-03-23 09:00"),
    )
    assert sweep(at("2026-04-10 09:00")).alerts[("resolve", "red")] == 1


def test_the_command(people):  # noqa: F811
    register(people, at_="2026-09-30 10:00")
    out = StringIO()
    call_command("sla", stdout=out)  # today: long overdue
    assert "dispatch\tred\t1" in out.getvalue()
    out = StringIO()
    call_command("sla", stdout=out)
    assert "0 alerts" in out.getvalue()


def test_overdue_visits_are_told_to_their_official_once(people):  # noqa: F811
    enterprise = people["_enterprise"]
    enterprise.above_scale = True
    enterprise.save()
    EnterpriseFactory(
        above_scale=True, service_officer=people["officer"], name="赣江精密模具（演示）"
    )
    plan = services.visit_plan_create(
        actor=people["desk"], name="三季度规上走访", target="above_scale", frequency="once",
        starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30),
    )
    services.visit_record(actor=people["officer"], enterprise=enterprise,
                          visited_on=dt.date(2026, 9, 10), seen="生产正常",
                          at=at("2026-09-10 16:00"))
    Notification.objects.all().delete()
    assert sweep(at("2026-09-30 12:00")).late_visits == 0  # still due today
    late = VisitTask.objects.filter(plan=plan, visited_on__isnull=True)
    assert people["officer"] in {t.official for t in late}
    result = sweep(at("2026-10-01 09:00"))
    assert result.late_visits == late.count()
    told = Notification.objects.get()  # only the officer; a task without one tells nobody
    assert told.user == people["officer"] and "赣江精密模具（演示）" in told.body
    assert sweep(at("2026-10-02 09:00")).late_visits == 0  # told once
    assert Notification.objects.count() == 1
    assert set(VisitTask.objects.filter(plan=plan, late_told_at__isnull=False)) == set(late)
