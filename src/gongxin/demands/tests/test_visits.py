"""Visits (大走访): the periods of a plan; who makes plans and for which enterprises; tasks
generated once, assigned to each enterprise's officer and picked up by new enterprises;
a recorded visit completes the open tasks up to its date (late past their due date) and
registers the demands raised; who sees which visits and tasks.

The world: district A is 青山湖 (360111), which hosts the high-tech zone gxq, which holds
the aviation city hkc; district B is 进贤 (360124).

    enterprise  district  park  above scale  status     officer   on a chain
    e1          A         hkc   yes          operating  officer1  新能源汽车 (confirmed)
    e2          A         —     yes          operating  officer1  电子信息 (confirmed)
    e3          B         jxq   yes          operating  officer2  新能源汽车 (suggested only)
    e4          A         —     no           operating  officer1  —
    e5          A         —     yes          suspended  officer1  —
    e6          A         —     yes          operating  —         —
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongxin.chains.models import Chain, ChainNode, EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.models import AuditEntry
from gongxin.core.tests.factories import UserFactory
from gongxin.demands import selectors, services
from gongxin.demands.choices import Frequency, Source, VisitKind, VisitTarget
from gongxin.demands.models import Demand, FactorRequest, Visit, VisitPlan, VisitTask
from gongxin.demands.services.visits import RaisedDemand, periods
from gongxin.enterprises.tests.factories import EnterpriseFactory

D = dt.date


def at(moment: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(moment))


# Periods (plain Python) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "frequency, starts_on, ends_on, expected",
    [
        ("once", D(2026, 3, 10), D(2026, 6, 30), [(D(2026, 3, 10), D(2026, 6, 30))]),
        (
            "monthly",
            D(2026, 1, 15),
            D(2026, 4, 10),
            [
                (D(2026, 1, 15), D(2026, 1, 31)),  # a partial first month
                (D(2026, 2, 1), D(2026, 2, 28)),
                (D(2026, 3, 1), D(2026, 3, 31)),
                (D(2026, 4, 1), D(2026, 4, 10)),  # a partial last month
            ],
        ),
        (
            "monthly",
            D(2026, 11, 1),
            D(2027, 2, 28),
            [
                (D(2026, 11, 1), D(2026, 11, 30)),
                (D(2026, 12, 1), D(2026, 12, 31)),  # across the year's end
                (D(2027, 1, 1), D(2027, 1, 31)),
                (D(2027, 2, 1), D(2027, 2, 28)),
            ],
        ),
        ("monthly", D(2028, 2, 1), D(2028, 2, 29), [(D(2028, 2, 1), D(2028, 2, 29))]),
        ("monthly", D(2026, 3, 31), D(2026, 3, 31), [(D(2026, 3, 31), D(2026, 3, 31))]),
        (
            "quarterly",
            D(2026, 1, 1),
            D(2026, 12, 31),
            [
                (D(2026, 1, 1), D(2026, 3, 31)),
                (D(2026, 4, 1), D(2026, 6, 30)),
                (D(2026, 7, 1), D(2026, 9, 30)),
                (D(2026, 10, 1), D(2026, 12, 31)),
            ],
        ),
        (
            "quarterly",
            D(2026, 2, 10),
            D(2026, 8, 15),
            [
                (D(2026, 2, 10), D(2026, 3, 31)),  # from the plan's start to its quarter's end
                (D(2026, 4, 1), D(2026, 6, 30)),
                (D(2026, 7, 1), D(2026, 8, 15)),
            ],
        ),
        (
            "quarterly",
            D(2026, 11, 15),
            D(2027, 5, 20),
            [
                (D(2026, 11, 15), D(2026, 12, 31)),
                (D(2027, 1, 1), D(2027, 3, 31)),
                (D(2027, 4, 1), D(2027, 5, 20)),
            ],
        ),
        (
            "quarterly",
            D(2026, 12, 31),
            D(2027, 1, 1),
            [(D(2026, 12, 31), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 1, 1))],
        ),  # fmt: skip
    ],
)
def test_periods(frequency, starts_on, ends_on, expected):
    assert periods(frequency, starts_on, ends_on) == expected


@pytest.mark.parametrize("frequency", ["monthly", "quarterly"])
def test_periods_cover_the_span_without_gaps(frequency):
    spans = periods(frequency, D(2025, 5, 17), D(2027, 8, 3))
    assert spans[0][0] == D(2025, 5, 17) and spans[-1][1] == D(2027, 8, 3)
    for (_start, due), (following, _due) in zip(spans, spans[1:], strict=False):
        assert following == due + dt.timedelta(days=1)
    assert len(spans) == (28 if frequency == "monthly" else 10)


# The world -----------------------------------------------------------------------------


@pytest.fixture
def world(city):
    r, d = city.regions, city.departments
    officer1 = UserFactory(role=Role.OFFICER)
    officer2 = UserFactory(role=Role.OFFICER)
    A, B = r["360111"], r["360124"]
    e = {
        "e1": EnterpriseFactory(district=A, park=r["hkc"], service_officer=officer1),
        "e2": EnterpriseFactory(district=A, park=None, service_officer=officer1),
        "e3": EnterpriseFactory(district=B, park=r["jxq"], service_officer=officer2),
        "e4": EnterpriseFactory(district=A, park=None, service_officer=officer1,
                                above_scale=False),
        "e5": EnterpriseFactory(district=A, park=None, service_officer=officer1,
                                status="suspended"),
        "e6": EnterpriseFactory(district=A, park=None, service_officer=None),
    }  # fmt: skip
    ev = Chain.objects.create(code="ev", name="新能源汽车")
    it = Chain.objects.create(code="it", name="电子信息")
    ev_node = ChainNode.objects.create(chain=ev, name="动力电池", segment="midstream",
                                       kind="component")  # fmt: skip
    it_node = ChainNode.objects.create(chain=it, name="显示面板", segment="midstream",
                                       kind="component")  # fmt: skip
    EnterpriseNode.objects.create(enterprise=e["e1"], node=ev_node)
    EnterpriseNode.objects.create(enterprise=e["e2"], node=it_node)
    EnterpriseNode.objects.create(enterprise=e["e3"], node=ev_node, status="suggested")
    users = {
        "desk": UserFactory(role=Role.STAFF, department=d["zxqyc"]),
        "admin": UserFactory(role=Role.ADMIN),
        "leader": UserFactory(role=Role.LEADER),
        "district_a": UserFactory(role=Role.DISTRICT, region=A),
        "district_b": UserFactory(role=Role.DISTRICT, region=B),
        "zone": UserFactory(role=Role.DISTRICT, region=r["gxq"]),
        "park": UserFactory(role=Role.DISTRICT, region=r["hkc"]),
        "officer1": officer1,
        "officer2": officer2,
        "department": UserFactory(role=Role.DEPARTMENT, department=d["rsj"]),
        "chain_office": UserFactory(role=Role.CHAIN_OFFICE),
        "enterprise": UserFactory(role=Role.ENTERPRISE, enterprise=e["e1"]),
        "inactive": UserFactory(role=Role.STAFF, is_active=False),
    }
    return {**e, **users, "A": A, "B": B, "ev": ev, "it": it, "regions": r}


def plan(world, who="desk", **kwargs) -> VisitPlan:
    kwargs.setdefault("name", "2026年规上企业季度走访")
    kwargs.setdefault("target", VisitTarget.ABOVE_SCALE)
    kwargs.setdefault("frequency", Frequency.QUARTERLY)
    kwargs.setdefault("starts_on", D(2026, 1, 1))
    kwargs.setdefault("ends_on", D(2026, 12, 31))
    return services.visit_plan_create(actor=world[who], **kwargs)


ENTERPRISES = ("e1", "e2", "e3", "e4", "e5", "e6")


def names(world, ids) -> set[str]:
    """The world's names of the enterprises with these ids."""
    ids = set(ids)
    return {key for key in ENTERPRISES if world[key].pk in ids}


def covered(world, plan_: VisitPlan) -> set[str]:
    return names(world, plan_.tasks.values_list("enterprise_id", flat=True))


MAY_10 = D(2026, 5, 10)


def record(world, who="officer1", enterprise="e1", visited_on=MAY_10, **kwargs):
    kwargs.setdefault("at", at(f"{visited_on + dt.timedelta(days=1)} 09:00"))
    kwargs.setdefault("seen", "生产线满负荷运转，新厂房在建。")
    return services.visit_record(
        actor=world[who], enterprise=world[enterprise], visited_on=visited_on, **kwargs
    )


# Plans ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_plans_for_the_city(world):
    made = plan(world)
    assert (made.region, made.created_by, made.chain) == (None, world["desk"], None)
    # Operating enterprises above designated size, one task a quarter each.
    assert covered(world, made) == {"e1", "e2", "e3", "e6"}
    assert made.tasks.count() == 16
    assert set(made.tasks.values_list("period_start", "due").distinct()) == {
        (D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
    }
    entry = AuditEntry.objects.get(object_type="demands.visitplan", object_id=str(made.pk))
    assert "16" in entry.message


@pytest.mark.django_db
def test_each_task_goes_to_the_enterprises_service_officer(world):
    made = plan(world)
    officials = {(t.enterprise_id, t.official_id) for t in made.tasks.all()}
    assert officials == {
        (world["e1"].pk, world["officer1"].pk),
        (world["e2"].pk, world["officer1"].pk),
        (world["e3"].pk, world["officer2"].pk),
        (world["e6"].pk, None),  # no officer yet: the task waits unassigned
    }


@pytest.mark.django_db
def test_the_desk_plans_for_a_district_or_a_park(world):
    assert covered(world, plan(world, target=VisitTarget.REGION, region=world["B"])) == {"e3"}
    assert covered(world, plan(world, region=world["A"])) == {"e1", "e2", "e6"}
    assert covered(world, plan(world, region=world["regions"]["gxq"])) == {"e1"}  # hkc is in gxq


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, region, enterprises",
    [
        ("district_a", "360111", {"e1", "e2", "e6"}),
        ("district_b", "360124", {"e3"}),
        ("zone", "gxq", {"e1"}),
        ("park", "hkc", {"e1"}),
    ],
)
def test_a_district_or_park_plans_for_its_own_enterprises(world, who, region, enterprises):
    made = plan(world, who=who)
    assert made.region == world["regions"][region]
    assert covered(world, made) == enterprises
    # Naming its own region is fine; naming another is refused.
    again = plan(world, who=who, region=world["regions"][region], name="再来一次")
    assert again.region == world["regions"][region]
    other = "360124" if region != "360124" else "360111"
    with pytest.raises(PermissionDenied):
        plan(world, who=who, region=world["regions"][other], name="越界")
    assert not VisitPlan.objects.filter(name="越界").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["leader", "officer1", "department", "chain_office", "enterprise", "inactive"]
)
def test_others_do_not_plan_visits(world, who):
    with pytest.raises(PermissionDenied):
        plan(world, who=who)
    assert not VisitPlan.objects.exists() and not VisitTask.objects.exists()


@pytest.mark.django_db
def test_a_chain_plan_needs_its_chain(world):
    with pytest.raises(ValidationError):
        plan(world, target=VisitTarget.CHAIN)
    assert not VisitPlan.objects.exists()
    made = plan(world, target=VisitTarget.CHAIN, chain=world["ev"])
    assert made.chain == world["ev"]
    assert covered(world, made) == {"e1"}  # e3's place on the chain is only suggested
    assert covered(world, plan(world, target=VisitTarget.KEY_CHAINS)) == {"e1", "e2"}
    # A chain given to a plan of another target is not kept.
    assert plan(world, chain=world["ev"]).chain is None


@pytest.mark.django_db
def test_a_region_plan_needs_its_region_and_a_plan_its_span(world):
    with pytest.raises(ValidationError):
        plan(world, target=VisitTarget.REGION)
    with pytest.raises(ValidationError):
        plan(world, starts_on=D(2026, 6, 1), ends_on=D(2026, 5, 31))
    with pytest.raises(ValidationError):
        plan(world, name="  ")
    assert not VisitPlan.objects.exists()


@pytest.mark.django_db
def test_generating_again_creates_nothing_twice(world):
    made = plan(world, frequency=Frequency.MONTHLY)
    assert made.tasks.count() == 4 * 12
    assert services.visit_plan_generate(made) == 0
    assert made.tasks.count() == 48


@pytest.mark.django_db
def test_generating_again_picks_up_new_enterprises(world):
    made = plan(world)
    newcomer = EnterpriseFactory(district=world["A"], service_officer=world["officer2"])
    EnterpriseFactory(district=world["A"], above_scale=False)  # not in the target
    assert services.visit_plan_generate(made) == 4
    assert set(made.tasks.filter(enterprise=newcomer).values_list("official", flat=True)) == {
        world["officer2"].pk
    }
    assert services.visit_plan_generate(made) == 0


@pytest.mark.django_db
def test_generating_again_keeps_the_tasks_done(world):
    made = plan(world)
    visit = record(world, visited_on=D(2026, 2, 3))
    services.visit_plan_generate(made)
    assert made.tasks.get(enterprise=world["e1"], period_start=D(2026, 1, 1)).visit == visit
    assert made.tasks.filter(visit__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_new_plan_counts_the_visits_made_already(world):
    early = record(world, visited_on=D(2026, 5, 10))
    second = record(world, visited_on=D(2026, 5, 20))
    made = plan(world)
    tasks = {t.period_start: t for t in made.tasks.filter(enterprise=world["e1"])}
    # the first visit counts for its own quarter; the second makes up the missed first one
    assert tasks[D(2026, 4, 1)].visit == early and tasks[D(2026, 4, 1)].visited_on == D(2026, 5, 10)
    assert tasks[D(2026, 1, 1)].visit == second
    assert tasks[D(2026, 1, 1)].visited_on > tasks[D(2026, 1, 1)].due  # late
    assert tasks[D(2026, 7, 1)].visit is None and tasks[D(2026, 10, 1)].visit is None
    assert not made.tasks.exclude(enterprise=world["e1"]).filter(visit__isnull=False).exists()


# Recording a visit ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visit_completes_the_task_of_its_period(world):
    made = plan(world)
    visit = record(world, visited_on=D(2026, 5, 10), at=at("2026-05-11 09:00"))
    assert (visit.recorded_by, visit.recorded_at, visit.kind) == (
        world["officer1"],
        at("2026-05-11 09:00"),
        VisitKind.ON_SITE,
    )
    assert list(visit.officials.all()) == [world["officer1"]]  # the recorder by default
    tasks = {t.period_start: t for t in made.tasks.filter(enterprise=world["e1"])}
    q1, q2, q3 = tasks[D(2026, 1, 1)], tasks[D(2026, 4, 1)], tasks[D(2026, 7, 1)]
    assert (q2.visit, q2.visited_on) == (visit, D(2026, 5, 10))  # on time
    assert q1.visit is None  # the missed first quarter stays missed: one visit, one period
    assert q3.visit is None and tasks[D(2026, 10, 1)].visit is None
    # Other enterprises' tasks are untouched.
    assert not made.tasks.exclude(enterprise=world["e1"]).filter(visit__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_visit_in_a_period_makes_up_the_latest_missed_one(world):
    made = plan(world)
    record(world, visited_on=D(2026, 8, 3))
    late = record(world, visited_on=D(2026, 8, 20))
    later = record(world, visited_on=D(2026, 9, 1))
    tasks = {t.period_start: t for t in made.tasks.filter(enterprise=world["e1"])}
    assert tasks[D(2026, 4, 1)].visit == late and tasks[D(2026, 4, 1)].visited_on > tasks[
        D(2026, 4, 1)
    ].due
    assert tasks[D(2026, 1, 1)].visit == later


@pytest.mark.django_db
def test_a_later_visit_does_not_take_a_task_done_already(world):
    made = plan(world)
    first = record(world, visited_on=D(2026, 2, 3))
    second = record(world, visited_on=D(2026, 3, 20))
    q1 = made.tasks.get(enterprise=world["e1"], period_start=D(2026, 1, 1))
    assert (q1.visit, q1.visited_on) == (first, D(2026, 2, 3))
    assert not VisitTask.objects.filter(visit=second).exists()
    third = record(world, visited_on=D(2026, 8, 1), kind=VisitKind.PHONE)
    assert set(VisitTask.objects.filter(visit=third).values_list("period_start", flat=True)) == {
        D(2026, 7, 1)
    }


@pytest.mark.django_db
def test_a_visit_counts_once_in_every_plan_of_its_enterprise(world):
    quarterly = plan(world)
    monthly = plan(world, name="重点企业月度走访", frequency=Frequency.MONTHLY)
    visit = record(world, visited_on=D(2026, 2, 3))
    assert quarterly.tasks.filter(visit=visit).count() == 1
    assert list(monthly.tasks.filter(visit=visit).values_list("period_start", flat=True)) == [
        D(2026, 2, 1)
    ]


@pytest.mark.django_db
def test_the_officials_who_went(world):
    visit = record(world, who="district_a", officials=[world["district_a"], world["officer1"]])
    assert set(visit.officials.all()) == {world["district_a"], world["officer1"]}
    assert visit.recorded_by == world["district_a"]


@pytest.mark.django_db
def test_a_visit_is_recorded_once_it_has_happened(world):
    plan(world)
    with pytest.raises(ValidationError) as error:
        record(world, visited_on=D(2026, 5, 12), at=at("2026-05-11 23:00"))
    assert "visited_on" in error.value.message_dict
    assert not Visit.objects.exists()
    assert not VisitTask.objects.filter(visit__isnull=False).exists()
    # The day is Beijing's: just after midnight there, today's visit may be recorded.
    visit = record(world, visited_on=D(2026, 5, 12), at=at("2026-05-12 00:30"))
    assert visit.visited_on == D(2026, 5, 12)


@pytest.mark.django_db
def test_a_visit_needs_what_was_seen(world):
    with pytest.raises(ValidationError):
        record(world, seen="  ")
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, enterprise",
    [
        ("officer1", "e3"),  # not an enterprise they serve
        ("officer2", "e1"),
        ("district_b", "e1"),  # another district's
        ("park", "e2"),  # in the district, not in the park
        ("leader", "e1"),  # reads everything, records nothing
        ("department", "e1"),
        ("chain_office", "e1"),
        ("enterprise", "e1"),  # not even its own
    ],
)
def test_a_visit_out_of_the_recorders_scope_is_refused(world, who, enterprise):
    plan(world)
    with pytest.raises(PermissionDenied):
        record(world, who=who, enterprise=enterprise)
    assert not Visit.objects.exists()
    assert not VisitTask.objects.filter(visit__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, enterprise",
    [("desk", "e3"), ("admin", "e3"), ("district_a", "e2"), ("zone", "e1"), ("officer2", "e3")],
)
def test_those_in_scope_record_visits(world, who, enterprise):
    assert record(world, who=who, enterprise=enterprise).enterprise == world[enterprise]


@pytest.mark.django_db
def test_a_visit_raises_demands(world):
    visit = record(
        world,
        visited_on=D(2026, 5, 10),
        at=at("2026-05-11 09:00"),
        demands=[
            RaisedDemand(title="招工难", text="新产线投产，急需普工80名"),
            RaisedDemand(
                title="扩产用地",
                text="二期项目需新增工业用地",
                factor=services.FactorAsk(kind="land", detail="工业用地", quantity=Decimal(30)),
            ),
        ],
    )
    demands = list(Demand.objects.order_by("pk"))
    assert [d.title for d in demands] == ["招工难", "扩产用地"]
    for demand in demands:
        assert (demand.source, demand.visit, demand.enterprise) == (
            Source.VISIT,
            visit,
            world["e1"],
        )
        assert (demand.registered_by, demand.registered_at) == (
            world["officer1"],
            at("2026-05-11 09:00"),
        )
    assert [d.category for d in demands] == ["labour", "land"]
    assert FactorRequest.objects.get().demand == demands[1]
    assert set(visit.demands.all()) == set(demands)


@pytest.mark.django_db
def test_a_refused_raised_demand_records_no_visit(world):
    plan(world)
    bad = SimpleUploadedFile("setup.exe", b"MZ" + b"\x00" * 100)
    with pytest.raises(ValidationError):
        record(world, demands=[RaisedDemand(title="招工难", text="急需普工", attachments=[bad])])
    assert not Visit.objects.exists() and not Demand.objects.exists()
    assert not VisitTask.objects.filter(visit__isnull=False).exists()


@pytest.mark.django_db
def test_the_files_of_a_raised_demand_go_with_its_registration(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = SimpleUploadedFile("现场记录.pdf", b"%PDF-1.4\n%%EOF\n")
    record(world, demands=[RaisedDemand(title="招工难", text="急需普工", attachments=[pdf]),
                           RaisedDemand(title="用电", text="需增容")])  # fmt: skip
    demand = Demand.objects.get(title="招工难")
    attachment = demand.attachments.get()
    assert (attachment.name, attachment.uploaded_by) == ("现场记录.pdf", world["officer1"])
    assert attachment.event == demand.events.get(action="register")
    assert (tmp_path / "media" / attachment.file.name).read_bytes() == b"%PDF-1.4\n%%EOF\n"
    assert not Demand.objects.get(title="用电").attachments.exists()


REFUSED_LATER = {
    "bad-file": lambda: RaisedDemand(
        title="用地",
        text="需用地",
        attachments=[SimpleUploadedFile("setup.exe", b"MZ" + b"\x00" * 100)],
    ),
    "no-title": lambda: RaisedDemand(title="  ", text="标题为空"),
    "wrong-unit": lambda: RaisedDemand(
        title="用工",
        text="急需普工",
        factor=services.FactorAsk(kind="labour", detail="普工", quantity=Decimal(5), unit="mu"),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("refused", list(REFUSED_LATER))
def test_a_visit_refused_late_leaves_no_files_behind(world, settings, tmp_path, refused):
    """The files of a first raised demand are not written when a later one is refused."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = SimpleUploadedFile("现场记录.pdf", b"%PDF-1.4\n%%EOF\n")
    first = RaisedDemand(title="招工难", text="急需普工", attachments=[pdf])
    second = REFUSED_LATER[refused]()
    with pytest.raises(ValidationError):
        record(world, demands=[first, second])
    assert not Visit.objects.exists() and not Demand.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# Who sees which visits and tasks -------------------------------------------------------


@pytest.fixture
def visited(world):
    plan(world)
    for key in ("e1", "e2", "e3", "e6"):
        record(world, who="desk", enterprise=key, visited_on=D(2026, 4, 20))
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, seen",
    [
        ("desk", {"e1", "e2", "e3", "e6"}),
        ("admin", {"e1", "e2", "e3", "e6"}),
        ("leader", {"e1", "e2", "e3", "e6"}),
        ("district_a", {"e1", "e2", "e6"}),
        ("district_b", {"e3"}),
        ("zone", {"e1"}),
        ("park", {"e1"}),
        ("officer1", {"e1", "e2"}),
        ("officer2", {"e3"}),
        ("department", set()),
        ("chain_office", set()),  # the officials' findings are not a chain's
        ("enterprise", set()),  # nor the enterprise's
        ("inactive", set()),
    ],
)
def test_visit_scope(visited, who, seen):
    ids = selectors.visit_scope(visited[who]).values_list("enterprise_id", flat=True)
    assert names(visited, ids) == seen


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, seen",
    [
        ("desk", {"e1", "e2", "e3", "e6"}),
        ("leader", {"e1", "e2", "e3", "e6"}),
        ("district_a", {"e1", "e2", "e6"}),
        ("district_b", {"e3"}),
        ("zone", {"e1"}),
        ("park", {"e1"}),
        ("officer1", {"e1", "e2"}),
        ("officer2", {"e3"}),
        ("department", set()),
        ("chain_office", set()),
        ("enterprise", set()),
        ("inactive", set()),
    ],
)
def test_visit_task_scope(visited, who, seen):
    ids = selectors.visit_task_scope(visited[who]).values_list("enterprise_id", flat=True)
    assert names(visited, ids) == seen


@pytest.mark.django_db
def test_an_officer_keeps_the_tasks_assigned_and_sees_those_of_the_enterprises_taken_over(
    world,
):
    made = plan(world)
    e2 = world["e2"]
    e2.service_officer = world["officer2"]
    e2.save(update_fields=["service_officer"])
    e2_tasks = set(made.tasks.filter(enterprise=e2))
    assert {t.official for t in e2_tasks} == {world["officer1"]}  # assigned before the change
    assert e2_tasks <= set(selectors.visit_task_scope(world["officer1"]))
    assert e2_tasks <= set(selectors.visit_task_scope(world["officer2"]))


@pytest.mark.django_db
def test_nobody_signed_out_sees_visits(visited):
    assert not selectors.visit_scope(AnonymousUser()).exists()
    assert not selectors.visit_task_scope(AnonymousUser()).exists()
