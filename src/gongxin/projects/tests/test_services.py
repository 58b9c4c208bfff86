"""Writes to key projects (projects.services): numbering and place of a new project, who
may create, change and report, the stages' order, the months' checks, milestones, the
header figures derived after every write, the health judged again as days pass, the
statistics' totals, the audit trail, and the owner's facts kept up to date for policies.

District A (青山湖, 360111) holds the zone gxq, which holds the park hkc; district B is 进贤
(360124) with its park jxq. Enterprise ea lies in A (park hkc), eb in B (park jxq).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.choices import AuditAction, Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory
from gongxin.policies.models import Fact, Match
from gongxin.policies.tests.helpers import policy_make
from gongxin.projects import services
from gongxin.projects.choices import Health, ProjectStage
from gongxin.projects.models import Milestone, Project, ProjectMonth, ProjectStep, next_code
from gongxin.projects.progress import previous_month
from gongxin.projects.selectors import GROUPS, investment_by_month, project_statistics, timeline

pytestmark = pytest.mark.django_db

D = Decimal
S = ProjectStage
FIGURES = ("projects", "planned", "completed", "equipment", "red", "yellow", "green")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    """The day n days from today (before it when negative)."""
    return today() + dt.timedelta(days=n)


def this_month() -> dt.date:
    return today().replace(day=1)


def last_month() -> dt.date:
    return previous_month(today())


def next_month() -> dt.date:
    return (this_month() + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture
def world(city):
    regions = city.regions
    ev = Chain.objects.create(code="ev", name="新能源汽车")
    aviation = Chain.objects.create(code="aviation", name="航空")
    ea = EnterpriseFactory(
        name="青山湖航空零部件有限公司", district=regions["360111"], park=regions["hkc"]
    )
    eb = EnterpriseFactory(
        name="进贤医疗器械有限公司", district=regions["360124"], park=regions["jxq"]
    )
    return SimpleNamespace(
        regions=regions,
        ea=ea,
        eb=eb,
        ev=ev,
        aviation=aviation,
        battery=ChainNode.objects.create(
            chain=ev, name="动力电池", segment="midstream", kind="component"
        ),
        airframe=ChainNode.objects.create(
            chain=aviation, name="机体结构件", segment="midstream", kind="component"
        ),
        staff=UserFactory(username="staff", role=Role.STAFF),
        admin=UserFactory(username="admin", role=Role.ADMIN),
        superuser=UserFactory(username="root", role=Role.OFFICER, is_superuser=True),
        leader=UserFactory(username="leader", role=Role.LEADER),
        district_a=UserFactory(username="district_a", role=Role.DISTRICT, region=regions["360111"]),
        district_b=UserFactory(username="district_b", role=Role.DISTRICT, region=regions["360124"]),
        zone=UserFactory(username="zone", role=Role.DISTRICT, region=regions["gxq"]),
        park=UserFactory(username="park", role=Role.DISTRICT, region=regions["hkc"]),
        official=UserFactory(username="official", role=Role.OFFICER),
        officer=UserFactory(username="officer", role=Role.OFFICER),
        enterprise_a=UserFactory(username="enterprise_a", role=Role.ENTERPRISE, enterprise=ea),
        enterprise_b=UserFactory(username="enterprise_b", role=Role.ENTERPRISE, enterprise=eb),
    )


def make(world, actor=None, steps=None, **values) -> Project:
    """A project of ea (unless told otherwise) registered through the service."""
    data = {
        "name": "航空零部件扩产项目",
        "project_type": "expansion",
        "enterprise": world.ea,
        "planned_investment": D("10000000"),
    }
    data.update(values)
    return services.project_save(actor=actor or world.staff, project=None, data=data, steps=steps)


def fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def entries(project: Project) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="projects.project", object_id=str(project.pk)
        ).order_by("pk")
    )


def errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# Creating: number and place ------------------------------------------------------------------


def test_new_projects_are_numbered_in_the_year_after_the_highest_taken(world):
    year = today().year
    assert make(world).code == f"XM{year}-0001"
    assert make(world).code == f"XM{year}-0002"
    assert make(world, code=f"XM{year}-0007").code == f"XM{year}-0007"
    make(world, code=f"XM{year - 1}-0050")  # another year's numbers do not count
    make(world, code=f"XM{year}-TEMP")  # nor numbers that are no numbers
    assert make(world).code == f"XM{year}-0008"
    assert make(world, code="").code == f"XM{year}-0009"
    assert next_code(year - 1) == f"XM{year - 1}-0051"
    assert next_code(year + 1) == f"XM{year + 1}-0001"
    assert Project.objects.filter(code=f"XM{year}-0009").exists()


def test_a_number_already_taken_is_refused(world):
    first = make(world)
    with pytest.raises(ValidationError) as error:
        make(world, code=first.code)
    assert list(errors(error)) == ["code"]
    assert Project.objects.count() == 1


def test_district_and_park_come_from_the_enterprise_and_the_chain_from_the_node(world):
    project = make(world, node=world.airframe)
    stored = fresh(project)
    assert (stored.district, stored.park) == (world.regions["360111"], world.regions["hkc"])
    assert (stored.chain, stored.node) == (world.aviation, world.airframe)


def test_a_place_given_is_kept(world):
    project = make(
        world,
        district=world.regions["360111"],
        park=world.regions["gxq"],
        chain=world.aviation,
    )
    stored = fresh(project)
    assert (stored.district_id, stored.park_id) == (
        world.regions["360111"].pk,
        world.regions["gxq"].pk,
    )
    assert stored.chain == world.aviation
    # without an enterprise, the district must be given
    with pytest.raises(ValidationError) as error:
        make(world, enterprise=None)
    assert "district" in errors(error)


def test_a_node_of_another_chain_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as error:
        make(world, chain=world.ev, node=world.airframe)
    assert errors(error) == {"node": ["This node is on another chain."]}
    assert not Project.objects.exists()
    assert not AuditEntry.objects.exists()

    project = make(world, chain=world.aviation, node=world.airframe)
    with pytest.raises(ValidationError) as error:
        services.project_save(actor=world.staff, project=project, data={"node": world.battery})
    assert list(errors(error)) == ["node"]
    assert fresh(project).node == world.airframe


# Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["staff", "admin", "superuser", "district_a", "zone", "park"])
def test_division_staff_and_the_area_register_projects(world, user):
    project = make(world, actor=getattr(world, user))  # ea: district A, park hkc
    assert fresh(project).enterprise == world.ea


@pytest.mark.parametrize("user", ["leader", "official", "officer", "enterprise_a", "enterprise_b"])
def test_others_register_no_projects(world, user):
    with pytest.raises(PermissionDenied):
        make(world, actor=getattr(world, user))
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("user", "values"),
    [
        ("district_b", {}),  # ea lies in district A
        ("district_a", {"enterprise": None, "district": "360124"}),
        ("park", {"enterprise": None, "district": "360111"}),  # in the district, no park
        ("park", {"enterprise": None, "district": "360111", "park": "gxq"}),  # the zone above
        ("zone", {"enterprise": None, "district": "360111", "park": "qshq"}),
    ],
)
def test_district_and_park_staff_register_only_in_their_own_area(world, user, values):
    for key in ("district", "park"):
        if key in values:
            values[key] = world.regions[values[key]]
    with pytest.raises(ValidationError) as error:
        make(world, actor=getattr(world, user), **values)
    assert errors(error) == {"district": ["A district or park registers projects in its own area."]}
    assert not Project.objects.exists()


def test_a_zone_registers_in_the_parks_it_holds(world):
    project = make(
        world,
        actor=world.zone,
        enterprise=None,
        district=world.regions["360111"],
        park=world.regions["hkc"],
    )
    assert fresh(project).park == world.regions["hkc"]


@pytest.mark.parametrize(
    ("user", "edit", "report"),
    [
        ("staff", True, True),
        ("admin", True, True),
        ("district_a", True, True),
        ("zone", True, True),
        ("park", True, True),
        ("district_b", False, False),
        ("leader", False, False),
        ("officer", False, False),
        ("official", False, True),
        ("enterprise_a", False, True),
        ("enterprise_b", False, False),
    ],
)
def test_who_changes_and_who_reports_on_a_project(world, user, edit, report):
    project = make(world, official=world.official)
    actor = getattr(world, user)
    assert services.project_can_edit(actor, project) is edit
    assert services.project_can_report(actor, project) is report

    if edit:
        services.project_save(actor=actor, project=project, data={"name": "改名"})
        assert fresh(project).name == "改名"
    else:
        with pytest.raises(PermissionDenied):
            services.project_save(actor=actor, project=project, data={"name": "改名"})
        with pytest.raises(PermissionDenied):
            services.project_delete(actor=actor, project=project)
        assert fresh(project).name == "航空零部件扩产项目"

    month = {"completed": D("100")}
    milestone = {"title": "设备进场", "due_on": days(30)}
    if report:
        services.steps_save(actor=actor, project=project, steps={S.SIGNED: (None, days(-1))})
        services.month_save(actor=actor, project=project, month=last_month(), data=month)
        services.milestone_save(actor=actor, project=project, milestone=None, data=milestone)
        assert fresh(project).completed_investment == D("100")
    else:
        with pytest.raises(PermissionDenied):
            services.steps_save(actor=actor, project=project, steps={S.SIGNED: (None, days(-1))})
        with pytest.raises(PermissionDenied):
            services.month_save(actor=actor, project=project, month=last_month(), data=month)
        with pytest.raises(PermissionDenied):
            services.milestone_save(actor=actor, project=project, milestone=None, data=milestone)
        assert not ProjectStep.objects.exists()
        assert not ProjectMonth.objects.exists()
        assert not Milestone.objects.exists()


def test_enterprise_users_report_on_their_own_projects_only(world):
    mine = make(world)
    theirs = make(world, enterprise=world.eb, actor=world.staff)
    user = world.enterprise_a
    services.month_save(actor=user, project=mine, month=last_month(), data={"completed": D("5")})
    with pytest.raises(PermissionDenied):
        services.month_save(
            actor=user, project=theirs, month=last_month(), data={"completed": D("5")}
        )
    milestone = services.milestone_save(
        actor=world.staff, project=theirs, milestone=None, data={"title": "环评", "due_on": days(9)}
    )
    with pytest.raises(PermissionDenied):
        services.milestone_delete(actor=user, milestone=milestone)
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_district_may_not_move_a_project_out_of_its_area(world):
    project = make(world, actor=world.district_a)
    with pytest.raises(ValidationError) as error:
        services.project_save(
            actor=world.district_a,
            project=project,
            data={"district": world.regions["360124"], "park": None},
        )
    assert list(errors(error)) == ["district"]
    assert fresh(project).district == world.regions["360111"]
    # out of the park's area even inside its district
    with pytest.raises(ValidationError):
        services.project_save(actor=world.park, project=project, data={"park": None})
    # division staff may (the instance a refused call changed is no longer the stored one)
    project = fresh(project)
    services.project_save(
        actor=world.staff, project=project, data={"district": world.regions["360124"]}
    )
    assert fresh(project).district == world.regions["360124"]
    with pytest.raises(PermissionDenied):
        services.project_save(actor=world.district_a, project=project, data={"name": "x"})


# Stages --------------------------------------------------------------------------------------


def test_a_later_stage_planned_before_an_earlier_one_is_refused_naming_it(world):
    project = make(world)
    with pytest.raises(ValidationError) as error:
        services.steps_save(
            actor=world.staff,
            project=project,
            steps={S.APPROVED: (dt.date(2027, 4, 1), None), S.STARTED: (dt.date(2027, 3, 1), None)},
        )
    assert errors(error) == {
        "started": ["Construction started cannot come before Approved (2027-04-01)."]
    }
    assert not ProjectStep.objects.exists()
    assert len(entries(project)) == 1  # its creation only


def test_the_order_is_checked_against_the_stages_stored(world):
    project = make(world)
    services.steps_save(
        actor=world.staff,
        project=project,
        steps={S.SIGNED: (None, days(-300)), S.APPROVED: (None, days(-200))},
    )
    with pytest.raises(ValidationError) as error:
        services.steps_save(
            actor=world.staff,
            project=project,
            steps={S.STARTED: (None, days(-250)), S.AT_CAPACITY: (days(-260), None)},
        )
    reached = days(-200).isoformat()
    assert errors(error) == {
        "started": [f"Construction started cannot come before Approved ({reached})."]
    }
    # a stage skipped in between is no gap in the order
    services.steps_save(
        actor=world.staff,
        project=project,
        steps={S.PRODUCING: (None, days(-100)), S.STARTED: (days(-210), None)},
    )
    assert fresh(project).stage == S.PRODUCING


def test_a_stage_cannot_be_reached_in_the_future(world):
    project = make(world)
    with pytest.raises(ValidationError) as error:
        services.steps_save(actor=world.staff, project=project, steps={S.SIGNED: (None, days(1))})
    assert errors(error) == {"signed": ["A stage cannot be reached in the future."]}
    assert not ProjectStep.objects.exists()
    services.steps_save(actor=world.staff, project=project, steps={S.SIGNED: (None, today())})
    assert fresh(project).stage == S.SIGNED


def test_an_unknown_stage_is_refused(world):
    project = make(world)
    with pytest.raises(ValidationError) as error:
        services.steps_save(actor=world.staff, project=project, steps={"dug": (None, today())})
    assert errors(error) == {"steps": ["Unknown stage: dug"]}


def test_the_header_follows_the_stages(world):
    project = make(world)
    assert (project.stage, project.started_on, project.health) == (S.SIGNED, None, Health.GREEN)
    assert project.health_on == today()

    project = services.steps_save(
        actor=world.staff,
        project=project,
        steps={
            S.SIGNED: (days(-400), days(-400)),
            S.STARTED: (days(-200), days(-190)),
            S.COMPLETED: (days(100), None),
        },
    )
    expected = (S.STARTED, days(-200), days(-190), days(100), None)
    for record in (project, fresh(project)):
        assert (
            record.stage,
            record.start_planned,
            record.started_on,
            record.end_planned,
            record.completed_on,
        ) == expected
    # under way and last month not reported
    assert fresh(project).health == Health.YELLOW

    project = services.steps_save(
        actor=world.staff,
        project=project,
        steps={S.COMPLETED: (days(100), days(-1))},
    )
    assert (fresh(project).stage, fresh(project).completed_on) == (S.COMPLETED, days(-1))

    # a stage emptied is removed, and the header goes back
    services.steps_save(
        actor=world.staff,
        project=project,
        steps={S.COMPLETED: (None, None), S.STARTED: (None, None)},
    )
    stored = fresh(project)
    assert set(stored.steps.values_list("stage", flat=True)) == {S.SIGNED}
    assert (stored.stage, stored.start_planned, stored.started_on, stored.end_planned) == (
        S.SIGNED,
        None,
        None,
        None,
    )
    assert stored.health == Health.GREEN


def test_project_save_writes_the_stages_with_the_project(world):
    project = make(world, steps={S.SIGNED: (None, days(-30)), S.STARTED: (days(10), None)})
    stored = fresh(project)
    assert (stored.stage, stored.start_planned) == (S.SIGNED, days(10))
    (entry,) = entries(project)
    assert entry.changes["stage:signed"] == [[None, None], [None, days(-30).isoformat()]]
    assert entry.changes["stage:started"] == [[None, None], [days(10).isoformat(), None]]
    assert entry.changes["name"] == [None, "航空零部件扩产项目"]


def test_the_same_stages_again_write_nothing(world):
    project = make(world)
    steps = {S.SIGNED: (days(-30), days(-20))}
    services.steps_save(actor=world.staff, project=project, steps=steps)
    count = AuditEntry.objects.count()
    services.steps_save(actor=world.staff, project=project, steps=steps)
    assert AuditEntry.objects.count() == count


def test_the_same_project_and_stages_again_write_nothing(world):
    steps = {S.SIGNED: (days(-30), days(-20))}
    project = make(world, steps=steps)
    count = AuditEntry.objects.count()
    services.project_save(
        actor=world.staff, project=project, data={"name": project.name}, steps=steps
    )
    assert AuditEntry.objects.count() == count


# Months --------------------------------------------------------------------------------------


def test_the_header_sums_the_months(world):
    project = make(world)
    assert project.completed_investment is None
    earlier = previous_month(last_month())
    services.month_save(
        actor=world.staff,
        project=project,
        month=earlier,
        data={"planned": D("300"), "completed": D("250.50"), "equipment": D("100")},
    )
    services.month_save(
        actor=world.staff,
        project=project,
        month=last_month(),
        data={"planned": D("300"), "completed": D("300"), "equipment": D("50.25")},
    )
    services.month_save(
        actor=world.staff, project=project, month=next_month(), data={"planned": D("900")}
    )
    stored = fresh(project)
    assert stored.completed_investment == D("550.50")
    assert stored.equipment_completed == D("150.25")
    assert stored.health == Health.GREEN  # 550.5 of 600: 92 %

    # a correction replaces the month's figure
    services.month_save(
        actor=world.staff, project=project, month=last_month(), data={"completed": D("100")}
    )
    stored = fresh(project)
    assert stored.completed_investment == D("350.50")
    assert stored.equipment_completed == D("150.25")
    assert stored.health == Health.RED  # 350.5 of 600: 58 %


def test_a_month_is_kept_on_its_first_day(world):
    project = make(world)
    day = last_month().replace(day=17)
    record = services.month_save(
        actor=world.enterprise_a, project=project, month=day, data={"completed": D("10")}
    )
    assert record.month == last_month()
    assert record.reported_by == world.enterprise_a
    assert record.reported_at is not None
    stored = ProjectMonth.objects.get()
    assert (stored.month, stored.completed, stored.reported_by) == (
        last_month(),
        D("10"),
        world.enterprise_a,
    )


def test_equipment_is_no_more_than_the_completed_investment(world):
    project = make(world)
    with pytest.raises(ValidationError) as error:
        services.month_save(
            actor=world.staff,
            project=project,
            month=last_month(),
            data={"completed": D("100"), "equipment": D("100.01")},
        )
    assert errors(error) == {
        "equipment": ["Equipment is part of the completed investment: no more."]
    }
    assert not ProjectMonth.objects.exists()
    services.month_save(
        actor=world.staff,
        project=project,
        month=last_month(),
        data={"completed": D("100"), "equipment": D("100")},
    )
    # lowering the completed below the stored equipment is refused too
    with pytest.raises(ValidationError) as error:
        services.month_save(
            actor=world.staff, project=project, month=last_month(), data={"completed": D("99")}
        )
    assert list(errors(error)) == ["equipment"]
    assert ProjectMonth.objects.get().completed == D("100")


def test_a_month_to_come_is_planned_but_not_completed(world):
    project = make(world)
    with pytest.raises(ValidationError) as error:
        services.month_save(
            actor=world.staff, project=project, month=next_month(), data={"completed": D("1")}
        )
    assert errors(error) == {
        "completed": ["A month still to come has no completed investment yet."]
    }
    assert not ProjectMonth.objects.exists()
    services.month_save(
        actor=world.staff, project=project, month=next_month(), data={"planned": D("1")}
    )
    services.month_save(
        actor=world.staff, project=project, month=this_month(), data={"completed": D("1")}
    )
    assert ProjectMonth.objects.count() == 2


def test_the_same_month_again_writes_nothing(world):
    project = make(world)
    data = {
        "planned": D("200"),
        "completed": D("150"),
        "equipment": D("20"),
        "progress": "主体封顶",
    }
    first = services.month_save(actor=world.staff, project=project, month=last_month(), data=data)
    count = AuditEntry.objects.count()
    again = services.month_save(
        actor=world.enterprise_a, project=project, month=last_month(), data=data
    )
    part = services.month_save(
        actor=world.staff, project=project, month=last_month(), data={"completed": D("150.00")}
    )
    assert AuditEntry.objects.count() == count
    stored = ProjectMonth.objects.get()
    assert stored.reported_at == first.reported_at
    assert stored.reported_by == world.staff
    assert again.pk == part.pk == stored.pk


def test_the_same_amount_written_with_fewer_decimals_is_the_same_month(world):
    project = make(world)
    first = services.month_save(
        actor=world.staff, project=project, month=last_month(), data={"completed": D("150.5")}
    )
    count = AuditEntry.objects.count()
    services.month_save(
        actor=world.staff, project=project, month=last_month(), data={"completed": D("150.5")}
    )
    assert AuditEntry.objects.count() == count
    assert ProjectMonth.objects.get().reported_at == first.reported_at


def test_a_withdrawn_month_leaves_the_header(world):
    project = make(world)
    services.month_save(
        actor=world.staff,
        project=project,
        month=last_month(),
        data={"completed": D("100"), "equipment": D("40")},
    )
    assert fresh(project).completed_investment == D("100")
    services.month_save(
        actor=world.staff,
        project=project,
        month=last_month(),
        data={"completed": None, "equipment": None},
    )
    stored = fresh(project)
    assert stored.completed_investment in (None, D(0))
    assert stored.equipment_completed in (None, D(0))


# Milestones ----------------------------------------------------------------------------------


def test_milestones_are_saved_and_deleted_with_an_audit_entry(world):
    project = make(world, official=world.official)
    milestone = services.milestone_save(
        actor=world.enterprise_a,
        project=project,
        milestone=None,
        data={"title": "环评批复", "due_on": days(20)},
    )
    entry = entries(project)[-1]
    assert (entry.action, entry.actor, entry.message) == (
        AuditAction.UPDATE,
        world.enterprise_a,
        "环评批复",
    )
    assert entry.changes == {
        "milestone:title": [None, "环评批复"],
        "milestone:due_on": [None, days(20).isoformat()],
        "milestone:note": [None, ""],
    }

    services.milestone_save(
        actor=world.staff, project=project, milestone=milestone, data={"done_on": today()}
    )
    assert Milestone.objects.get().done_on == today()
    assert entries(project)[-1].changes == {"milestone:done_on": [None, today().isoformat()]}
    count = AuditEntry.objects.count()
    services.milestone_save(
        actor=world.staff, project=project, milestone=milestone, data={"done_on": today()}
    )
    assert AuditEntry.objects.count() == count

    services.milestone_delete(actor=world.official, milestone=milestone)
    assert not Milestone.objects.exists()
    entry = entries(project)[-1]
    assert (entry.action, entry.changes, entry.message) == (
        AuditAction.UPDATE,
        {"milestone": ["环评批复", None]},
        "环评批复",
    )


def test_a_milestone_is_not_done_in_the_future_nor_moved_to_another_project(world):
    project, other = make(world), make(world)
    with pytest.raises(ValidationError) as error:
        services.milestone_save(
            actor=world.staff,
            project=project,
            milestone=None,
            data={"title": "设备进场", "due_on": days(5), "done_on": days(1)},
        )
    assert errors(error) == {"done_on": ["A milestone cannot be done in the future."]}
    milestone = services.milestone_save(
        actor=world.staff,
        project=project,
        milestone=None,
        data={"title": "设备进场", "due_on": days(5)},
    )
    with pytest.raises(ValidationError):
        services.milestone_save(
            actor=world.staff, project=other, milestone=milestone, data={"title": "改"}
        )
    assert Milestone.objects.get().title == "设备进场"
    with pytest.raises(ValidationError) as error:  # due_on is required
        services.milestone_save(
            actor=world.staff, project=project, milestone=None, data={"title": "无期"}
        )
    assert list(errors(error)) == ["due_on"]


# The audit trail -----------------------------------------------------------------------------


def test_every_write_is_audited_with_before_and_after(world):
    project = make(world, official=world.official)
    (created,) = entries(project)
    assert (created.action, created.actor, created.object_repr) == (
        AuditAction.CREATE,
        world.staff,
        "航空零部件扩产项目",
    )
    assert created.changes["code"] == [None, project.code]
    assert created.changes["enterprise"] == [None, world.ea.pk]
    assert created.changes["district"] == [None, world.regions["360111"].pk]
    assert created.changes["planned_investment"] == [None, "10000000"]

    services.project_save(
        actor=world.district_a,
        project=project,
        data={"name": "航空零部件扩产项目", "planned_investment": D("12000000.00")},
    )
    updated = entries(project)[-1]
    assert (updated.action, updated.actor) == (AuditAction.UPDATE, world.district_a)
    assert updated.changes == {"planned_investment": ["10000000", "12000000"]}

    count = AuditEntry.objects.count()  # nothing changed: nothing written
    services.project_save(actor=world.staff, project=project, data={"name": project.name})
    assert AuditEntry.objects.count() == count

    services.steps_save(
        actor=world.official, project=project, steps={S.STARTED: (days(-10), days(-5))}
    )
    assert entries(project)[-1].changes == {
        "stage:started": [[None, None], [days(-10).isoformat(), days(-5).isoformat()]]
    }

    services.month_save(
        actor=world.enterprise_a,
        project=project,
        month=last_month(),
        data={"completed": D("100"), "progress": "打桩"},
    )
    services.month_save(
        actor=world.enterprise_a, project=project, month=last_month(), data={"completed": D("120")}
    )
    key = f"{last_month():%Y-%m}"
    created_month, changed_month = entries(project)[-2:]
    assert created_month.changes == {  # what stays empty is no change
        f"completed:{key}": [None, "100"],
        f"progress:{key}": [None, "打桩"],
    }
    assert changed_month.changes == {f"completed:{key}": ["100", "120"]}
    assert changed_month.actor == world.enterprise_a

    pk, code = project.pk, project.code
    services.project_delete(actor=world.staff, project=project)
    assert not Project.objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.filter(object_id=str(pk), action=AuditAction.DELETE).get()
    assert deleted.object_type == "projects.project"
    assert deleted.changes["code"] == [code, None]
    assert deleted.changes["planned_investment"] == ["12000000", None]
    assert deleted.changes["official"] == [world.official.pk, None]


def test_writes_without_an_actor_are_the_systems(world):
    project = services.project_save(
        actor=None,
        project=None,
        data={
            "code": "XM2020-0001",
            "name": "导入项目",
            "project_type": "new",
            "district": world.regions["360124"],
        },
    )
    (entry,) = entries(project)
    assert (entry.actor, entry.actor_name) == (None, "system")


# Health as days pass -------------------------------------------------------------------------


def test_health_refresh_judges_again_as_the_days_pass(world):
    start = days(60)
    project = make(world, steps={S.SIGNED: (None, days(-30)), S.STARTED: (start, None)})
    other = make(world)
    assert fresh(project).health == Health.GREEN

    on_time = services.health_refresh(on=start)
    assert on_time == {Health.GREEN: 2}
    assert (fresh(project).health, fresh(project).health_on) == (Health.GREEN, start)

    late = start + dt.timedelta(days=1)
    assert services.health_refresh(on=late) == {Health.YELLOW: 1, Health.GREEN: 1}
    assert (fresh(project).health, fresh(project).health_on) == (Health.YELLOW, late)
    assert (fresh(other).health, fresh(other).health_on) == (Health.GREEN, late)

    later = start + dt.timedelta(days=31)
    assert services.health_refresh(on=later, projects=[project]) == {Health.RED: 1}
    assert (fresh(project).health, fresh(project).health_on) == (Health.RED, later)
    assert fresh(other).health_on == late  # not judged this time

    # judged again on the same day: the same answer, nothing else moves
    assert services.health_refresh(on=later, projects=[project]) == {Health.RED: 1}

    # a new plan is judged at once (as of today by the service), then as days pass
    replanned = days(90)
    services.steps_save(actor=world.staff, project=project, steps={S.STARTED: (replanned, None)})
    assert (fresh(project).health, fresh(project).health_on) == (Health.GREEN, today())
    assert later == replanned + dt.timedelta(days=1)
    assert services.health_refresh(on=later, projects=[project]) == {Health.YELLOW: 1}


def test_the_reasons_of_a_project_are_those_of_its_colour(world):
    project = make(world, steps={S.STARTED: (days(-100), days(-90))})
    services.month_save(
        actor=world.staff,
        project=project,
        month=previous_month(last_month()),
        data={"planned": D("100"), "completed": D("50")},
    )
    judgement = services.judgement_of(fresh(project))
    assert judgement.health == fresh(project).health == Health.RED
    assert judgement.reasons == [
        "investment 50% of plan to date",
        f"no investment reported for {last_month():%Y-%m}",
    ]


# Statistics ----------------------------------------------------------------------------------


@pytest.fixture
def many(world):
    """Projects of every type, chain, district, stage and colour, some without figures:
    (type, enterprise, node, planned, completed and equipment last month, the start
    planned and reached, the colour that follows)."""
    rows = [
        ("new", world.ea, world.battery, "5000000", ("1000", "500"), (-200, -190), Health.GREEN),
        ("new", world.eb, None, "3000000", ("200.5", "100.25"), (-10, None), Health.YELLOW),
        ("expansion", world.ea, world.airframe, None, None, None, Health.GREEN),
        ("digital", world.eb, world.airframe, "800000", ("0", None), (-40, None), Health.RED),
        ("digital", None, None, "1200000.50", ("55.25", "27.62"), (-5, -1), Health.GREEN),
    ]
    made = []
    for kind, enterprise, node, planned, month, start, health in rows:
        values = {
            "project_type": kind,
            "node": node,
            "enterprise": enterprise,
            "planned_investment": D(planned) if planned else None,
        }
        if enterprise is None:
            values["district"] = world.regions["360124"]
        steps = None
        if start:
            steps = {S.STARTED: tuple(days(n) if n is not None else None for n in start)}
        project = make(world, steps=steps, **values)
        if month:
            completed, equipment = month
            services.month_save(
                actor=world.staff,
                project=project,
                month=last_month(),
                data={"completed": D(completed), "equipment": D(equipment) if equipment else None},
            )
        assert fresh(project).health == health
        made.append(project)
    return made


@pytest.mark.parametrize("by", list(GROUPS))
def test_the_statistics_total_is_the_sum_of_the_groups(world, many, by):
    rows, total = project_statistics(world.staff, by)
    assert total["projects"] == 5
    for name in FIGURES:
        assert sum(row[name] or 0 for row in rows) == (total[name] or 0), name
    assert total["red"] + total["yellow"] + total["green"] == total["projects"]
    assert total["share"] == total["completed"] * 100 / total["planned"]
    for row in rows:
        assert row["red"] + row["yellow"] + row["green"] == row["projects"]
        if row["planned"]:
            assert row["share"] == row["completed"] * 100 / row["planned"]
        else:
            assert row["share"] is None
    assert len({row["key"] for row in rows}) == len(rows)


def test_the_statistics_figures(world, many):
    rows, total = project_statistics(world.staff, "health")
    assert {row["key"]: row["projects"] for row in rows} == {"green": 3, "yellow": 1, "red": 1}
    assert {row["key"]: row["label"] for row in rows} == {
        "green": "On track",
        "yellow": "Slipping",
        "red": "Behind",
    }
    assert total["planned"] == D("10000000.50")
    assert total["completed"] == D("1255.75")
    assert total["equipment"] == D("627.87")

    rows, _ = project_statistics(world.staff, "chain")
    assert {row["label"]: row["projects"] for row in rows} == {
        "新能源汽车": 1,
        "航空": 2,
        None: 2,
    }
    rows, _ = project_statistics(world.staff, "stage")
    assert {row["key"]: row["projects"] for row in rows} == {"started": 2, "signed": 3}


def test_the_statistics_keep_to_the_scope(world, many):
    rows, total = project_statistics(world.district_a, "district")
    district = world.regions["360111"]
    assert [(row["district"], row["label"]) for row in rows] == [(district.pk, district.name)]
    assert total["projects"] == 2
    assert total["planned"] == D("5000000")
    with pytest.raises(ValueError):
        project_statistics(world.staff, "colour")


def test_the_chart_accumulates_the_months_in_order(world):
    project = make(world)
    earlier = previous_month(last_month())
    for month, data in [
        (next_month(), {"planned": D("50")}),
        (earlier, {"planned": D("100"), "completed": D("80"), "equipment": D("30")}),
        (last_month(), {"planned": D("100"), "completed": D("120.50")}),
    ]:
        services.month_save(actor=world.staff, project=project, month=month, data=data)
    rows = investment_by_month(Project.objects.prefetch_related("months").get(pk=project.pk))
    assert [(r["month"], r["planned_total"], r["completed_total"]) for r in rows] == [
        (earlier, D("100"), D("80")),
        (last_month(), D("200"), D("200.50")),
        (next_month(), D("250"), D("200.50")),
    ]
    assert (rows[0]["equipment"], rows[2]["completed"]) == (D("30"), None)


def test_the_timeline_shows_projects_with_planned_dates_by_planned_start(world):
    late = make(world, steps={S.STARTED: (days(90), None)})
    early = make(world, steps={S.STARTED: (days(-90), None)})
    end_only = make(world, steps={S.COMPLETED: (days(400), None)})
    make(world)  # no planned dates: no bar
    elsewhere = make(world, enterprise=world.eb, steps={S.STARTED: (days(10), None)})
    assert list(timeline(world.staff)) == [early, elsewhere, late, end_only]
    assert list(timeline(world.district_a)) == [early, late, end_only]


# The owner's facts for policies --------------------------------------------------------------


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block leaves for the commit (the owner's rematch)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def investment_of(enterprise) -> Decimal | None:
    return Fact.objects.get(enterprise=enterprise).project_investment


def test_the_owner_is_announced_when_its_completed_investment_changes(
    world, django_capture_on_commit_callbacks
):
    project = make(world)
    with django_capture_on_commit_callbacks() as callbacks:
        services.month_save(
            actor=world.staff, project=project, month=last_month(), data={"planned": D("5")}
        )
        services.milestone_save(
            actor=world.staff,
            project=project,
            milestone=None,
            data={"title": "x", "due_on": today()},
        )
        services.steps_save(actor=world.staff, project=project, steps={S.SIGNED: (None, today())})
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        services.month_save(
            actor=world.staff, project=project, month=last_month(), data={"completed": D("5")}
        )
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        services.project_delete(actor=world.staff, project=project)
    assert len(callbacks) == 1


def test_the_owners_facts_follow_its_projects_investment(world, committed):
    with committed():
        policy = policy_make(rule_text="project_investment >= 100万元")
    assert investment_of(world.ea) == 0  # no projects yet
    with committed():
        project = make(world)
    with committed():
        services.month_save(
            actor=world.staff,
            project=project,
            month=previous_month(last_month()),
            data={"completed": D("600000")},
        )
    assert investment_of(world.ea) == D("600000")
    assert not Match.objects.filter(policy=policy, enterprise=world.ea).exists()
    with committed():
        services.month_save(
            actor=world.enterprise_a,
            project=project,
            month=last_month(),
            data={"completed": D("400000")},
        )
    assert investment_of(world.ea) == D("1000000")
    assert Match.objects.filter(policy=policy, enterprise=world.ea).exists()
    with committed():
        services.project_delete(actor=world.staff, project=project)
    assert investment_of(world.ea) == 0
    assert not Match.objects.filter(policy=policy, enterprise=world.ea).exists()


def test_a_project_moved_to_another_enterprise_leaves_the_former_owners_facts(world, committed):
    with committed():
        policy_make(rule_text="project_investment >= 100万元")
        project = make(world)
        services.month_save(
            actor=world.staff, project=project, month=last_month(), data={"completed": D("2000000")}
        )
    assert investment_of(world.ea) == D("2000000")
    with committed():
        services.project_save(actor=world.staff, project=project, data={"enterprise": world.eb})
    assert investment_of(world.eb) == D("2000000")
    assert investment_of(world.ea) == 0
