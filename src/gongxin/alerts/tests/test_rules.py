"""The early-warning rules and the sweep: what each rule finds (and what it leaves alone),
the figures stored on the warning, one open warning per rule and subject however often
the sweep runs, warnings closed when their condition clears and opened anew when it comes
back, the officials told of their new warnings, the words of each warning, who reads
which warnings, and the daily command.

Every sweep judges as of a fixed day (`ON`, 2026-03-10: the latest month is 2026-02)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gongxin.alerts import rules
from gongxin.alerts.choices import AlertStatus, Rule
from gongxin.alerts.models import Alert
from gongxin.alerts.selectors import alert_scope
from gongxin.alerts.services import Swept, alerts_sweep
from gongxin.alerts.tests.factories import (
    LATEST,
    ON,
    PREVIOUS,
    THIS_MONTH,
    YEAR_BEFORE,
    AlertFactory,
    figure,
    figure_correct,
    months_set,
    project_make,
)
from gongxin.core.choices import Role
from gongxin.core.models import Notification
from gongxin.core.tests.factories import UserFactory
from gongxin.enterprises.tests.factories import EnterpriseFactory, QualificationFactory
from gongxin.enterprises.tests.helpers import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

D = Decimal
SAME = "5000000"  # a figure that does not move


def sweep(on: dt.date = ON) -> Swept:
    return alerts_sweep(on=on, tell=False)


def only(rule: str | None = None, **filters) -> Alert:
    qs = Alert.objects.filter(**filters)
    if rule is not None:
        qs = qs.filter(rule=rule)
    return qs.get()


def figures_of(alert: Alert) -> tuple:
    return (alert.period, alert.value, alert.before, alert.measure)


def drop(world, enterprise=None, *, output="3900000", electricity=SAME) -> None:
    """`enterprise` (a) reported 2025-02 and 2026-02, output and electricity as given on
    2026-02 against 5,000,000 each a year before."""
    enterprise = enterprise or world.a
    figure(enterprise, YEAR_BEFORE, output=SAME, electricity=SAME)
    figure(enterprise, LATEST, output=output, electricity=electricity)


# Output and electricity ------------------------------------------------------------------


def test_output_down_more_than_a_fifth_opens_a_warning_with_its_figures(world):
    drop(world, output="3900000")
    assert sweep() == Swept(opened=1, kept=0, closed=0)
    alert = Alert.objects.get()
    assert (alert.rule, alert.subject, alert.status) == (
        Rule.OUTPUT_DROP,
        f"enterprise:{world.a.pk}",
        AlertStatus.OPEN,
    )
    assert (alert.enterprise, alert.project, alert.qualification) == (world.a, None, None)
    assert figures_of(alert) == (LATEST, D("3900000.00"), D("5000000.00"), D("-22.0"))
    assert alert.district == world.city.regions[DISTRICT_A]
    assert alert.official == world.users["officer"]
    assert alert.opened_at == alert.seen_at and alert.closed_at is None and alert.visit is None


def test_electricity_down_more_than_a_fifth_opens_a_warning_with_its_figures(world):
    figure(world.b, YEAR_BEFORE, output=SAME, electricity="420000")
    figure(world.b, LATEST, output=SAME, electricity="300000")
    assert sweep() == Swept(opened=1, kept=0, closed=0)
    alert = only(Rule.ELECTRICITY_DROP)
    assert alert.subject == f"enterprise:{world.b.pk}" and alert.enterprise == world.b
    assert figures_of(alert) == (LATEST, D("300000.00"), D("420000.00"), D("-28.6"))
    assert alert.district == world.city.regions[DISTRICT_B]
    assert alert.official == world.users["officer_b"]


@pytest.mark.parametrize(
    "rule, name", [(Rule.OUTPUT_DROP, "output"), (Rule.ELECTRICITY_DROP, "electricity")]
)
@pytest.mark.parametrize(
    "before, now, measure",
    [
        ("5000000", "3999999", D("-20.0")),  # just over 20 % down: fires
        ("5000000", "4000000", None),  # exactly 20 % down: does not
        ("5000000", "4500000", None),  # 10 % down
        ("5000000", "6000000", None),  # up
        ("0", "0", None),  # nothing a year before: no change to measure
        (None, "100", None),  # the figure not reported a year before
    ],
)
def test_a_drop_fires_beyond_a_fifth_only(world, rule, name, before, now, measure):
    other = "electricity" if name == "output" else "output"
    figure(world.a, YEAR_BEFORE, **{name: before, other: SAME})
    figure(world.a, LATEST, **{name: now, other: SAME})
    found = rules.find_all(ON)
    if measure is None:
        assert found == []
    else:
        assert [(f.rule, f.value, f.before, f.measure) for f in found] == [
            (rule, D(now), D(before), measure)
        ]


@pytest.mark.parametrize("name", ["output", "electricity"])
def test_exactly_a_fifth_down_does_not_fire_whatever_the_figures(world, name):
    other = "electricity" if name == "output" else "output"
    # 0.8 × 1,234,567.85 is 987,654.2800000001 in floating point (SQLite); electricity
    # keeps one decimal
    before, after = ("1234567.85", "987654.28") if name == "output" else ("1234567.5", "987654")
    figure(world.a, YEAR_BEFORE, **{name: before, other: SAME})
    figure(world.a, LATEST, **{name: after, other: SAME})  # exactly 0.8 x
    assert D(after) == D(before) * (1 - rules.DROP)
    assert rules.find_all(ON) == []


def test_no_drop_without_the_same_month_a_year_before(world):
    figure(world.a, dt.date(2025, 1, 1), output=SAME, electricity=SAME)  # another month
    figure(world.a, LATEST, output="100", electricity="100")
    assert rules.find_all(ON) == []
    assert sweep() == Swept(opened=0, kept=0, closed=0)


def test_only_the_latest_month_reported_as_of_the_day_is_judged(world):
    a = world.a
    figure(a, dt.date(2025, 1, 1), output=SAME, electricity=SAME)
    figure(a, PREVIOUS, output="1000000", electricity=SAME)  # January: 80 % down
    drop(world, output=SAME)  # February: flat
    figure(world.b, dt.date(2026, 4, 1), output=SAME, electricity=SAME)  # after the day
    assert rules.latest_month(ON) == LATEST
    assert rules.figure_drops(Rule.OUTPUT_DROP, "output_value", ON) == []
    # judged as of a day in January, January is the latest month reported
    january = rules.figure_drops(Rule.OUTPUT_DROP, "output_value", dt.date(2026, 1, 20))
    assert [(f.subject, f.period, f.measure) for f in january] == [
        (f"enterprise:{a.pk}", PREVIOUS, D("-80.0"))
    ]
    assert rules.latest_month(dt.date(2024, 12, 31)) is None
    assert rules.find_all(dt.date(2024, 12, 31)) == []


# No figures ------------------------------------------------------------------------------


def test_no_figures_for_an_operating_enterprise_above_scale_that_reported_the_month_before(
    world,
):
    regions = world.city.regions
    figure(world.a, PREVIOUS, output=SAME, electricity=SAME)  # January only: fires
    for month in (PREVIOUS, LATEST):  # b reported both
        figure(world.b, month, output=SAME, electricity=SAME)
    left_alone = [
        EnterpriseFactory(above_scale=False, district=regions[DISTRICT_B]),
        EnterpriseFactory(status="suspended"),
        EnterpriseFactory(status="deregistered"),
        EnterpriseFactory(status="moved_out"),
    ]
    for enterprise in left_alone:
        figure(enterprise, PREVIOUS, output=SAME, electricity=SAME)
    silent = EnterpriseFactory()  # has not reported for longer
    figure(silent, dt.date(2025, 12, 1), output=SAME, electricity=SAME)

    assert sweep() == Swept(opened=1, kept=0, closed=0)
    alert = only(Rule.NO_FIGURES)
    assert (alert.subject, alert.enterprise) == (f"enterprise:{world.a.pk}", world.a)
    assert figures_of(alert) == (LATEST, None, None, None)
    assert alert.district == regions[DISTRICT_A]
    assert alert.official == world.users["officer"]


def test_no_figures_when_nobody_reported_anything(world):
    assert rules.figures_missing(ON) == [] and rules.figure_drops("x", "output_value", ON) == []


# Projects behind plan ----------------------------------------------------------------------


def behind(project) -> None:
    """35 % of plan in the months before March 2026; March itself would bring it to
    81 %, were the current month counted."""
    months_set(
        project,
        {
            PREVIOUS: (1_000_000, 300_000),
            LATEST: (1_000_000, 400_000),
            THIS_MONTH: (5_000_000, 5_000_000),
            dt.date(2026, 4, 1): (9_000_000, None),
        },
    )


def test_a_project_under_70_percent_of_plan_to_date_opens_a_warning(world):
    project = project_make("航空零部件扩产项目", enterprise=world.a)
    behind(project)
    assert sweep() == Swept(opened=1, kept=0, closed=0)
    alert = only(Rule.PROJECT_BEHIND)
    assert alert.subject == f"project:{project.pk}"
    assert (alert.project, alert.enterprise, alert.qualification) == (project, world.a, None)
    # planned and completed in January and February only: the month of the day is not
    # counted (with March, 5.7 of 7 million: 81 %, not behind)
    assert figures_of(alert) == (LATEST, D("700000.00"), D("2000000.00"), D("35.0"))
    assert alert.district == world.city.regions[DISTRICT_A]
    # no responsible official: the owner's service officer
    assert alert.official == world.users["officer"]


def test_a_projects_own_district_and_responsible_official_are_the_warnings(world):
    regions = world.city.regions
    project = project_make(
        "进贤扩产项目",
        enterprise=world.a,  # served by `officer`, in district A
        official=world.users["official"],
        district=regions[DISTRICT_B],
    )
    months_set(project, {PREVIOUS: (2_000_000, None), LATEST: (2_000_000, None)})
    orphan = project_make("标准厂房项目", district=regions[DISTRICT_B])  # no owner, no official
    months_set(orphan, {LATEST: (1_000_000, 100_000)})
    assert sweep() == Swept(opened=2, kept=0, closed=0)
    alert = only(project=project)
    assert figures_of(alert) == (LATEST, D("0"), D("4000000.00"), D("0.0"))
    assert (alert.district, alert.official) == (regions[DISTRICT_B], world.users["official"])
    alert = only(project=orphan)
    assert figures_of(alert) == (LATEST, D("100000.00"), D("1000000.00"), D("10.0"))
    assert (alert.enterprise, alert.district, alert.official) == (None, regions[DISTRICT_B], None)


@pytest.mark.parametrize(
    "months",
    [
        {PREVIOUS: (1_000_000, 700_000), LATEST: (1_000_000, 700_000)},  # exactly 70 %
        {PREVIOUS: (1_000_000, 1_500_000), LATEST: (1_000_000, 0)},  # 75 %
        {THIS_MONTH: (1_000_000, None)},  # nothing planned before this month
        {PREVIOUS: (None, 100), LATEST: (0, None)},  # nothing planned at all
    ],
    ids=["exactly-70", "75", "this-month-only", "no-plan"],
)
def test_a_project_at_or_above_70_percent_of_plan_is_not_behind(world, months):
    project = project_make("航空零部件扩产项目", enterprise=world.a)
    months_set(project, months)
    assert rules.projects_behind(ON) == []


def test_a_project_at_full_capacity_is_not_behind(world):
    project = project_make("已达产项目", enterprise=world.a, at_capacity=True)
    assert project.stage == "at_capacity"
    behind(project)
    assert rules.projects_behind(ON) == []
    assert sweep() == Swept(opened=0, kept=0, closed=0)


# Qualifications --------------------------------------------------------------------------


def expiring(enterprise, days: int, kind: str = "specialized_sme", **fields):
    return QualificationFactory(
        enterprise=enterprise,
        kind=kind,
        issued_on=fields.pop("issued_on", dt.date(2023, 1, 1)),
        expires_on=ON + dt.timedelta(days=days),
        **fields,
    )


@pytest.mark.parametrize(
    "days, fires", [(-1, False), (0, True), (1, True), (90, True), (91, False)]
)
def test_a_qualification_expiring_within_90_days_opens_a_warning(world, days, fires):
    qualification = expiring(world.b, days)
    swept = sweep()
    if not fires:
        assert swept == Swept(0, 0, 0) and not Alert.objects.exists()
        return
    assert swept == Swept(opened=1, kept=0, closed=0)
    alert = only(Rule.QUALIFICATION_EXPIRING)
    assert alert.subject == f"qualification:{qualification.pk}"
    assert (alert.qualification, alert.enterprise, alert.project) == (qualification, world.b, None)
    assert figures_of(alert) == (qualification.expires_on, None, None, D(days))
    assert alert.district == world.city.regions[DISTRICT_B]
    assert alert.official == world.users["officer_b"]


def test_a_renewed_qualification_does_not_fire_and_another_kind_does_not_renew_it(
    world,
):
    renewed = expiring(world.b, 30, kind="specialized_sme")
    QualificationFactory(
        enterprise=world.b,
        kind="specialized_sme",
        issued_on=dt.date(2026, 2, 1),
        expires_on=dt.date(2029, 1, 31),
    )
    other = expiring(world.b, 40, kind="tech_sme")
    QualificationFactory(
        enterprise=world.b,
        kind="green_factory",
        issued_on=dt.date(2026, 2, 1),
        expires_on=dt.date(2029, 1, 31),
    )
    found = rules.qualifications_expiring(ON)
    assert [(f.qualification_id, f.measure) for f in found] == [(other.pk, D(40))]
    assert renewed.pk not in {f.qualification_id for f in found}


def test_a_later_certificate_without_expiry_renews_and_an_earlier_one_does_not(world):
    renewed = expiring(world.b, 30, kind="specialized_sme")
    QualificationFactory(
        enterprise=world.b, kind="specialized_sme", issued_on=dt.date(2026, 2, 1), expires_on=None
    )
    other = expiring(world.b, 40, kind="tech_sme", issued_on=dt.date(2024, 5, 1))
    QualificationFactory(  # issued before the expiring one: not a renewal
        enterprise=world.b, kind="tech_sme", issued_on=dt.date(2020, 1, 1), expires_on=None
    )
    found = rules.qualifications_expiring(ON)
    assert [f.qualification_id for f in found] == [other.pk]
    assert renewed.pk not in {f.qualification_id for f in found}


def test_a_qualification_of_an_enterprise_no_longer_operating_does_not_fire(world):
    expiring(EnterpriseFactory(status="moved_out"), 10)
    expiring(EnterpriseFactory(status="suspended"), 10)
    assert rules.qualifications_expiring(ON) == []


# The sweep: one open warning per rule and subject ----------------------------------------------


def test_a_second_sweep_keeps_the_one_open_warning_and_brings_it_up_to_date(world):
    drop(world, output="3900000")
    assert sweep() == Swept(opened=1, kept=0, closed=0)
    first = Alert.objects.get()
    figure_correct(world.a, LATEST, output_value="3000000")
    assert sweep(dt.date(2026, 3, 11)) == Swept(opened=0, kept=1, closed=0)
    again = Alert.objects.get()
    assert again.pk == first.pk and again.status == AlertStatus.OPEN
    assert figures_of(again) == (LATEST, D("3000000.00"), D("5000000.00"), D("-40.0"))
    assert again.opened_at == first.opened_at
    assert again.seen_at > first.seen_at
    assert sweep(dt.date(2026, 3, 12)) == Swept(opened=0, kept=1, closed=0)
    assert Alert.objects.count() == 1


def test_the_sweep_counts_what_it_opened_kept_and_closed(world):
    drop(world, output="3900000")  # a: output down
    renewed = expiring(world.b, 30)  # b: qualification expiring
    project = project_make("航空零部件扩产项目", enterprise=world.a)
    behind(project)
    assert sweep() == Swept(opened=3, kept=0, closed=0)
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 3

    figure_correct(world.a, LATEST, output_value=SAME)  # cleared
    QualificationFactory(
        enterprise=world.b,
        kind=renewed.kind,
        issued_on=dt.date(2026, 3, 1),
        expires_on=dt.date(2029, 2, 28),
    )  # cleared
    figure(world.b, YEAR_BEFORE, output=SAME, electricity="420000")
    figure(world.b, LATEST, output=SAME, electricity="300000")  # new: b's electricity
    assert sweep() == Swept(opened=1, kept=1, closed=2)
    assert dict(Alert.objects.values_list("rule", "status").order_by("rule")) == {
        Rule.ELECTRICITY_DROP: AlertStatus.OPEN,
        Rule.OUTPUT_DROP: AlertStatus.CLOSED,
        Rule.PROJECT_BEHIND: AlertStatus.OPEN,
        Rule.QUALIFICATION_EXPIRING: AlertStatus.CLOSED,
    }


def test_two_rules_on_one_enterprise_are_two_warnings(world):
    drop(world, output="3900000", electricity="1000000")
    assert sweep() == Swept(opened=2, kept=0, closed=0)
    assert sorted(Alert.objects.values_list("rule", "subject")) == [
        (Rule.ELECTRICITY_DROP, f"enterprise:{world.a.pk}"),
        (Rule.OUTPUT_DROP, f"enterprise:{world.a.pk}"),
    ]


# Cleared, and back again ---------------------------------------------------------------------


def test_corrected_figures_close_the_warning_and_a_new_drop_opens_a_new_one(world):
    drop(world, output="3900000")
    sweep()
    first = Alert.objects.get()
    figure_correct(world.a, LATEST, output_value="4800000")
    assert sweep(dt.date(2026, 3, 11)) == Swept(opened=0, kept=0, closed=1)
    closed = Alert.objects.get()
    assert closed.pk == first.pk and closed.status == AlertStatus.CLOSED
    assert closed.closed_at is not None and closed.closed_at > first.seen_at
    assert closed.seen_at == first.seen_at  # last found before it cleared
    # nothing open: a further sweep closes nothing more
    assert sweep(dt.date(2026, 3, 12)) == Swept(opened=0, kept=0, closed=0)

    figure_correct(world.a, LATEST, output_value="2500000")  # down again
    assert sweep(dt.date(2026, 3, 13)) == Swept(opened=1, kept=0, closed=0)
    assert Alert.objects.count() == 2
    reopened = Alert.objects.get(status=AlertStatus.OPEN)
    assert reopened.pk != first.pk and reopened.subject == first.subject
    assert figures_of(reopened) == (LATEST, D("2500000.00"), D("5000000.00"), D("-50.0"))
    assert reopened.opened_at > closed.closed_at
    still = Alert.objects.get(pk=first.pk)
    assert (still.status, still.closed_at) == (AlertStatus.CLOSED, closed.closed_at)
    assert figures_of(still) == (LATEST, D("3900000.00"), D("5000000.00"), D("-22.0"))


def test_a_renewed_qualification_closes_its_warning(world):
    qualification = expiring(world.b, 30)
    sweep()
    assert only(Rule.QUALIFICATION_EXPIRING).status == AlertStatus.OPEN
    QualificationFactory(
        enterprise=world.b,
        kind=qualification.kind,
        issued_on=dt.date(2026, 3, 1),
        expires_on=dt.date(2029, 2, 28),
    )
    assert sweep() == Swept(opened=0, kept=0, closed=1)
    alert = only(Rule.QUALIFICATION_EXPIRING)
    assert alert.status == AlertStatus.CLOSED and alert.closed_at is not None


def test_investment_caught_up_closes_the_warning_and_falling_behind_again_opens_one(world):
    project = project_make("航空零部件扩产项目", enterprise=world.a)
    behind(project)
    sweep()
    first = only(Rule.PROJECT_BEHIND)
    months_set(project, {LATEST: (1_000_000, 1_500_000)})  # 1.8 of 2 million: 90 %
    assert sweep() == Swept(opened=0, kept=0, closed=1)
    first.refresh_from_db()
    assert first.status == AlertStatus.CLOSED and first.closed_at is not None
    # a month later April counts too, with its 9 million planned and nothing completed
    assert sweep(dt.date(2026, 5, 4)) == Swept(opened=1, kept=0, closed=0)
    again = Alert.objects.get(status=AlertStatus.OPEN)
    assert again.pk != first.pk
    assert figures_of(again) == (
        dt.date(2026, 4, 1),
        D("6800000.00"),
        D("16000000.00"),
        D("42.5"),
    )
    first.refresh_from_db()
    assert first.status == AlertStatus.CLOSED


# Notifications ----------------------------------------------------------------------------------


def test_each_responsible_official_is_told_once_of_their_new_warnings(world):
    drop(world, output="3900000")  # officer
    expiring(world.a, 30)  # officer
    project = project_make("进贤扩产项目", enterprise=world.b, official=world.users["official"])
    behind(project)  # official
    unserved = EnterpriseFactory(service_officer=None)
    drop(world, unserved, output="1000000")  # nobody to tell
    known = set(Notification.objects.values_list("pk", flat=True))

    with translation.override("en"):
        assert alerts_sweep(on=ON) == Swept(opened=4, kept=0, closed=0)
    told = Notification.objects.exclude(pk__in=known)
    assert sorted((n.user.username, n.title, n.url) for n in told) == [
        ("officer", "2 new early warnings on your list", "/alerts/?mine=1&status=open"),
        ("official", "1 new early warning on your list", "/alerts/?mine=1&status=open"),
    ]
    assert Alert.objects.get(enterprise=unserved).official is None

    # the same warnings again: nothing new, nobody told again
    assert alerts_sweep(on=ON) == Swept(opened=0, kept=4, closed=0)
    assert Notification.objects.exclude(pk__in=known).count() == 2


def test_a_sweep_told_not_to_tell_tells_nobody(world):
    drop(world, output="3900000")
    known = Notification.objects.count()
    assert alerts_sweep(on=ON, tell=False) == Swept(opened=1, kept=0, closed=0)
    assert Notification.objects.count() == known
    # the warning is no longer new on the next sweep: still nobody told
    assert alerts_sweep(on=ON) == Swept(opened=0, kept=1, closed=0)
    assert Notification.objects.count() == known


# The words -------------------------------------------------------------------------------


def test_each_warning_says_what_was_found_with_its_numbers(world):
    drop(world, output="3900000")  # a: output
    figure(world.b, YEAR_BEFORE, output=SAME, electricity="420000")
    figure(world.b, LATEST, output=SAME, electricity="300000")  # b: electricity
    figure(EnterpriseFactory(), PREVIOUS, output=SAME, electricity=SAME)  # no figures
    behind(project_make("航空零部件扩产项目", enterprise=world.a))
    expiring(world.b, 51)  # 2026-04-30
    assert sweep() == Swept(opened=5, kept=0, closed=0)
    alerts = {a.rule: a for a in Alert.objects.select_related("qualification")}
    with translation.override("en"):
        said = {rule: alert.description for rule, alert in alerts.items()}
    assert said == {
        Rule.OUTPUT_DROP: (
            "2026-02 output value 390.00 (10k yuan), -22.0% on the 500.00 of a year before"
        ),
        Rule.ELECTRICITY_DROP: (
            "2026-02 electricity 30.00 (10k kWh), -28.6% on the 42.00 of a year before"
        ),
        Rule.NO_FIGURES: "No figures for 2026-02; the month before was reported",
        Rule.PROJECT_BEHIND: ("Investment to 2026-02: 70.00 of 200.00 planned (10k yuan), 35.0%"),
        Rule.QUALIFICATION_EXPIRING: (
            "Specialised and sophisticated SME expires on 2026-04-30, in 51 days"
        ),
    }
    with translation.override("zh-hans"):
        chinese = alerts[Rule.OUTPUT_DROP].description
    assert "390.00" in chinese and "-22.0" in chinese and "500.00" in chinese


# Who reads which warnings -------------------------------------------------------------------


@pytest.fixture
def scoped(world):
    """Warnings of a (district A, officer) and b (district B, officer_b), of a project of
    a and of a project of b with `official` responsible, and one of b for which district
    A's user is responsible."""
    pa = project_make("航空零部件扩产项目", enterprise=world.a)
    pb = project_make("进贤扩产项目", enterprise=world.b, official=world.users["official"])
    return {
        "a": AlertFactory(enterprise=world.a),
        "b": AlertFactory(enterprise=world.b, rule=Rule.NO_FIGURES),
        "pa": AlertFactory(enterprise=world.a, project=pa, rule=Rule.PROJECT_BEHIND),
        "pb": AlertFactory(enterprise=world.b, project=pb, rule=Rule.PROJECT_BEHIND),
        "b_for_a": AlertFactory(
            enterprise=world.b, rule=Rule.ELECTRICITY_DROP, official=world.users["district_a"]
        ),
    }


EVERYTHING = {"a", "b", "pa", "pb", "b_for_a"}


@pytest.mark.parametrize(
    "user, expected",
    [
        ("staff", EVERYTHING),
        ("leader", EVERYTHING),
        ("admin", EVERYTHING),
        ("department", EVERYTHING),
        ("district_a", {"a", "pa", "b_for_a"}),  # and what they are responsible for
        ("district_b", {"b", "pb", "b_for_a"}),
        ("park", {"a", "pa"}),  # a lies in hkc, inside the zone gxq
        ("officer", {"a", "pa"}),
        ("officer_b", {"b", "pb", "b_for_a"}),
        ("official", {"pb"}),  # responsible for the project only
        ("enterprise", set()),
    ],
)
def test_who_reads_which_warnings(world, scoped, user, expected):
    names = {alert.pk: name for name, alert in scoped.items()}
    assert scoped["pa"].official == world.users["officer"]
    assert scoped["pb"].official == world.users["official"]
    assert {names[pk] for pk in alert_scope(world.users[user]).values_list("pk", flat=True)} == (
        expected
    )


def test_an_inactive_user_reads_no_warnings(world, scoped):
    gone = UserFactory(username="gone", role=Role.STAFF, is_active=False)
    assert alert_scope(world.users["staff"]).count() == 5
    assert not alert_scope(gone).exists()


# The command ----------------------------------------------------------------------------


def test_the_command_sweeps_as_of_the_day_given_and_says_what_it_did(world):
    drop(world, output="3900000")
    out = io.StringIO()
    call_command("alerts", "--on", "2026-03-10", stdout=out)
    assert out.getvalue().startswith("1 opened, 0 still open, 0 cleared; ")
    assert only(Rule.OUTPUT_DROP).period == LATEST
    out = io.StringIO()
    call_command("alerts", "--on", "2026-03-11", stdout=out)
    assert out.getvalue().startswith("0 opened, 1 still open, 0 cleared; ")
    figure_correct(world.a, LATEST, output_value=SAME)
    out = io.StringIO()
    call_command("alerts", "--on", "2026-03-12", stdout=out)
    assert out.getvalue().startswith("0 opened, 0 still open, 1 cleared; ")


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "10/03/2026"])
def test_the_command_refuses_a_day_that_is_not_a_date(world, day):
    drop(world, output="3900000")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("alerts", "--on", day, stdout=io.StringIO())
    assert not Alert.objects.exists()
