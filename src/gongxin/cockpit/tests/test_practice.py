"""The cockpit's plans put into practice (落实): the issued plans' tasks counted as the
plan pages count them, shown on the city's cockpit and in the briefing with the same
figures, absent from a district's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from gongxin.cockpit import briefing
from gongxin.cockpit.selectors import cockpit_build
from gongxin.cockpit.tests.conftest import login
from gongxin.cockpit.tests.test_briefing import docx_of
from gongxin.plans import selectors as plan_selectors
from gongxin.plans import services as plan_services
from gongxin.plans.choices import TaskStatus

pytestmark = pytest.mark.django_db

DIGITAL = Path(plan_services.__file__).with_name("data") / "digital-2026.md"
MONTH = dt.date(2025, 3, 1)


@pytest.fixture
def issued(city, users):
    """The digital transformation plan issued, one task completed, one late."""
    staff = users["staff"]
    with open(DIGITAL, "rb") as handle:
        plan = plan_services.plan_import(actor=staff, fileobj=handle, name=DIGITAL.name)
    plan_services.tasks_confirm(actor=staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        plan_services.task_assign(
            actor=staff, task=task, title=task.title, lead=city.departments["ghc"], partners=[]
        )
    plan_services.plan_issue(actor=staff, plan=plan)
    done = plan.tasks.get(title="开展数字化转型诊断评估")
    plan_services.report_file(
        actor=staff,
        task=done,
        period=timezone.localdate().replace(day=1),
        status=TaskStatus.DONE,
        progress=100,
        text="诊断评估全部完成。",
    )
    late = plan.tasks.get(title="培育壮大工业互联网平台")
    late.deadline = timezone.localdate() - dt.timedelta(days=3)
    late.save(update_fields=["deadline"])
    return plan


def test_the_city_cockpit_counts_the_tasks_as_the_plan_pages_do(issued, users):
    leader = users["leader"]
    practice = cockpit_build(leader, MONTH).practice
    plan = plan_selectors.plan_list(leader).get(pk=issued.pk)
    assert practice.plans == 1
    assert (practice.tasks, practice.done, practice.late, practice.attention) == (
        plan.task_count,
        plan.done_count,
        plan.red_count,
        plan.yellow_count,
    )
    assert practice.done == 1 and practice.late >= 1


def test_the_briefing_states_the_same_figures(issued, users):
    cockpit = cockpit_build(users["leader"], MONTH)
    p = cockpit.practice
    text = "\n".join(paragraph.text for paragraph in docx_of(cockpit, users["leader"]).paragraphs)
    assert "重点工作落实" in text
    assert f"分解任务{p.tasks}项，已完成{p.done}项" in text
    assert f"滞后{p.late}项" in text
    assert any(step.startswith("抓好重点工作落实") for step in briefing.next_steps(cockpit))


def test_a_districts_cockpit_has_no_plans_section(issued, users, city):
    district = cockpit_build(users["district"], MONTH, city.regions["360111"])
    assert district.practice is None
    assert briefing.practice_sentence(district) == ""


def test_the_cockpit_page_links_to_the_late_tasks(client, issued, users):
    login(client, users["leader"])
    response = client.get(reverse("cockpit:cockpit"), {"month": "2025-03"})
    page = response.content.decode()
    assert reverse("plans:task_list") + "?colour=red" in page
    data = client.get("/api/v1/cockpit", {"month": "2025-03"}).json()
    assert data["practice"]["done"] == 1
