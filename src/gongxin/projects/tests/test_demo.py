"""The demo's key projects: 200+ over the chains, of every type, at every stage, with
stages, months and milestones that agree with each other and with the header figures the
services derive; some behind plan; the same for the same seed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest

from gongxin.chains.demo import chains_build
from gongxin.chains.models import Chain
from gongxin.core.choices import DISTRICT_KINDS, Role
from gongxin.core.demo import staff_accounts_create
from gongxin.core.models import User
from gongxin.core.tests.module_data import built_for_module
from gongxin.enterprises.demo import enterprises_build
from gongxin.projects import services
from gongxin.projects.choices import STAGE_ORDER, Health, ProjectLevel, ProjectType
from gongxin.projects.demo import projects_build
from gongxin.projects.models import Milestone, Project, ProjectMonth, ProjectStep

SEED = 7
TODAY = dt.date(2026, 11, 18)
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = dt.date(2026, 10, 1)


def _build() -> list[int]:
    from gongxin.core.tests.factories import city_load

    city = city_load()
    staff_accounts_create(regions=city.regions, departments=city.departments, password_hash="!")
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    enterprises_build(seed=SEED, count=300, regions=city.regions, officers=officers)
    chains = chains_build(seed=SEED, password_hash="!")
    return [p.pk for p in projects_build(seed=SEED, chains=chains, today=TODAY)]


@pytest.fixture(scope="module")
def _module_built(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, _build)


@pytest.fixture
def built(_module_built, db) -> list[int]:
    return _module_built


def _projects() -> list[Project]:
    return list(
        Project.objects.select_related("enterprise", "park", "district")
        .prefetch_related("steps", "months", "milestones")
        .order_by("pk")
    )


def _steps(project: Project) -> list[ProjectStep]:
    return sorted(project.steps.all(), key=lambda s: STAGE_ORDER.index(s.stage))


# What there is ------------------------------------------------------------------------------


def test_over_200_projects_over_every_chain(built):
    # the test city has 300 enterprises, not the demo's 3000, yet enough on each chain
    # for its quota: the count is the demo's
    projects = _projects()
    assert len(projects) == len(built)
    assert 200 <= len(projects) <= 260
    per_chain = Counter(p.chain_id for p in projects)
    chains = list(Chain.objects.order_by("pk"))
    assert all(per_chain[c.pk] > 0 for c in chains)
    mains = [per_chain[c.pk] for c in chains if c.parent_id is None]
    subs = [per_chain[c.pk] for c in chains if c.parent_id is not None]
    assert sum(mains) / len(mains) > sum(subs) / len(subs)


def test_every_type_in_realistic_proportions(built):
    projects = _projects()
    types = Counter(p.project_type for p in projects)
    assert set(types) == set(ProjectType.values)
    shares = {t: n / len(projects) for t, n in types.items()}
    assert all(0.03 <= s <= 0.35 for s in shares.values()), shares
    assert shares[ProjectType.TECH_UPGRADE] >= 0.15  # 技改: the most common kind
    builds = (ProjectType.NEW, ProjectType.EXPANSION, ProjectType.ATTRACTION)
    assert 0.3 <= sum(shares[t] for t in builds) <= 0.6
    upgrades = [p.name for p in projects if p.project_type == ProjectType.TECH_UPGRADE]
    for word in ("机器换人", "设备换芯", "生产换线"):
        assert any(word in name for name in upgrades), word
    assert any("5G" in p.name for p in projects if p.project_type == ProjectType.SMART_FACTORY)
    assert set(Counter(p.level for p in projects)) == set(ProjectLevel.values)
    # investment by type: new builds and attracted projects dwarf digital transformations
    median = {
        t: sorted(p.planned_investment for p in projects if p.project_type == t)[types[t] // 2]
        for t in types
    }
    assert median[ProjectType.NEW] > 5 * median[ProjectType.DIGITAL]
    assert median[ProjectType.ATTRACTION] > median[ProjectType.TECH_UPGRADE]


def test_equipment_share_by_type(built):
    def share(kinds):
        rows = [p for p in _projects() if p.project_type in kinds]
        return sum(p.equipment_planned for p in rows) / sum(p.planned_investment for p in rows)

    upgrades = share({ProjectType.TECH_UPGRADE, ProjectType.DIGITAL})
    builds = share({ProjectType.NEW, ProjectType.EXPANSION, ProjectType.ATTRACTION})
    assert Decimal("0.5") < upgrades < Decimal("0.9")
    assert Decimal("0.25") < builds < upgrades
    for p in _projects():
        assert 0 <= p.equipment_planned <= p.planned_investment


def test_chinese_names_content_and_codes(built):
    projects = _projects()
    han = re.compile(r"[\u4e00-\u9fff]")
    for p in projects:
        assert han.search(p.name) and len(p.content) > 40, p.name
        assert "（演示）" not in p.name
        signed = next(s for s in p.steps.all() if s.stage == "signed").planned_on
        assert re.fullmatch(rf"XM{signed.year}-\d{{4}}", p.code), (p.code, signed)
    assert len({p.code for p in projects}) == len(projects)
    assert len({p.name for p in projects}) > 0.95 * len(projects)
    assert len({p.code[:6] for p in projects}) >= 3  # signed over several years


def test_places_and_officials(built):
    for p in _projects():
        assert p.official_id is not None
        if p.project_type == ProjectType.STANDARD_BUILDING:
            assert p.enterprise is None and p.park is not None and p.node_id is None
            region = p.park
            while region.kind not in DISTRICT_KINDS:
                region = region.parent
            assert p.district_id == region.pk
            assert "订单式标准厂房" in p.name
        else:
            e = p.enterprise
            assert (p.district_id, p.park_id) == (e.district_id, e.park_id)
            assert p.node.chain_id == p.chain_id
            if e.service_officer_id:
                assert p.official_id == e.service_officer_id
    per_enterprise = Counter(p.enterprise_id for p in _projects() if p.enterprise_id)
    assert max(per_enterprise.values()) <= 2


# Stages, months, milestones -----------------------------------------------------------------


def test_stages_in_order_and_none_reached_in_the_future(built):
    stages = Counter()
    for p in _projects():
        steps = _steps(p)
        assert [s.stage for s in steps] == STAGE_ORDER
        planned = [s.planned_on for s in steps]
        assert planned == sorted(planned)
        reached = [s.reached_on for s in steps]
        count = sum(r is not None for r in reached)
        assert count >= 1 and all(r is not None for r in reached[:count])  # a prefix
        assert reached[:count] == sorted(reached[:count])
        assert all(r <= TODAY for r in reached[:count])
        stages[p.stage] += 1
    assert set(stages) == set(STAGE_ORDER)
    # most projects are being built; fewer are signed only or at full capacity
    assert stages["started"] == max(stages.values())


def test_months_to_last_month(built):
    unreported = 0
    for p in _projects():
        months = sorted(p.months.all(), key=lambda m: m.month)
        signed = _steps(p)[0].planned_on
        if not months:
            assert signed >= dt.date(2026, 10, 1)
            continue
        assert months[0].month == (signed.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        assert all(m.month < THIS_MONTH and m.month.day == 1 for m in months)
        assert [m.month for m in months] == sorted({m.month for m in months})
        for m in months:
            assert m.planned is not None and m.planned >= 0
            if m.completed is None:
                assert m.month == LAST_MONTH and m.reported_at is None and not m.equipment
                unreported += 1
            else:
                assert 0 <= m.equipment <= m.completed
                assert m.progress and m.reported_at.date() < THIS_MONTH
        if p.stage not in ("at_capacity",):
            assert months[-1].month == LAST_MONTH
        assert sum(m.planned for m in months) <= p.planned_investment
    assert 3 <= unreported <= 25


def test_investment_follows_an_s_curve(built):
    """The planned months of a finished new build: slow at first, fastest mid-build."""
    for p in _projects():
        if p.project_type != ProjectType.NEW or p.stage != "at_capacity":
            continue
        months = sorted(p.months.all(), key=lambda m: m.month)
        steps = _steps(p)
        build = [m.planned for m in months if steps[2].planned_on <= m.month <= steps[3].planned_on]
        third = len(build) // 3
        middle = sum(build[third : 2 * third])
        assert middle > sum(build[:third]) and middle > sum(build[2 * third :])
        assert sum(m.planned for m in months) == p.planned_investment
        break
    else:
        pytest.fail("no new build at full capacity")


def test_milestones(built):
    overdue = 0
    titles = Counter()
    for p in _projects():
        milestones = list(p.milestones.all())
        assert 2 <= len(milestones) <= 4
        for m in milestones:
            titles[m.title] += 1
            assert m.done_on is None or m.done_on <= TODAY
            if m.done_on is None and m.due_on < TODAY:
                overdue += 1
                assert m.note  # why, and when it is now expected
    assert overdue >= 5
    for title in ("环评批复", "施工许可证核发", "设备进场", "5G专网开通"):
        assert titles[title] > 0, title


# Derived figures and health -----------------------------------------------------------------


def test_header_figures_are_what_the_services_derive(built):
    projects = _projects()
    for p in projects:
        stored = {f: getattr(p, f) for f in services.DERIVED}
        services._derive(p, TODAY)
        assert {f: getattr(p, f) for f in services.DERIVED} == stored, p.code
    # and through the service itself, for a sample
    for p in projects[::25]:
        stored = {f: getattr(p, f) for f in services.DERIVED}
        fresh = services.project_recompute(Project.objects.get(pk=p.pk), on=TODAY)
        assert {f: getattr(fresh, f) for f in services.DERIVED} == stored, p.code
    reported = [p for p in projects if p.completed_investment is not None]
    assert len(reported) > 0.8 * len(projects)
    assert all(p.completed_investment <= p.planned_investment for p in reported)


def test_red_yellow_green_and_some_clearly_behind(built):
    projects = _projects()
    health = Counter(p.health for p in projects)
    assert set(health) == set(Health.values)
    assert health[Health.RED] >= 0.1 * len(projects)
    assert health[Health.GREEN] >= 0.4 * len(projects)
    assert services.health_refresh(on=TODAY) == dict(health)

    def behind(p: Project) -> bool:
        """Completed under 70 % of planned to date, or a stage over 30 days late."""
        months = [m for m in p.months.all() if m.month < THIS_MONTH]
        planned = sum((m.planned for m in months), Decimal(0))
        completed = sum((m.completed or 0 for m in months), Decimal(0))
        late = any(
            s.reached_on is None and s.planned_on and (TODAY - s.planned_on).days > 30
            for s in p.steps.all()
        )
        return late or (planned > 0 and completed < Decimal("0.7") * planned)

    assert sum(behind(p) for p in projects) >= 0.15 * len(projects)


# Determinism --------------------------------------------------------------------------------


def _snapshot() -> dict:
    return {
        "projects": list(
            Project.objects.order_by("code").values_list(
                "code", "name", "project_type", "level", "enterprise__uscc", "chain__code",
                "planned_investment", "equipment_planned", "completed_investment", "stage",
                "health", "official__username",
            )
        ),
        "steps": sorted(
            ProjectStep.objects.values_list("project__code", "stage", "planned_on", "reached_on")
        ),
        "months": sorted(
            ProjectMonth.objects.values_list(
                "project__code", "month", "planned", "completed", "equipment", "progress"
            ),
            key=str,
        ),
        "milestones": sorted(
            Milestone.objects.values_list("project__code", "title", "due_on", "done_on", "note"),
            key=str,
        ),
    }  # fmt: skip


def test_same_seed_same_projects(built):
    first = _snapshot()
    Project.objects.all().delete()
    chains = list(Chain.objects.order_by("pk"))
    again = projects_build(seed=SEED, chains=chains, today=TODAY)
    assert len(again) == len(built)
    assert _snapshot() == first
    Project.objects.all().delete()
    projects_build(seed=SEED + 1, chains=chains, today=TODAY)
    assert _snapshot()["projects"] != first["projects"]


def test_the_parks_have_land_and_buildings(built):
    from gongxin.core.choices import PARK_KINDS
    from gongxin.core.models import Region
    from gongxin.projects.choices import BuildingStatus, Occupancy
    from gongxin.projects.demo import LAND_MONTHS, parks_build
    from gongxin.projects.models import Building, ParkLand

    land, buildings = parks_build(seed=SEED, today=TODAY)
    parks = Region.objects.filter(kind__in=PARK_KINDS)
    assert land == parks.count() * LAND_MONTHS == ParkLand.objects.count()
    assert buildings == Building.objects.count() > parks.count() * 4
    # 满园扩园: every park developed and occupied more at the end than three years before
    for park in parks:
        rows = list(ParkLand.objects.filter(park=park).order_by("month"))
        assert rows[-1].month < TODAY.replace(day=1)
        assert rows[-1].developed_mu > rows[0].developed_mu
        assert rows[-1].occupied_mu > rows[0].occupied_mu
    # buildings of the 标准厂房 projects follow them; built ones are taken or vacant
    of_projects = Building.objects.filter(project__isnull=False).select_related("project")
    assert of_projects.exists()
    for b in of_projects:
        assert (b.status == BuildingStatus.BUILT) == (b.project.completed_on is not None)
    occupancy = set(Building.objects.values_list("occupancy", flat=True))
    assert occupancy == set(Occupancy.values)
    assert Building.objects.filter(ordered_by__isnull=False).exists()
    assert not Building.objects.filter(occupied_since__gt=TODAY).exists()
