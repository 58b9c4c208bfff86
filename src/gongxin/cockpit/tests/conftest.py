"""Fixtures of the cockpit tests: the indicators' world (`indicators.tests.factories`:
enterprises A–E with known figures and the chain "ev"), one user per role, builders for
key projects, cultivation plans and warnings, and a month's projects, demands and
warnings on fixed days (never today's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.tests.factories import AlertFactory
from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.demands.choices import Action
from gongxin.demands.services import demand_register, demand_step
from gongxin.demands.tests import test_loop
from gongxin.demands.tests.test_loop import at, register
from gongxin.enterprises.models import CultivationPlan, PlanItem
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory
from gongxin.indicators.tests import conftest as indicators_conftest
from gongxin.projects.models import Project, ProjectMonth

D = Decimal

# Other apps' test fixtures, reused: the indicators' catalogue and world, and the cast of a
# demand (`people`: the desk, leadership, the departments, an enterprise of 青山湖区, …).
indicators = indicators_conftest.indicators
world = indicators_conftest.world
people = test_loop.people


@pytest.fixture
def users(city):
    """One user per role that matters to the cockpit (the districts of the world: 青山湖区
    360111 holds A, B, C; 新建区 360112 holds D)."""
    regions = city.regions
    return {
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "staff": UserFactory(username="staff", role=Role.STAFF),
        "department": UserFactory(
            username="department", role=Role.DEPARTMENT, department=city.departments["rsj"]
        ),
        "district": UserFactory(username="district", role=Role.DISTRICT, region=regions["360111"]),
        "district_d": UserFactory(
            username="district_d", role=Role.DISTRICT, region=regions["360112"]
        ),
        "park": UserFactory(username="park", role=Role.DISTRICT, region=regions["gxq"]),
        "officer": UserFactory(username="officer", role=Role.OFFICER),
        "enterprise": UserFactory(
            username="enterprise",
            role=Role.ENTERPRISE,
            enterprise=EnterpriseFactory(district=regions["360121"]),
        ),
    }


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def project_add(
    name: str,
    district,
    *,
    health: str = "green",
    stage: str = "started",
    planned: int | None = 100_000_000,
    completed: int | None = None,
    enterprise=None,
    park=None,
    months: dict[dt.date, tuple] | None = None,
) -> Project:
    """A key project with its stored header figures as given (the cockpit reads them as
    stored; the services would judge its health as of today) and its months, {month:
    (planned, completed)} in yuan."""
    project = Project.objects.create(
        name=name,
        project_type="expansion",
        district=district,
        park=park,
        enterprise=enterprise,
        planned_investment=None if planned is None else D(planned),
        completed_investment=None if completed is None else D(completed),
        stage=stage,
        health=health,
    )
    for month, (p, c) in (months or {}).items():
        ProjectMonth.objects.create(
            project=project,
            month=month,
            planned=None if p is None else D(p),
            completed=None if c is None else D(c),
        )
    return project


def plan_add(enterprise, *, status: str = "active", items=()) -> CultivationPlan:
    """A cultivation plan with its items, each (status, due_on)."""
    plan = CultivationPlan.objects.create(
        enterprise=enterprise,
        tier="specialized_sme",
        goal="三年内成长为专精特新中小企业",
        start_year=2024,
        target_year=2026,
        status=status,
    )
    for n, (item_status, due_on) in enumerate(items):
        PlanItem.objects.create(
            plan=plan,
            kind="measure",
            text=f"措施{n + 1}",
            due_on=due_on,
            status=item_status,
            done_on=due_on if item_status == "done" else None,
        )
    return plan


def alert_add(rule: str = Rule.OUTPUT_DROP, **fields):
    """An open warning (the alerts' own factory) for an enterprise or a project."""
    if "project" in fields and "enterprise" not in fields:
        fields["enterprise"] = fields["project"].enterprise
    return AlertFactory(rule=rule, **fields)


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


@pytest.fixture
def projects(city):
    """Four projects: two in 青山湖区, two in 新建区, with months in 2024, 2025 and 2026."""
    q, x = city.regions["360111"], city.regions["360112"]
    return {
        "p1": project_add(
            "电池扩产项目",
            q,
            health="red",
            stage="started",
            planned=200_000_000,
            completed=50_000_000,
            months={
                month(2024, 12): (40_000_000, 40_000_000),  # last year: not counted
                month(2025, 1): (10_000_000, 5_000_000),
                month(2025, 3): (20_000_000, 10_000_000),
                month(2025, 4): (30_000_000, None),  # after March: not counted
            },
        ),
        "p2": project_add(
            "电机技改项目",
            q,
            health="yellow",
            stage="approved",
            planned=100_000_000,
            completed=20_000_000,
            months={month(2025, 2): (5_000_000, 4_000_000)},
        ),
        "p3": project_add(
            "整车扩能项目",
            x,
            health="green",
            stage="started",
            planned=300_000_000,
            completed=150_000_000,
            months={
                month(2025, 3): (50_000_000, 45_000_000),
                month(2026, 1): (70_000_000, None),  # the next year: not counted
            },
        ),
        "p4": project_add(
            "零部件新建项目", x, health="red", stage="signed", planned=50_000_000, completed=None
        ),
    }


def demand_close(people, demand, day: str):
    """Take `demand` round the whole loop on `day` (an hour a step, from 09:00): dispatched,
    accepted, answered, resolved, rated 满意, followed up."""
    path = [
        ("desk", Action.DISPATCH, {"lead": people["_rsj"], "co_departments": [people["_jrj"]]}),
        ("lead", Action.ACCEPT, {}),
        ("lead", Action.INTERIM, {"text": "已对接人社部门招聘会"}),
        ("lead", Action.RESOLVE, {"text": "已招到普工60名"}),
        ("enterprise", Action.RATE, {"rating": "satisfied"}),
        ("desk", Action.FOLLOW_UP, {"text": "电话回访，企业满意"}),
    ]
    for hour, (who, action, extra) in enumerate(path, start=9):
        demand = demand_step(
            actor=people[who], demand=demand, action=action, at=at(f"{day} {hour:02d}:00"), **extra
        )
    return demand


@pytest.fixture
def demands(world, people):
    """January–March 2025: one closed and one open demand of an enterprise of 青山湖区, one
    open of D (新建区); outside the months: one of April, one of December 2024."""
    closed = demand_close(people, register(people, at_="2025-02-10 08:00"), "2025-02-11")
    register(people, at_="2025-03-05 10:00")
    register(people, at_="2025-04-02 10:00")
    register(people, at_="2024-12-15 10:00")
    demand_register(
        actor=None,
        enterprise=world["D"],
        title="用地报批",
        text="扩产项目用地报批进度慢，请协调自然资源部门加快审批。",
        source="phone",
        at=at("2025-03-20 09:00"),
    )
    assert closed.status == "closed"
    return {"closed": closed}


@pytest.fixture
def alerts(world, projects):
    """Open warnings: A's output and D's electricity down, the project p1 behind, B's
    qualification expiring; and a cleared one of C."""
    behind = projects["p1"]
    made = {
        "output": alert_add(Rule.OUTPUT_DROP, enterprise=world["A"]),
        "electricity": alert_add(Rule.ELECTRICITY_DROP, enterprise=world["D"]),
        "project": alert_add(Rule.PROJECT_BEHIND, project=behind),
        "qualification": alert_add(
            Rule.QUALIFICATION_EXPIRING,
            enterprise=world["B"],
            qualification=QualificationFactory(enterprise=world["B"]),
        ),
        "cleared": alert_add(
            Rule.OUTPUT_DROP,
            enterprise=world["C"],
            status=AlertStatus.CLOSED,
            closed_at=dt.datetime(2026, 3, 11, tzinfo=dt.UTC),
        ),
    }
    return made
